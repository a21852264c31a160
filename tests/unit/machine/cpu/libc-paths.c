/* Exercises the libc paths a CPU must run exactly: printf of integers and doubles (SSE2 in
   glibc, long double x87 in musl), strtod, qsort, string and memory routines (SSE2), malloc,
   libm, 64- and 128-bit integer arithmetic. Deterministic output. */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compare_ints(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }
static long fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

struct node { struct node *next; double value; char name[13]; };

int main(int argc, char **argv) {
  int a[64];
  unsigned seed = 12345;
  for (int i = 0; i < 64; i++) { seed = seed * 1103515245 + 12345; a[i] = (int)(seed >> 8) % 1000 - 500; }
  qsort(a, 64, sizeof a[0], compare_ints);
  for (int i = 0; i < 64; i += 9) printf("%d ", a[i]);
  printf("\nfib %ld argc %d\n", fib(15), argc);

  double x = 0;
  for (int i = 1; i < 40; i++) x += sqrt(i) * sin(i) / log(i + 1.0) + exp(-i) + pow(1.01, i) + floor(i / 3.0) + fabs(cos(i));
  printf("%.10f %g %e %a\n", x, x / 7, x * 1e-20, x);
  printf("%.17g %.17g %.3f %f %f %f\n", 0.1, 1.0 / 3, -2.675, 0.0 / 0.0, 1.0 / 0.0, -0.0);
  printf("strtod %.15g %.15g %ld %lu\n", strtod("3.14159e10", 0), atof("-0.000001"), strtol("-12345", 0, 10), strtoul("ffff", 0, 16));
  printf("round %ld %ld %d %.0f %.0f\n", lrint(2.5), lrint(3.5), (int)-7.9, rint(-2.5), nearbyint(4.5));

  char buf[200];
  snprintf(buf, sizeof buf, "%s-%08.3f-%+d-%u-%lx-%c-%5.1e", "abc", 3.5, 42, 4000000000u, 0xfeedfaceUL, 'z', 12345.678);
  puts(buf);
  printf("len %zu cmp %d chr %s str %s rchr %s\n", strlen(buf), strcmp(buf, "abc") > 0, strchr(buf, 'f'), strstr(buf, "42"), strrchr(buf, '-'));

  struct node *head = 0;
  for (int i = 0; i < 300; i++) {
    struct node *n = malloc(sizeof *n + (size_t)(i % 17) * 8);
    n->next = head; n->value = i * 0.5; snprintf(n->name, sizeof n->name, "n%d", i); head = n;
  }
  double sum = 0; int digits = 0;
  while (head) { struct node *n = head; head = n->next; sum += n->value; if (isdigit((unsigned char)n->name[1])) digits++; free(n); }
  printf("sum %.1f digits %d\n", sum, digits);

  size_t size = 100000;
  char *big = malloc(size); memset(big, 'x', size); big[size - 1] = 0;
  char *bigger = realloc(big, 3 * size); memcpy(bigger + size, bigger, size); memmove(bigger + 1, bigger, size);
  printf("%zu %c %d\n", strlen(bigger), bigger[2 * size - 2], memcmp(bigger + 1, bigger + size, 1000));
  free(bigger);

  uint64_t h = 1469598103934665603ULL;
  for (int i = 0; i < 200; i++) { h ^= (uint64_t)i; h *= 1099511628211ULL; }
  printf("hash %016" PRIx64 " %" PRId64 " %" PRIu64 "\n", h, (int64_t)h / 7, h % 1000003);
  unsigned __int128 wide = (unsigned __int128)h * h;
  printf("%016llx%016llx\n", (unsigned long long)(wide >> 64), (unsigned long long)wide);
  long double ld = 1.5L;
  printf("%Lf %.3Lf\n", ld * 3, (long double)1 / 3);
  float f = 1.1f;
  printf("%f %f %d\n", f * f, (double)(float)(1 / 3.0), (int)(f * 100));
  return (int)(h & 0x3f);
}
