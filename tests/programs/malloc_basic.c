// malloc and free of many sizes; the memory holds what was written.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
  enum { N = 200 };
  unsigned char *blocks[N];
  size_t sizes[N];
  for (int i = 0; i < N; i++) {
    sizes[i] = (size_t)(i * 37 % 1000) + 1;
    blocks[i] = malloc(sizes[i]);
    memset(blocks[i], i & 0xff, sizes[i]);
  }
  for (int i = 0; i < N; i += 2) free(blocks[i]);
  for (int i = 0; i < N; i += 2) {
    blocks[i] = malloc(sizes[i]);
    memset(blocks[i], i & 0xff, sizes[i]);
  }
  unsigned long sum = 0;
  int bad = 0;
  for (int i = 0; i < N; i++) {
    for (size_t j = 0; j < sizes[i]; j++) {
      sum += blocks[i][j];
      if (blocks[i][j] != (i & 0xff)) bad++;
    }
  }
  printf("sum=%lu bad=%d\n", sum, bad);
  for (int i = 0; i < N; i++) free(blocks[i]);
  char *s = malloc(0);
  printf("malloc(0) %s\n", s ? "returns a pointer" : "returns NULL");
  free(s);
  free(NULL);
  puts("done");
  return 0;
}
