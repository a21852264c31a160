// The smallest program: stdio through a pipe and a return code.
#include <stdio.h>

int main(void) {
  puts("Hello, Memscape!");
  printf("%s %d\n", "answer", 42);
  return 0;
}
