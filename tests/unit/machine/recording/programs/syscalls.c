// Exercises the system calls a recorder must undo and replay: write (stdout and stderr), brk
// through malloc, mmap/munmap, read from standard input, plus enough work between them that
// checkpoints fall in the middle of computations.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static unsigned long mix(unsigned long x) {
  for (int i = 0; i < 2000; i++) x = x * 6364136223846793005UL + 1442695040888963407UL;
  return x;
}

int main(void) {
  unsigned long h = 1;
  char line[64];
  ssize_t n = read(0, line, sizeof line - 1);
  line[n > 0 ? n : 0] = 0;
  write(1, "start\n", 6);
  char *blocks[8];
  for (int i = 0; i < 8; i++) {
    blocks[i] = malloc(1000 + 3000 * i);
    memset(blocks[i], 'a' + i, 1000 + 3000 * i);
    h = mix(h + (unsigned char)blocks[i][i]);
    printf("block %d %lx\n", i, h);
  }
  char *big = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  for (int i = 0; i < (1 << 20); i += 4096) big[i] = (char)i;
  h = mix(h + big[4096 * 7]);
  munmap(big, 1 << 20);
  for (int i = 0; i < 8; i += 2) free(blocks[i]);
  char *again = malloc(200000);
  memset(again, 7, 200000);
  h = mix(h + again[1234]);
  fprintf(stderr, "stderr %lx\n", h);
  n = read(0, line, sizeof line - 1);
  printf("read %zd: %s", n, n > 0 ? line : "(none)\n");
  printf("done %lx %s", h, line);
  return 0;
}
