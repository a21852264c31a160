// Freeing the same chunk twice: glibc's tcache check aborts with a message.
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  char *volatile p = malloc(24);
  free(p);
  fprintf(stderr, "freeing again\n");
  free(p);
  puts("not reached");
  return 0;
}
