// signal(), raise(), blocking with sigprocmask, pending signals delivered on unblock, SIG_IGN.
#include <stdio.h>
#include <signal.h>
#include <unistd.h>

static volatile sig_atomic_t usr1, usr2;
static void on_usr1(int sig) { usr1 += sig; }
static void on_usr2(int sig) { (void)sig; usr2++; }

int main(void) {
  signal(SIGUSR1, on_usr1);
  signal(SIGUSR2, on_usr2);
  raise(SIGUSR1);
  printf("after raise: usr1=%d\n", usr1);
  sigset_t set, old;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR2);
  sigprocmask(SIG_BLOCK, &set, &old);
  raise(SIGUSR2);
  kill(getpid(), SIGUSR2);
  sigset_t pending;
  sigpending(&pending);
  printf("blocked: usr2=%d pending=%d\n", usr2, sigismember(&pending, SIGUSR2));
  sigprocmask(SIG_SETMASK, &old, NULL);
  printf("unblocked: usr2=%d (standard signals do not queue)\n", usr2);
  signal(SIGUSR1, SIG_IGN);
  raise(SIGUSR1);
  printf("ignored: usr1=%d\n", usr1);
  signal(SIGCHLD, SIG_DFL);
  raise(SIGCHLD);
  puts("SIGCHLD's default action is to ignore it");
  return 0;
}
