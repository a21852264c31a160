// Reading kernel memory from user mode: SIGSEGV, the error code says "protection" (5).
#include <stdio.h>

int main(void) {
  volatile long *kernel = (long *)0xffffffff81000000UL;
  fprintf(stderr, "reading kernel text\n");
  return (int)*kernel;
}
