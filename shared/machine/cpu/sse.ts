// SSE/SSE2: the moves, integer lane operations and scalar/packed float arithmetic that gcc
// emits and that glibc's SSE2 string, memory and printf paths execute.

import { Mnemonic as IcedMnemonic, OpKind, Register, type Instruction } from 'iced-x86'
import { CpuTrap, type Cpu } from './cpu'
import { CF, PF, ZF, STATUS_FLAGS } from './flags'
import { effectiveAddress, gprInfo, memorySizeBits, xmmIndex } from './operands'
import type { Op } from './translate'

// iced-x86's enums are objects with thousands of members (slow, dictionary-mode lookups):
// the members this file uses are copied into small constant objects.
const Mnemonic = {
  Addpd: IcedMnemonic.Addpd,
  Addps: IcedMnemonic.Addps,
  Addsd: IcedMnemonic.Addsd,
  Addss: IcedMnemonic.Addss,
  Andnpd: IcedMnemonic.Andnpd,
  Andnps: IcedMnemonic.Andnps,
  Andpd: IcedMnemonic.Andpd,
  Andps: IcedMnemonic.Andps,
  Cmppd: IcedMnemonic.Cmppd,
  Cmpps: IcedMnemonic.Cmpps,
  Cmpsd: IcedMnemonic.Cmpsd,
  Cmpss: IcedMnemonic.Cmpss,
  Comisd: IcedMnemonic.Comisd,
  Comiss: IcedMnemonic.Comiss,
  Cvtdq2pd: IcedMnemonic.Cvtdq2pd,
  Cvtdq2ps: IcedMnemonic.Cvtdq2ps,
  Cvtpd2dq: IcedMnemonic.Cvtpd2dq,
  Cvtpd2ps: IcedMnemonic.Cvtpd2ps,
  Cvtps2dq: IcedMnemonic.Cvtps2dq,
  Cvtps2pd: IcedMnemonic.Cvtps2pd,
  Cvtsd2si: IcedMnemonic.Cvtsd2si,
  Cvtsd2ss: IcedMnemonic.Cvtsd2ss,
  Cvtsi2sd: IcedMnemonic.Cvtsi2sd,
  Cvtsi2ss: IcedMnemonic.Cvtsi2ss,
  Cvtss2sd: IcedMnemonic.Cvtss2sd,
  Cvtss2si: IcedMnemonic.Cvtss2si,
  Cvttpd2dq: IcedMnemonic.Cvttpd2dq,
  Cvttps2dq: IcedMnemonic.Cvttps2dq,
  Cvttsd2si: IcedMnemonic.Cvttsd2si,
  Cvttss2si: IcedMnemonic.Cvttss2si,
  Divpd: IcedMnemonic.Divpd,
  Divps: IcedMnemonic.Divps,
  Divsd: IcedMnemonic.Divsd,
  Divss: IcedMnemonic.Divss,
  Lddqu: IcedMnemonic.Lddqu,
  Maxpd: IcedMnemonic.Maxpd,
  Maxps: IcedMnemonic.Maxps,
  Maxsd: IcedMnemonic.Maxsd,
  Maxss: IcedMnemonic.Maxss,
  Minpd: IcedMnemonic.Minpd,
  Minps: IcedMnemonic.Minps,
  Minsd: IcedMnemonic.Minsd,
  Minss: IcedMnemonic.Minss,
  Movapd: IcedMnemonic.Movapd,
  Movaps: IcedMnemonic.Movaps,
  Movd: IcedMnemonic.Movd,
  Movdqa: IcedMnemonic.Movdqa,
  Movdqu: IcedMnemonic.Movdqu,
  Movhlps: IcedMnemonic.Movhlps,
  Movhpd: IcedMnemonic.Movhpd,
  Movhps: IcedMnemonic.Movhps,
  Movlhps: IcedMnemonic.Movlhps,
  Movlpd: IcedMnemonic.Movlpd,
  Movlps: IcedMnemonic.Movlps,
  Movmskpd: IcedMnemonic.Movmskpd,
  Movmskps: IcedMnemonic.Movmskps,
  Movntdq: IcedMnemonic.Movntdq,
  Movntdqa: IcedMnemonic.Movntdqa,
  Movnti: IcedMnemonic.Movnti,
  Movntpd: IcedMnemonic.Movntpd,
  Movntps: IcedMnemonic.Movntps,
  Movq: IcedMnemonic.Movq,
  Movsd: IcedMnemonic.Movsd,
  Movss: IcedMnemonic.Movss,
  Movupd: IcedMnemonic.Movupd,
  Movups: IcedMnemonic.Movups,
  Mulpd: IcedMnemonic.Mulpd,
  Mulps: IcedMnemonic.Mulps,
  Mulsd: IcedMnemonic.Mulsd,
  Mulss: IcedMnemonic.Mulss,
  Orpd: IcedMnemonic.Orpd,
  Orps: IcedMnemonic.Orps,
  Packssdw: IcedMnemonic.Packssdw,
  Packsswb: IcedMnemonic.Packsswb,
  Packuswb: IcedMnemonic.Packuswb,
  Paddb: IcedMnemonic.Paddb,
  Paddd: IcedMnemonic.Paddd,
  Paddq: IcedMnemonic.Paddq,
  Paddsb: IcedMnemonic.Paddsb,
  Paddsw: IcedMnemonic.Paddsw,
  Paddusb: IcedMnemonic.Paddusb,
  Paddusw: IcedMnemonic.Paddusw,
  Paddw: IcedMnemonic.Paddw,
  Pand: IcedMnemonic.Pand,
  Pandn: IcedMnemonic.Pandn,
  Pavgb: IcedMnemonic.Pavgb,
  Pavgw: IcedMnemonic.Pavgw,
  Pcmpeqb: IcedMnemonic.Pcmpeqb,
  Pcmpeqd: IcedMnemonic.Pcmpeqd,
  Pcmpeqw: IcedMnemonic.Pcmpeqw,
  Pcmpgtb: IcedMnemonic.Pcmpgtb,
  Pcmpgtd: IcedMnemonic.Pcmpgtd,
  Pcmpgtw: IcedMnemonic.Pcmpgtw,
  Pextrw: IcedMnemonic.Pextrw,
  Pinsrw: IcedMnemonic.Pinsrw,
  Pmaddwd: IcedMnemonic.Pmaddwd,
  Pmaxsw: IcedMnemonic.Pmaxsw,
  Pmaxub: IcedMnemonic.Pmaxub,
  Pminsw: IcedMnemonic.Pminsw,
  Pminub: IcedMnemonic.Pminub,
  Pmovmskb: IcedMnemonic.Pmovmskb,
  Pmulhuw: IcedMnemonic.Pmulhuw,
  Pmulhw: IcedMnemonic.Pmulhw,
  Pmullw: IcedMnemonic.Pmullw,
  Pmuludq: IcedMnemonic.Pmuludq,
  Por: IcedMnemonic.Por,
  Psadbw: IcedMnemonic.Psadbw,
  Pshufd: IcedMnemonic.Pshufd,
  Pshufhw: IcedMnemonic.Pshufhw,
  Pshuflw: IcedMnemonic.Pshuflw,
  Pslld: IcedMnemonic.Pslld,
  Pslldq: IcedMnemonic.Pslldq,
  Psllq: IcedMnemonic.Psllq,
  Psllw: IcedMnemonic.Psllw,
  Psrad: IcedMnemonic.Psrad,
  Psraw: IcedMnemonic.Psraw,
  Psrld: IcedMnemonic.Psrld,
  Psrldq: IcedMnemonic.Psrldq,
  Psrlq: IcedMnemonic.Psrlq,
  Psrlw: IcedMnemonic.Psrlw,
  Psubb: IcedMnemonic.Psubb,
  Psubd: IcedMnemonic.Psubd,
  Psubq: IcedMnemonic.Psubq,
  Psubsb: IcedMnemonic.Psubsb,
  Psubsw: IcedMnemonic.Psubsw,
  Psubusb: IcedMnemonic.Psubusb,
  Psubusw: IcedMnemonic.Psubusw,
  Psubw: IcedMnemonic.Psubw,
  Punpckhbw: IcedMnemonic.Punpckhbw,
  Punpckhdq: IcedMnemonic.Punpckhdq,
  Punpckhqdq: IcedMnemonic.Punpckhqdq,
  Punpckhwd: IcedMnemonic.Punpckhwd,
  Punpcklbw: IcedMnemonic.Punpcklbw,
  Punpckldq: IcedMnemonic.Punpckldq,
  Punpcklqdq: IcedMnemonic.Punpcklqdq,
  Punpcklwd: IcedMnemonic.Punpcklwd,
  Pxor: IcedMnemonic.Pxor,
  Shufpd: IcedMnemonic.Shufpd,
  Shufps: IcedMnemonic.Shufps,
  Sqrtpd: IcedMnemonic.Sqrtpd,
  Sqrtps: IcedMnemonic.Sqrtps,
  Sqrtsd: IcedMnemonic.Sqrtsd,
  Sqrtss: IcedMnemonic.Sqrtss,
  Subpd: IcedMnemonic.Subpd,
  Subps: IcedMnemonic.Subps,
  Subsd: IcedMnemonic.Subsd,
  Subss: IcedMnemonic.Subss,
  Ucomisd: IcedMnemonic.Ucomisd,
  Ucomiss: IcedMnemonic.Ucomiss,
  Unpckhpd: IcedMnemonic.Unpckhpd,
  Unpckhps: IcedMnemonic.Unpckhps,
  Unpcklpd: IcedMnemonic.Unpcklpd,
  Unpcklps: IcedMnemonic.Unpcklps,
  Xorpd: IcedMnemonic.Xorpd,
  Xorps: IcedMnemonic.Xorps,
} as const
type Mnemonic = IcedMnemonic

const TWO_32 = 0x1_0000_0000

// Scratch lanes for a source operand (one instruction at a time, never re-entered).
const T = new Int32Array(4)
const TU8 = new Uint8Array(T.buffer)
const TU16 = new Uint16Array(T.buffer)
const TI16 = new Int16Array(T.buffer)
const TF32 = new Float32Array(T.buffer)
const TF64 = new Float64Array(T.buffer)
// Scratch copy of the destination for shuffles that read it while writing it.
const D = new Int32Array(4)
const DU8 = new Uint8Array(D.buffer)
const DI16 = new Int16Array(D.buffer)
const F64 = new Float64Array(1)
const F64I = new Int32Array(F64.buffer)
const F32 = new Float32Array(1)
const F32I = new Int32Array(F32.buffer)

function generalProtection(): never {
  throw new CpuTrap({ vector: 'general-protection', ip: 0, address: null, access: null })
}

/** Instructions whose 128-bit memory operand may be unaligned (legacy SSE requires alignment otherwise). */
function allowsUnaligned(m: Mnemonic): boolean {
  return m === Mnemonic.Movdqu || m === Mnemonic.Movups || m === Mnemonic.Movupd || m === Mnemonic.Lddqu
}

/** Loads operand n (xmm register or memory of `bits`) into T (zero-filled above `bits`). */
function source(cpu: Cpu, instr: Instruction, n: number, bits = 128): () => void {
  const kind = instr.opKind(n)
  if (kind === OpKind.Register) {
    const x = xmmIndex(instr.opRegister(n))
    if (x >= 0) {
      const X = cpu.X32
      const b = x * 4
      return () => {
        T[0] = X[b]!
        T[1] = X[b + 1]!
        T[2] = X[b + 2]!
        T[3] = X[b + 3]!
      }
    }
    const g = gprInfo(instr.opRegister(n))!
    const R = cpu.R
    const i = g.index * 2
    return g.size === 64
      ? () => {
          T[0] = R[i]!
          T[1] = R[i + 1]!
          T[2] = 0
          T[3] = 0
        }
      : () => {
          T[0] = R[i]!
          T[1] = 0
          T[2] = 0
          T[3] = 0
        }
  }
  if (kind === OpKind.Memory) {
    const ea = effectiveAddress(cpu, instr, 'read')
    const size = Math.min(bits, memorySizeBits(instr) || bits)
    const aligned = size === 128 && !allowsUnaligned(instr.mnemonic)
    switch (size) {
      case 128:
        return () => {
          const a = ea()
          if (aligned && a % 16 !== 0) generalProtection()
          cpu.ldWords(a, 4, T, 0)
        }
      case 64:
        return () => {
          cpu.ldWords(ea(), 2, T, 0)
          T[2] = 0
          T[3] = 0
        }
      case 32:
        return () => {
          T[0] = cpu.ld32(ea())
          T[1] = 0
          T[2] = 0
          T[3] = 0
        }
      case 16:
        return () => {
          T[0] = cpu.ld16(ea())
          T[1] = 0
          T[2] = 0
          T[3] = 0
        }
      default:
        return () => {
          T[0] = cpu.ld8(ea())
          T[1] = 0
          T[2] = 0
          T[3] = 0
        }
    }
  }
  const imm = instr.immediate8
  return () => {
    T[0] = imm
    T[1] = 0
    T[2] = 0
    T[3] = 0
  }
}

/** Lane-wise binary op on xmm[d] and T, written back to xmm[d]. */
type LaneOp = (cpu: Cpu, d: number) => void

function binary(cpu: Cpu, instr: Instruction, lanes: LaneOp, bits = 128): Op | null {
  const d = xmmIndex(instr.opRegister(0))
  if (d < 0) return null
  const src = source(cpu, instr, 1, bits)
  return () => {
    src()
    lanes(cpu, d)
  }
}

function bytewise(f: (a: number, b: number) => number): LaneOp {
  return (cpu, d) => {
    const X = cpu.XU8
    const o = d * 16
    for (let i = 0; i < 16; i++) X[o + i] = f(X[o + i]!, TU8[i]!)
  }
}

function wordwise(f: (a: number, b: number) => number): LaneOp {
  return (cpu, d) => {
    const X = cpu.XI16
    const o = d * 8
    for (let i = 0; i < 8; i++) X[o + i] = f(X[o + i]!, TI16[i]!)
  }
}

// Hot lane operations of glibc's SSE2 string routines, written out without per-lane callbacks.
const pcmpeqb: LaneOp = (cpu, d) => {
  const X = cpu.XU8
  const o = d * 16
  for (let i = 0; i < 16; i++) X[o + i] = X[o + i] === TU8[i] ? 0xff : 0
}
const pminub: LaneOp = (cpu, d) => {
  const X = cpu.XU8
  const o = d * 16
  for (let i = 0; i < 16; i++) {
    const b = TU8[i]!
    if (b < X[o + i]!) X[o + i] = b
  }
}
const pmaxub: LaneOp = (cpu, d) => {
  const X = cpu.XU8
  const o = d * 16
  for (let i = 0; i < 16; i++) {
    const b = TU8[i]!
    if (b > X[o + i]!) X[o + i] = b
  }
}
const pxor: LaneOp = (cpu, d) => {
  const X = cpu.X32
  const o = d * 4
  X[o] = X[o]! ^ T[0]!
  X[o + 1] = X[o + 1]! ^ T[1]!
  X[o + 2] = X[o + 2]! ^ T[2]!
  X[o + 3] = X[o + 3]! ^ T[3]!
}
const por: LaneOp = (cpu, d) => {
  const X = cpu.X32
  const o = d * 4
  X[o] = X[o]! | T[0]!
  X[o + 1] = X[o + 1]! | T[1]!
  X[o + 2] = X[o + 2]! | T[2]!
  X[o + 3] = X[o + 3]! | T[3]!
}
const pand: LaneOp = (cpu, d) => {
  const X = cpu.X32
  const o = d * 4
  X[o] = X[o]! & T[0]!
  X[o + 1] = X[o + 1]! & T[1]!
  X[o + 2] = X[o + 2]! & T[2]!
  X[o + 3] = X[o + 3]! & T[3]!
}

function dwordwise(f: (a: number, b: number) => number): LaneOp {
  return (cpu, d) => {
    const X = cpu.X32
    const o = d * 4
    for (let i = 0; i < 4; i++) X[o + i] = f(X[o + i]!, T[i]!)
  }
}

function qwordwise(f: (aLo: number, aHi: number, bLo: number, bHi: number, out: Int32Array, at: number) => void): LaneOp {
  return (cpu, d) => {
    const X = cpu.X32
    const o = d * 4
    f(X[o]!, X[o + 1]!, T[0]!, T[1]!, X, o)
    f(X[o + 2]!, X[o + 3]!, T[2]!, T[3]!, X, o + 2)
  }
}

const satU8 = (v: number) => (v < 0 ? 0 : v > 255 ? 255 : v)
const satS8 = (v: number) => (v < -128 ? -128 : v > 127 ? 127 : v)
const satU16 = (v: number) => (v < 0 ? 0 : v > 0xffff ? 0xffff : v)
const satS16 = (v: number) => (v < -32768 ? -32768 : v > 32767 ? 32767 : v)

// --- floating point helpers -------------------------------------------------------------------

/** x86 result of a double operation: NaN results follow SSE's rules (first NaN operand, quieted; else the negative default NaN). */
function fixNaN64(r: number, a: number, aLo: number, aHi: number, b: number, bLo: number, bHi: number, out: Int32Array, at: number): void {
  if (r === r) {
    F64[0] = r
    out[at] = F64I[0]!
    out[at + 1] = F64I[1]!
    return
  }
  if (a !== a) {
    out[at] = aLo
    out[at + 1] = aHi | 0x80000
  } else if (b !== b) {
    out[at] = bLo
    out[at + 1] = bHi | 0x80000
  } else {
    out[at] = 0
    out[at + 1] = 0xfff80000 | 0
  }
}

function fixNaN32(r: number, a: number, aBits: number, b: number, bBits: number): number {
  if (r === r) {
    F32[0] = r
    return F32I[0]!
  }
  if (a !== a) return aBits | 0x400000
  if (b !== b) return bBits | 0x400000
  return 0xffc00000 | 0
}

function bitsToF64(lo: number, hi: number): number {
  F64I[0] = lo
  F64I[1] = hi
  return F64[0]!
}

function bitsToF32(v: number): number {
  F32I[0] = v
  return F32[0]!
}

type FloatOp = (a: number, b: number) => number

const fadd: FloatOp = (a, b) => a + b
const fsub: FloatOp = (a, b) => a - b
const fmul: FloatOp = (a, b) => a * b
const fdiv: FloatOp = (a, b) => a / b
// min/max: when either is NaN or both are zero, the second (source) operand is returned.
const fmin: FloatOp = (a, b) => (a < b ? a : b)
const fmax: FloatOp = (a, b) => (a > b ? a : b)

function isMinMax(f: FloatOp): boolean {
  return f === fmin || f === fmax
}

/** Scalar or packed double operation on lanes 0 (and 1 when packed). */
function doubleOp(f: FloatOp, packed: boolean): LaneOp {
  const minmax = isMinMax(f)
  const lane = (X: Int32Array, o: number, s: number) => {
    const aLo = X[o]!
    const aHi = X[o + 1]!
    const bLo = T[s]!
    const bHi = T[s + 1]!
    const a = bitsToF64(aLo, aHi)
    const b = bitsToF64(bLo, bHi)
    if (minmax) {
      const r = f(a, b)
      if (r === a && !(a === 0 && b === 0) && a === a && b === b) {
        X[o] = aLo
        X[o + 1] = aHi
      } else {
        X[o] = bLo
        X[o + 1] = bHi
      }
      return
    }
    fixNaN64(f(a, b), a, aLo, aHi, b, bLo, bHi, X, o)
  }
  return (cpu, d) => {
    const X = cpu.X32
    lane(X, d * 4, 0)
    if (packed) lane(X, d * 4 + 2, 2)
  }
}

function singleOp(f: FloatOp, packed: boolean): LaneOp {
  const minmax = isMinMax(f)
  return (cpu, d) => {
    const X = cpu.X32
    const n = packed ? 4 : 1
    for (let i = 0; i < n; i++) {
      const aBits = X[d * 4 + i]!
      const bBits = T[i]!
      const a = bitsToF32(aBits)
      const b = bitsToF32(bBits)
      if (minmax) {
        const r = f(a, b)
        X[d * 4 + i] = r === a && !(a === 0 && b === 0) && a === a && b === b ? aBits : bBits
      } else {
        X[d * 4 + i] = fixNaN32(Math.fround(f(a, b)), a, aBits, b, bBits)
      }
    }
  }
}

function sqrtOp(double: boolean, packed: boolean): LaneOp {
  return (cpu, d) => {
    const X = cpu.X32
    if (double) {
      const n = packed ? 2 : 1
      for (let i = 0; i < n; i++) {
        const lo = T[i * 2]!
        const hi = T[i * 2 + 1]!
        const v = bitsToF64(lo, hi)
        fixNaN64(Math.sqrt(v), v, lo, hi, 0, 0, 0, X, d * 4 + i * 2)
      }
    } else {
      const n = packed ? 4 : 1
      for (let i = 0; i < n; i++) {
        const v = bitsToF32(T[i]!)
        X[d * 4 + i] = fixNaN32(Math.fround(Math.sqrt(v)), v, T[i]!, 0, 0)
      }
    }
  }
}

/** cmpsd/cmpss/cmppd/cmpps predicate (imm8 & 7). */
function comparePredicate(p: number, a: number, b: number): boolean {
  switch (p & 7) {
    case 0:
      return a === b
    case 1:
      return a < b
    case 2:
      return a <= b
    case 3:
      return a !== a || b !== b
    case 4:
      return !(a === b)
    case 5:
      return !(a < b)
    case 6:
      return !(a <= b)
    default:
      return a === a && b === b
  }
}

/** Round half to even, as the default MXCSR rounding mode does. */
function roundEven(v: number): number {
  const r = Math.round(v)
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r
}

/** Rounds per MXCSR.RC (bits 13-14) unless truncating. */
function roundMxcsr(cpu: Cpu, v: number, truncate: boolean): number {
  if (truncate) return Math.trunc(v)
  switch ((cpu.r.mxcsr >>> 13) & 3) {
    case 0:
      return roundEven(v)
    case 1:
      return Math.floor(v)
    case 2:
      return Math.ceil(v)
    default:
      return Math.trunc(v)
  }
}

/** Double -> int32/int64 per SSE: out of range or NaN gives the "integer indefinite" value. */
function floatToInt(cpu: Cpu, v: number, bits: 32 | 64, truncate: boolean, out: Int32Array): void {
  const r = roundMxcsr(cpu, v, truncate)
  if (bits === 32) {
    out[0] = r >= -2147483648 && r <= 2147483647 ? r : 0x80000000 | 0
    out[1] = 0
    return
  }
  if (r >= -9223372036854775808 && r < 9223372036854775808) {
    const hi = Math.floor(r / TWO_32)
    out[0] = (r - hi * TWO_32) | 0
    out[1] = hi | 0
  } else {
    out[0] = 0
    out[1] = 0x80000000 | 0
  }
}

/** int64 (lo, hi) to the nearest double (exact rounding through BigInt when needed). */
function int64ToDouble(lo: number, hi: number): number {
  if (hi >= -0x200000 && hi < 0x200000) return hi * TWO_32 + (lo >>> 0)
  return Number((BigInt(hi) << 32n) | BigInt(lo >>> 0))
}

function int64ToSingle(lo: number, hi: number): number {
  if (hi >= -0x200000 && hi < 0x200000) return Math.fround(hi * TWO_32 + (lo >>> 0))
  // Rounding through a double could round twice: keep 26 bits plus a sticky bit, which a
  // double holds exactly, so fround rounds once.
  const v = (BigInt(hi) << 32n) | BigInt(lo >>> 0)
  const negative = v < 0n
  const magnitude = negative ? -v : v
  const shift = magnitude.toString(2).length - 26
  const sticky = (magnitude & ((1n << BigInt(shift)) - 1n)) !== 0n ? 1n : 0n
  const r = Number((magnitude >> BigInt(shift)) | sticky) * 2 ** shift
  return Math.fround(negative ? -r : r)
}

const INT_OUT = new Int32Array(2)

// --- the translator ---------------------------------------------------------------------------

/** MMX forms share mnemonics with SSE2; the MMX registers are not modelled (cpuid says no MMX). */
function usesMmx(instr: Instruction): boolean {
  for (let n = 0; n < instr.opCount; n++) {
    if (instr.opKind(n) !== OpKind.Register) continue
    const reg = instr.opRegister(n)
    if (reg >= MM0 && reg <= MM7) return true
  }
  return false
}
const MM0 = Register.MM0
const MM7 = Register.MM7

export function translateSse(cpu: Cpu, instr: Instruction): Op | null {
  if (usesMmx(instr)) return null
  const m = instr.mnemonic
  const X = cpu.X32
  const R = cpu.R
  const k0 = instr.opKind(0)
  const k1 = instr.opCount > 1 ? instr.opKind(1) : OpKind.Register
  const d = k0 === OpKind.Register ? xmmIndex(instr.opRegister(0)) : -1
  const s = k1 === OpKind.Register && instr.opCount > 1 ? xmmIndex(instr.opRegister(1)) : -1
  switch (m) {
    // ---- moves ----
    case Mnemonic.Movdqa:
    case Mnemonic.Movdqu:
    case Mnemonic.Movaps:
    case Mnemonic.Movups:
    case Mnemonic.Movapd:
    case Mnemonic.Movupd:
    case Mnemonic.Lddqu:
    case Mnemonic.Movntdq:
    case Mnemonic.Movntps:
    case Mnemonic.Movntpd:
    case Mnemonic.Movntdqa: {
      if (d >= 0) {
        const src = source(cpu, instr, 1)
        const o = d * 4
        return () => {
          src()
          X[o] = T[0]!
          X[o + 1] = T[1]!
          X[o + 2] = T[2]!
          X[o + 3] = T[3]!
        }
      }
      const ea = effectiveAddress(cpu, instr, 'write')
      const o = xmmIndex(instr.opRegister(1)) * 4
      const aligned = !allowsUnaligned(m)
      return () => {
        const a = ea()
        if (aligned && a % 16 !== 0) generalProtection()
        cpu.st128(a, X[o]!, X[o + 1]!, X[o + 2]!, X[o + 3]!)
      }
    }
    case Mnemonic.Movnti: {
      const ea = effectiveAddress(cpu, instr, 'write')
      const g = gprInfo(instr.opRegister(1))!
      const i = g.index * 2
      return g.size === 64 ? () => cpu.st64(ea(), R[i]!, R[i + 1]!) : () => cpu.st32(ea(), R[i]!)
    }
    case Mnemonic.Movd:
    case Mnemonic.Movq: {
      if (d >= 0) {
        // xmm <- r/m32, r/m64 or xmm/m64: zero the rest of the register.
        const bits = m === Mnemonic.Movd ? 32 : 64
        const src = source(cpu, instr, 1, bits)
        const o = d * 4
        return () => {
          src()
          X[o] = T[0]!
          X[o + 1] = bits === 64 ? T[1]! : 0
          X[o + 2] = 0
          X[o + 3] = 0
        }
      }
      const o = xmmIndex(instr.opRegister(1)) * 4
      if (k0 === OpKind.Register) {
        const g = gprInfo(instr.opRegister(0))!
        const i = g.index * 2
        return g.size === 64
          ? () => {
              R[i] = X[o]!
              R[i + 1] = X[o + 1]!
            }
          : () => {
              R[i] = X[o]!
              R[i + 1] = 0
            }
      }
      const ea = effectiveAddress(cpu, instr, 'write')
      return m === Mnemonic.Movd ? () => cpu.st32(ea(), X[o]!) : () => cpu.st64(ea(), X[o]!, X[o + 1]!)
    }
    case Mnemonic.Movss:
    case Mnemonic.Movsd: {
      const lanes = m === Mnemonic.Movss ? 1 : 2
      if (d >= 0 && s >= 0) {
        const o = d * 4
        const p = s * 4
        return () => {
          X[o] = X[p]!
          if (lanes === 2) X[o + 1] = X[p + 1]!
        }
      }
      if (d >= 0) {
        const ea = effectiveAddress(cpu, instr, 'read')
        const o = d * 4
        return () => {
          const a = ea()
          const l0 = cpu.ld32(a)
          X[o + 1] = lanes === 2 ? cpu.ld32(a + 4) : 0
          X[o] = l0
          X[o + 2] = 0
          X[o + 3] = 0
        }
      }
      const ea = effectiveAddress(cpu, instr, 'write')
      const o = xmmIndex(instr.opRegister(1)) * 4
      return lanes === 1 ? () => cpu.st32(ea(), X[o]!) : () => cpu.st64(ea(), X[o]!, X[o + 1]!)
    }
    case Mnemonic.Movlps:
    case Mnemonic.Movlpd:
    case Mnemonic.Movhps:
    case Mnemonic.Movhpd: {
      const high = m === Mnemonic.Movhps || m === Mnemonic.Movhpd
      if (d >= 0) {
        const ea = effectiveAddress(cpu, instr, 'read')
        const o = d * 4 + (high ? 2 : 0)
        return () => {
          const a = ea()
          const l0 = cpu.ld32(a)
          X[o + 1] = cpu.ld32(a + 4)
          X[o] = l0
        }
      }
      const ea = effectiveAddress(cpu, instr, 'write')
      const o = xmmIndex(instr.opRegister(1)) * 4 + (high ? 2 : 0)
      return () => cpu.st64(ea(), X[o]!, X[o + 1]!)
    }
    case Mnemonic.Movhlps:
    case Mnemonic.Movlhps: {
      const o = d * 4
      const p = s * 4
      return m === Mnemonic.Movhlps
        ? () => {
            X[o] = X[p + 2]!
            X[o + 1] = X[p + 3]!
          }
        : () => {
            X[o + 2] = X[p]!
            X[o + 3] = X[p + 1]!
          }
    }
    case Mnemonic.Pmovmskb:
    case Mnemonic.Movmskps:
    case Mnemonic.Movmskpd: {
      const g = gprInfo(instr.opRegister(0))!
      const i = g.index * 2
      const o = s * 4
      if (m === Mnemonic.Pmovmskb) {
        const X32 = cpu.X32
        return () => {
          let mask = 0
          for (let w = 0; w < 4; w++) {
            const v = X32[o + w]!
            mask |= (((v >>> 7) & 1) | ((v >>> 14) & 2) | ((v >>> 21) & 4) | ((v >>> 28) & 8)) << (4 * w)
          }
          R[i] = mask
          R[i + 1] = 0
        }
      }
      if (m === Mnemonic.Movmskps) {
        return () => {
          R[i] = (X[o]! >>> 31) | ((X[o + 1]! >>> 31) << 1) | ((X[o + 2]! >>> 31) << 2) | ((X[o + 3]! >>> 31) << 3)
          R[i + 1] = 0
        }
      }
      return () => {
        R[i] = (X[o + 1]! >>> 31) | ((X[o + 3]! >>> 31) << 1)
        R[i + 1] = 0
      }
    }

    // ---- logic ----
    case Mnemonic.Pxor:
    case Mnemonic.Xorps:
    case Mnemonic.Xorpd:
      if (d >= 0 && d === s) {
        const o = d * 4
        return () => {
          X[o] = 0
          X[o + 1] = 0
          X[o + 2] = 0
          X[o + 3] = 0
        }
      }
      return binary(cpu, instr, pxor)
    case Mnemonic.Por:
    case Mnemonic.Orps:
    case Mnemonic.Orpd:
      return binary(cpu, instr, por)
    case Mnemonic.Pand:
    case Mnemonic.Andps:
    case Mnemonic.Andpd:
      return binary(cpu, instr, pand)
    case Mnemonic.Pandn:
    case Mnemonic.Andnps:
    case Mnemonic.Andnpd:
      return binary(cpu, instr, dwordwise((a, b) => ~a & b))

    // ---- integer lanes ----
    case Mnemonic.Pcmpeqb:
      return binary(cpu, instr, pcmpeqb)
    case Mnemonic.Pcmpeqw:
      return binary(cpu, instr, wordwise((a, b) => (a === b ? -1 : 0)))
    case Mnemonic.Pcmpeqd:
      return binary(cpu, instr, dwordwise((a, b) => (a === b ? -1 : 0)))
    case Mnemonic.Pcmpgtb:
      return binary(cpu, instr, bytewise((a, b) => (((a << 24) >> 24) > ((b << 24) >> 24) ? 0xff : 0)))
    case Mnemonic.Pcmpgtw:
      return binary(cpu, instr, wordwise((a, b) => (a > b ? -1 : 0)))
    case Mnemonic.Pcmpgtd:
      return binary(cpu, instr, dwordwise((a, b) => (a > b ? -1 : 0)))
    case Mnemonic.Pminub:
      return binary(cpu, instr, pminub)
    case Mnemonic.Pmaxub:
      return binary(cpu, instr, pmaxub)
    case Mnemonic.Pminsw:
      return binary(cpu, instr, wordwise((a, b) => (a < b ? a : b)))
    case Mnemonic.Pmaxsw:
      return binary(cpu, instr, wordwise((a, b) => (a > b ? a : b)))
    case Mnemonic.Pavgb:
      return binary(cpu, instr, bytewise((a, b) => (a + b + 1) >> 1))
    case Mnemonic.Pavgw:
      return binary(cpu, instr, wordwise((a, b) => ((a & 0xffff) + (b & 0xffff) + 1) >> 1))
    case Mnemonic.Paddb:
      return binary(cpu, instr, bytewise((a, b) => a + b))
    case Mnemonic.Paddw:
      return binary(cpu, instr, wordwise((a, b) => a + b))
    case Mnemonic.Paddd:
      return binary(cpu, instr, dwordwise((a, b) => (a + b) | 0))
    case Mnemonic.Paddq:
      return binary(
        cpu,
        instr,
        qwordwise((aLo, aHi, bLo, bHi, out, at) => {
          const lo = (aLo >>> 0) + (bLo >>> 0)
          out[at] = lo | 0
          out[at + 1] = (aHi + bHi + (lo >= TWO_32 ? 1 : 0)) | 0
        }),
      )
    case Mnemonic.Psubb:
      return binary(cpu, instr, bytewise((a, b) => a - b))
    case Mnemonic.Psubw:
      return binary(cpu, instr, wordwise((a, b) => a - b))
    case Mnemonic.Psubd:
      return binary(cpu, instr, dwordwise((a, b) => (a - b) | 0))
    case Mnemonic.Psubq:
      return binary(
        cpu,
        instr,
        qwordwise((aLo, aHi, bLo, bHi, out, at) => {
          const lo = (aLo >>> 0) - (bLo >>> 0)
          out[at] = lo | 0
          out[at + 1] = (aHi - bHi - (lo < 0 ? 1 : 0)) | 0
        }),
      )
    case Mnemonic.Paddusb:
      return binary(cpu, instr, bytewise((a, b) => satU8(a + b)))
    case Mnemonic.Psubusb:
      return binary(cpu, instr, bytewise((a, b) => satU8(a - b)))
    case Mnemonic.Paddsb:
      return binary(cpu, instr, bytewise((a, b) => satS8(((a << 24) >> 24) + ((b << 24) >> 24))))
    case Mnemonic.Psubsb:
      return binary(cpu, instr, bytewise((a, b) => satS8(((a << 24) >> 24) - ((b << 24) >> 24))))
    case Mnemonic.Paddusw:
      return binary(cpu, instr, wordwise((a, b) => satU16((a & 0xffff) + (b & 0xffff))))
    case Mnemonic.Psubusw:
      return binary(cpu, instr, wordwise((a, b) => satU16((a & 0xffff) - (b & 0xffff))))
    case Mnemonic.Paddsw:
      return binary(cpu, instr, wordwise((a, b) => satS16(a + b)))
    case Mnemonic.Psubsw:
      return binary(cpu, instr, wordwise((a, b) => satS16(a - b)))
    case Mnemonic.Pmullw:
      return binary(cpu, instr, wordwise((a, b) => Math.imul(a, b)))
    case Mnemonic.Pmulhw:
      return binary(cpu, instr, wordwise((a, b) => (a * b) >> 16))
    case Mnemonic.Pmulhuw:
      return binary(cpu, instr, wordwise((a, b) => ((a & 0xffff) * (b & 0xffff)) >>> 16))
    case Mnemonic.Pmuludq:
      return binary(
        cpu,
        instr,
        qwordwise((aLo, _aHi, bLo, _bHi, out, at) => {
          const lo = Math.imul(aLo, bLo)
          const a0 = aLo >>> 0
          const b0 = bLo >>> 0
          // high word of the 64-bit product, exact via 16-bit halves
          const p = (a0 & 0xffff) * (b0 & 0xffff)
          const m1 = (a0 >>> 16) * (b0 & 0xffff) + (p >>> 16)
          const m2 = (a0 & 0xffff) * (b0 >>> 16) + (m1 & 0xffff)
          out[at] = lo
          out[at + 1] = ((a0 >>> 16) * (b0 >>> 16) + Math.floor(m1 / 65536) + Math.floor(m2 / 65536)) | 0
        }),
      )
    case Mnemonic.Pmaddwd:
      return binary(cpu, instr, (c, dd) => {
        const W = c.XI16
        const o = dd * 8
        for (let i = 0; i < 4; i++) {
          c.X32[dd * 4 + i] = (W[o + 2 * i]! * TI16[2 * i]! + W[o + 2 * i + 1]! * TI16[2 * i + 1]!) | 0
        }
      })
    case Mnemonic.Psadbw:
      return binary(cpu, instr, (c, dd) => {
        const U8 = c.XU8
        for (let half = 0; half < 2; half++) {
          let sum = 0
          for (let i = 0; i < 8; i++) sum += Math.abs(U8[dd * 16 + half * 8 + i]! - TU8[half * 8 + i]!)
          c.X32[dd * 4 + half * 2] = sum
          c.X32[dd * 4 + half * 2 + 1] = 0
        }
      })

    // ---- shifts ----
    case Mnemonic.Psllw:
    case Mnemonic.Psrlw:
    case Mnemonic.Psraw:
    case Mnemonic.Pslld:
    case Mnemonic.Psrld:
    case Mnemonic.Psrad:
    case Mnemonic.Psllq:
    case Mnemonic.Psrlq:
      return laneShift(cpu, instr, m, d)
    case Mnemonic.Pslldq:
    case Mnemonic.Psrldq: {
      const n = instr.immediate8
      const left = m === Mnemonic.Pslldq
      const U8 = cpu.XU8
      const o = d * 16
      return () => {
        for (let i = 0; i < 16; i++) TU8[i] = U8[o + i]!
        for (let i = 0; i < 16; i++) {
          const from = left ? i - n : i + n
          U8[o + i] = from >= 0 && from < 16 ? TU8[from]! : 0
        }
      }
    }

    // ---- shuffles and unpacks ----
    case Mnemonic.Punpcklbw:
    case Mnemonic.Punpckhbw:
      return interleave(cpu, instr, 1, m === Mnemonic.Punpckhbw)
    case Mnemonic.Punpcklwd:
    case Mnemonic.Punpckhwd:
      return interleave(cpu, instr, 2, m === Mnemonic.Punpckhwd)
    case Mnemonic.Punpckldq:
    case Mnemonic.Punpckhdq:
    case Mnemonic.Unpcklps:
    case Mnemonic.Unpckhps:
      return interleave(cpu, instr, 4, m === Mnemonic.Punpckhdq || m === Mnemonic.Unpckhps)
    case Mnemonic.Punpcklqdq:
    case Mnemonic.Punpckhqdq:
    case Mnemonic.Unpcklpd:
    case Mnemonic.Unpckhpd:
      return interleave(cpu, instr, 8, m === Mnemonic.Punpckhqdq || m === Mnemonic.Unpckhpd)
    case Mnemonic.Packuswb:
    case Mnemonic.Packsswb:
    case Mnemonic.Packssdw:
      return pack(cpu, instr, m)
    case Mnemonic.Pshufd: {
      const src = source(cpu, instr, 1)
      const imm = instr.immediate8
      const o = d * 4
      return () => {
        src()
        for (let i = 0; i < 4; i++) X[o + i] = T[(imm >>> (2 * i)) & 3]!
      }
    }
    case Mnemonic.Pshuflw:
    case Mnemonic.Pshufhw: {
      const src = source(cpu, instr, 1)
      const imm = instr.immediate8
      const base = m === Mnemonic.Pshufhw ? 4 : 0
      const U16 = cpu.XU16
      const o = d * 8
      return () => {
        src()
        for (let i = 0; i < 8; i++) U16[o + i] = TU16[i]!
        for (let i = 0; i < 4; i++) U16[o + base + i] = TU16[base + ((imm >>> (2 * i)) & 3)]!
      }
    }
    case Mnemonic.Shufps: {
      const src = source(cpu, instr, 1)
      const imm = instr.immediate8
      const o = d * 4
      return () => {
        src()
        for (let i = 0; i < 4; i++) D[i] = X[o + i]!
        X[o] = D[imm & 3]!
        X[o + 1] = D[(imm >>> 2) & 3]!
        X[o + 2] = T[(imm >>> 4) & 3]!
        X[o + 3] = T[(imm >>> 6) & 3]!
      }
    }
    case Mnemonic.Shufpd: {
      const src = source(cpu, instr, 1)
      const imm = instr.immediate8
      const o = d * 4
      return () => {
        src()
        for (let i = 0; i < 4; i++) D[i] = X[o + i]!
        const a = (imm & 1) * 2
        const b = ((imm >>> 1) & 1) * 2
        X[o] = D[a]!
        X[o + 1] = D[a + 1]!
        X[o + 2] = T[b]!
        X[o + 3] = T[b + 1]!
      }
    }
    case Mnemonic.Pextrw: {
      const g = gprInfo(instr.opRegister(0))
      if (g === null) return null
      const i = g.index * 2
      const o = s * 8 + (instr.immediate8 & 7)
      const U16 = cpu.XU16
      return () => {
        R[i] = U16[o]!
        R[i + 1] = 0
      }
    }
    case Mnemonic.Pinsrw: {
      const src = source(cpu, instr, 1, 16)
      const o = d * 8 + (instr.immediate8 & 7)
      const U16 = cpu.XU16
      return () => {
        src()
        U16[o] = TU16[0]!
      }
    }

    // ---- floating point ----
    case Mnemonic.Addsd:
      return binary(cpu, instr, doubleOp(fadd, false), 64)
    case Mnemonic.Subsd:
      return binary(cpu, instr, doubleOp(fsub, false), 64)
    case Mnemonic.Mulsd:
      return binary(cpu, instr, doubleOp(fmul, false), 64)
    case Mnemonic.Divsd:
      return binary(cpu, instr, doubleOp(fdiv, false), 64)
    case Mnemonic.Minsd:
      return binary(cpu, instr, doubleOp(fmin, false), 64)
    case Mnemonic.Maxsd:
      return binary(cpu, instr, doubleOp(fmax, false), 64)
    case Mnemonic.Addpd:
      return binary(cpu, instr, doubleOp(fadd, true))
    case Mnemonic.Subpd:
      return binary(cpu, instr, doubleOp(fsub, true))
    case Mnemonic.Mulpd:
      return binary(cpu, instr, doubleOp(fmul, true))
    case Mnemonic.Divpd:
      return binary(cpu, instr, doubleOp(fdiv, true))
    case Mnemonic.Minpd:
      return binary(cpu, instr, doubleOp(fmin, true))
    case Mnemonic.Maxpd:
      return binary(cpu, instr, doubleOp(fmax, true))
    case Mnemonic.Addss:
      return binary(cpu, instr, singleOp(fadd, false), 32)
    case Mnemonic.Subss:
      return binary(cpu, instr, singleOp(fsub, false), 32)
    case Mnemonic.Mulss:
      return binary(cpu, instr, singleOp(fmul, false), 32)
    case Mnemonic.Divss:
      return binary(cpu, instr, singleOp(fdiv, false), 32)
    case Mnemonic.Minss:
      return binary(cpu, instr, singleOp(fmin, false), 32)
    case Mnemonic.Maxss:
      return binary(cpu, instr, singleOp(fmax, false), 32)
    case Mnemonic.Addps:
      return binary(cpu, instr, singleOp(fadd, true))
    case Mnemonic.Subps:
      return binary(cpu, instr, singleOp(fsub, true))
    case Mnemonic.Mulps:
      return binary(cpu, instr, singleOp(fmul, true))
    case Mnemonic.Divps:
      return binary(cpu, instr, singleOp(fdiv, true))
    case Mnemonic.Minps:
      return binary(cpu, instr, singleOp(fmin, true))
    case Mnemonic.Maxps:
      return binary(cpu, instr, singleOp(fmax, true))
    case Mnemonic.Sqrtsd:
      return binary(cpu, instr, sqrtOp(true, false), 64)
    case Mnemonic.Sqrtpd:
      return binary(cpu, instr, sqrtOp(true, true))
    case Mnemonic.Sqrtss:
      return binary(cpu, instr, sqrtOp(false, false), 32)
    case Mnemonic.Sqrtps:
      return binary(cpu, instr, sqrtOp(false, true))
    case Mnemonic.Ucomisd:
    case Mnemonic.Comisd:
    case Mnemonic.Ucomiss:
    case Mnemonic.Comiss: {
      const double = m === Mnemonic.Ucomisd || m === Mnemonic.Comisd
      const src = source(cpu, instr, 1, double ? 64 : 32)
      const o = d * 4
      return () => {
        src()
        const a = double ? bitsToF64(X[o]!, X[o + 1]!) : bitsToF32(X[o]!)
        const b = double ? TF64[0]! : TF32[0]!
        const flags = a !== a || b !== b ? ZF | PF | CF : a < b ? CF : a === b ? ZF : 0
        cpu.setStatusFlags(STATUS_FLAGS, flags)
      }
    }
    case Mnemonic.Cmpsd:
    case Mnemonic.Cmpss:
    case Mnemonic.Cmppd:
    case Mnemonic.Cmpps: {
      const double = m === Mnemonic.Cmpsd || m === Mnemonic.Cmppd
      const packed = m === Mnemonic.Cmppd || m === Mnemonic.Cmpps
      const src = source(cpu, instr, 1, packed ? 128 : double ? 64 : 32)
      const p = instr.immediate8
      const o = d * 4
      return () => {
        src()
        if (double) {
          for (let i = 0; i < (packed ? 2 : 1); i++) {
            const r = comparePredicate(p, bitsToF64(X[o + 2 * i]!, X[o + 2 * i + 1]!), TF64[i]!) ? -1 : 0
            X[o + 2 * i] = r
            X[o + 2 * i + 1] = r
          }
        } else {
          for (let i = 0; i < (packed ? 4 : 1); i++) X[o + i] = comparePredicate(p, bitsToF32(X[o + i]!), TF32[i]!) ? -1 : 0
        }
      }
    }
    case Mnemonic.Cvtsi2sd:
    case Mnemonic.Cvtsi2ss: {
      const g = instr.opKind(1) === OpKind.Register ? gprInfo(instr.opRegister(1)) : null
      const bits = g !== null ? g.size : memorySizeBits(instr)
      const src = source(cpu, instr, 1, bits)
      const o = d * 4
      const double = m === Mnemonic.Cvtsi2sd
      return () => {
        src()
        const v = bits === 64 ? (double ? int64ToDouble(T[0]!, T[1]!) : int64ToSingle(T[0]!, T[1]!)) : T[0]!
        if (double) {
          F64[0] = v
          X[o] = F64I[0]!
          X[o + 1] = F64I[1]!
        } else {
          F32[0] = v
          X[o] = F32I[0]!
        }
      }
    }
    case Mnemonic.Cvttsd2si:
    case Mnemonic.Cvtsd2si:
    case Mnemonic.Cvttss2si:
    case Mnemonic.Cvtss2si: {
      const double = m === Mnemonic.Cvttsd2si || m === Mnemonic.Cvtsd2si
      const truncate = m === Mnemonic.Cvttsd2si || m === Mnemonic.Cvttss2si
      const g = gprInfo(instr.opRegister(0))!
      const i = g.index * 2
      const bits = g.size === 64 ? 64 : 32
      const src = source(cpu, instr, 1, double ? 64 : 32)
      return () => {
        src()
        floatToInt(cpu, double ? TF64[0]! : TF32[0]!, bits, truncate, INT_OUT)
        R[i] = INT_OUT[0]!
        R[i + 1] = INT_OUT[1]!
      }
    }
    case Mnemonic.Cvtsd2ss: {
      const src = source(cpu, instr, 1, 64)
      const o = d * 4
      return () => {
        src()
        const v = TF64[0]!
        if (v === v) {
          F32[0] = v
          X[o] = F32I[0]!
        } else X[o] = quietNaN32(T[0]!, T[1]!)
      }
    }
    case Mnemonic.Cvtss2sd: {
      const src = source(cpu, instr, 1, 32)
      const o = d * 4
      return () => {
        src()
        const v = TF32[0]!
        if (v === v) {
          F64[0] = v
          X[o] = F64I[0]!
          X[o + 1] = F64I[1]!
        } else {
          // NaN: widen the payload, quieted.
          const bits = T[0]!
          X[o + 1] = (bits & 0x80000000) | 0x7ff80000 | ((bits & 0x3fffff) >>> 3)
          X[o] = (bits & 7) << 29
        }
      }
    }
    case Mnemonic.Cvtdq2pd: {
      const src = source(cpu, instr, 1, 64)
      const o = d * 4
      const F = cpu.XF64
      return () => {
        src()
        const a = T[0]!
        const b = T[1]!
        F[o / 2] = a
        F[o / 2 + 1] = b
      }
    }
    case Mnemonic.Cvtdq2ps: {
      const src = source(cpu, instr, 1)
      const o = d * 4
      const F = cpu.XF32
      return () => {
        src()
        for (let i = 0; i < 4; i++) F[o + i] = T[i]!
      }
    }
    case Mnemonic.Cvttps2dq:
    case Mnemonic.Cvtps2dq: {
      const src = source(cpu, instr, 1)
      const truncate = m === Mnemonic.Cvttps2dq
      const o = d * 4
      return () => {
        src()
        for (let i = 0; i < 4; i++) {
          floatToInt(cpu, TF32[i]!, 32, truncate, INT_OUT)
          X[o + i] = INT_OUT[0]!
        }
      }
    }
    case Mnemonic.Cvttpd2dq:
    case Mnemonic.Cvtpd2dq: {
      const src = source(cpu, instr, 1)
      const truncate = m === Mnemonic.Cvttpd2dq
      const o = d * 4
      return () => {
        src()
        for (let i = 0; i < 2; i++) {
          floatToInt(cpu, TF64[i]!, 32, truncate, INT_OUT)
          X[o + i] = INT_OUT[0]!
        }
        X[o + 2] = 0
        X[o + 3] = 0
      }
    }
    case Mnemonic.Cvtps2pd: {
      const src = source(cpu, instr, 1, 64)
      const o = d * 4
      const F = cpu.XF64
      return () => {
        src()
        const a = TF32[0]!
        const b = TF32[1]!
        F[o / 2] = a
        F[o / 2 + 1] = b
      }
    }
    case Mnemonic.Cvtpd2ps: {
      const src = source(cpu, instr, 1)
      const o = d * 4
      const F = cpu.XF32
      return () => {
        src()
        F[o] = TF64[0]!
        F[o + 1] = TF64[1]!
        X[o + 2] = 0
        X[o + 3] = 0
      }
    }
    default:
      return null
  }
}

function quietNaN32(lo: number, hi: number): number {
  // Narrow a double NaN: keep the sign and the top payload bits, set the quiet bit.
  return (hi & 0x80000000) | 0x7fc00000 | ((hi & 0x7ffff) << 3) | (lo >>> 29)
}

function laneShift(cpu: Cpu, instr: Instruction, m: Mnemonic, d: number): Op | null {
  if (d < 0) return null
  const count = instr.opKind(1) === OpKind.Register || instr.opKind(1) === OpKind.Memory ? source(cpu, instr, 1) : null
  const imm = instr.opKind(1) === OpKind.Immediate8 ? instr.immediate8 : 0
  const X = cpu.X32
  const W = cpu.XU16
  const o = d * 4
  const width = m === Mnemonic.Psllw || m === Mnemonic.Psrlw || m === Mnemonic.Psraw ? 16 : m === Mnemonic.Psllq || m === Mnemonic.Psrlq ? 64 : 32
  const kind = m === Mnemonic.Psllw || m === Mnemonic.Pslld || m === Mnemonic.Psllq ? 0 : m === Mnemonic.Psraw || m === Mnemonic.Psrad ? 2 : 1
  return () => {
    let n = imm
    if (count !== null) {
      count()
      // The count is the whole low quadword, unsigned: anything >= width clears (or fills).
      n = T[1] !== 0 || T[0]! >>> 0 > 255 ? 255 : T[0]!
    }
    if (width === 16) {
      for (let i = 0; i < 8; i++) {
        const v = W[o * 2 + i]!
        W[o * 2 + i] = kind === 0 ? (n > 15 ? 0 : v << n) : kind === 1 ? (n > 15 ? 0 : v >>> n) : ((v << 16) >> 16) >> Math.min(n, 15)
      }
    } else if (width === 32) {
      for (let i = 0; i < 4; i++) {
        const v = X[o + i]!
        X[o + i] = kind === 0 ? (n > 31 ? 0 : v << n) : kind === 1 ? (n > 31 ? 0 : v >>> n) : v >> Math.min(n, 31)
      }
    } else {
      for (let q = 0; q < 2; q++) {
        const lo = X[o + 2 * q]!
        const hi = X[o + 2 * q + 1]!
        let rl = 0
        let rh = 0
        if (n === 0) {
          rl = lo
          rh = hi
        } else if (n < 32) {
          if (kind === 0) {
            rh = (hi << n) | (lo >>> (32 - n))
            rl = lo << n
          } else {
            rl = (lo >>> n) | (hi << (32 - n))
            rh = hi >>> n
          }
        } else if (n < 64) {
          if (kind === 0) rh = lo << (n - 32)
          else rl = hi >>> (n - 32)
        }
        X[o + 2 * q] = rl
        X[o + 2 * q + 1] = rh
      }
    }
  }
}

/** punpckl / punpckh: interleave the low (or high) halves of dest and source in units of `unit` bytes. */
function interleave(cpu: Cpu, instr: Instruction, unit: number, high: boolean): Op | null {
  const d = xmmIndex(instr.opRegister(0))
  if (d < 0) return null
  const src = source(cpu, instr, 1)
  const U8 = cpu.XU8
  const o = d * 16
  const start = high ? 8 : 0
  return () => {
    src()
    for (let i = 0; i < 16; i++) DU8[i] = U8[o + i]!
    let at = 0
    for (let k = 0; k < 8 / unit; k++) {
      for (let b = 0; b < unit; b++) U8[o + at++] = DU8[start + k * unit + b]!
      for (let b = 0; b < unit; b++) U8[o + at++] = TU8[start + k * unit + b]!
    }
  }
}

function pack(cpu: Cpu, instr: Instruction, m: Mnemonic): Op | null {
  const d = xmmIndex(instr.opRegister(0))
  if (d < 0) return null
  const src = source(cpu, instr, 1)
  const o = d * 4
  const X = cpu.X32
  const dwords = m === Mnemonic.Packssdw
  const sat = m === Mnemonic.Packuswb ? satU8 : (v: number) => satS8(v) & 0xff
  return () => {
    src()
    for (let i = 0; i < 4; i++) D[i] = X[o + i]!
    if (dwords) {
      const U16 = cpu.XU16
      for (let i = 0; i < 4; i++) U16[o * 2 + i] = satS16(D[i]!) & 0xffff
      for (let i = 0; i < 4; i++) U16[o * 2 + 4 + i] = satS16(T[i]!) & 0xffff
      return
    }
    const U8 = cpu.XU8
    for (let i = 0; i < 8; i++) U8[o * 4 + i] = sat(DI16[i]!)
    for (let i = 0; i < 8; i++) U8[o * 4 + 8 + i] = sat(TI16[i]!)
  }
}
