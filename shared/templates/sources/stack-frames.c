/* Stack frames. Every call gets a frame on the stack: the return address the call pushed, the
 * caller's saved rbp, then the callee's own locals, and each new frame sits below its caller's,
 * because the stack grows toward lower addresses. Arguments arrive in registers (edi, esi,
 * edx) and the unoptimised code copies them into the frame too. The program stops in the
 * innermost of three nested calls. Type `bt` to list the frames, `info frame` to see where this
 * frame's return address is stored, and `up` / `down` to move between frames while the Stack
 * pane shows each one's locals. Then press Finish three times and watch rsp climb back up as
 * each function returns.
 */
#include <stdio.h>

int innermost(int x, int y, int z) {
  int product = x * y * z;        /* locals of innermost's frame, the lowest on the stack */
  int sum = x + y + z;
  return product - sum;           // ◀ break here
}

int middle(int x, int y) {
  int z = x + y;                  /* a local of middle's frame */
  return innermost(x, y, z) * 2;
}

int outer(int x) {
  int y = x + 1;                  /* a local of outer's frame, the highest of the three */
  return middle(x, y) + 1;
}

int main(void) {
  int result = outer(2);          /* 2, then 3, then 5 go down the calls; 41 comes back */
  printf("result = %d\n", result);
  return 0;
}
