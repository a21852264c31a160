// Small C programs the debugger's tests share: calls, a loop, recursion, and globals to watch.

/** Squares summed in a loop, a recursive factorial, two globals changed; prints nothing. */
export const SQUARES_AND_FACTORIAL = `int g = 7;
int square(int v) {
  return v * v;
}
int sum(int n) {
  int total = 0;
  for (int i = 1; i <= n; i++)
    total += square(i);
  return total;
}
int fact(int n) {
  if (n <= 1)
    return 1;
  return n * fact(n - 1);
}
int main(void) {
  int x = sum(3);
  g = x + 1;
  x = fact(4);
  g = g + x;
  return 0;
}
`

/** Squares summed in a loop, a global changed, the result printed (line 15). */
export const SQUARES_PRINTED = `#include <stdio.h>
int g = 7;
int square(int v) {
  return v * v;
}
int sum(int n) {
  int total = 0;
  for (int i = 1; i <= n; i++)
    total += square(i);
  return total;
}
int main(void) {
  int x = sum(3);
  g = x + 1;
  printf("x=%d g=%d\\n", x, g);
  return 0;
}
`
