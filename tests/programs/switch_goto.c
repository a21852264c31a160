// Dense switches (jump tables), sparse switches, fall-through, and goto-based loops.
#include <stdio.h>

static const char *name(int d) {
  switch (d) {
    case 0: return "zero"; case 1: return "one"; case 2: return "two"; case 3: return "three";
    case 4: return "four"; case 5: return "five"; case 6: return "six"; case 7: return "seven";
    case 8: return "eight"; case 9: return "nine"; default: return "?";
  }
}

static int sparse(int x) {
  switch (x) {
    case -1000: return 1; case 7: return 2; case 4096: return 3; case 65537: return 4; default: return 0;
  }
}

static int fallthrough(int n) {
  int r = 0;
  switch (n) {
    case 3: r += 100; /* fall through */
    case 2: r += 10; /* fall through */
    case 1: r += 1; break;
    default: r = -1;
  }
  return r;
}

int main(void) {
  for (int i = 0; i <= 10; i++) printf("%s ", name(i));
  putchar('\n');
  printf("%d %d %d %d %d\n", sparse(-1000), sparse(7), sparse(4096), sparse(65537), sparse(8));
  printf("%d %d %d %d\n", fallthrough(1), fallthrough(2), fallthrough(3), fallthrough(9));
  int i = 0, acc = 0;
again:
  acc += i * i;
  if (++i < 10) goto again;
  printf("goto loop %d\n", acc);
  return 0;
}
