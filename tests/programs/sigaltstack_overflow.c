// Catching stack exhaustion: a SIGSEGV handler on an alternate signal stack reports and exits.
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static void on_segv(int sig) {
  (void)sig;
  const char msg[] = "stack overflow caught on the alternate stack\n";
  write(2, msg, sizeof msg - 1);
  _exit(3);
}

static int deep(int n) {
  volatile char pad[512];
  pad[n & 511] = 1;
  return deep(n + 1) + pad[3];
}

int main(void) {
  stack_t ss;
  ss.ss_sp = malloc(SIGSTKSZ);
  ss.ss_size = SIGSTKSZ;
  ss.ss_flags = 0;
  sigaltstack(&ss, NULL);
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_segv;
  sa.sa_flags = SA_ONSTACK;
  sigaction(SIGSEGV, &sa, NULL);
  return deep(0);
}
