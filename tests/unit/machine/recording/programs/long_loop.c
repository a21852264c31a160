// A few million instructions of mixed work: a table rewritten in place, a checksum chain, and
// a line of output now and then, so that history outgrows the recent window.
#include <stdio.h>

static unsigned table[4096];

int main(void) {
  unsigned h = 2166136261u;
  for (int round = 0; round < 80; round++) {
    for (int i = 0; i < 4096; i++) {
      table[(i * 17 + round) & 4095] ^= h;
      h = (h ^ table[i]) * 16777619u;
    }
    if (round % 10 == 0) printf("round %d %08x\n", round, h);
  }
  printf("final %08x\n", h);
  return 0;
}
