// Pointer arithmetic, pointers to pointers, function pointers, arrays decaying to pointers.
#include <stdio.h>
#include <stddef.h>

static void swap(int *a, int *b) { int t = *a; *a = *b; *b = t; }
static int add(int a, int b) { return a + b; }
static int mul(int a, int b) { return a * b; }
static int sub(int a, int b) { return a - b; }

int main(void) {
  int a[10];
  for (int i = 0; i < 10; i++) a[i] = i * i;
  int *p = a, *q = &a[9];
  printf("q - p = %td, *(p + 3) = %d, p[7] = %d\n", q - p, *(p + 3), p[7]);
  while (p < q) swap(p++, q--);
  for (int i = 0; i < 10; i++) printf("%d ", a[i]);
  putchar('\n');

  int x = 5, *px = &x, **ppx = &px;
  **ppx = 17;
  printf("x = %d\n", x);

  int (*ops[3])(int, int) = {add, mul, sub};
  const char *names = "+*-";
  for (int i = 0; i < 3; i++) printf("7 %c 3 = %d\n", names[i], ops[i](7, 3));

  char bytes[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  unsigned int word;
  __builtin_memcpy(&word, bytes + 2, sizeof word);
  printf("word at bytes+2 = 0x%08x (little endian)\n", word);

  int grid[3][4];
  for (int r = 0; r < 3; r++)
    for (int c = 0; c < 4; c++) grid[r][c] = r * 10 + c;
  int *flat = &grid[0][0];
  printf("grid[2][1] via flat = %d, row stride = %td bytes\n", flat[2 * 4 + 1], (char *)grid[1] - (char *)grid[0]);
  printf("offsetof-style distance = %zu\n", (size_t)((char *)&grid[2][3] - (char *)grid));
  return 0;
}
