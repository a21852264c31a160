// Bubble sort of int32 values: compares, conditional swaps, array loads and stores.
#include <stdio.h>
#include <stdlib.h>

#define N 1500
static int v[N];

int main(int argc, char **argv) {
  int scale = argc > 1 ? atoi(argv[1]) : 1;
  unsigned x = 12345;
  unsigned long long checksum = 0;
  for (int round = 0; round < scale; round++) {
    for (int i = 0; i < N; i++) { x = x * 1103515245u + 12345u; v[i] = (int)(x >> 8); }
    for (int i = 0; i < N - 1; i++)
      for (int j = 0; j < N - 1 - i; j++)
        if (v[j] > v[j + 1]) { int t = v[j]; v[j] = v[j + 1]; v[j + 1] = t; }
    for (int i = 0; i < N; i += 7) checksum = checksum * 31 + (unsigned)v[i];
  }
  printf("bubble %016llx\n", checksum);
  return 0;
}
