// Operand access for translated instructions: iced-x86 operands become small closures over the
// register file or over an effective-address function, specialised once at translation time.

import { MemorySizeExt, OpKind, Register as IcedRegister, type Instruction } from 'iced-x86'
import type { Cpu } from './cpu'
import { norm } from './arith'

// iced-x86's enums are objects with thousands of members (slow, dictionary-mode lookups):
// the members this file uses are copied into small constant objects.
const Register = {
  AH: IcedRegister.AH,
  AL: IcedRegister.AL,
  AX: IcedRegister.AX,
  BH: IcedRegister.BH,
  BL: IcedRegister.BL,
  EAX: IcedRegister.EAX,
  EIP: IcedRegister.EIP,
  FS: IcedRegister.FS,
  GS: IcedRegister.GS,
  None: IcedRegister.None,
  R15: IcedRegister.R15,
  R15D: IcedRegister.R15D,
  R15L: IcedRegister.R15L,
  R15W: IcedRegister.R15W,
  RAX: IcedRegister.RAX,
  RIP: IcedRegister.RIP,
  SPL: IcedRegister.SPL,
  XMM0: IcedRegister.XMM0,
  XMM15: IcedRegister.XMM15,
} as const
type Register = IcedRegister

export type Getter = () => number
export type Setter = (value: number) => void
/** 64-bit reads leave the value in cpu.lo / cpu.hi. */
export type Getter64 = () => void
export type Setter64 = (lo: number, hi: number) => void
export type Access = 'read' | 'write'

export interface GprInfo {
  /** Register number 0-15 (rax..r15). */
  index: number
  size: 8 | 16 | 32 | 64
  /** Byte offset in the register file (AH..BH: the second byte of rax..rbx). */
  offset: number
}

/** The general-purpose register an iced Register names, or null. */
export function gprInfo(reg: Register): GprInfo | null {
  if (reg >= Register.AL && reg <= Register.BL) return { index: reg - Register.AL, size: 8, offset: (reg - Register.AL) * 8 }
  if (reg >= Register.AH && reg <= Register.BH) return { index: reg - Register.AH, size: 8, offset: (reg - Register.AH) * 8 + 1 }
  if (reg >= Register.SPL && reg <= Register.R15L) {
    const index = reg - Register.SPL + 4
    return { index, size: 8, offset: index * 8 }
  }
  if (reg >= Register.AX && reg <= Register.R15W) return { index: reg - Register.AX, size: 16, offset: (reg - Register.AX) * 8 }
  if (reg >= Register.EAX && reg <= Register.R15D) return { index: reg - Register.EAX, size: 32, offset: (reg - Register.EAX) * 8 }
  if (reg >= Register.RAX && reg <= Register.R15) return { index: reg - Register.RAX, size: 64, offset: (reg - Register.RAX) * 8 }
  return null
}

export function xmmIndex(reg: Register): number {
  if (reg >= Register.XMM0 && reg <= Register.XMM15) return reg - Register.XMM0
  return -1
}

const TWO_32 = 0x1_0000_0000

/** Splits a bigint into int32 halves of its low 64 bits. */
export function split64(value: bigint): [number, number] {
  const v = BigInt.asUintN(64, value)
  return [Number(v & 0xffffffffn) | 0, Number(v >> 32n) | 0]
}

/**
 * Builds the effective-address function of the instruction's memory operand: exact 64-bit
 * arithmetic on register halves, then the canonical check (faults raised by cpu.address).
 */
export function effectiveAddress(cpu: Cpu, instr: Instruction, access: Access): () => number {
  const R = cpu.R
  const seg = instr.memorySegment
  const useFs = seg === Register.FS
  const useGs = seg === Register.GS
  let base = instr.memoryBase
  const indexReg = instr.memoryIndex
  const scale = instr.memoryIndexScale
  let dispLo: number
  let dispHi: number
  let addr32 = false
  if (base === Register.RIP || base === Register.EIP) {
    ;[dispLo, dispHi] = split64(instr.ipRelMemoryAddress)
    addr32 = base === Register.EIP
    base = Register.None
  } else {
    ;[dispLo, dispHi] = split64(instr.memoryDisplacementU64)
  }
  const b = base === Register.None ? null : gprInfo(base)
  const x = indexReg === Register.None ? null : gprInfo(indexReg)
  if ((b !== null && b.size === 32) || (x !== null && x.size === 32)) addr32 = true
  const bi = b === null ? -1 : b.index * 2
  const xi = x === null ? -1 : x.index * 2
  const dLo = dispLo >>> 0
  if (useFs || useGs) {
    // The segment base joins the 64-bit sum before the canonical check (fs:[-0x60] is a
    // negative offset from the thread pointer, not a kernel address).
    const r = cpu.r
    return () => {
      const base = useFs ? r.fsBase : r.gsBase
      let lo = dLo
      let hi = dispHi
      if (bi >= 0) {
        lo += R[bi]! >>> 0
        hi += R[bi + 1]!
      }
      if (xi >= 0) {
        lo += (R[xi]! >>> 0) * scale
        hi += R[xi + 1]! * scale
      }
      if (addr32) {
        lo %= TWO_32
        hi = 0
      }
      lo += base % TWO_32
      hi += Math.floor(base / TWO_32)
      return cpu.address(lo, (hi + Math.floor(lo / TWO_32)) | 0, access)
    }
  }
  if (addr32) {
    return () => {
      let lo = dLo
      if (bi >= 0) lo += R[bi]! >>> 0
      if (xi >= 0) lo += (R[xi]! >>> 0) * scale
      return lo % TWO_32
    }
  }
  if (bi >= 0 && xi < 0) {
    return () => {
      const lo = (R[bi]! >>> 0) + dLo
      return cpu.address(lo, (R[bi + 1]! + dispHi + (lo >= TWO_32 ? 1 : 0)) | 0, access)
    }
  }
  if (bi >= 0) {
    return () => {
      const ilo = (R[xi]! >>> 0) * scale
      const lo = (R[bi]! >>> 0) + dLo + ilo
      const hi = R[bi + 1]! + dispHi + R[xi + 1]! * scale + Math.floor(lo / TWO_32)
      return cpu.address(lo, hi | 0, access)
    }
  }
  if (xi >= 0) {
    return () => {
      const lo = (R[xi]! >>> 0) * scale + dLo
      const hi = dispHi + R[xi + 1]! * scale + Math.floor(lo / TWO_32)
      return cpu.address(lo, hi | 0, access)
    }
  }
  return () => cpu.address(dLo, dispHi, access)
}

/** Value of an immediate operand, normalised to size (8/16 unsigned, 32 int32) or split for 64. */
export function immediate(instr: Instruction, operand: number, size: number): { lo: number; hi: number } {
  const kind = instr.opKind(operand)
  let v: bigint
  switch (kind) {
    case OpKind.Immediate8:
      v = BigInt(instr.immediate8)
      break
    case OpKind.Immediate8_2nd:
      v = BigInt(instr.immediate8_2nd)
      break
    case OpKind.Immediate16:
      v = BigInt(instr.immediate16)
      break
    case OpKind.Immediate32:
      v = BigInt(instr.immediate32)
      break
    default:
      v = instr.immediate(operand)
  }
  const [lo, hi] = split64(v)
  if (size === 64) return { lo, hi }
  return { lo: norm(size, lo), hi: 0 }
}

/** Readers/writers for one operand of at most 32 bits. */
export interface Operand32 {
  get: Getter
  /** Writes the location last read by get (read-modify-write). */
  set: Setter
  /** Writes without a prior read. */
  store: Setter
}

export interface Operand64 {
  get: Getter64
  set: Setter64
  store: Setter64
}

function notWritable(): never {
  throw new Error('operand is not writable')
}

export function operand32(cpu: Cpu, instr: Instruction, n: number, size: number, access: Access = 'read'): Operand32 {
  const kind = instr.opKind(n)
  const R = cpu.R
  if (kind === OpKind.Register) {
    const g = gprInfo(instr.opRegister(n))
    if (g === null) throw new Error(`unsupported register operand ${instr.opRegister(n)}`)
    const off = g.offset
    switch (size) {
      case 8: {
        const R8 = cpu.R8
        const set = (v: number) => {
          R8[off] = v
        }
        return { get: () => R8[off]!, set, store: set }
      }
      case 16: {
        const R16 = cpu.R16
        const w = off >> 1
        const set = (v: number) => {
          R16[w] = v
        }
        return { get: () => R16[w]!, set, store: set }
      }
      default: {
        const i = off >> 2
        const set = (v: number) => {
          R[i] = v
          R[i + 1] = 0
        }
        return { get: () => R[i]!, set, store: set }
      }
    }
  }
  if (kind === OpKind.Memory) {
    const ea = effectiveAddress(cpu, instr, access)
    let last = 0
    switch (size) {
      case 8:
        return {
          get: () => cpu.ld8((last = ea())),
          set: (v) => cpu.st8(last, v),
          store: (v) => cpu.st8(ea(), v),
        }
      case 16:
        return {
          get: () => cpu.ld16((last = ea())),
          set: (v) => cpu.st16(last, v),
          store: (v) => cpu.st16(ea(), v),
        }
      default:
        return {
          get: () => cpu.ld32((last = ea())),
          set: (v) => cpu.st32(last, v),
          store: (v) => cpu.st32(ea(), v),
        }
    }
  }
  const { lo } = immediate(instr, n, size)
  return { get: () => lo, set: notWritable, store: notWritable }
}

export function operand64(cpu: Cpu, instr: Instruction, n: number, access: Access = 'read'): Operand64 {
  const kind = instr.opKind(n)
  const R = cpu.R
  if (kind === OpKind.Register) {
    const g = gprInfo(instr.opRegister(n))
    if (g === null) throw new Error(`unsupported register operand ${instr.opRegister(n)}`)
    const i = g.index * 2
    const set = (lo: number, hi: number) => {
      R[i] = lo
      R[i + 1] = hi
    }
    return {
      get: () => {
        cpu.lo = R[i]!
        cpu.hi = R[i + 1]!
      },
      set,
      store: set,
    }
  }
  if (kind === OpKind.Memory) {
    const ea = effectiveAddress(cpu, instr, access)
    let last = 0
    return {
      get: () => {
        const a = (last = ea())
        const lo = cpu.ld32(a)
        cpu.hi = cpu.ld32(a + 4)
        cpu.lo = lo
      },
      set: (lo, hi) => cpu.st64(last, lo, hi),
      store: (lo, hi) => cpu.st64(ea(), lo, hi),
    }
  }
  const { lo, hi } = immediate(instr, n, 64)
  return {
    get: () => {
      cpu.lo = lo
      cpu.hi = hi
    },
    set: notWritable,
    store: notWritable,
  }
}

/** Operand size in bits of operand n (registers by their width, memory by the instruction). */
export function operandSize(instr: Instruction, n: number): number {
  const kind = instr.opKind(n)
  if (kind === OpKind.Register) {
    const g = gprInfo(instr.opRegister(n))
    if (g !== null) return g.size
  }
  return memorySizeBits(instr)
}

export function memorySizeBits(instr: Instruction): number {
  return MemorySizeExt.size(instr.memorySize) * 8
}
