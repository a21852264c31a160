/* The same overflow, caught by a stack canary. This build uses -fstack-protector-strong: the
 * compiler puts a secret random value, the canary, between buf and the saved rbp when vuln
 * starts, and checks it just before vuln returns. The 80-byte input (eight A's, eight B's, up
 * to eight J's) still overflows buf, and on its way to the return address it overwrites the
 * canary. The program stops just before gets(). Type `canary` to see the secret value (its
 * lowest byte is always 0), press Next to run gets(), and look at the Stack pane: the canary's
 * slot now holds J's. Keep pressing Next: at the end of vuln the check fails, the program calls
 * __stack_chk_fail, which prints "*** stack smashing detected ***: terminated" and aborts
 * (SIGABRT) before the broken return address is ever used.
 */
#include <stdio.h>

/* C11 removed gets() from the language, for exactly this danger, so recent headers hide it:
 * declare it ourselves. */
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
