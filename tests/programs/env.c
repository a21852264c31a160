//! env: GREETING=hello LANG=C EMPTY= PATH=/usr/bin:/bin
// The environment block: getenv, environ order, setenv/unsetenv.
#include <stdio.h>
#include <stdlib.h>

extern char **environ;

int main(void) {
  for (char **e = environ; *e; e++) printf("env: %s\n", *e);
  printf("GREETING=%s\n", getenv("GREETING"));
  printf("MISSING=%s\n", getenv("MISSING") ? "set" : "(unset)");
  setenv("ADDED", "value", 1);
  unsetenv("LANG");
  printf("ADDED=%s LANG=%s\n", getenv("ADDED"), getenv("LANG") ? getenv("LANG") : "(unset)");
  return 0;
}
