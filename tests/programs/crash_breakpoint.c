// An int3 instruction with no debugger attached: SIGTRAP (133), and the kernel logs the address after it.
#include <stdio.h>

int main(void) {
  fprintf(stderr, "hitting a breakpoint\n");
  __asm__ volatile("int3");
  return 0;
}
