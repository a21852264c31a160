// printf's integer conversions, widths, flags and length modifiers.
#include <stdio.h>
#include <stdint.h>
#include <limits.h>
#include <inttypes.h>
#include <stddef.h>
#include <sys/types.h>

int main(void) {
  printf("[%d] [%i] [%u] [%x] [%X] [%o]\n", -42, 42, 42u, 0xbeef, 0xbeef, 8);
  printf("[%5d] [%-5d] [%05d] [%+d] [% d] [%#x] [%#o]\n", 42, 42, 42, 42, 42, 255, 8);
  printf("[%ld] [%lu] [%lld] [%llx]\n", LONG_MIN, ULONG_MAX, LLONG_MAX, 0x123456789abcdefULL);
  printf("[%hhd] [%hhu] [%hd] [%hu]\n", (signed char)-1, (unsigned char)255, (short)-32768, (unsigned short)65535);
  printf("[%zu] [%zd] [%td]\n", sizeof(long double), (ssize_t)-1, (ptrdiff_t)-7);
  printf("[%" PRId64 "] [%" PRIu32 "] [%" PRIx8 "]\n", INT64_MIN, UINT32_MAX, (uint8_t)0xab);
  printf("[%c%c%c] [%s] [%.3s] [%10s] [%-10s]\n", 'a', 'b', 'c', "string", "truncate", "right", "left");
  printf("[%*d] [%-*d] [%.*d]\n", 6, 1, 6, 2, 4, 3);
  printf("[%p] [%%] [%5.2d]\n", (void *)0, 7);
  int n;
  printf("counting%n", &n);
  printf(" -> %d characters\n", n);
  for (int i = 0; i < 5; i++) printf("%d%s", i * i * i * 1234567, i < 4 ? "," : "\n");
  return 0;
}
