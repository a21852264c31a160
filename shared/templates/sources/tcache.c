/* malloc, free and the tcache. malloc rounds every request up to a chunk size: requests of up
 * to 24 bytes all get a 0x20-byte chunk (the data plus an 8-byte size header). When a chunk is
 * freed, glibc keeps it in the tcache, a per-size list of up to 7 free chunks, and the next
 * malloc of that size takes the chunk freed last: first in, last out. The program stops at the
 * first free(). Press Next to free a, b and c one by one, and after each free type `tcachebins`
 * in the terminal to see the 0x20 list grow. Then press Next over the two mallocs: d gets c's
 * chunk back and e gets b's, at the same addresses as before.
 */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  char *a = malloc(24);           /* three requests, one chunk size: 0x20 */
  char *b = malloc(20);
  char *c = malloc(17);
  printf("a = %p, b = %p, c = %p\n", (void *)a, (void *)b, (void *)c);

  free(a);                        // ◀ break here
  free(b);
  free(c);                        /* the 0x20 tcache list is now c -> b -> a */

  char *d = malloc(24);           /* takes the head of the list: c */
  char *e = malloc(18);           /* then the next one: b */
  printf("d = %p, e = %p\n", (void *)d, (void *)e);
  printf("d is c: %s\n", d == c ? "yes" : "no");
  printf("e is b: %s\n", e == b ? "yes" : "no");
  free(d);
  free(e);
  return 0;
}
