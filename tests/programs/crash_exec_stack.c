// Executing code placed in a stack buffer: the stack is NX, SIGSEGV error 15.
#include <stdio.h>
#include <string.h>

int main(void) {
  unsigned char code[16];
  const unsigned char ret_42[] = {0xb8, 0x2a, 0x00, 0x00, 0x00, 0xc3}; /* mov eax, 42; ret */
  memcpy(code, ret_42, sizeof ret_42);
  int (*volatile fn)(void) = (int (*)(void))(void *)code;
  fprintf(stderr, "jumping into the stack\n");
  return fn();
}
