// A signal with a terminating default action: the shell reports 128 + 15 = 143.
#include <stdio.h>
#include <signal.h>
#include <unistd.h>

int main(void) {
  printf("this line is lost: stdout is a pipe and the buffer is never flushed\n");
  fprintf(stderr, "stderr is unbuffered\n");
  kill(getpid(), SIGTERM);
  puts("not reached");
  return 0;
}
