// scanf until a parse failure, then read the rest with read(2).
#include <stdio.h>
#include <unistd.h>

int main(void) {
  long sum = 0;
  int value, count = 0;
  while (scanf("%d", &value) == 1) { sum += value; count++; }
  printf("read %d numbers, sum %ld\n", count, sum);
  char rest[64];
  int got = scanf("%63s", rest);
  printf("next token (%d): %s\n", got, rest);
  fflush(stdout);
  char raw[16];
  ssize_t n = read(0, raw, sizeof raw);
  printf("read(2) after stdio: %zd\n", n);
  return 0;
}
