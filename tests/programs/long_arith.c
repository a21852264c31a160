// 64-bit integer arithmetic: multiplication, overflow wrap, mixed signedness, a PRNG and a checksum.
#include <stdio.h>
#include <stdint.h>

static uint64_t xorshift(uint64_t *s) {
  uint64_t x = *s;
  x ^= x << 13; x ^= x >> 7; x ^= x << 17;
  return *s = x;
}

int main(void) {
  uint64_t state = 88172645463325252ULL, acc = 0;
  for (int i = 0; i < 100000; i++) acc += xorshift(&state) % 1000;
  printf("xorshift sum %llu last %016llx\n", (unsigned long long)acc, (unsigned long long)state);
  int64_t m = 3037000499LL;
  printf("m*m = %lld, (m+1)*(m+1) wraps to %lld\n", (long long)(m * m), (long long)(int64_t)((uint64_t)(m + 1) * (uint64_t)(m + 1)));
  int neg = -1;
  unsigned pos = 1;
  printf("-1 < 1u is %d (usual arithmetic conversions)\n", neg < pos);
  uint64_t factorial = 1;
  for (int i = 1; i <= 25; i++) factorial *= (uint64_t)i;
  printf("25! mod 2^64 = %llu\n", (unsigned long long)factorial);
  uint32_t crc = 0xffffffffu;
  const char *msg = "The quick brown fox jumps over the lazy dog";
  for (const char *p = msg; *p; p++) {
    crc ^= (unsigned char)*p;
    for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  printf("crc32 %08x\n", ~crc);
  return 0;
}
