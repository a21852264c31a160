// Architectural register file. 64-bit registers are stored as little-endian 32-bit halves
// (regs[2*i] low, regs[2*i+1] high) so the hot loop never touches BigInt.

export const RAX = 0
export const RCX = 1
export const RDX = 2
export const RBX = 3
export const RSP = 4
export const RBP = 5
export const RSI = 6
export const RDI = 7
export const R8 = 8
export const R9 = 9
export const R10 = 10
export const R11 = 11
export const R12 = 12
export const R13 = 13
export const R14 = 14
export const R15 = 15

export const REGISTER_NAMES = [
  'rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi',
  'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15',
] as const

const TWO_32 = 0x1_0000_0000

export class RegisterFile {
  readonly regs = new Int32Array(32)
  /** XMM0-15, four 32-bit lanes each. */
  readonly xmm = new Int32Array(64)
  /** Next instruction; user addresses fit a double exactly. */
  rip = 0
  fsBase = 0
  gsBase = 0
  mxcsr = 0x1f80

  /** Unsigned value of a register as a number; exact below 2^53 (addresses, sizes, counts). */
  get(r: number): number {
    return (this.regs[2 * r + 1]! >>> 0) * TWO_32 + (this.regs[2 * r]! >>> 0)
  }

  /** Sets a register from a non-negative integer below 2^64 given as a number (exact below 2^53). */
  set(r: number, value: number): void {
    this.regs[2 * r] = value >>> 0
    this.regs[2 * r + 1] = Math.floor(value / TWO_32)
  }

  /** Sets a register to a signed value such as -ENOMEM (two's complement over 64 bits). */
  setSigned(r: number, value: number): void {
    this.regs[2 * r] = value | 0
    this.regs[2 * r + 1] = Math.floor(value / TWO_32) | 0
  }

  getBig(r: number): bigint {
    return (BigInt(this.regs[2 * r + 1]! >>> 0) << 32n) | BigInt(this.regs[2 * r]! >>> 0)
  }

  setBig(r: number, value: bigint): void {
    this.regs[2 * r] = Number(value & 0xffffffffn) | 0
    this.regs[2 * r + 1] = Number((value >> 32n) & 0xffffffffn) | 0
  }
}
