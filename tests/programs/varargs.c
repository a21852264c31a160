// Variadic functions: integers and doubles through va_list (register save area and overflow area).
#include <stdio.h>
#include <stdarg.h>

static double mean(int count, ...) {
  va_list ap;
  va_start(ap, count);
  double sum = 0;
  for (int i = 0; i < count; i++) sum += va_arg(ap, double);
  va_end(ap);
  return sum / count;
}

static long mixed(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  long total = 0;
  for (const char *p = fmt; *p; p++) {
    if (*p == 'i') total += va_arg(ap, int);
    else if (*p == 'l') total += va_arg(ap, long);
    else if (*p == 'd') total += (long)(va_arg(ap, double) * 100);
    else if (*p == 's') for (const char *s = va_arg(ap, const char *); *s; s++) total += *s;
  }
  va_end(ap);
  return total;
}

static void logf_(const char *fmt, ...) {
  va_list ap, copy;
  va_start(ap, fmt);
  va_copy(copy, ap);
  char buf[64];
  int n = vsnprintf(buf, sizeof buf, fmt, copy);
  va_end(copy);
  printf("[%d] ", n);
  vprintf(fmt, ap);
  va_end(ap);
}

int main(void) {
  printf("mean %.4f\n", mean(10, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.5, 10.25));
  printf("mixed %ld\n", mixed("iildsiiiiiiil", 1, 2, 3L, 0.5, "AB", 4, 5, 6, 7, 8, 9, 10, 11L));
  logf_("%s=%d %s=%.2f\n", "x", 7, "y", 2.5);
  return 0;
}
