// Reading through a NULL pointer: SIGSEGV, error 4 (user read of a page that is not present).
#include <stdio.h>

int main(void) {
  volatile int *p = NULL;
  fprintf(stderr, "about to read *NULL\n");
  return *p;
}
