// A value as gdb holds one: a type, contents read from the target only when needed (so `&*p` and
// `sizeof *p` never touch memory), and where it lives, which makes it assignable.

import { cannotAccess, ExpressionError, type EvalEnvironment } from './environment'
import { BUILTIN, isFloat, isSigned, resolve, sizeOf, type ExprType } from './types'

export type Place =
  | { readonly kind: 'memory'; readonly address: bigint }
  | { readonly kind: 'register'; readonly name: string }
  | { readonly kind: 'convenience'; readonly name: string }
  | { readonly kind: 'none' }

/** A bit-field member: `bitSize` bits from `bitOffset` in the storage unit at the place's address. */
export interface BitField {
  readonly bitOffset: number
  readonly bitSize: number
  readonly unitSize: number
}

const NOWHERE: Place = { kind: 'none' }

export class Value {
  private bytes: Uint8Array | undefined

  private constructor(
    readonly type: ExprType,
    readonly place: Place,
    bytes: Uint8Array | undefined,
    private readonly env: EvalEnvironment | undefined,
    readonly bitField?: BitField,
  ) {
    this.bytes = bytes
  }

  /** An object in memory, read when its contents are first needed. */
  static at(type: ExprType, address: bigint, env: EvalEnvironment): Value {
    return new Value(type, { kind: 'memory', address: BigInt.asUintN(64, address) }, undefined, env)
  }

  static bitField(type: ExprType, address: bigint, field: BitField, env: EvalEnvironment): Value {
    return new Value(type, { kind: 'memory', address }, undefined, env, field)
  }

  static fromBytes(type: ExprType, bytes: Uint8Array, place: Place = NOWHERE): Value {
    return new Value(type, place, bytes, undefined)
  }

  static fromInteger(type: ExprType, n: bigint, place: Place = NOWHERE): Value {
    return Value.fromBytes(type, integerBytes(n, sizeOf(type)), place)
  }

  static fromFloat(type: ExprType, n: number): Value {
    return Value.fromBytes(type, floatBytes(n, sizeOf(type)))
  }

  static void(): Value {
    return Value.fromBytes(BUILTIN.void, new Uint8Array(0))
  }

  /** The same contents seen as another type or at another place. */
  withType(type: ExprType, place: Place = this.place): Value {
    return new Value(type, place, this.contents(), undefined)
  }

  get address(): bigint | undefined {
    return this.place.kind === 'memory' ? this.place.address : undefined
  }

  get lazy(): boolean {
    return this.bytes === undefined
  }

  /** The value's bytes, read from memory on first use; throws gdb's memory error. */
  contents(): Uint8Array {
    if (this.bytes) return this.bytes
    const env = this.env as EvalEnvironment
    const address = this.address as bigint
    if (this.bitField) {
      const unit = env.readMemory(address, this.bitField.unitSize)
      if (!unit) throw cannotAccess(address)
      const raw = (bytesToUnsigned(unit) >> BigInt(this.bitField.bitOffset)) & ((1n << BigInt(this.bitField.bitSize)) - 1n)
      const n = isSigned(this.type) ? BigInt.asIntN(this.bitField.bitSize, raw) : raw
      this.bytes = integerBytes(n, sizeOf(this.type))
      return this.bytes
    }
    const size = sizeOf(this.type)
    if (size > MAX_VALUE_SIZE) throw new ExpressionError(`value requires ${size} bytes, which is more than max-value-size`)
    const read = size === 0 ? new Uint8Array(0) : env.readMemory(address, size)
    if (!read) throw cannotAccess(address)
    this.bytes = read
    return read
  }

  /** The contents as an integer of the value's type (pointers and enums included). */
  integer(): bigint {
    const bytes = this.contents()
    const n = bytesToUnsigned(bytes)
    return isSigned(this.type) && bytes.length > 0 ? BigInt.asIntN(bytes.length * 8, n) : n
  }

  /** The contents as a number: floats decoded, integers converted. */
  number(): number {
    if (isFloat(this.type)) return decodeFloat(this.contents())
    return Number(this.integer())
  }

  isVoid(): boolean {
    return resolve(this.type).kind === 'void'
  }
}

/** gdb's max-value-size default: bigger objects are refused rather than read. */
export const MAX_VALUE_SIZE = 65536

export function bytesToUnsigned(bytes: Uint8Array): bigint {
  let n = 0n
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i] as number)
  return n
}

export function integerBytes(n: bigint, size: number): Uint8Array {
  const out = new Uint8Array(size)
  let v = BigInt.asUintN(size * 8, n)
  for (let i = 0; i < size; i++) {
    out[i] = Number(v & 0xffn)
    v >>= 8n
  }
  return out
}

export function decodeFloat(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  if (bytes.length === 4) return view.getFloat32(0, true)
  if (bytes.length === 8) return view.getFloat64(0, true)
  return decodeX87(bytes)
}

export function floatBytes(n: number, size: number): Uint8Array {
  const out = new Uint8Array(size)
  const view = new DataView(out.buffer)
  if (size === 4) view.setFloat32(0, n, true)
  else if (size === 8) view.setFloat64(0, n, true)
  else encodeX87(n, out)
  return out
}

// long double is the x87 80-bit format: 64-bit mantissa with an explicit integer bit.
function decodeX87(bytes: Uint8Array): number {
  const mantissa = bytesToUnsigned(bytes.subarray(0, 8))
  const signExponent = (bytes[8] ?? 0) | ((bytes[9] ?? 0) << 8)
  const sign = signExponent & 0x8000 ? -1 : 1
  const exponent = signExponent & 0x7fff
  if (exponent === 0x7fff) return (mantissa << 1n) === 0n ? sign * Infinity : NaN
  if (mantissa === 0n) return sign * 0
  return sign * Number(mantissa) * 2 ** (exponent - 16383 - 63)
}

function encodeX87(n: number, out: Uint8Array): void {
  const sign = n < 0 || Object.is(n, -0) ? 0x8000 : 0
  let exponent = 0
  let mantissa = 0n
  if (Number.isNaN(n)) {
    exponent = 0x7fff
    mantissa = 0xc000000000000000n
  } else if (!Number.isFinite(n)) {
    exponent = 0x7fff
    mantissa = 0x8000000000000000n
  } else if (n !== 0) {
    const abs = Math.abs(n)
    const e = Math.floor(Math.log2(abs))
    // Powers of two near the limits make log2 round; adjust so the integer bit is set.
    let scaled = abs / 2 ** e
    let e2 = e
    if (scaled >= 2) {
      scaled /= 2
      e2++
    }
    if (scaled < 1) {
      scaled *= 2
      e2--
    }
    exponent = e2 + 16383
    mantissa = BigInt(Math.round(scaled * 2 ** 52)) << 11n
  }
  out.set(integerBytes(mantissa, 8), 0)
  out[8] = (sign | exponent) & 0xff
  out[9] = (sign | exponent) >> 8
}
