// Integer division by zero: #DE, SIGFPE (136).
#include <stdio.h>

int main(int argc, char **argv) {
  (void)argv;
  volatile int zero = argc - 1;
  fprintf(stderr, "dividing by %d\n", zero);
  return 100 / zero;
}
