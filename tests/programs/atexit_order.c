// atexit handlers run in reverse order at exit(), which also flushes stdio; the status is 42.
#include <stdio.h>
#include <stdlib.h>

static void first(void) { puts("first registered, last run"); }
static void second(void) { puts("second registered"); }
static void third(void) { printf("third registered, first run (no newline yet)"); }

int main(void) {
  atexit(first);
  atexit(second);
  atexit(third);
  printf("main is done; ");
  exit(42);
}
