// Unbounded recursion: the stack grows page by page until the 8 MiB limit, then SIGSEGV.
#include <stdio.h>

static int descend(int n) {
  volatile char frame[256];
  frame[n & 255] = (char)n;
  return descend(n + 1) + frame[(n * 7) & 255];
}

int main(void) {
  fprintf(stderr, "recursing forever\n");
  return descend(0);
}
