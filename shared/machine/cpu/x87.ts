// The x87 FPU, as far as C programs reach it: long double arithmetic (musl formats every
// floating-point number through long double in printf) and the control word. Values are kept
// bit-exactly as 80-bit extended reals; arithmetic is exact on BigInt significands and then
// rounded once, per the control word's precision and rounding fields, as the hardware does.

import { MemorySize as IcedMemorySize, Mnemonic as IcedMnemonic, OpKind, Register as IcedRegister, type Instruction } from 'iced-x86'
import type { Cpu } from './cpu'
import { CF, PF, ZF, STATUS_FLAGS } from './flags'
import { effectiveAddress } from './operands'
import type { Op } from './translate'

// iced-x86's enums are objects with thousands of members (slow, dictionary-mode lookups):
// the members this file uses are copied into small constant objects.
const Mnemonic = {
  Fabs: IcedMnemonic.Fabs,
  Fadd: IcedMnemonic.Fadd,
  Faddp: IcedMnemonic.Faddp,
  Fchs: IcedMnemonic.Fchs,
  Fclex: IcedMnemonic.Fclex,
  Fcom: IcedMnemonic.Fcom,
  Fcomi: IcedMnemonic.Fcomi,
  Fcomip: IcedMnemonic.Fcomip,
  Fcomp: IcedMnemonic.Fcomp,
  Fcompp: IcedMnemonic.Fcompp,
  Fdecstp: IcedMnemonic.Fdecstp,
  Fdiv: IcedMnemonic.Fdiv,
  Fdivp: IcedMnemonic.Fdivp,
  Fdivr: IcedMnemonic.Fdivr,
  Fdivrp: IcedMnemonic.Fdivrp,
  Ffree: IcedMnemonic.Ffree,
  Fiadd: IcedMnemonic.Fiadd,
  Ficom: IcedMnemonic.Ficom,
  Ficomp: IcedMnemonic.Ficomp,
  Fidiv: IcedMnemonic.Fidiv,
  Fidivr: IcedMnemonic.Fidivr,
  Fild: IcedMnemonic.Fild,
  Fimul: IcedMnemonic.Fimul,
  Fincstp: IcedMnemonic.Fincstp,
  Finit: IcedMnemonic.Finit,
  Fist: IcedMnemonic.Fist,
  Fistp: IcedMnemonic.Fistp,
  Fisttp: IcedMnemonic.Fisttp,
  Fisub: IcedMnemonic.Fisub,
  Fisubr: IcedMnemonic.Fisubr,
  Fld: IcedMnemonic.Fld,
  Fld1: IcedMnemonic.Fld1,
  Fldz: IcedMnemonic.Fldz,
  Fmul: IcedMnemonic.Fmul,
  Fmulp: IcedMnemonic.Fmulp,
  Fnclex: IcedMnemonic.Fnclex,
  Fninit: IcedMnemonic.Fninit,
  Fnop: IcedMnemonic.Fnop,
  Fnstsw: IcedMnemonic.Fnstsw,
  Fprem: IcedMnemonic.Fprem,
  Fprem1: IcedMnemonic.Fprem1,
  Frndint: IcedMnemonic.Frndint,
  Fscale: IcedMnemonic.Fscale,
  Fsqrt: IcedMnemonic.Fsqrt,
  Fst: IcedMnemonic.Fst,
  Fstp: IcedMnemonic.Fstp,
  Fstsw: IcedMnemonic.Fstsw,
  Fsub: IcedMnemonic.Fsub,
  Fsubp: IcedMnemonic.Fsubp,
  Fsubr: IcedMnemonic.Fsubr,
  Fsubrp: IcedMnemonic.Fsubrp,
  Ftst: IcedMnemonic.Ftst,
  Fucom: IcedMnemonic.Fucom,
  Fucomi: IcedMnemonic.Fucomi,
  Fucomip: IcedMnemonic.Fucomip,
  Fucomp: IcedMnemonic.Fucomp,
  Fucompp: IcedMnemonic.Fucompp,
  Fxam: IcedMnemonic.Fxam,
  Fxch: IcedMnemonic.Fxch,
} as const
type Mnemonic = IcedMnemonic

const Register = {
  ST0: IcedRegister.ST0,
} as const
type Register = IcedRegister

const MemorySize = {
  Float32: IcedMemorySize.Float32,
  Float64: IcedMemorySize.Float64,
  Float80: IcedMemorySize.Float80,
  Int16: IcedMemorySize.Int16,
  Int32: IcedMemorySize.Int32,
} as const
type MemorySize = IcedMemorySize

const EXP_MAX = 0x7fff
const BIAS = 16383
/** Exponent of the significand's least significant bit for exponent field 1 (also denormals). */
const MIN_LSB_EXPONENT = 1 - BIAS - 63
const QUIET_BIT = 1n << 62n
const INTEGER_BIT = 1n << 63n
const MASK64 = (1n << 64n) - 1n
/** The "real indefinite" QNaN invalid operations produce. */
const INDEFINITE_SX = 0xffff
const INDEFINITE_M = 0xc000000000000000n

// Status word condition bits.
const C0 = 0x100
const C1 = 0x200
const C2 = 0x400
const C3 = 0x4000

export class X87 {
  /** Sign and exponent (bit 15 sign) of each physical register. */
  readonly sx = new Uint16Array(8)
  /** 64-bit significands, explicit integer bit. */
  readonly m: bigint[] = new Array<bigint>(8).fill(0n)
  /** Tag: true when the physical register is empty. */
  readonly empty: boolean[] = new Array<boolean>(8).fill(true)
  top = 0
  /** Status word without TOP (condition codes and exception flags). */
  status = 0

  reset(): void {
    this.top = 0
    this.status = 0
    this.empty.fill(true)
  }

  statusWord(): number {
    return (this.status & ~0x3800) | (this.top << 11)
  }

  /** Physical index of ST(i). */
  phys(i: number): number {
    return (this.top + i) & 7
  }

  push(sx: number, m: bigint): void {
    this.top = (this.top - 1) & 7
    const p = this.top
    this.sx[p] = sx
    this.m[p] = m
    this.empty[p] = false
  }

  pop(): void {
    this.empty[this.top] = true
    this.top = (this.top + 1) & 7
  }

  set(i: number, sx: number, m: bigint): void {
    const p = this.phys(i)
    this.sx[p] = sx
    this.m[p] = m
    this.empty[p] = false
  }
}

// --- exact values -----------------------------------------------------------------------------

/** A finite value as (-1)^sign * mant * 2^exp, or a special. */
interface Exact {
  kind: 'finite' | 'inf' | 'nan'
  sign: number
  mant: bigint
  exp: number
}

function unpack(sx: number, m: bigint): Exact {
  const sign = sx >>> 15
  const e = sx & EXP_MAX
  if (e === EXP_MAX) return { kind: (m & ~INTEGER_BIT) === 0n ? 'inf' : 'nan', sign, mant: m, exp: 0 }
  return { kind: 'finite', sign, mant: m, exp: e === 0 ? MIN_LSB_EXPONENT : e - BIAS - 63 }
}

function bitLength(v: bigint): number {
  return v === 0n ? 0 : v.toString(2).length
}

/**
 * Rounds mant * 2^exp to `bits` significant bits with the LSB exponent at least minExp,
 * per rounding control rc (0 nearest-even, 1 down, 2 up, 3 toward zero).
 */
function roundSignificand(sign: number, mant: bigint, exp: number, bits: number, minExp: number, rc: number): { mant: bigint; exp: number } {
  const length = bitLength(mant)
  const shift = Math.max(length - bits, minExp - exp)
  if (shift <= 0) return { mant, exp }
  const s = BigInt(shift)
  let q = mant >> s
  const rest = mant & ((1n << s) - 1n)
  const half = 1n << (s - 1n)
  let up = false
  switch (rc) {
    case 0:
      up = rest > half || (rest === half && (q & 1n) === 1n)
      break
    case 1:
      up = sign === 1 && rest !== 0n
      break
    case 2:
      up = sign === 0 && rest !== 0n
      break
    default:
      up = false
  }
  if (up) q += 1n
  let e = exp + shift
  if (bitLength(q) > bits) {
    q >>= 1n
    e += 1
  }
  return { mant: q, exp: e }
}

/** Packs an exact finite value into 80-bit form with the FPU's precision and rounding. */
function packExtended(cpu: Cpu, sign: number, mant: bigint, exp: number): [number, bigint] {
  if (mant === 0n) return [sign << 15, 0n]
  const pc = (cpu.fpuControl >>> 8) & 3
  const rc = (cpu.fpuControl >>> 10) & 3
  const bits = pc === 0 ? 24 : pc === 2 ? 53 : 64
  const r = roundSignificand(sign, mant, exp, bits, MIN_LSB_EXPONENT, rc)
  // Normalise to 64 bits with the integer bit on top.
  let m = r.mant
  let e = r.exp
  const length = bitLength(m)
  if (length < 64) {
    const up = Math.min(64 - length, e - MIN_LSB_EXPONENT)
    m <<= BigInt(up)
    e -= up
  }
  const field = e + 63 + BIAS
  if (field >= EXP_MAX) return overflow(sign, rc)
  if ((m & INTEGER_BIT) === 0n) return [sign << 15, m] // denormal
  return [(sign << 15) | field, m]
}

function overflow(sign: number, rc: number): [number, bigint] {
  const toInfinity = rc === 0 || (rc === 1 && sign === 1) || (rc === 2 && sign === 0)
  return toInfinity ? [(sign << 15) | EXP_MAX, INTEGER_BIT] : [(sign << 15) | (EXP_MAX - 1), MASK64]
}

// --- conversions with memory formats ----------------------------------------------------------

const F64 = new Float64Array(1)
const F64U = new Uint32Array(F64.buffer)

function fromDouble(lo: number, hi: number): [number, bigint] {
  const sign = hi >>> 31
  const e = (hi >>> 20) & 0x7ff
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo >>> 0)
  if (e === 0x7ff) return [(sign << 15) | EXP_MAX, INTEGER_BIT | (frac << 11n)]
  if (e === 0) {
    if (frac === 0n) return [sign << 15, 0n]
    // A denormal double is frac * 2^-1074; extended precision holds it normalised.
    const length = bitLength(frac)
    return [(sign << 15) | (length - 1 - 1074 + BIAS), frac << BigInt(64 - length)]
  }
  return [(sign << 15) | (e - 1023 + BIAS), INTEGER_BIT | (frac << 11n)]
}

function fromSingle(bits: number): [number, bigint] {
  const sign = bits >>> 31
  const e = (bits >>> 23) & 0xff
  const frac = BigInt(bits & 0x7fffff)
  if (e === 0xff) return [(sign << 15) | EXP_MAX, INTEGER_BIT | (frac << 40n)]
  if (e === 0) {
    if (frac === 0n) return [sign << 15, 0n]
    const length = bitLength(frac)
    // value = frac * 2^-149; the top bit of frac is bit (length-1)
    return [(sign << 15) | (length - 1 - 149 + BIAS), frac << BigInt(64 - length)]
  }
  return [(sign << 15) | (e - 127 + BIAS), INTEGER_BIT | (frac << 40n)]
}

/** Rounds an extended value to a double's bits (lo, hi) per the rounding control. */
function toDouble(cpu: Cpu, sx: number, m: bigint): [number, number] {
  const v = unpack(sx, m)
  const sign = v.sign
  if (v.kind === 'inf') return [0, (sign << 31) | 0x7ff00000]
  if (v.kind === 'nan') {
    const frac = (m >> 11n) & 0xfffffffffffffn
    return [Number(frac & 0xffffffffn) | 0, (sign << 31) | 0x7ff80000 | Number(frac >> 32n)]
  }
  if (v.mant === 0n) return [0, sign << 31]
  const rc = (cpu.fpuControl >>> 10) & 3
  const r = roundSignificand(sign, v.mant, v.exp, 53, -1074, rc)
  if (bitLength(r.mant) + r.exp > 1024) {
    const toInfinity = rc === 0 || (rc === 1 && sign === 1) || (rc === 2 && sign === 0)
    F64[0] = toInfinity ? (sign ? -Infinity : Infinity) : sign ? -Number.MAX_VALUE : Number.MAX_VALUE
  } else {
    F64[0] = (sign ? -1 : 1) * Number(r.mant) * 2 ** r.exp
  }
  return [F64U[0]! | 0, F64U[1]! | 0]
}

const F32 = new Float32Array(1)
const F32I = new Int32Array(F32.buffer)

function toSingle(cpu: Cpu, sx: number, m: bigint): number {
  const v = unpack(sx, m)
  const sign = v.sign
  if (v.kind === 'inf') return (sign << 31) | 0x7f800000
  if (v.kind === 'nan') return (sign << 31) | 0x7fc00000 | Number((m >> 40n) & 0x3fffffn)
  if (v.mant === 0n) return sign << 31
  const rc = (cpu.fpuControl >>> 10) & 3
  const r = roundSignificand(sign, v.mant, v.exp, 24, -149, rc)
  F32[0] = bitLength(r.mant) + r.exp > 128 ? (sign ? -Infinity : Infinity) : (sign ? -1 : 1) * Number(r.mant) * 2 ** r.exp
  return F32I[0]!
}

function fromInteger(v: bigint): [number, bigint] {
  if (v === 0n) return [0, 0n]
  const sign = v < 0n ? 1 : 0
  const magnitude = sign ? -v : v
  const length = bitLength(magnitude)
  return [(sign << 15) | (length - 1 + BIAS), magnitude << BigInt(64 - length)]
}

/** Rounds to an integer per the rounding control; null for NaN/infinity. */
function toInteger(cpu: Cpu, sx: number, m: bigint, rcOverride?: number): bigint | null {
  const v = unpack(sx, m)
  if (v.kind !== 'finite') return null
  if (v.mant === 0n) return 0n
  const rc = rcOverride ?? (cpu.fpuControl >>> 10) & 3
  if (v.exp >= 0) return (v.sign ? -1n : 1n) * (v.mant << BigInt(v.exp))
  const r = roundSignificand(v.sign, v.mant, v.exp, 1 << 30, 0, rc)
  return (v.sign ? -1n : 1n) * r.mant
}

// --- arithmetic -------------------------------------------------------------------------------

type Arith = 'add' | 'sub' | 'mul' | 'div'

function quiet(sx: number, m: bigint): [number, bigint] {
  return [sx, m | QUIET_BIT]
}

/** a op b on extended values, rounded once. */
function arith(cpu: Cpu, op: Arith, asx: number, am: bigint, bsx: number, bm: bigint): [number, bigint] {
  const a = unpack(asx, am)
  const b = unpack(bsx, bm)
  if (a.kind === 'nan') return quiet(asx, am)
  if (b.kind === 'nan') return quiet(bsx, bm)
  const rc = (cpu.fpuControl >>> 10) & 3
  const bSign = op === 'sub' ? b.sign ^ 1 : b.sign
  if (op === 'add' || op === 'sub') {
    if (a.kind === 'inf' && b.kind === 'inf') return a.sign === bSign ? [asx, am] : [INDEFINITE_SX, INDEFINITE_M]
    if (a.kind === 'inf') return [asx, am]
    if (b.kind === 'inf') return [(bSign << 15) | EXP_MAX, INTEGER_BIT]
    const e = Math.min(a.exp, b.exp)
    const x = (a.sign ? -1n : 1n) * (a.mant << BigInt(a.exp - e))
    const y = (bSign ? -1n : 1n) * (b.mant << BigInt(b.exp - e))
    const sum = x + y
    if (sum === 0n) {
      // An exact zero is -0 when both addends are negative, or for opposite signs when
      // rounding down; +0 otherwise (IEEE 754).
      const negative = (a.sign === 1 && bSign === 1) || (a.sign !== bSign && rc === 1)
      return [negative ? 0x8000 : 0, 0n]
    }
    return packExtended(cpu, sum < 0n ? 1 : 0, sum < 0n ? -sum : sum, e)
  }
  const sign = a.sign ^ b.sign
  if (op === 'mul') {
    if ((a.kind === 'inf' && b.kind === 'finite' && b.mant === 0n) || (b.kind === 'inf' && a.kind === 'finite' && a.mant === 0n)) {
      return [INDEFINITE_SX, INDEFINITE_M]
    }
    if (a.kind === 'inf' || b.kind === 'inf') return [(sign << 15) | EXP_MAX, INTEGER_BIT]
    return packExtended(cpu, sign, a.mant * b.mant, a.exp + b.exp)
  }
  // division
  if (a.kind === 'inf' && b.kind === 'inf') return [INDEFINITE_SX, INDEFINITE_M]
  if (a.kind === 'inf') return [(sign << 15) | EXP_MAX, INTEGER_BIT]
  if (b.kind === 'inf') return [sign << 15, 0n]
  if (b.mant === 0n) {
    if (a.mant === 0n) return [INDEFINITE_SX, INDEFINITE_M]
    cpu.x87.status |= 0x4 // zero divide
    return [(sign << 15) | EXP_MAX, INTEGER_BIT]
  }
  if (a.mant === 0n) return [sign << 15, 0n]
  // Enough quotient bits for a correct rounding: 66 significant plus a sticky bit.
  const k = 66 + bitLength(b.mant) - bitLength(a.mant) + 1
  const numerator = a.mant << BigInt(Math.max(0, k))
  let q = numerator / b.mant
  if (numerator % b.mant !== 0n) q = (q << 1n) | 1n
  else q <<= 1n
  return packExtended(cpu, sign, q, a.exp - b.exp - Math.max(0, k) - 1)
}

/** Compares two extended values: -1, 0, 1, or null when unordered. */
function compare(asx: number, am: bigint, bsx: number, bm: bigint): number | null {
  const a = unpack(asx, am)
  const b = unpack(bsx, bm)
  if (a.kind === 'nan' || b.kind === 'nan') return null
  const value = (v: Exact, e: number): bigint => {
    const magnitude = v.kind === 'inf' ? 1n << 40000n : v.mant << BigInt(v.exp - e)
    return v.sign ? -magnitude : magnitude
  }
  const e = Math.min(a.kind === 'inf' ? 0 : a.exp, b.kind === 'inf' ? 0 : b.exp)
  const x = value(a, e)
  const y = value(b, e)
  return x < y ? -1 : x > y ? 1 : 0
}

/** floor(sqrt(n)) by Newton's iteration (exact for any size). */
function integerSqrt(n: bigint): bigint {
  if (n < 2n) return n
  let x = 1n << BigInt((bitLength(n) + 1) >> 1) // an upper bound
  for (;;) {
    const y = (x + n / x) >> 1n
    if (y >= x) return x
    x = y
  }
}

// --- translation ------------------------------------------------------------------------------

function stackIndex(reg: Register): number {
  return reg - Register.ST0
}

function underflowGuard(x: X87, i: number): void {
  // Reading an empty register is a stack underflow; with the exception masked (Linux's default
  // control word) the hardware substitutes the indefinite NaN.
  if (x.empty[x.phys(i)]) {
    x.status |= 0x41 // invalid operation, stack fault
    x.sx[x.phys(i)] = INDEFINITE_SX
    x.m[x.phys(i)] = INDEFINITE_M
  }
}

/** Translates an x87 instruction, or returns null when it is not one we model. */
export function translateX87(cpu: Cpu, instr: Instruction): Op | null {
  const x = cpu.x87
  const m = instr.mnemonic
  const k0 = instr.opCount > 0 ? instr.opKind(0) : OpKind.Register
  const memory = instr.opCount > 0 && (k0 === OpKind.Memory || (instr.opCount > 1 && instr.opKind(1) === OpKind.Memory))
  const size = instr.memorySize
  const ea = memory ? effectiveAddress(cpu, instr, 'read') : null
  const eaWrite = memory ? effectiveAddress(cpu, instr, 'write') : null
  const r0 = instr.opCount > 0 && k0 === OpKind.Register ? stackIndex(instr.opRegister(0)) : 0
  const r1 = instr.opCount > 1 && instr.opKind(1) === OpKind.Register ? stackIndex(instr.opRegister(1)) : 0

  /** Reads a memory operand of the instruction's memory size as an extended value. */
  const loadMemory = (): [number, bigint] => {
    const a = ea!()
    switch (size) {
      case MemorySize.Float32:
        return fromSingle(cpu.ld32(a))
      case MemorySize.Float64:
        return fromDouble(cpu.ld32(a), cpu.ld32(a + 4))
      case MemorySize.Float80: {
        const lo = BigInt(cpu.ld32(a) >>> 0)
        const hi = BigInt(cpu.ld32(a + 4) >>> 0)
        return [cpu.ld16(a + 8), (hi << 32n) | lo]
      }
      case MemorySize.Int16:
        return fromInteger(BigInt((cpu.ld16(a) << 16) >> 16))
      case MemorySize.Int32:
        return fromInteger(BigInt(cpu.ld32(a)))
      default:
        return fromInteger((BigInt(cpu.ld32(a + 4)) << 32n) | BigInt(cpu.ld32(a) >>> 0))
    }
  }

  const storeMemory = (sx: number, mant: bigint): void => {
    const a = eaWrite!()
    switch (size) {
      case MemorySize.Float32:
        cpu.st32(a, toSingle(cpu, sx, mant))
        return
      case MemorySize.Float64: {
        const [lo, hi] = toDouble(cpu, sx, mant)
        cpu.st64(a, lo, hi)
        return
      }
      case MemorySize.Float80:
        cpu.checkStore(a, 10)
        cpu.st64(a, Number(mant & 0xffffffffn) | 0, Number(mant >> 32n) | 0)
        cpu.st16(a + 8, sx)
        return
      default: {
        const bits = size === MemorySize.Int16 ? 16 : size === MemorySize.Int32 ? 32 : 64
        let v = toInteger(cpu, sx, mant)
        const limit = 1n << BigInt(bits - 1)
        if (v === null || v >= limit || v < -limit) {
          x.status |= 0x1 // invalid: store the integer indefinite
          v = -limit
        }
        const u = BigInt.asUintN(64, v)
        if (bits === 16) cpu.st16(a, Number(u & 0xffffn))
        else if (bits === 32) cpu.st32(a, Number(u & 0xffffffffn) | 0)
        else cpu.st64(a, Number(u & 0xffffffffn) | 0, Number(u >> 32n) | 0)
      }
    }
  }

  const st = (i: number): [number, bigint] => {
    underflowGuard(x, i)
    const p = x.phys(i)
    return [x.sx[p]!, x.m[p]!]
  }

  const arithOp = (op: Arith, reverse: boolean, pop: boolean): Op => {
    if (memory) {
      return () => {
        const [bsx, bm] = loadMemory()
        const [asx, am] = st(0)
        const [rsx, rm] = reverse ? arith(cpu, op, bsx, bm, asx, am) : arith(cpu, op, asx, am, bsx, bm)
        x.set(0, rsx, rm)
      }
    }
    // Register forms: dest ST(r0) = ST(r0) op ST(r1) (reverse: ST(r1) op ST(r0)).
    const dst = instr.opCount === 0 ? 1 : r0
    const src = instr.opCount === 0 ? 0 : instr.opCount === 1 ? r0 : r1
    const d = instr.opCount === 1 ? 0 : dst
    return () => {
      const [asx, am] = st(d)
      const [bsx, bm] = st(src)
      const [rsx, rm] = reverse ? arith(cpu, op, bsx, bm, asx, am) : arith(cpu, op, asx, am, bsx, bm)
      x.set(d, rsx, rm)
      if (pop) x.pop()
    }
  }

  const setCompareFlags = (c: number | null, eflags: boolean) => {
    if (eflags) {
      cpu.setStatusFlags(STATUS_FLAGS, c === null ? ZF | PF | CF : c < 0 ? CF : c === 0 ? ZF : 0)
    } else {
      x.status = (x.status & ~(C0 | C1 | C2 | C3)) | (c === null ? C0 | C2 | C3 : c < 0 ? C0 : c === 0 ? C3 : 0)
    }
  }

  const compareOp = (eflags: boolean, pops: number): Op => {
    if (memory) {
      return () => {
        const [bsx, bm] = loadMemory()
        const [asx, am] = st(0)
        setCompareFlags(compare(asx, am, bsx, bm), eflags)
        for (let i = 0; i < pops; i++) x.pop()
      }
    }
    const other = instr.opCount === 0 ? 1 : instr.opCount === 1 ? r0 : r1
    return () => {
      const [asx, am] = st(0)
      const [bsx, bm] = st(other)
      setCompareFlags(compare(asx, am, bsx, bm), eflags)
      for (let i = 0; i < pops; i++) x.pop()
    }
  }

  switch (m) {
    case Mnemonic.Fld:
    case Mnemonic.Fild:
      if (memory) {
        return () => {
          const [sx, mant] = loadMemory()
          x.push(sx, mant)
        }
      }
      return () => {
        const [sx, mant] = st(r0)
        x.push(sx, mant)
      }
    case Mnemonic.Fst:
    case Mnemonic.Fstp:
    case Mnemonic.Fist:
    case Mnemonic.Fistp: {
      const pop = m === Mnemonic.Fstp || m === Mnemonic.Fistp
      if (memory) {
        return () => {
          const [sx, mant] = st(0)
          storeMemory(sx, mant)
          if (pop) x.pop()
        }
      }
      return () => {
        const [sx, mant] = st(0)
        x.set(r0, sx, mant)
        if (pop) x.pop()
      }
    }
    case Mnemonic.Fisttp:
      return null
    case Mnemonic.Fxch: {
      const other = instr.opCount === 0 ? 1 : instr.opCount === 1 ? r0 : r1
      return () => {
        const [asx, am] = st(0)
        const [bsx, bm] = st(other)
        x.set(0, bsx, bm)
        x.set(other, asx, am)
      }
    }
    case Mnemonic.Fchs:
      return () => {
        const [sx, mant] = st(0)
        x.set(0, sx ^ 0x8000, mant)
      }
    case Mnemonic.Fabs:
      return () => {
        const [sx, mant] = st(0)
        x.set(0, sx & 0x7fff, mant)
      }
    case Mnemonic.Fldz:
      return () => x.push(0, 0n)
    case Mnemonic.Fld1:
      return () => x.push(BIAS, INTEGER_BIT)
    case Mnemonic.Fadd:
    case Mnemonic.Faddp:
    case Mnemonic.Fiadd:
      return arithOp('add', false, m === Mnemonic.Faddp)
    case Mnemonic.Fsub:
    case Mnemonic.Fsubp:
    case Mnemonic.Fisub:
      return arithOp('sub', false, m === Mnemonic.Fsubp)
    case Mnemonic.Fsubr:
    case Mnemonic.Fsubrp:
    case Mnemonic.Fisubr:
      return arithOp('sub', true, m === Mnemonic.Fsubrp)
    case Mnemonic.Fmul:
    case Mnemonic.Fmulp:
    case Mnemonic.Fimul:
      return arithOp('mul', false, m === Mnemonic.Fmulp)
    case Mnemonic.Fdiv:
    case Mnemonic.Fdivp:
    case Mnemonic.Fidiv:
      return arithOp('div', false, m === Mnemonic.Fdivp)
    case Mnemonic.Fdivr:
    case Mnemonic.Fdivrp:
    case Mnemonic.Fidivr:
      return arithOp('div', true, m === Mnemonic.Fdivrp)
    case Mnemonic.Fcom:
    case Mnemonic.Fucom:
    case Mnemonic.Ficom:
      return compareOp(false, 0)
    case Mnemonic.Fcomp:
    case Mnemonic.Fucomp:
    case Mnemonic.Ficomp:
      return compareOp(false, 1)
    case Mnemonic.Fcompp:
    case Mnemonic.Fucompp:
      return compareOp(false, 2)
    case Mnemonic.Fcomi:
    case Mnemonic.Fucomi:
      return compareOp(true, 0)
    case Mnemonic.Fcomip:
    case Mnemonic.Fucomip:
      return compareOp(true, 1)
    case Mnemonic.Ftst:
      return () => {
        const [sx, mant] = st(0)
        setCompareFlags(compare(sx, mant, 0, 0n), false)
      }
    case Mnemonic.Fxam:
      return () => {
        const p = x.phys(0)
        const sign = x.empty[p] ? 0 : x.sx[p]! >>> 15
        let c: number
        if (x.empty[p]) c = C3 | C0
        else {
          const v = unpack(x.sx[p]!, x.m[p]!)
          if (v.kind === 'nan') c = C0
          else if (v.kind === 'inf') c = C2 | C0
          else if (v.mant === 0n) c = C3
          else if ((x.sx[p]! & EXP_MAX) === 0) c = C3 | C2
          else c = C2
        }
        x.status = (x.status & ~(C0 | C1 | C2 | C3)) | c | (sign ? C1 : 0)
      }
    case Mnemonic.Frndint:
      return () => {
        const [sx, mant] = st(0)
        const v = toInteger(cpu, sx, mant)
        if (v === null) return
        const [rsx, rm] = fromInteger(v)
        x.set(0, v === 0n ? sx & 0x8000 : rsx, rm)
      }
    case Mnemonic.Fsqrt:
      return () => {
        const [sx, mant] = st(0)
        const v = unpack(sx, mant)
        if (v.kind === 'nan' || v.mant === 0n || (v.kind === 'inf' && v.sign === 0)) return
        if (v.sign === 1) return x.set(0, INDEFINITE_SX, INDEFINITE_M)
        // Integer square root of mant * 2^exp scaled to 130 bits, sticky bit for rounding.
        let e = v.exp
        let n = v.mant << 130n
        e -= 130
        if (e % 2 !== 0) {
          n <<= 1n
          e -= 1
        }
        const r = integerSqrt(n)
        const sticky = r * r !== n ? 1n : 0n
        const [rsx, rm] = packExtended(cpu, 0, (r << 1n) | sticky, e / 2 - 1)
        x.set(0, rsx, rm)
      }
    case Mnemonic.Fprem:
    case Mnemonic.Fprem1:
      return () => {
        const [asx, am] = st(0)
        const [bsx, bm] = st(1)
        const a = unpack(asx, am)
        const b = unpack(bsx, bm)
        if (a.kind !== 'finite' || b.kind !== 'finite' || b.mant === 0n) return x.set(0, INDEFINITE_SX, INDEFINITE_M)
        const e = Math.min(a.exp, b.exp)
        const xa = a.mant << BigInt(a.exp - e)
        const xb = b.mant << BigInt(b.exp - e)
        let q = xa / xb
        if (m === Mnemonic.Fprem1) {
          const r2 = (xa % xb) * 2n
          if (r2 > xb || (r2 === xb && (q & 1n) === 1n)) q += 1n
        }
        const rem = xa - q * xb
        const negative = rem < 0n
        if (rem === 0n) x.set(0, a.sign << 15, 0n)
        else {
          const [rsx, rm] = packExtended(cpu, a.sign ^ (negative ? 1 : 0), negative ? -rem : rem, e)
          x.set(0, rsx, rm)
        }
        const qb = Number(q & 7n)
        x.status = (x.status & ~(C0 | C1 | C2 | C3)) | (qb & 4 ? C0 : 0) | (qb & 2 ? C3 : 0) | (qb & 1 ? C1 : 0)
      }
    case Mnemonic.Fscale:
      return () => {
        const [asx, am] = st(0)
        const [bsx, bm] = st(1)
        const n = toInteger(cpu, bsx, bm, 3)
        const a = unpack(asx, am)
        if (n === null || a.kind !== 'finite' || a.mant === 0n) return
        const [rsx, rm] = packExtended(cpu, a.sign, a.mant, a.exp + Number(n))
        x.set(0, rsx, rm)
      }
    case Mnemonic.Fnstsw:
    case Mnemonic.Fstsw:
      if (memory) return () => cpu.st16(eaWrite!(), x.statusWord())
      return () => {
        cpu.R16[0] = x.statusWord()
      }
    case Mnemonic.Fnclex:
    case Mnemonic.Fclex:
      return () => {
        x.status &= ~0x80ff
      }
    case Mnemonic.Fninit:
    case Mnemonic.Finit:
      return () => {
        cpu.fpuControl = 0x37f
        x.reset()
      }
    case Mnemonic.Ffree:
      return () => {
        x.empty[x.phys(r0)] = true
      }
    case Mnemonic.Fincstp:
      return () => {
        x.top = (x.top + 1) & 7
      }
    case Mnemonic.Fdecstp:
      return () => {
        x.top = (x.top - 1) & 7
      }
    case Mnemonic.Fnop:
      return () => {}
    default:
      return null
  }
}
