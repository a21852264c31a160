/*
 * Process start-up and termination: what glibc's static __libc_start_main, exit and abort do,
 * reduced to one thread.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "internal.h"

int errno;
char **environ;
unsigned long __libc_pagesize = 4096;
const char *__progname = "";
/* The kernel's AT_RANDOM block: 16 random bytes on the initial stack. */
unsigned char *__libc_at_random;
static unsigned long *auxiliary_vector;

/*
 * The thread control block, laid out like glibc's tcbhead_t so that fs:0x28 is the stack guard
 * and fs:0x30 the pointer guard. glibc places it in a static TLS block; here it lives in .bss so
 * that the heap still starts exactly at the initial program break.
 */
struct tcbhead {
  void *tcb;                 /* fs:0x00, points to itself */
  void *dtv;                 /* fs:0x08 */
  void *self;                /* fs:0x10, points to itself */
  int multiple_threads;      /* fs:0x18 */
  int gscope_flag;           /* fs:0x1c */
  uintptr_t sysinfo;         /* fs:0x20 */
  uintptr_t stack_guard;     /* fs:0x28, the canary gcc's -fstack-protector code reads */
  uintptr_t pointer_guard;   /* fs:0x30 */
  unsigned long padding[57]; /* the rest of glibc's 0x200-byte header, unused */
};
static struct tcbhead main_thread_tcb __attribute__((aligned(64)));

#define ARCH_SET_FS 0x1002
#define ATEXIT_MAX 32

static void (*atexit_handlers[ATEXIT_MAX])(void);
static int atexit_count;

int main(int argc, char **argv, char **envp);

static const char *basename_of(const char *path) {
  const char *base = path;
  for (const char *p = path; *p; p++)
    if (*p == '/') base = p + 1;
  return base;
}

static void setup_thread_pointer(void) {
  main_thread_tcb.tcb = &main_thread_tcb;
  main_thread_tcb.self = &main_thread_tcb;
  /* _dl_setup_stack_chk_guard: the first 8 AT_RANDOM bytes with the lowest (first in memory)
     byte zeroed, so string copies stop at the canary. _dl_setup_pointer_guard: bytes 8..15. */
  uintptr_t guard = 0;
  uintptr_t pointer_guard = 0;
  if (__libc_at_random != NULL) {
    memcpy(&guard, __libc_at_random, sizeof guard);
    memcpy(&pointer_guard, __libc_at_random + 8, sizeof pointer_guard);
  }
  main_thread_tcb.stack_guard = guard & ~(uintptr_t)0xff;
  main_thread_tcb.pointer_guard = pointer_guard;
  __syscall6(SYS_arch_prctl, ARCH_SET_FS, (long)&main_thread_tcb, 0, 0, 0, 0);
}

/* Called by _start with the initial stack pointer and the kernel's rdx. */
void __libc_start_main(long *initial_stack, void (*exit_handler)(void)) {
  int argc = (int)initial_stack[0];
  char **argv = (char **)(initial_stack + 1);
  char **envp = argv + argc + 1;
  char **scan = envp;
  while (*scan != NULL) scan++;
  auxiliary_vector = (unsigned long *)(scan + 1);
  for (unsigned long *aux = auxiliary_vector; aux[0] != 0; aux += 2) {
    if (aux[0] == AT_PAGESZ) __libc_pagesize = aux[1];
    else if (aux[0] == AT_RANDOM) __libc_at_random = (unsigned char *)aux[1];
  }
  environ = envp;
  if (argc > 0 && argv[0] != NULL) __progname = basename_of(argv[0]);
  setup_thread_pointer();
  if (exit_handler != NULL) atexit(exit_handler);
  exit(main(argc, argv, envp));
}

unsigned long getauxval(unsigned long type) {
  for (unsigned long *aux = auxiliary_vector; aux != NULL && aux[0] != 0; aux += 2)
    if (aux[0] == type) return aux[1];
  errno = ENOENT;
  return 0;
}

int atexit(void (*function)(void)) {
  if (atexit_count == ATEXIT_MAX) return -1;
  atexit_handlers[atexit_count++] = function;
  return 0;
}

void exit(int status) {
  /* Handlers run in reverse order of registration; one may itself call atexit. */
  while (atexit_count > 0) {
    void (*handler)(void) = atexit_handlers[--atexit_count];
    handler();
  }
  __stdio_flush_all();
  _exit(status);
}

void _exit(int status) {
  for (;;) __syscall6(SYS_exit_group, status, 0, 0, 0, 0, 0);
}

void _Exit(int status) { _exit(status); }

#define SIGABRT 6
#define SIG_UNBLOCK 1

static void raise_sigabrt(void) {
  long pid = __syscall6(SYS_getpid, 0, 0, 0, 0, 0, 0);
  long tid = __syscall6(SYS_gettid, 0, 0, 0, 0, 0, 0);
  __syscall6(SYS_tgkill, pid, tid, SIGABRT, 0, 0, 0);
}

/* glibc 2.36's abort: unblock SIGABRT and raise it; if a handler returns, restore the default
   action and raise again. Streams are not flushed (glibc stopped doing that in 2.27). */
void abort(void) {
  unsigned long mask = 1UL << (SIGABRT - 1);
  __syscall6(SYS_rt_sigprocmask, SIG_UNBLOCK, (long)&mask, 0, sizeof mask, 0, 0);
  raise_sigabrt();
  unsigned long default_action[4] = {0, 0, 0, 0};
  __syscall6(SYS_rt_sigaction, SIGABRT, (long)default_action, 0, sizeof mask, 0, 0);
  raise_sigabrt();
  _exit(127);
}

void __write_all(int fd, const char *text, size_t length) {
  while (length > 0) {
    long written = __syscall6(SYS_write, fd, (long)text, (long)length, 0, 0, 0);
    if (written <= 0) return;
    text += written;
    length -= (size_t)written;
  }
}

void __libc_fatal(const char *message) {
  __write_all(2, message, strlen(message));
  __write_all(2, "\n", 1);
  abort();
}

/* debug/stack_chk_fail.c -> __fortify_fail -> "*** %s ***: terminated\n" (glibc >= 2.31). */
void __stack_chk_fail(void) {
  __libc_fatal("*** stack smashing detected ***: terminated");
}

static size_t format_unsigned(char *out, unsigned long value) {
  char digits[24];
  size_t n = 0;
  do {
    digits[n++] = (char)('0' + value % 10);
    value /= 10;
  } while (value != 0);
  for (size_t i = 0; i < n; i++) out[i] = digits[n - 1 - i];
  return n;
}

/* glibc: "%s%s%s:%u: %s%sAssertion `%s' failed.\n" with the program name, file, line, function. */
void __assert_fail(const char *assertion, const char *file, unsigned int line, const char *function) {
  char number[24];
  size_t digits = format_unsigned(number, line);
  __write_all(2, __progname, strlen(__progname));
  if (*__progname) __write_all(2, ": ", 2);
  __write_all(2, file, strlen(file));
  __write_all(2, ":", 1);
  __write_all(2, number, digits);
  __write_all(2, ": ", 2);
  if (function != NULL) {
    __write_all(2, function, strlen(function));
    __write_all(2, ": ", 2);
  }
  __write_all(2, "Assertion `", 11);
  __write_all(2, assertion, strlen(assertion));
  __write_all(2, "' failed.\n", 10);
  abort();
}
