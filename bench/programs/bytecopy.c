// A byte-by-byte copy loop (gcc -O2 turns it into memcpy, i.e. glibc's SSE2 routine).
#include <stdio.h>
#include <stdlib.h>

#define SIZE (256 * 1024)
static unsigned char src[SIZE], dst[SIZE];

int main(int argc, char **argv) {
  int scale = argc > 1 ? atoi(argv[1]) : 1;
  for (int i = 0; i < SIZE; i++) src[i] = (unsigned char)(i * 7 + 3);
  unsigned long long checksum = 0;
  for (int round = 0; round < 12 * scale; round++) {
    src[round % 1000] ^= 0x5a;
    for (int i = 0; i < SIZE; i++) dst[i] = src[i];
    checksum = checksum * 131 + dst[(round % 200) * 1000] + dst[SIZE - 1 - round % 1000];
  }
  printf("bytecopy %016llx\n", checksum);
  return 0;
}
