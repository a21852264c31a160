// A SIGSEGV handler with SA_SIGINFO: it sees the fault address and si_code, then siglongjmps out.
#include <stdio.h>
#include <signal.h>
#include <setjmp.h>
#include <string.h>
#include <unistd.h>

static sigjmp_buf recover;
static volatile sig_atomic_t caught;

static void on_segv(int sig, siginfo_t *info, void *context) {
  (void)context;
  caught++;
  char msg[128];
  int n = snprintf(msg, sizeof msg, "caught signal %d code %d at %p\n", sig, info->si_code, info->si_addr);
  write(1, msg, (size_t)n);
  siglongjmp(recover, 1);
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_segv;
  sa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &sa, NULL);
  if (sigsetjmp(recover, 1) == 0) {
    volatile int *p = (int *)16;
    *p = 1;
  }
  if (sigsetjmp(recover, 1) == 0) {
    volatile char *rodata = (char *)"literal";
    rodata[0] = 'L';
  }
  printf("recovered %d times\n", caught);
  return 0;
}
