/* A scripted sequence of mallocs and frees for the heap-view tests. checkpoint(stage) marks each
   point where the tests stop the program and read the heap; ptr[] keeps every pointer malloc
   returned, so the tests can state what each bin should hold. Nothing here prints, so no stdio
   buffer lands on the heap. */
#include <stdlib.h>

void checkpoint(int stage) { (void)stage; }

void *ptr[32];

int main(void) {
  /* 1: the tcache is LIFO: ptr[1] then ptr[0] in the 0x20 bin, ptr[2] alone in the 0x30 bin. */
  ptr[0] = malloc(0x18);
  ptr[1] = malloc(0x18);
  ptr[2] = malloc(0x28);
  for (int i = 0; i < 3; i++) free(ptr[i]);
  checkpoint(1);

  /* 2: nine 0x40 chunks (ptr[3..11]): seven fill the tcache bin, the last two go to the 0x40
     fastbin. ptr[12] keeps them off the top chunk. */
  for (int i = 3; i < 12; i++) ptr[i] = malloc(0x38);
  ptr[12] = malloc(0x48);
  for (int i = 3; i < 12; i++) free(ptr[i]);
  checkpoint(2);

  /* 3: malloc(0x418) is a large request: malloc_consolidate merges the two fastbin chunks into
     one 0x80 chunk, which the unsorted scan files in the 0x80 small bin. Freed, the 0x420 chunk
     ptr[13] (past the tcache's 0x410) and the eighth 0x90 chunk ptr[22] (its tcache bin full)
     go to the unsorted bin; ptr[15..21] fill the 0x90 tcache bin. The 0xa0 guards ptr[14] and
     ptr[23..30] come from the top. */
  ptr[13] = malloc(0x418);
  ptr[14] = malloc(0x98);
  for (int i = 15; i < 23; i++) {
    ptr[i] = malloc(0x88);
    ptr[i + 8] = malloc(0x98);
  }
  free(ptr[13]);
  for (int i = 15; i < 23; i++) free(ptr[i]);
  checkpoint(3);

  /* 4: a large request sorts the unsorted bin, the 0x420 chunk into its large bin and the 0x90
     chunk into its small bin, then is carved from the top. */
  ptr[31] = malloc(0x500);
  checkpoint(4);

  /* 5: a chunk past the tcache, carved from the top, merges back into it when freed. */
  void *last = malloc(0x5f8);
  free(last);
  checkpoint(5);
  return 0;
}
