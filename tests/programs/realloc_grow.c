// A growing array with realloc: contents survive every move.
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  size_t cap = 1, len = 0;
  long *v = malloc(cap * sizeof *v);
  for (long i = 0; i < 100000; i++) {
    if (len == cap) {
      cap *= 2;
      long *n = realloc(v, cap * sizeof *v);
      if (!n) return 1;
      v = n;
    }
    v[len++] = i * i % 1000003;
  }
  long sum = 0;
  for (size_t i = 0; i < len; i++) sum += v[i];
  printf("len=%zu cap=%zu sum=%ld\n", len, cap, sum);
  v = realloc(v, 10 * sizeof *v);
  printf("after shrink: %ld %ld %ld\n", v[0], v[5], v[9]);
  char *s = realloc(NULL, 16);
  snprintf(s, 16, "realloc(NULL)");
  puts(s);
  free(s);
  free(v);
  return 0;
}
