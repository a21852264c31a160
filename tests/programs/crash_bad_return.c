//! cflags: -fno-stack-protector
// Overwriting a saved return address with 0x4141414141414141: ret faults with #GP (non-canonical).
#include <stdio.h>
#include <string.h>

static void __attribute__((noinline)) smash(const char *input, size_t n) {
  char buffer[16];
  memcpy(buffer, input, n);
  __asm__ volatile("" : : "r"(buffer) : "memory");
}

int main(void) {
  char payload[64];
  memset(payload, 'A', sizeof payload);
  fprintf(stderr, "overwriting the return address\n");
  smash(payload, sizeof payload);
  return 0;
}
