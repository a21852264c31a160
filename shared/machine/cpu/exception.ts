// What the CPU reports when an instruction cannot complete. The kernel decides what it means
// (grow the stack and retry, or deliver SIGSEGV/SIGILL/SIGFPE); the CPU leaves rip at the
// faulting instruction and commits none of its effects, so the instruction can be restarted.

import type { Access } from '../fault'

export type CpuException =
  /** #PF: address is the faulting linear address; present is false for an unmapped page. */
  | { vector: 'page-fault'; ip: number; address: number; access: Access; present: boolean }
  /** #GP: non-canonical or kernel-half address (address is a hex string: it may not fit 53 bits). */
  | { vector: 'general-protection'; ip: number; address: string | null; access: Access | null }
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
