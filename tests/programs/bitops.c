// Shifts, rotates, bit counting, sign extension, wrap-around and 128-bit products.
#include <stdio.h>
#include <stdint.h>

static uint32_t rotl32(uint32_t x, int r) { return (x << r) | (x >> (32 - r)); }
static int popcount_loop(uint64_t x) { int n = 0; while (x) { x &= x - 1; n++; } return n; }

int main(void) {
  volatile uint64_t v = 0xf0e1d2c3b4a59687ULL;
  printf("shl %016llx shr %016llx sar %016llx\n", (unsigned long long)(v << 12), (unsigned long long)(v >> 12), (unsigned long long)((int64_t)v >> 12));
  printf("rotl %08x\n", rotl32(0x80000001u, 4));
  printf("popcount %d %d clz %d ctz %d\n", popcount_loop(v), __builtin_popcountll(v), __builtin_clzll(v >> 20), __builtin_ctzll(v << 3));
  printf("bswap %016llx\n", (unsigned long long)__builtin_bswap64(v));
  int8_t small = (int8_t)200;
  int16_t mid = (int16_t)40000;
  printf("sign extension %d %d %lld\n", small, mid, (long long)(int32_t)0x80000000u);
  volatile uint32_t u = 0xffffffffu;
  printf("wrap %u %u\n", u + 2, (uint32_t)(0u - 1u));
  volatile int32_t s = 0x7fffffff;
  printf("unsigned overflow as signed %d\n", (int32_t)((uint32_t)s + 1u));
  unsigned __int128 p = (unsigned __int128)0xfedcba9876543210ULL * 0x123456789abcdefULL;
  printf("128-bit product %016llx%016llx\n", (unsigned long long)(p >> 64), (unsigned long long)p);
  __int128 q = (__int128)-5000000000000LL * 3000000000000LL;
  printf("signed 128 high %lld low %llu\n", (long long)(q >> 64), (unsigned long long)q);
  uint64_t x = 0x123456789abcdef0ULL;
  for (int i = 0; i < 64; i += 13) printf("%d:%llu ", i, (unsigned long long)((x >> i) & 1));
  putchar('\n');
  printf("bool ops %d %d %d\n", !!v, !v, (v & 1) ^ 1);
  return 0;
}
