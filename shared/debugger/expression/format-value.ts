// Values printed as gdb 13 prints them: `65 'A'`, `(int *) 0x7ffe...`, `0x402004 "hello"`,
// `{1, 2, 3}`, `0 <repeats 30 times>`, `{value = 3, next = 0x0}`, and the /x /d /u /o /t /c /a
// /f /s /z formats applied element by element.

import type { DwarfMember, DwarfType } from '../../debuginfo'
import { ExpressionError, type ExpressionContext } from './environment'
import { memberValue } from './evaluate'
import { typeName } from './format-type'
import { isBoolean, isCharacter, isFloat, isInteger, isSigned, resolve, sizeOf, type ExprType } from './types'
import { bytesToUnsigned, decodeFloat, Value } from './values'

/** gdb's `print elements` and `repeats` defaults. */
export const PRINT_ELEMENTS = 200
export const REPEAT_THRESHOLD = 10

/**
 * The text `print` shows after `$N = `. `format` is a print format letter or undefined.
 * `topLevel` adds the `(type *)` prefix gdb puts before a pointer it prints on its own.
 */
export function formatValue(v: Value, context: ExpressionContext, format?: string, topLevel = true): string {
  return new ValuePrinter(context, format).print(v, topLevel)
}

class ValuePrinter {
  constructor(
    private readonly context: ExpressionContext,
    private readonly format: string | undefined,
  ) {}

  print(v: Value, topLevel: boolean): string {
    const t = resolve(v.type)
    switch (t.kind) {
      case 'void':
        return 'void'
      case 'struct':
      case 'union':
        return this.record(v, t.members)
      case 'array':
        return this.array(v, t.of, t.count ?? 0)
      case 'function':
        return `{${typeName(v.type)}} ${this.address(v.address ?? 0n)}`
      case 'pointer':
        return this.pointer(v, t.to, topLevel)
      default:
        return this.scalar(v)
    }
  }

  private record(v: Value, members: readonly DwarfMember[]): string {
    const parts = members.map((m) => {
      const text = this.print(memberValue(v, m, this.context), false)
      return m.name === undefined ? text : `${m.name} = ${text}`
    })
    return `{${parts.join(', ')}}`
  }

  private array(v: Value, element: ExprType, count: number): string {
    const bytes = v.contents()
    if (isCharacter(element) && (this.format === undefined || this.format === 's')) {
      return formatCharArray(bytes.subarray(0, count))
    }
    const size = sizeOf(element)
    const elementAt = (i: number): Value => {
      const slice = bytes.subarray(i * size, (i + 1) * size)
      const place = v.address === undefined ? undefined : ({ kind: 'memory', address: v.address + BigInt(i * size) } as const)
      return Value.fromBytes(element, slice, place)
    }
    const parts: string[] = []
    let printed = 0
    let i = 0
    for (; i < count && printed < PRINT_ELEMENTS; i++) {
      let reps = 1
      while (i + reps < count && equalBytes(bytes, i * size, (i + reps) * size, size)) reps++
      const text = this.print(elementAt(i), false)
      if (reps > REPEAT_THRESHOLD) {
        parts.push(`${text} <repeats ${reps} times>`)
        i += reps - 1
        printed += REPEAT_THRESHOLD
      } else {
        parts.push(text)
        printed++
      }
    }
    return `{${parts.join(', ')}${i < count ? '...' : ''}}`
  }

  private pointer(v: Value, to: DwarfType, topLevel: boolean): string {
    const address = BigInt.asUintN(64, v.integer())
    if (this.format !== undefined && this.format !== 's' && this.format !== 'a') return this.scalar(v)
    const target = resolve(to)
    const label = this.address(address)
    const showsString = isCharacter(target) && this.format !== 'a'
    const text = showsString && address !== 0n ? `${label} ${this.string(address)}` : label
    if (!topLevel || this.format !== undefined) return text
    // gdb leaves the type out for a plain `char *`: the string says what it is.
    const pointee = to.kind === 'qualified' ? to.type : to
    const plainChar = v.type.kind === 'pointer' && pointee.kind === 'base' && pointee.name === 'char'
    return plainChar ? text : `(${typeName(v.type)}) ${text}`
  }

  /** `0x401136 <add>`, with the symbol when the address has one. */
  private address(address: bigint): string {
    const symbol = this.context.env.symbolize(address)
    return `0x${address.toString(16)}${symbol ? ` <${symbol}>` : ''}`
  }

  private string(address: bigint): string {
    const { bytes, complete, error } = readString(this.context, address, PRINT_ELEMENTS)
    if (error !== undefined && bytes.length === 0) return `<error: Cannot access memory at address 0x${error.toString(16)}>`
    const text = formatString(bytes, !complete && error === undefined)
    return error !== undefined ? `${text}<error: Cannot access memory at address 0x${error.toString(16)}>` : text
  }

  private scalar(v: Value): string {
    const t = resolve(v.type)
    const format = this.format === 's' ? undefined : this.format
    const bytes = v.contents()
    if (format !== undefined) return formatScalar(bytes, v.type, format, this.context)
    if (t.kind === 'flags') {
      const n = bytesToUnsigned(bytes)
      const set = t.fields.filter((f) => f.name && (n >> BigInt(f.bit)) & 1n).map((f) => f.name)
      return `[ ${set.map((s) => `${s} `).join('')}]`
    }
    if (t.kind === 'enum') return formatEnum(v.integer(), t)
    if (isFloat(t)) return formatFloat(bytes)
    if (isBoolean(t)) {
      const n = v.integer()
      return n === 0n ? 'false' : n === 1n ? 'true' : String(n)
    }
    if (isCharacter(t)) return `${v.integer()} ${charLiteral(Number(bytesToUnsigned(bytes)))}`
    return String(v.integer())
  }
}

function equalBytes(bytes: Uint8Array, a: number, b: number, size: number): boolean {
  for (let k = 0; k < size; k++) if (bytes[a + k] !== bytes[b + k]) return false
  return true
}

/** A scalar under an explicit format letter, as gdb's print_scalar_formatted. */
export function formatScalar(bytes: Uint8Array, type: ExprType, format: string, context: ExpressionContext): string {
  const size = bytes.length
  const unsigned = bytesToUnsigned(bytes)
  const signed = size > 0 ? BigInt.asIntN(size * 8, unsigned) : 0n
  switch (format) {
    case 'x':
      return `0x${unsigned.toString(16)}`
    case 'z':
      return `0x${unsigned.toString(16).padStart(size * 2, '0')}`
    case 'o':
      return unsigned === 0n ? '0' : `0${unsigned.toString(8)}`
    case 't':
      return unsigned.toString(2)
    case 'd':
      return String(signed)
    case 'u':
      return String(unsigned)
    case 'c': {
      const byte = Number(unsigned & 0xffn)
      const n = isSigned(type) || !isInteger(type) ? BigInt.asIntN(8, BigInt(byte)) : BigInt(byte)
      return `${n} ${charLiteral(byte)}`
    }
    case 'a': {
      const symbol = context.env.symbolize(unsigned)
      return `0x${unsigned.toString(16)}${symbol ? ` <${symbol}>` : ''}`
    }
    case 'f':
      if (isFloat(type) || size === 4 || size === 8) return formatFloat(bytes)
      return String(isSigned(type) ? signed : unsigned)
    default:
      throw new ExpressionError(`Undefined output format "${format}".`)
  }
}

export function formatEnum(n: bigint, t: Extract<DwarfType, { kind: 'enum' }>): string {
  const exact = t.enumerators.find((e) => e.value === n)
  if (exact) return exact.name
  if (!isFlagEnum(t)) return String(n)
  let rest = n
  const names: string[] = []
  for (const e of t.enumerators) {
    if (e.value !== 0n && (rest & e.value) === e.value) {
      names.push(e.name)
      rest &= ~e.value
    }
  }
  if (rest !== 0n) names.push(`unknown: 0x${rest.toString(16)}`)
  return names.length === 0 ? '0' : `(${names.join(' | ')})`
}

/** gdb treats an enum whose values are non-negative and share no bits as a set of flags. */
function isFlagEnum(t: Extract<DwarfType, { kind: 'enum' }>): boolean {
  let mask = 0n
  for (const e of t.enumerators) {
    if (e.value < 0n || (mask & e.value) !== 0n) return false
    mask |= e.value
  }
  return true
}

/** C's %g with gdb's precision: 9 significant digits for float, 17 for double, 18 for long double. */
export function formatFloat(bytes: Uint8Array): string {
  const size = bytes.length
  const x = decodeFloat(bytes)
  if (Number.isNaN(x)) return nanText(bytes)
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf'
  const precision = size === 4 ? 9 : size === 8 ? 17 : 18
  if (x === 0) return Object.is(x, -0) ? '-0' : '0'
  const exponential = x.toExponential(precision - 1)
  const exponent = Number(exponential.slice(exponential.indexOf('e') + 1))
  if (exponent < -4 || exponent >= precision) {
    const [mantissa, exp] = exponential.split('e') as [string, string]
    const digits = exp.replace(/^[+-]/, '').padStart(2, '0')
    return `${stripZeros(mantissa)}e${exp.startsWith('-') ? '-' : '+'}${digits}`
  }
  return stripZeros(x.toFixed(Math.max(0, precision - 1 - exponent)))
}

/** glibc's `nan(0x...)`: the sign and the mantissa bits. */
function nanText(bytes: Uint8Array): string {
  const bits = bytesToUnsigned(bytes)
  const mantissaBits = bytes.length === 4 ? 23n : bytes.length === 8 ? 52n : 63n
  const signBit = BigInt(bytes.length * 8 - (bytes.length > 8 ? 48 : 0) - 1)
  const negative = (bits >> signBit) & 1n
  const mantissa = bits & ((1n << mantissaBits) - 1n)
  return `${negative ? '-' : ''}nan(0x${mantissa.toString(16)})`
}

function stripZeros(s: string): string {
  return s.includes('.') ? s.replace(/0+$/, '').replace(/\.$/, '') : s
}

const NAMED_ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 27: '\\033' }

function escapeByte(byte: number, quote: string): string {
  if (byte === 92) return '\\\\'
  if (String.fromCharCode(byte) === quote) return `\\${quote}`
  if (byte >= 0x20 && byte < 0x7f) return String.fromCharCode(byte)
  return NAMED_ESCAPES[byte] ?? `\\${byte.toString(8).padStart(3, '0')}`
}

/** `'A'`, `'\n'`, `'\310'`. */
export function charLiteral(byte: number): string {
  return `'${escapeByte(byte, "'")}'`
}

/** A char array's contents: one trailing NUL dropped, as gdb does, then printed as a string. */
export function formatCharArray(bytes: Uint8Array): string {
  const length = bytes.length > 0 && bytes[bytes.length - 1] === 0 ? bytes.length - 1 : bytes.length
  return formatString(bytes.subarray(0, length), false)
}

/**
 * Characters as gdb prints a string: runs longer than the repeat threshold as
 * `'c' <repeats N times>`, the rest in double quotes, at most `print elements` characters
 * (a run counts whole), `...` when cut short or `truncated`.
 */
export function formatString(bytes: Uint8Array, truncated: boolean): string {
  const runs: { byte: number; count: number }[] = []
  let consumed = 0
  while (consumed < bytes.length && consumed < PRINT_ELEMENTS) {
    const byte = bytes[consumed] as number
    let count = 1
    while (consumed + count < bytes.length && bytes[consumed + count] === byte) count++
    runs.push({ byte, count })
    consumed += count
  }
  const pieces: string[] = []
  let quoted = ''
  const flush = (): void => {
    if (quoted) pieces.push(`"${quoted}"`)
    quoted = ''
  }
  for (const run of runs) {
    if (run.count > REPEAT_THRESHOLD) {
      flush()
      pieces.push(`${charLiteral(run.byte)} <repeats ${run.count} times>`)
    } else quoted += escapeByte(run.byte, '"').repeat(run.count)
  }
  flush()
  const text = pieces.length > 0 ? pieces.join(', ') : '""'
  return truncated || consumed < bytes.length ? `${text}...` : text
}

/**
 * A NUL-terminated string from memory, at most `limit` characters. `complete`: the NUL was
 * found; `error`: the first address that could not be read.
 */
export function readString(context: ExpressionContext, address: bigint, limit: number): { bytes: Uint8Array; complete: boolean; error?: bigint } {
  const out: number[] = []
  while (out.length < limit) {
    const at = address + BigInt(out.length)
    const byte = context.env.readMemory(at, 1)
    if (!byte) return { bytes: Uint8Array.from(out), complete: false, error: at }
    if (byte[0] === 0) return { bytes: Uint8Array.from(out), complete: true }
    out.push(byte[0] as number)
  }
  return { bytes: Uint8Array.from(out), complete: false }
}
