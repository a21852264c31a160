// Initialised data, zero-initialised bss, const tables, static locals and string literals.
#include <stdio.h>

int initialised[5] = {1, 2, 3, 4, 5};
int zeroed[1000];
static const char *const names[] = {"text", "rodata", "data", "bss", "heap", "stack"};
const double table[4] = {0.5, 1.5, 2.5, 3.5};

static int counter(void) {
  static int calls;
  return ++calls;
}

int main(void) {
  long sum = 0;
  for (int i = 0; i < 1000; i++) sum += zeroed[i];
  printf("bss sum %ld\n", sum);
  for (int i = 0; i < 5; i++) initialised[i] *= 10;
  printf("data %d %d\n", initialised[0], initialised[4]);
  for (int i = 0; i < 6; i++) printf("%s%c", names[i], i < 5 ? ' ' : '\n');
  printf("table %.1f\n", table[0] + table[1] + table[2] + table[3]);
  for (int i = 0; i < 4; i++) counter();
  printf("counter %d\n", counter());
  const char *a = "shared literal", *b = "shared literal";
  printf("identical literals %s\n", a == b ? "merged" : "separate");
  return 0;
}
