//! cflags: -fstack-protector-strong
// A stack buffer overflow that reaches the canary: "*** stack smashing detected ***: terminated".
#include <stdio.h>
#include <string.h>

static void fill(char *dst, const char *src, size_t n) {
  for (size_t i = 0; i < n; i++) dst[i] = src[i % strlen(src)];
}

static int vulnerable(const char *input, volatile size_t length) {
  char buffer[16];
  fill(buffer, input, length);
  return buffer[0];
}

int main(void) {
  printf("%d\n", vulnerable("AAAA", 8));
  fflush(stdout);
  return vulnerable("overflowing the buffer", 40);
}
