// Overflowing one heap block into the next chunk's size field, then freeing: glibc's free() notices.
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  volatile char *a = malloc(24);
  volatile char *b = malloc(24);
  volatile int length = 24 + 8; /* 8 bytes too many: b's size field */
  for (int i = 0; i < length; i++) a[i] = 'A';
  fprintf(stderr, "freeing a chunk with a corrupted size\n");
  free((void *)b);
  free((void *)a);
  return 0;
}
