// Writing through a NULL struct pointer member: SIGSEGV at a small address.
#include <stdio.h>

struct account { long id; long balance; };

int main(void) {
  volatile struct account *volatile acct = NULL;
  fprintf(stderr, "crediting a missing account\n");
  acct->balance += 100;
  return 0;
}
