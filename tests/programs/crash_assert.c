// assert() failing: the message names the program, file, line and function, then SIGABRT.
#include <assert.h>
#include <stdio.h>

static int checked_half(int n) {
  assert(n % 2 == 0);
  return n / 2;
}

int main(void) {
  printf("%d\n", checked_half(10));
  return checked_half(7);
}
