/* Signals: sigaction over rt_sigaction (with our __restore_rt trampoline), BSD-style signal(),
   raise, kill and the signal-set helpers; time functions. */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "internal.h"

#define SA_RESTORER 0x04000000
#define KERNEL_SIGSET_SIZE 8

void __restore_rt(void);

/* The kernel's struct sigaction: handler, flags, restorer, then a 64-bit mask. */
struct kernel_sigaction {
  void *handler;
  unsigned long flags;
  void (*restorer)(void);
  unsigned long mask;
};

int sigaction(int sig, const struct sigaction *action, struct sigaction *old) {
  struct kernel_sigaction kernel_action;
  struct kernel_sigaction kernel_old;
  if (action != NULL) {
    kernel_action.handler = (void *)action->sa_handler;
    kernel_action.flags = (unsigned long)(unsigned int)action->sa_flags | SA_RESTORER;
    kernel_action.restorer = __restore_rt;
    kernel_action.mask = action->sa_mask.__val[0];
  }
  long result = __syscall_ret(__syscall6(SYS_rt_sigaction, sig, action != NULL ? (long)&kernel_action : 0,
                                         old != NULL ? (long)&kernel_old : 0, KERNEL_SIGSET_SIZE, 0, 0));
  if (result < 0) return -1;
  if (old != NULL) {
    memset(old, 0, sizeof *old);
    old->sa_handler = (sighandler_t)kernel_old.handler;
    old->sa_flags = (int)kernel_old.flags;
    old->sa_restorer = kernel_old.restorer;
    old->sa_mask.__val[0] = kernel_old.mask;
  }
  return 0;
}

/* glibc's signal() has BSD semantics: the handler stays installed, the signal is blocked while
   its handler runs, and interrupted system calls restart. */
sighandler_t signal(int sig, sighandler_t handler) {
  struct sigaction action;
  struct sigaction old;
  if (handler == SIG_ERR || sig < 1 || sig >= NSIG) {
    errno = EINVAL;
    return SIG_ERR;
  }
  memset(&action, 0, sizeof action);
  action.sa_handler = handler;
  sigaddset(&action.sa_mask, sig);
  action.sa_flags = SA_RESTART;
  if (sigaction(sig, &action, &old) < 0) return SIG_ERR;
  return old.sa_handler;
}

int kill(pid_t pid, int sig) { return (int)__syscall_ret(__syscall6(SYS_kill, pid, sig, 0, 0, 0, 0)); }

int raise(int sig) {
  long pid = __syscall6(SYS_getpid, 0, 0, 0, 0, 0, 0);
  long tid = __syscall6(SYS_gettid, 0, 0, 0, 0, 0, 0);
  return (int)__syscall_ret(__syscall6(SYS_tgkill, pid, tid, sig, 0, 0, 0));
}

int sigprocmask(int how, const sigset_t *set, sigset_t *old) {
  unsigned long new_mask = set != NULL ? set->__val[0] : 0;
  unsigned long old_mask = 0;
  long result = __syscall_ret(__syscall6(SYS_rt_sigprocmask, how, set != NULL ? (long)&new_mask : 0,
                                         old != NULL ? (long)&old_mask : 0, KERNEL_SIGSET_SIZE, 0, 0));
  if (result < 0) return -1;
  if (old != NULL) {
    memset(old, 0, sizeof *old);
    old->__val[0] = old_mask;
  }
  return 0;
}

static int valid_signal(int sig) {
  if (sig < 1 || sig >= NSIG) {
    errno = EINVAL;
    return 0;
  }
  return 1;
}

int sigemptyset(sigset_t *set) {
  memset(set, 0, sizeof *set);
  return 0;
}

int sigfillset(sigset_t *set) {
  memset(set, 0xff, sizeof *set);
  return 0;
}

int sigaddset(sigset_t *set, int sig) {
  if (!valid_signal(sig)) return -1;
  set->__val[(sig - 1) / 64] |= 1UL << ((sig - 1) % 64);
  return 0;
}

int sigdelset(sigset_t *set, int sig) {
  if (!valid_signal(sig)) return -1;
  set->__val[(sig - 1) / 64] &= ~(1UL << ((sig - 1) % 64));
  return 0;
}

int sigismember(const sigset_t *set, int sig) {
  if (!valid_signal(sig)) return -1;
  return (set->__val[(sig - 1) / 64] >> ((sig - 1) % 64)) & 1;
}

unsigned int alarm(unsigned int seconds) { return (unsigned int)__syscall6(SYS_alarm, seconds, 0, 0, 0, 0, 0); }
int pause(void) { return (int)__syscall_ret(__syscall6(SYS_pause, 0, 0, 0, 0, 0, 0)); }

time_t time(time_t *t) {
  time_t now = __syscall6(SYS_time, 0, 0, 0, 0, 0, 0);
  if (t != NULL) *t = now;
  return now;
}

int clock_gettime(clockid_t clock_id, struct timespec *tp) {
  return (int)__syscall_ret(__syscall6(SYS_clock_gettime, clock_id, (long)tp, 0, 0, 0, 0));
}

clock_t clock(void) {
  struct timespec ts;
  if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) < 0) return (clock_t)-1;
  return ts.tv_sec * CLOCKS_PER_SEC + ts.tv_nsec / 1000;
}

int nanosleep(const struct timespec *request, struct timespec *remaining) {
  return (int)__syscall_ret(__syscall6(SYS_nanosleep, (long)request, (long)remaining, 0, 0, 0, 0));
}
