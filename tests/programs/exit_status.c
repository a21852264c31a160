// The exit status is the low 8 bits: exit(300) is seen as 44; _exit skips stdio flushing.
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int main(int argc, char **argv) {
  (void)argv;
  printf("flushed by exit()\n");
  if (argc > 5) _exit(1);
  exit(300);
}
