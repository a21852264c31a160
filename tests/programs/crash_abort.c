// abort(): SIGABRT (134); stdout's buffer is lost, stderr's text is out.
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  printf("buffered and never flushed\n");
  fprintf(stderr, "giving up\n");
  abort();
}
