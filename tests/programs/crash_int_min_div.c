// INT_MIN / -1 overflows the quotient: x86 raises the same divide error, SIGFPE.
#include <stdio.h>
#include <limits.h>

int main(void) {
  volatile int a = INT_MIN, b = -1;
  fprintf(stderr, "INT_MIN / -1\n");
  return a / b;
}
