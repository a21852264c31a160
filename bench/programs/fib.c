// Naive recursive Fibonacci: call/ret, pushes and pops, a deep-ish stack.
#include <stdio.h>
#include <stdlib.h>

static unsigned long fib(unsigned n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int main(int argc, char **argv) {
  int scale = argc > 1 ? atoi(argv[1]) : 1;
  unsigned long long checksum = 0;
  for (int round = 0; round < scale; round++)
    for (unsigned n = 22; n <= 25; n++) checksum = checksum * 1000003 + fib(n);
  printf("fib %016llx\n", checksum);
  return 0;
}
