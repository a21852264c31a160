/* Address space layout randomization (ASLR). With ASLR on, the kernel places the stack, the
 * heap and the program itself at new random addresses every time a program starts, so an
 * attacker cannot know in advance where anything is. Run this program twice with ASLR on, with
 * a different seed each time (Linux draws new random numbers at every start; Memscape takes
 * them from the session's seed, so that any run can be replayed exactly), and compare the
 * printed addresses: all of them change. Then turn ASLR off (type `aslr off` in the terminal;
 * gdb turns it off by default) and run twice more: now every address is the same in both runs,
 * whatever the seed. The program stops before printing; press Next to print one address at a
 * time. Notice that main and printf always move together: this program is linked statically,
 * so printf's code is part of the same executable as main (with a shared libc it would move on
 * its own), while the stack and the heap each move by their own random amount.
 */
#include <stdio.h>
#include <stdlib.h>

int global_counter;                               /* in the program's own .bss */

int main(void) {
  int local = 0;                                  /* on the stack */
  int *heap_block = malloc(sizeof *heap_block);   /* on the heap */

  printf("stack   &local          %p\n", (void *)&local);  // ◀ break here
  printf("heap    heap_block      %p\n", (void *)heap_block);
  printf("global  &global_counter %p\n", (void *)&global_counter);
  printf("libc    printf          %p\n", (void *)printf);
  printf("code    main            %p\n", (void *)main);
  free(heap_block);
  return 0;
}
