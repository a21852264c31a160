/* Running code from the stack. Machine code is just bytes, and shellcode is machine code kept
 * as data: the string below holds instructions that call write() to print a message and then
 * exit(). main copies those bytes into a local array, on the stack, and calls the array as if
 * it were a function. This build uses -z execstack, which marks the stack executable (NX off),
 * so the bytes run. The program stops at the call: press Step instruction (stepi) to jump into
 * the array, check in the Regions pane that rip now points into [stack], and keep stepping
 * through the two system calls. Rebuild with the stack not executable (NX on, the default) and
 * the very first instruction fetched from the stack faults: SIGSEGV.
 */
#include <string.h>

/* The bytes, each group with the instruction it encodes. The code uses no absolute address
 * (the message is found relative to rip), so it runs wherever it is copied to. */
const char shellcode[] =
    "\x48\x8d\x35\x1a\x00\x00\x00"   /* lea rsi, [rip+0x1a]  rsi = the message, 26 bytes on   */
    "\xbf\x01\x00\x00\x00"           /* mov edi, 1           file descriptor 1: standard output */
    "\xba\x16\x00\x00\x00"           /* mov edx, 22          the message is 22 bytes long       */
    "\xb8\x01\x00\x00\x00"           /* mov eax, 1           system call 1 is write             */
    "\x0f\x05"                       /* syscall                                                 */
    "\x31\xff"                       /* xor edi, edi         exit status 0                      */
    "\xb8\x3c\x00\x00\x00"           /* mov eax, 60          system call 60 is exit             */
    "\x0f\x05"                       /* syscall                                                 */
    "Hello from the stack!\n";       /* the message itself, right after the code                */

int main(void) {
  char code_on_stack[128];                                /* a local array: it lives on the stack */
  memcpy(code_on_stack, shellcode, sizeof shellcode);
  void (*run_shellcode)(void) = (void (*)(void))code_on_stack;  /* the array's address, as code */
  run_shellcode();                // ◀ break here
  return 1;                       /* never reached: the shellcode exits by itself */
}
