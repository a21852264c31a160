// Mutual and multi-branch recursion: towers of Hanoi, Ackermann, permutations.
#include <stdio.h>

static int moves;
static void hanoi(int n, char from, char to, char via) {
  if (n == 0) return;
  hanoi(n - 1, from, via, to);
  if (n >= 9) printf("move disk %d from %c to %c\n", n, from, to);
  moves++;
  hanoi(n - 1, via, to, from);
}

static int ackermann(int m, int n) {
  if (m == 0) return n + 1;
  if (n == 0) return ackermann(m - 1, 1);
  return ackermann(m - 1, ackermann(m, n - 1));
}

static int is_even(int n);
static int is_odd(int n) { return n == 0 ? 0 : is_even(n - 1); }
static int is_even(int n) { return n == 0 ? 1 : is_odd(n - 1); }

static void permute(char *s, int k, int n) {
  if (k == n) { printf("%s ", s); return; }
  for (int i = k; i < n; i++) {
    char t = s[k]; s[k] = s[i]; s[i] = t;
    permute(s, k + 1, n);
    t = s[k]; s[k] = s[i]; s[i] = t;
  }
}

int main(void) {
  hanoi(10, 'A', 'C', 'B');
  printf("moves = %d\n", moves);
  printf("ackermann(2, 3) = %d, ackermann(3, 3) = %d\n", ackermann(2, 3), ackermann(3, 3));
  printf("is_even(1001) = %d\n", is_even(1001));
  char s[] = "abcd";
  permute(s, 0, 4);
  putchar('\n');
  return 0;
}
