// __builtin_trap() emits ud2: SIGILL (132).
#include <stdio.h>

int main(void) {
  fprintf(stderr, "trapping\n");
  __builtin_trap();
}
