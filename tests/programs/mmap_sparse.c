// Thousands of scattered one-page mappings, each needing its own page-table pages.
#include <stdio.h>
#include <sys/mman.h>
int main(void) {
  int ok = 0, failed = 0;
  for (long i = 0; i < 5000; i++) {
    char *want = (char *)0x100000000L + i * (32L << 20);
    char *p = mmap(want, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED) failed++; else { *p = 1; ok++; }
  }
  printf("mapped %d, failed %d\n", ok, failed);
  return 0;
}
