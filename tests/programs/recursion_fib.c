// Naive recursion: many call/ret pairs and a deep-ish stack.
#include <stdio.h>

static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static int depth(int n) {
  volatile char pad[100];
  pad[n % 100] = (char)n;
  return n == 0 ? pad[0] : 1 + depth(n - 1);
}

int main(void) {
  for (int i = 0; i <= 22; i += 2) printf("fib(%d) = %ld\n", i, fib(i));
  printf("depth = %d\n", depth(5000));
  return 0;
}
