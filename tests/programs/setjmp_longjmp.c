// Non-local jumps out of nested calls; locals declared volatile keep their values.
#include <stdio.h>
#include <setjmp.h>

static jmp_buf env;
static int depth;

static void dive(int n) {
  depth++;
  if (n == 0) longjmp(env, depth);
  dive(n - 1);
}

int main(void) {
  volatile int attempts = 0;
  int r = setjmp(env);
  attempts++;
  printf("setjmp returned %d (attempt %d)\n", r, attempts);
  if (attempts < 4) dive(attempts * 3);
  printf("done after %d attempts, depth %d\n", attempts, depth);
  return 0;
}
