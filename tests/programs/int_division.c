// Signed and unsigned division and remainder at every width, negative operands, by constants.
#include <stdio.h>
#include <stdint.h>

int main(void) {
  volatile int64_t a64[] = {100, -100, 7, -7, INT64_MAX, INT64_MIN + 1};
  volatile int64_t b64[] = {7, -7, 3, 3, 1000000007, -3};
  for (int i = 0; i < 6; i++) printf("%lld / %lld = %lld rem %lld\n", (long long)a64[i], (long long)b64[i], (long long)(a64[i] / b64[i]), (long long)(a64[i] % b64[i]));
  volatile uint64_t ua = 0xffffffffffffffffULL, ub = 10;
  printf("u64 %llu %llu\n", (unsigned long long)(ua / ub), (unsigned long long)(ua % ub));
  volatile int32_t a32 = -2147483647, b32 = 10;
  printf("i32 %d %d\n", a32 / b32, a32 % b32);
  volatile uint32_t u32 = 4000000000u, v32 = 7;
  printf("u32 %u %u\n", u32 / v32, u32 % v32);
  volatile int16_t a16 = -32000, b16 = 7;
  printf("i16 %d %d\n", a16 / b16, a16 % b16);
  volatile uint8_t a8 = 250, b8 = 9;
  printf("u8 %u %u\n", a8 / b8, a8 % b8);
  long total = 0;
  for (long i = -500; i < 500; i++) total += i / 3 + i % 5 + i / -7;
  printf("constant divisions %ld\n", total);
  unsigned long long x = 1;
  for (int i = 0; i < 20; i++) x = x * 31 + 17;
  printf("x %% 1000000007 = %llu, x / 1000 = %llu\n", x % 1000000007ULL, x / 1000);
  return 0;
}
