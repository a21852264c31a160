// Allocations above the mmap threshold (128 KiB), calloc zeroing, and reuse after free.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  size_t sizes[] = {200 * 1024, 1 << 20, 5 << 20, 300 * 1024};
  for (int round = 0; round < 3; round++) {
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
      unsigned char *p = malloc(sizes[i]);
      p[0] = 1;
      p[sizes[i] - 1] = 2;
      memset(p + sizes[i] / 2, 7, 4096);
      unsigned sum = p[0] + p[sizes[i] - 1] + p[sizes[i] / 2 + 100];
      printf("round %d size %zu sum %u\n", round, sizes[i], sum);
      free(p);
    }
  }
  int *z = calloc(100000, sizeof *z);
  long nonzero = 0;
  for (int i = 0; i < 100000; i++) nonzero += z[i] != 0;
  printf("calloc nonzero=%ld\n", nonzero);
  free(z);
  return 0;
}
