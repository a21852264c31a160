// Touches a megabyte below the initial stack, page by page from the top, so the kernel grows
// the stack area on page faults; prints a checksum before and after.
#include <stdio.h>

static int deep(void) {
  volatile char buffer[1 << 20];
  for (long i = sizeof buffer - 1; i >= 0; i -= 4096) buffer[i] = (char)(i >> 12);
  int sum = 0;
  for (long i = sizeof buffer - 1; i >= 0; i -= 4096) sum += buffer[i];
  return sum;
}

int main(void) {
  printf("before\n");
  printf("sum %d\n", deep());
  return 0;
}
