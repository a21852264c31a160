// Timers and waiting for signals: alarm, pause, sleep cut short, periodic setitimer with
// sigsuspend, a CPU-time timer, and finally an unhandled SIGALRM ending a busy loop (142).
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

static volatile sig_atomic_t alarms, vtalarms;
static void on_alarm(int sig) { (void)sig; alarms++; }
static void on_vtalarm(int sig) { (void)sig; vtalarms++; }

int main(void) {
  signal(SIGALRM, on_alarm);
  alarm(5);
  printf("alarm(0) returned %u (seconds left on the previous alarm)\n", alarm(0));

  alarm(1);
  int r = pause();
  printf("pause returned %d (%s), alarms %d\n", r, strerror(errno), alarms);

  alarm(1);
  unsigned left = sleep(10);
  /* 8 or 9 natively, depending on how long the wake-up took relative to the calls before it. */
  printf("sleep(10) cut short after a second: %s, alarms %d\n", left == 8 || left == 9 ? "yes" : "no", alarms);

  sigset_t block, old, wait_mask;
  sigemptyset(&block);
  sigaddset(&block, SIGALRM);
  sigprocmask(SIG_BLOCK, &block, &old);
  struct itimerval every = {{0, 20000}, {0, 20000}};
  setitimer(ITIMER_REAL, &every, NULL);
  sigemptyset(&wait_mask);
  while (alarms < 7) sigsuspend(&wait_mask);
  struct itimerval stop = {{0, 0}, {0, 0}};
  setitimer(ITIMER_REAL, &stop, NULL);
  sigprocmask(SIG_SETMASK, &old, NULL);
  printf("periodic timer: alarms %d\n", alarms);

  signal(SIGVTALRM, on_vtalarm);
  struct itimerval cpu = {{0, 0}, {0, 1000}};
  setitimer(ITIMER_VIRTUAL, &cpu, NULL);
  while (!vtalarms) {}
  printf("CPU-time timer fired once: %d\n", vtalarms);

  signal(SIGALRM, SIG_DFL);
  struct itimerval soon = {{0, 0}, {0, 2000}};
  setitimer(ITIMER_REAL, &soon, NULL);
  fflush(stdout);
  for (;;) {}
}
