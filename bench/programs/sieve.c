// Sieve of Eratosthenes: byte-array stores, nested loops, data-dependent branches.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static unsigned char composite[500001];

int main(int argc, char **argv) {
  int scale = argc > 1 ? atoi(argv[1]) : 1;
  unsigned long long checksum = 0;
  for (int round = 0; round < 2 * scale; round++) {
    memset(composite, 0, sizeof composite);
    for (int i = 2; i * i <= 500000; i++)
      if (!composite[i])
        for (int j = i * i; j <= 500000; j += i) composite[j] = 1;
    for (int i = 2; i <= 500000; i++)
      if (!composite[i]) checksum = checksum * 31 + (unsigned)i;
  }
  printf("sieve %016llx\n", checksum);
  return 0;
}
