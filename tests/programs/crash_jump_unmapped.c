// Calling a function pointer into unmapped memory: SIGSEGV error 14 (instruction fetch, not present).
#include <stdio.h>

int main(void) {
  void (*volatile fn)(void) = (void (*)(void))0x4242424242;
  fprintf(stderr, "calling 0x4242424242\n");
  fn();
  return 0;
}
