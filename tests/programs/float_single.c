// Single-precision arithmetic (SSE scalar float), float/double/int conversions and rounding.
#include <stdio.h>

int main(void) {
  float f = 0.0f;
  for (int i = 0; i < 1000; i++) f += 0.1f;
  printf("sum of 0.1f x1000 = %.7f\n", f);
  float a = 1e20f, b = -1e20f, c = 1.0f;
  printf("(a+b)+c = %.1f, a+(b+c) = %.1f\n", (a + b) + c, a + (b + c));
  volatile float x = 3.7f, y = -3.7f;
  printf("trunc %d %d, to long %ld\n", (int)x, (int)y, (long)(x * 1e9f));
  float third = 1.0f / 3.0f;
  printf("third %.9f as double %.17f\n", third, (double)third);
  volatile double d = 123456.789;
  printf("double to float %.3f\n", (float)d);
  float m = 1.0f;
  int steps = 0;
  while (1.0f + m != 1.0f) { m /= 2; steps++; }
  printf("float epsilon after %d halvings: %g\n", steps, m * 2);
  unsigned u = 4294967295u;
  printf("unsigned to float %.1f\n", (float)u);
  return 0;
}
