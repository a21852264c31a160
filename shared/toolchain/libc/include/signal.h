#ifndef _SIGNAL_H
#define _SIGNAL_H
#include <sys/types.h>
#define SIGHUP 1
#define SIGINT 2
#define SIGQUIT 3
#define SIGILL 4
#define SIGTRAP 5
#define SIGABRT 6
#define SIGIOT 6
#define SIGBUS 7
#define SIGFPE 8
#define SIGKILL 9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGSTKFLT 16
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGURG 23
#define SIGXCPU 24
#define SIGXFSZ 25
#define SIGVTALRM 26
#define SIGPROF 27
#define SIGWINCH 28
#define SIGIO 29
#define SIGPWR 30
#define SIGSYS 31
#define NSIG 65
typedef void (*sighandler_t)(int);
#define SIG_ERR ((sighandler_t)-1)
#define SIG_DFL ((sighandler_t)0)
#define SIG_IGN ((sighandler_t)1)
#define SIG_BLOCK 0
#define SIG_UNBLOCK 1
#define SIG_SETMASK 2
#define SA_NOCLDSTOP 0x00000001
#define SA_NOCLDWAIT 0x00000002
#define SA_SIGINFO 0x00000004
#define SA_ONSTACK 0x08000000
#define SA_RESTART 0x10000000
#define SA_NODEFER 0x40000000
#define SA_RESETHAND 0x80000000
typedef int sig_atomic_t;
/* glibc's 1024-bit signal set (the kernel uses the first 64 bits). */
typedef struct {
  unsigned long __val[16];
} sigset_t;
union sigval {
  int sival_int;
  void *sival_ptr;
};
/* The kernel's siginfo (128 bytes); the fields a fault handler reads are at the kernel's offsets. */
typedef struct {
  int si_signo;
  int si_errno;
  int si_code;
  int __pad0;
  union {
    void *si_addr;  /* SIGSEGV, SIGBUS, SIGILL, SIGFPE: the faulting address */
    struct {
      pid_t si_pid; /* kill, tgkill: the sender */
      uid_t si_uid;
      union sigval si_value;
    } __kill;
    int __pad[28];
  } __fields;
} siginfo_t;
#define si_addr __fields.si_addr
#define si_pid __fields.__kill.si_pid
#define si_uid __fields.__kill.si_uid
#define si_value __fields.__kill.si_value
struct sigaction {
  union {
    sighandler_t sa_handler;
    void (*sa_sigaction)(int, siginfo_t *, void *);
  } __sigaction_handler;
  sigset_t sa_mask;
  int sa_flags;
  void (*sa_restorer)(void);
};
#define sa_handler __sigaction_handler.sa_handler
#define sa_sigaction __sigaction_handler.sa_sigaction
sighandler_t signal(int sig, sighandler_t handler);
int sigaction(int sig, const struct sigaction *action, struct sigaction *old);
int raise(int sig);
int kill(pid_t pid, int sig);
int sigemptyset(sigset_t *set);
int sigfillset(sigset_t *set);
int sigaddset(sigset_t *set, int sig);
int sigdelset(sigset_t *set, int sig);
int sigismember(const sigset_t *set, int sig);
int sigprocmask(int how, const sigset_t *set, sigset_t *old);
#endif
