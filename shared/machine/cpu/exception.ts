// What the CPU reports when an instruction cannot complete. The kernel decides what it means
// (grow the stack and retry, or deliver SIGSEGV/SIGILL/SIGFPE); the CPU leaves rip at the
// faulting instruction and commits none of its effects, so the instruction can be restarted.

import type { Access } from '../fault'

export type CpuException =
  /**
   * #PF: address is the faulting linear address (a bigint: kernel-half addresses do not fit a
   * double); present is false for an unmapped page. User accesses to the canonical kernel half
   * are page faults on present pages, as on Linux (error code 5/7).
   */
  | { vector: 'page-fault'; ip: number; address: bigint; access: Access; present: boolean }
  /** #GP: non-canonical address (null when the cause is not an address). */
  | { vector: 'general-protection'; ip: number; address: bigint | null; access: Access | null }
  /** #UD: bytes holds the instruction bytes at ip (up to 15). */
  | { vector: 'invalid-opcode'; ip: number; bytes: Uint8Array }
  /** #DE: divide by zero or quotient overflow. */
  | { vector: 'divide-error'; ip: number }
  /** int3 */
  | { vector: 'breakpoint'; ip: number }

/** Why Cpu.run returned. */
export type CpuStop =
  | { kind: 'budget' } // ran the requested number of instructions
  | { kind: 'exception'; exception: CpuException }
  | { kind: 'halt' } // the host asked to stop (exit, signal, pause request) from a syscall
  | { kind: 'breakpoint' } // rip is at a debugger breakpoint, which has not run yet
  | { kind: 'debug' } // the debugger asked to stop after the last instruction (a watched page was touched)
