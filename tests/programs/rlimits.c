// setrlimit is obeyed by brk, mmap and stack growth, as on Linux.
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

static int depth(int n) {
  volatile char pad[1024];
  pad[0] = (char)n;
  return n == 0 ? pad[0] : depth(n - 1) + pad[0];
}

int main(void) {
  struct rlimit data = {1 << 20, RLIM_INFINITY};
  if (setrlimit(RLIMIT_DATA, &data) != 0) return 1;
  void *big = mmap(NULL, 4 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("4 MiB private mapping under a 1 MiB RLIMIT_DATA: %s\n", big == MAP_FAILED ? "refused" : "granted");
  void *readonly = mmap(NULL, 4 << 20, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("4 MiB read-only mapping: %s\n", readonly == MAP_FAILED ? "refused" : "granted");
  printf("sbrk(2 MiB): %s\n", sbrk(2 << 20) == (void *)-1 ? "refused" : "granted");

  struct rlimit as = {64 << 20, RLIM_INFINITY};
  struct rlimit unlimited_data = {RLIM_INFINITY, RLIM_INFINITY};
  setrlimit(RLIMIT_DATA, &unlimited_data);
  if (setrlimit(RLIMIT_AS, &as) != 0) return 2;
  void *huge = mmap(NULL, 128 << 20, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  printf("128 MiB reservation under a 64 MiB RLIMIT_AS: %s\n", huge == MAP_FAILED ? "refused" : "granted");

  struct rlimit stack = {256 << 10, RLIM_INFINITY};
  setrlimit(RLIMIT_STACK, &stack);
  fflush(stdout);
  printf("recursion of 1000 KiB under a 256 KiB stack: %d\n", depth(1000));
  return 0;
}
