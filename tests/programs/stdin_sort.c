// Read lines with fgets, sort them with qsort, print them with their lengths.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compare(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

int main(void) {
  char *lines[100];
  int n = 0;
  char buf[256];
  while (n < 100 && fgets(buf, sizeof buf, stdin)) {
    buf[strcspn(buf, "\n")] = 0;
    lines[n++] = strdup(buf);
  }
  qsort(lines, n, sizeof *lines, compare);
  for (int i = 0; i < n; i++) {
    printf("%2d %-10s %zu\n", i, lines[i], strlen(lines[i]));
    free(lines[i]);
  }
  return 0;
}
