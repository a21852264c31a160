/* Recursion that runs out of stack. Every call needs a new frame, and a function that calls
 * itself without ever stopping keeps adding frames until the stack reaches its limit (8 MiB
 * here, as with Linux's default `ulimit -s`). Below the limit there is no memory the stack may
 * grow into, so the next push faults and the kernel kills the program with SIGSEGV. Each call
 * of descend() reserves about 1 KiB, and every 1000 calls it reports how deep it is. The
 * program stops at the first report: note rsp, press Continue, and compare: each 1000 calls
 * use about 1 MiB, and the [stack] area in the Regions pane grows by as much. Soon after the
 * seventh report the stack is full.
 */
#include <stdio.h>

int descend(int depth) {
  char scratch[1024];             /* 1 KiB of stack in every frame */
  scratch[0] = (char)depth;
  if (depth % 1000 == 0)
    fprintf(stderr, "depth %d: this frame is at %p\n", depth, (void *)scratch);  // ◀ break here
  return descend(depth + 1) + scratch[0];  /* no base case: it never stops calling itself */
}

int main(void) {
  return descend(1);
}
