/* A tour of the address space. One running program keeps its data in several separate areas:
 * the machine code (.text), globals that start with a value (.data), globals that start at
 * zero (.bss), string literals (.rodata), the heap for small malloc() blocks, a mapping of its
 * own for a large malloc() block, and the stack for local variables. The program stops just
 * before it prints anything: press Next to print one address at a time, and for each one find
 * the area it falls in, in the Regions pane (or type `vmmap ADDRESS` in the terminal). Notice
 * how far apart the areas are, and that the large block is not on the heap at all.
 */
#include <stdio.h>
#include <stdlib.h>

int initialized_global = 42;      /* .data: the value 42 is stored in the executable file */
int zeroed_global;                /* .bss: no room in the file; the kernel gives it zeroed memory */
const char *greeting = "hello";   /* the pointer lives in .data, the text "hello" in .rodata */

int add_one(int value) {          /* a function's instructions live in .text */
  return value + 1;
}

int main(void) {
  int local = 7;                                  /* a local variable: on the stack */
  char *small_block = malloc(32);                 /* small: carved from the heap (grown by brk) */
  char *large_block = malloc(256 * 1024);         /* 256 KiB is over malloc's 128 KiB threshold:
                                                     it gets a fresh mmap() mapping of its own */
  int (*function_pointer)(int) = add_one;         /* holds the address of add_one's code */

  printf("code     add_one             %p\n", (void *)function_pointer);  // ◀ break here
  printf(".rodata  \"hello\"             %p\n", (void *)greeting);
  printf(".data    initialized_global  %p\n", (void *)&initialized_global);
  printf(".bss     zeroed_global       %p\n", (void *)&zeroed_global);
  printf("heap     small_block         %p\n", (void *)small_block);
  printf("mmap     large_block         %p\n", (void *)large_block);
  printf("stack    local               %p\n", (void *)&local);

  local = function_pointer(local);                /* calling through the pointer runs add_one */
  printf("add_one(7) through the pointer = %d\n", local);
  free(large_block);                              /* munmap()s the large block's mapping */
  free(small_block);
  return 0;
}
