// long double is the x87 80-bit format on x86-64: arithmetic and printf's %Lf/%Lg go through x87.
#include <stdio.h>

int main(void) {
  long double third = 1.0L / 3.0L;
  printf("1/3 = %.20Lf\n", third);
  long double f = 1;
  for (int i = 1; i <= 25; i++) f *= i;
  printf("25! = %.0Lf\n", f);
  printf("sizeof(long double) = %zu, %Lg %Le\n", sizeof(long double), 1e4000L, -2.5e-4000L);
  volatile double d = 0.1;
  printf("extended 0.1 sum = %.21Lf\n", (long double)d * 10 - 1);
  return 0;
}
