// What a system call handler returns: rax (a value or -errno), or BLOCKED when the call must
// wait (a read of standard input with nothing typed yet); the kernel retries it when input
// arrives, without re-executing the syscall instruction.

export const BLOCKED = Symbol('blocked')
export type SyscallResult = number | typeof BLOCKED | typeof UNCHANGED

/** rax already holds what the program must see (rt_sigreturn restored it). */
export const UNCHANGED = Symbol('unchanged')
