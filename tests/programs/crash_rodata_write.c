// Writing into a string literal: .rodata is mapped read-only, SIGSEGV error 7.
#include <stdio.h>

int main(void) {
  volatile char *volatile greeting = (volatile char *)"hello";
  fprintf(stderr, "capitalising a literal\n");
  greeting[0] = 'H';
  puts((const char *)greeting);
  return 0;
}
