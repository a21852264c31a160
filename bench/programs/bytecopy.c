// A byte-by-byte copy loop (gcc -O2 turns it into memcpy, i.e. glibc's SSE2 routine).
#include <stdio.h>

#define SIZE (256 * 1024)
static unsigned char src[SIZE], dst[SIZE];

int main(void) {
  for (int i = 0; i < SIZE; i++) src[i] = (unsigned char)(i * 7 + 3);
  unsigned long long checksum = 0;
  for (int round = 0; round < 12; round++) {
    src[round] ^= 0x5a;
    for (int i = 0; i < SIZE; i++) dst[i] = src[i];
    checksum = checksum * 131 + dst[round * 1000] + dst[SIZE - 1 - round];
  }
  printf("bytecopy %016llx\n", checksum);
  return 0;
}
