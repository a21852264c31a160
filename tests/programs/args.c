//! args: one "two words" three ""
// argc, argv and the terminating NULL pointer.
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv) {
  printf("argc=%d\n", argc);
  for (int i = 1; i < argc; i++) printf("argv[%d]=\"%s\" (%zu bytes)\n", i, argv[i], strlen(argv[i]));
  printf("argv[argc] is %s\n", argv[argc] == NULL ? "NULL" : "not NULL");
  return argc;
}
