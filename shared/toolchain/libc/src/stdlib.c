/* <stdlib.h> conversions, arithmetic helpers, sorting and glibc's random number generator. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * The common part of the strto* family, following glibc: optional white space and sign, a "0x"
 * prefix for base 16 or 0, a leading 0 meaning octal for base 0. `*overflow` is set when the
 * digits do not fit in 64 bits. With no digits, *end is the start of the string, except after
 * "0x" with no hex digit, where it points at the 'x' (the "0" was a valid number).
 */
static unsigned long long parse_unsigned(const char *s, char **end, int base, int *negative, int *overflow) {
  const char *start = s;
  *negative = 0;
  *overflow = 0;
  if (base < 0 || base == 1 || base > 36) {
    errno = EINVAL;
    return 0;
  }
  while (isspace((unsigned char)*s)) s++;
  if (*s == '-') {
    *negative = 1;
    s++;
  } else if (*s == '+') {
    s++;
  }
  if (*s == '0') {
    if ((base == 0 || base == 16) && toupper((unsigned char)s[1]) == 'X') {
      s += 2;
      base = 16;
    } else if (base == 0) {
      base = 8;
    }
  } else if (base == 0) {
    base = 10;
  }
  const char *digits_start = s;
  unsigned long long value = 0;
  for (;; s++) {
    int c = (unsigned char)*s;
    int digit;
    if (c >= '0' && c <= '9') digit = c - '0';
    else if (isalpha(c)) digit = toupper(c) - 'A' + 10;
    else break;
    if (digit >= base) break;
    if (value > (ULLONG_MAX - (unsigned long long)digit) / (unsigned long long)base) *overflow = 1;
    else value = value * (unsigned long long)base + (unsigned long long)digit;
  }
  if (s == digits_start) {
    if (end != NULL) {
      if (s - start >= 2 && toupper((unsigned char)s[-1]) == 'X' && s[-2] == '0') *end = (char *)(s - 1);
      else *end = (char *)start;
    }
    return 0;
  }
  if (end != NULL) *end = (char *)s;
  return value;
}

long long strtoll(const char *s, char **end, int base) {
  int negative;
  int overflow;
  unsigned long long magnitude = parse_unsigned(s, end, base, &negative, &overflow);
  unsigned long long limit = negative ? (unsigned long long)LLONG_MAX + 1 : (unsigned long long)LLONG_MAX;
  if (overflow || magnitude > limit) {
    errno = ERANGE;
    return negative ? LLONG_MIN : LLONG_MAX;
  }
  return negative ? (long long)(0 - magnitude) : (long long)magnitude;
}

unsigned long long strtoull(const char *s, char **end, int base) {
  int negative;
  int overflow;
  unsigned long long magnitude = parse_unsigned(s, end, base, &negative, &overflow);
  if (overflow) {
    errno = ERANGE;
    return ULLONG_MAX;
  }
  return negative ? 0 - magnitude : magnitude;
}

long strtol(const char *s, char **end, int base) { return (long)strtoll(s, end, base); }
unsigned long strtoul(const char *s, char **end, int base) { return (unsigned long)strtoull(s, end, base); }
int atoi(const char *s) { return (int)strtol(s, NULL, 10); }
long atol(const char *s) { return strtol(s, NULL, 10); }
long long atoll(const char *s) { return strtoll(s, NULL, 10); }

int abs(int x) { return x < 0 ? -x : x; }
long labs(long x) { return x < 0 ? -x : x; }
long long llabs(long long x) { return x < 0 ? -x : x; }

div_t div(int numer, int denom) {
  div_t result;
  result.quot = numer / denom;
  result.rem = numer % denom;
  return result;
}

ldiv_t ldiv(long numer, long denom) {
  ldiv_t result;
  result.quot = numer / denom;
  result.rem = numer % denom;
  return result;
}

/*
 * qsort as glibc 2.36's msort: a stable top-down merge sort. Elements larger than 32 bytes are
 * sorted indirectly (an array of pointers, then a permutation in place). The scratch space is on
 * the stack below 1024 bytes and otherwise comes from malloc, so qsort touches the heap exactly
 * when glibc's does.
 */
struct sort_context {
  size_t size;
  int (*compare)(const void *, const void *);
  int indirect;
  char *scratch;
};

static int compare_elements(const struct sort_context *context, const char *a, const char *b) {
  if (context->indirect) return context->compare(*(const void *const *)a, *(const void *const *)b);
  return context->compare(a, b);
}

static void merge_sort(const struct sort_context *context, char *base, size_t count) {
  if (count <= 1) return;
  size_t size = context->size;
  size_t left_count = count / 2;
  size_t right_count = count - left_count;
  char *left = base;
  char *right = base + left_count * size;
  merge_sort(context, left, left_count);
  merge_sort(context, right, right_count);
  char *out = context->scratch;
  while (left_count > 0 && right_count > 0) {
    if (compare_elements(context, left, right) <= 0) {
      memcpy(out, left, size);
      left += size;
      left_count--;
    } else {
      memcpy(out, right, size);
      right += size;
      right_count--;
    }
    out += size;
  }
  if (left_count > 0) memcpy(out, left, left_count * size);
  memcpy(base, context->scratch, (count - right_count) * size);
}

void qsort(void *base, size_t nmemb, size_t size, int (*compar)(const void *, const void *)) {
  if (nmemb <= 1) return;
  int indirect = size > 32;
  size_t scratch_size = indirect ? 2 * nmemb * sizeof(void *) + size : nmemb * size;
  char stack_scratch[1024] __attribute__((aligned(16)));
  char *scratch = stack_scratch;
  if (scratch_size >= sizeof stack_scratch) {
    int saved_errno = errno;
    scratch = malloc(scratch_size);
    errno = saved_errno;
    if (scratch == NULL) return;
  }
  struct sort_context context;
  context.compare = compar;
  context.indirect = indirect;
  if (!indirect) {
    context.size = size;
    context.scratch = scratch;
    merge_sort(&context, base, nmemb);
  } else {
    /* Sort pointers to the elements, then move each element to its place following the
       permutation's cycles, with one element of temporary space after the pointer arrays. */
    char **pointers = (char **)scratch;
    char *element = scratch + 2 * nmemb * sizeof(void *);
    for (size_t i = 0; i < nmemb; i++) pointers[i] = (char *)base + i * size;
    context.size = sizeof(void *);
    context.scratch = (char *)(pointers + nmemb);
    merge_sort(&context, (char *)pointers, nmemb);
    for (size_t i = 0; i < nmemb; i++) {
      char *target = (char *)base + i * size;
      if (pointers[i] == target) continue;
      memcpy(element, target, size);
      size_t j = i;
      for (;;) {
        char *source = pointers[j];
        size_t k = (size_t)(source - (char *)base) / size;
        pointers[j] = (char *)base + j * size;
        if (k == i) {
          memcpy((char *)base + j * size, element, size);
          break;
        }
        memcpy((char *)base + j * size, source, size);
        j = k;
      }
    }
  }
  if (scratch != stack_scratch) free(scratch);
}

void *bsearch(const void *key, const void *base, size_t nmemb, size_t size, int (*compar)(const void *, const void *)) {
  size_t low = 0;
  size_t high = nmemb;
  while (low < high) {
    size_t middle = (low + high) / 2;
    const char *element = (const char *)base + middle * size;
    int order = compar(key, element);
    if (order < 0) high = middle;
    else if (order > 0) low = middle + 1;
    else return (void *)element;
  }
  return NULL;
}

/*
 * glibc's random(): the additive feedback generator TYPE_3 (x**31 + x**3 + 1, 31 words of
 * state, separation 3), seeded with the Park-Miller "minimal standard" generator and then run
 * 310 times, so rand() gives the same sequence as glibc for the same seed.
 */
#define RANDOM_DEGREE 31
#define RANDOM_SEPARATION 3

static int32_t random_state[RANDOM_DEGREE];
static int random_front;
static int random_rear;
static int random_seeded;

static int32_t next_random(void) {
  uint32_t value = (uint32_t)random_state[random_front] + (uint32_t)random_state[random_rear];
  random_state[random_front] = (int32_t)value;
  if (++random_front >= RANDOM_DEGREE) random_front = 0;
  if (++random_rear >= RANDOM_DEGREE) random_rear = 0;
  return (int32_t)(value >> 1);
}

void srandom(unsigned int seed) {
  if (seed == 0) seed = 1;
  random_state[0] = (int32_t)seed;
  /* As glibc, the recurrence runs on a 32-bit signed word: seeds of 2^31 and above are
     negative here, and each product is truncated back to 32 bits. */
  int32_t word = (int32_t)seed;
  for (int i = 1; i < RANDOM_DEGREE; i++) {
    long high = word / 127773;
    long low = word % 127773;
    word = (int32_t)(16807 * low - 2836 * high);
    if (word < 0) word += 2147483647;
    random_state[i] = word;
  }
  random_front = RANDOM_SEPARATION;
  random_rear = 0;
  random_seeded = 1;
  for (int i = 0; i < 10 * RANDOM_DEGREE; i++) next_random();
}

long random(void) {
  if (!random_seeded) srandom(1); /* glibc's initial state is that of srandom(1) */
  return next_random();
}

void srand(unsigned int seed) { srandom(seed); }
int rand(void) { return (int)random(); }
