// Standard input at end of file from the start: getchar, fgets and read all see EOF.
#include <stdio.h>
#include <unistd.h>

int main(void) {
  int c = getchar();
  char buf[8];
  printf("getchar %s, fgets %s, read %zd, feof %d\n", c == EOF ? "EOF" : "data",
         fgets(buf, sizeof buf, stdin) ? "data" : "NULL", read(0, buf, sizeof buf), feof(stdin) != 0);
  return 0;
}
