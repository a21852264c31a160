// More output than one pipe buffer: many full-buffer writes to stdout, some lines to stderr.
#include <stdio.h>

int main(void) {
  for (int i = 0; i < 6000; i++) {
    printf("%05d: the quick brown fox jumps over the lazy dog\n", i);
    if (i % 2000 == 0) fprintf(stderr, "progress %d\n", i);
  }
  return 0;
}
