/* A buffer overflow that reaches the return address. gets() copies a whole input line into
 * buf, however long the line is, and buf has room for 64 bytes. Right above buf in vuln's
 * frame sit the saved rbp and the return address into main. The input prepared for you is
 * eight A's, eight B's, and so on up to eight J's: 80 bytes. The program stops just before
 * gets(). Type `info frame` to see where the return address is stored, press Next to run
 * gets(), then look at the Stack pane (or type `x/12gx buf`): the A's to H's fill buf, the I's
 * cover the saved rbp and the J's the return address. Press Continue: vuln "returns" to
 * 0x4a4a4a4a4a4a4a4a, which is no valid address at all, and the program dies with SIGSEGV.
 */
#include <stdio.h>

/* C11 removed gets() from the language, for exactly this danger, so recent headers hide it:
 * declare it ourselves. Built without a stack protector (no canary). */
char *gets(char *s);

void vuln(void) {
  char buf[64];
  gets(buf);                      // ◀ break here
  printf("You said: %s\n", buf);
}

int main(void) {
  vuln();
  puts("vuln returned normally.");
  return 0;
}
