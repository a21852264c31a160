// The sieve of Eratosthenes over a byte array.
#include <stdio.h>
#include <string.h>

static unsigned char composite[200001];

int main(void) {
  int n = 200000, count = 0, last = 0;
  memset(composite, 0, sizeof composite);
  for (int i = 2; (long)i * i <= n; i++)
    if (!composite[i])
      for (int j = i * i; j <= n; j += i) composite[j] = 1;
  for (int i = 2; i <= n; i++)
    if (!composite[i]) { count++; last = i; }
  printf("%d primes up to %d, the largest %d\n", count, n, last);
  return 0;
}
