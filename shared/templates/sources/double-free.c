/* A double free. Freeing the same pointer twice would put one chunk in malloc's free lists
 * twice, so that two later mallocs return the same memory. glibc guards against it: when a
 * chunk goes into the tcache, malloc writes a secret key into the chunk's second 8 bytes, and
 * free() checks for that key. The program stops at the second free(). Type `tcachebins` to see
 * the chunk already in the 0x30 list and `x/2gx p` to see the key next to malloc's next pointer,
 * then press Next: free() finds its key, walks the list, finds the chunk there, prints
 * "free(): double free detected in tcache 2" and aborts the program (SIGABRT).
 */
#include <stdio.h>
#include <stdlib.h>

int main(void) {
  char *p = malloc(32);           /* a 0x30-byte chunk */
  free(p);                        /* fine: the chunk goes into the 0x30 tcache list */
  free(p);                        // ◀ break here
  puts("not reached: free() aborted the program");
  return 0;
}
