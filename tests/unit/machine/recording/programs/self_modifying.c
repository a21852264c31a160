// Writes a tiny function into an executable page, calls it, rewrites its constant and calls it
// again: the CPU's cached translation must follow the bytes, also after a step back.
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

typedef int (*function)(void);

int main(void) {
  unsigned char *code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  // mov eax, imm32; ret
  unsigned char body[] = {0xb8, 1, 0, 0, 0, 0xc3};
  memcpy(code, body, sizeof body);
  int total = 0;
  for (int round = 0; round < 5; round++) {
    total += ((function)code)();
    code[1] = (unsigned char)(code[1] * 3 + round);
    total += ((function)code)();
  }
  printf("total %d\n", total);
  return 0;
}
