// snprintf truncation, sscanf parsing, strtol/strtoul/strtod with bases and end pointers.
#include <stdio.h>
#include <stdlib.h>
#include <errno.h>

int main(void) {
  char small[10];
  int needed = snprintf(small, sizeof small, "%s-%d", "truncated", 12345);
  printf("snprintf wanted %d, got \"%s\"\n", needed, small);
  int day, year;
  char month[10];
  int fields = sscanf("27 Nov 2026 extra", "%d %9s %d", &day, month, &year);
  printf("sscanf %d fields: %d/%s/%d\n", fields, day, month, year);
  char *end;
  printf("strtol hex %ld, octal %ld, base36 %ld\n", strtol("0x1F", NULL, 16), strtol("0755", NULL, 0), strtol("zz", NULL, 36));
  long partial = strtol("  -123abc", &end, 10);
  printf("strtol partial %ld rest \"%s\"\n", partial, end);
  errno = 0;
  long big = strtol("99999999999999999999", NULL, 10);
  printf("overflow %ld errno %s\n", big, errno == ERANGE ? "ERANGE" : "other");
  printf("strtoul %lu\n", strtoul("18446744073709551615", NULL, 10));
  double d = strtod("6.02214076e23 mol", &end);
  printf("strtod %.6e rest \"%s\"\n", d, end);
  printf("atoi %d atol %ld atof %.3f\n", atoi("42xyz"), atol("-9000000000"), atof("2.71828"));
  char out[64];
  sprintf(out, "%08.3f|%x|%c", 3.14159, 48879, 65);
  puts(out);
  return 0;
}
