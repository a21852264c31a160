// FNV-1a 64-bit over a buffer: a serial chain of xor and 64-bit multiply.
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>

#define SIZE (256 * 1024)
static unsigned char data[SIZE];

int main(int argc, char **argv) {
  int scale = argc > 1 ? atoi(argv[1]) : 1;
  for (int i = 0; i < SIZE; i++) data[i] = (unsigned char)(i ^ (i >> 8));
  uint64_t h = 0xcbf29ce484222325ULL;
  for (int round = 0; round < 8 * scale; round++)
    for (int i = 0; i < SIZE; i++) {
      h ^= data[i];
      h *= 0x100000001b3ULL;
    }
  printf("hash %016llx\n", (unsigned long long)h);
  return 0;
}
