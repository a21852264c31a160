/* Use after free. free() gives a chunk back to malloc, but the pointer still holds its address:
 * it now dangles. Writing through it changes memory malloc owns, and the next malloc of the
 * same size hands that very chunk to someone else, written data and all. While the chunk is
 * free, malloc keeps its own bookkeeping in the chunk's first 16 bytes (the tcache's next
 * pointer and key), so this program writes to a field after them. The program stops at the
 * write through the dangling pointer: type `tcachebins` to see the freed chunk, `x/4gx first`
 * to see malloc's bytes in it, then press Next and watch the text change in the Hex dump.
 * Press Next again: second gets the same address as first, and finds "overwritten!" in it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct message {
  long id;                        /* bytes 0-7:  the tcache's next pointer while free */
  long length;                    /* bytes 8-15: the tcache's key while free */
  char text[16];                  /* bytes 16-31 */
};

int main(void) {
  struct message *first = malloc(sizeof *first);
  first->id = 1;
  first->length = 5;
  strcpy(first->text, "hello");
  free(first);                    /* first now dangles: the chunk is back in the tcache, and
                                     malloc's pointer and key have replaced id and length */

  strcpy(first->text, "overwritten!");  // ◀ break here
  struct message *second = malloc(sizeof *second);  /* same size: the same chunk comes back */

  printf("first = %p, second = %p\n", (void *)first, (void *)second);
  printf("second->text = \"%s\"\n", second->text);
  free(second);
  return 0;
}
