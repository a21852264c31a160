// Raw memory system calls: anonymous mmap, mprotect, munmap, mremap, and sbrk moving the break.
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <sys/mman.h>

int main(void) {
  size_t len = 4 * 4096;
  unsigned char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) { perror("mmap"); return 1; }
  int zero = 1;
  for (size_t i = 0; i < len; i++) zero &= p[i] == 0;
  printf("fresh anonymous memory is zero: %d\n", zero);
  memset(p, 0x5a, len);
  printf("mprotect read-only: %d\n", mprotect(p, 4096, PROT_READ));
  printf("still readable: 0x%02x\n", p[100]);
  errno = 0;
  void *split = mremap(p, len, 8 * len, MREMAP_MAYMOVE);
  printf("mremap across two areas: %s %s\n", split == MAP_FAILED ? "MAP_FAILED" : "moved", strerror(errno));
  mprotect(p, 4096, PROT_READ | PROT_WRITE); /* the areas merge again */
  unsigned char *q = mremap(p, len, 8 * len, MREMAP_MAYMOVE);
  printf("mremap kept contents: %d\n", q != MAP_FAILED && q[len - 1] == 0x5a && q[8 * len - 1] == 0);
  memset(q, 0x77, 2 * 4096);
  madvise(q, 4096, MADV_DONTNEED);
  printf("after MADV_DONTNEED: first page 0x%02x, second page 0x%02x\n", q[10], q[4096 + 10]);
  printf("munmap: %d\n", munmap(q, 8 * len));
  errno = 0;
  void *bad = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 123);
  printf("unaligned offset: %s %s\n", bad == MAP_FAILED ? "MAP_FAILED" : "mapped", strerror(errno));
  int unaligned = munmap((char *)q + 1, 4096);
  printf("munmap unaligned: %d %s\n", unaligned, strerror(errno));
  errno = 0;
  void *huge = mmap(NULL, 1UL << 40, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("1 TiB mapping: %s\n", huge == MAP_FAILED ? strerror(errno) : "mapped");
  char *before = sbrk(0);
  char *grown = sbrk(100000);
  printf("sbrk returned the old break: %d\n", grown == before);
  memset(grown, 1, 100000);
  printf("new break is 100000 higher: %d\n", (char *)sbrk(0) - before == 100000);
  return 0;
}
