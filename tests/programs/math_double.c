//! ldflags: -lm
// Double arithmetic, conversions, and a few libm functions computed in software or SSE2.
#include <stdio.h>
#include <math.h>

int main(void) {
  double sum = 0;
  for (int i = 1; i <= 1000; i++) sum += 1.0 / ((double)i * i);
  printf("basel partial sum %.12f (pi^2/6 = %.12f)\n", sum, M_PI * M_PI / 6);
  printf("sqrt(2) = %.15f\n", sqrt(2.0));
  printf("fabs %.1f floor %.1f ceil %.1f trunc %.1f round %.1f\n", fabs(-2.5), floor(-2.5), ceil(-2.5), trunc(-2.5), round(-2.5));
  printf("fmod %.3f\n", fmod(10.0, 3.3));
  double x = 1e16;
  printf("x + 1 - x = %.1f\n", x + 1 - x);
  printf("int conversions: %d %d %ld %u\n", (int)3.99, (int)-3.99, (long)1e15, (unsigned)4e9);
  printf("to double: %.1f %.1f\n", (double)(1L << 53) + 1, (double)-7);
  printf("comparisons: %d %d %d %d\n", 0.1 + 0.2 == 0.3, 0.5 + 0.25 == 0.75, NAN == NAN, -0.0 == 0.0);
  double a = 1.0, b = 0.0;
  printf("divide by zero: %f %f\n", a / b, -a / b);
  printf("isnan %d isinf %d signbit %d\n", isnan(b / b), isinf(a / b), signbit(-0.0) != 0);
  double h = 0;
  for (int i = 0; i < 100; i++) h = h * 1.0001 + 0.5;
  printf("h = %.10f\n", h);
  printf("min/max %.1f %.1f\n", fmin(2.0, -1.0), fmax(2.0, -1.0));
  return 0;
}
