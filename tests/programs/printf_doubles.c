// printf's floating-point conversions: rounding, exponents, special values, %a.
#include <stdio.h>
#include <math.h>
#include <float.h>

int main(void) {
  double values[] = {0.0, -0.0, 1.0, -1.5, 3.14159265358979, 2.5, 0.1, 1e-10, 123456789.125, 1e300, DBL_MIN, DBL_MAX, 1.0 / 3.0};
  for (unsigned i = 0; i < sizeof values / sizeof *values; i++) {
    double v = values[i];
    printf("%f | %.2f | %e | %g | %.15g | %a\n", v, v, v, v, v, v);
  }
  printf("%8.3f|%-8.3f|%+.1f|%08.2f\n", 3.14159, 3.14159, 2.25, -1.5);
  printf("%.0f %.0f %.0f %.0f\n", 0.5, 1.5, 2.5, 3.5);
  printf("%f %f %f\n", INFINITY, -INFINITY, NAN);
  printf("%g %g %g\n", 100000.0, 1000000.0, 0.0001);
  printf("%.20f\n", 0.1);
  float f = 16777217.0f;
  printf("float %f %.10e\n", f, (double)1.1f);
  return 0;
}
