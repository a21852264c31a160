// Faults are values: the interpreter raises them internally (as exceptions caught by the run
// loop) and hands the host a plain Fault object that explains the crash.

export type Access = 'read' | 'write' | 'exec'

export type FaultKind =
  | 'unmapped' // no page at the address
  | 'protection' // page present, access not allowed (write to .rodata)
  | 'no-execute' // instruction fetch from a page without PROT_EXEC (NX)
  | 'non-canonical' // address outside both canonical halves: general protection
  | 'kernel-address' // user access to the kernel half
  | 'invalid-opcode' // SIGILL
  | 'divide-error' // SIGFPE
  | 'stack-overflow' // SIGSEGV below the stack's growth limit
  | 'stack-smashing' // __stack_chk_fail (SIGABRT)
  | 'allocator-abort' // malloc's integrity checks (SIGABRT)
  | 'abort' // abort() (SIGABRT)

export interface Fault {
  kind: FaultKind
  signal: number
  /** Faulting data or code address (as hex string: addresses may not fit 53 bits). */
  address: string | null
  /** Instruction pointer of the faulting instruction, hex. */
  ip: string
  access: Access | null
  /** The kernel's page-fault error code (bit 0 present, 1 write, 2 user, 4 fetch), when one applies. */
  errorCode: number | null
  /** One sentence for a learner: what happened and why. */
  message: string
  /** Instruction bytes at ip for invalid opcodes, hex pairs. */
  bytes?: string
}

/** Thrown by guest memory accesses; carries what the page-fault handler needs. */
export class MemoryFault extends Error {
  constructor(
    readonly address: number,
    readonly access: Access,
    readonly present: boolean,
  ) {
    super(`${access} fault at 0x${address.toString(16)}`)
  }
}

export const SIGILL = 4
export const SIGTRAP = 5
export const SIGABRT = 6
export const SIGBUS = 7
export const SIGFPE = 8
export const SIGKILL = 9
export const SIGSEGV = 11
