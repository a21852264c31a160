// The types expressions compute with: the debug model's DwarfType, plus gdb's register flag
// types (`$eflags`), which have no DWARF form.

import type { DwarfType } from '../../debuginfo'

/** A register whose bits print by name (`[ ZF PF ]`), as gdb's target-description flags. */
export interface FlagsType {
  readonly kind: 'flags'
  readonly name: string
  readonly size: number
  readonly fields: readonly { readonly name: string; readonly bit: number }[]
}

export type ExprType = DwarfType | FlagsType

type Base = Extract<DwarfType, { kind: 'base' }>

function base(name: string, size: number, encoding: Base['encoding']): Base {
  return { kind: 'base', name, size, encoding }
}

/** gdb's built-in C types, by the names gdb prints. */
export const BUILTIN = {
  void: { kind: 'void' } as DwarfType,
  bool: base('_Bool', 1, 'boolean'),
  char: base('char', 1, 'signed_char'),
  signedChar: base('signed char', 1, 'signed_char'),
  unsignedChar: base('unsigned char', 1, 'unsigned_char'),
  short: base('short', 2, 'signed'),
  unsignedShort: base('unsigned short', 2, 'unsigned'),
  int: base('int', 4, 'signed'),
  unsignedInt: base('unsigned int', 4, 'unsigned'),
  long: base('long', 8, 'signed'),
  unsignedLong: base('unsigned long', 8, 'unsigned'),
  longLong: base('long long', 8, 'signed'),
  unsignedLongLong: base('unsigned long long', 8, 'unsigned'),
  float: base('float', 4, 'float'),
  double: base('double', 8, 'float'),
  longDouble: base('long double', 16, 'float'),
  int8: base('int8_t', 1, 'signed'),
  int16: base('int16_t', 2, 'signed'),
  int32: base('int32_t', 4, 'signed'),
  int64: base('int64_t', 8, 'signed'),
} as const

/** The same type with typedefs and qualifiers peeled off. */
export function resolve(t: ExprType): ExprType {
  let r = t
  while (r.kind === 'typedef' || r.kind === 'qualified') r = r.type
  return r
}

export function sizeOf(t: ExprType): number {
  const r = resolve(t)
  switch (r.kind) {
    case 'void':
    case 'function':
      return 1
    case 'pointer':
      return 8
    case 'array':
      return r.count === undefined ? 0 : r.count * sizeOf(r.of)
    case 'typedef':
    case 'qualified':
      return sizeOf(r.type)
    default:
      return r.size
  }
}

export function pointerTo(t: ExprType): DwarfType {
  return { kind: 'pointer', to: t as DwarfType }
}

export function arrayOf(t: ExprType, count: number): DwarfType {
  return { kind: 'array', of: t as DwarfType, count }
}

export function isFloat(t: ExprType): boolean {
  const r = resolve(t)
  return r.kind === 'base' && (r.encoding === 'float' || r.encoding === 'complex_float')
}

/** Integers in gdb's sense: base integer types, bool, char, enums, flag registers. */
export function isInteger(t: ExprType): boolean {
  const r = resolve(t)
  return (r.kind === 'base' && !isFloat(r)) || r.kind === 'enum' || r.kind === 'flags'
}

export function isScalar(t: ExprType): boolean {
  const k = resolve(t).kind
  return isInteger(t) || isFloat(t) || k === 'pointer'
}

export function isSigned(t: ExprType): boolean {
  const r = resolve(t)
  if (r.kind === 'enum') return r.enumerators.some((e) => e.value < 0n)
  if (r.kind !== 'base') return false
  return r.encoding === 'signed' || r.encoding === 'signed_char' || (r.encoding === 'float')
}

/** Types whose values print as characters (`65 'A'`) and whose arrays print as strings. */
export function isCharacter(t: ExprType): boolean {
  const r = resolve(t)
  return r.kind === 'base' && r.size === 1 && (r.encoding === 'signed_char' || r.encoding === 'unsigned_char' || (r.encoding === 'utf'))
}

export function isBoolean(t: ExprType): boolean {
  const r = resolve(t)
  return r.kind === 'base' && r.encoding === 'boolean'
}

/** Two types are the same C type (records by identity of their DIE). */
export function sameType(a: ExprType, b: ExprType): boolean {
  const x = resolve(a)
  const y = resolve(b)
  if (x.kind !== y.kind) return false
  switch (x.kind) {
    case 'pointer':
      return sameType(x.to, (y as typeof x).to)
    case 'array':
      return x.count === (y as typeof x).count && sameType(x.of, (y as typeof x).of)
    case 'struct':
    case 'union':
      return x === y || (x.id === (y as typeof x).id && x.name === (y as typeof x).name)
    case 'base':
    case 'enum':
    case 'flags':
      return x.name === (y as typeof x).name && x.size === (y as typeof x).size
    default:
      return true
  }
}

const BASE_BY_WORDS: Record<string, ExprType> = {
  char: BUILTIN.char,
  'signed char': BUILTIN.signedChar,
  'unsigned char': BUILTIN.unsignedChar,
  short: BUILTIN.short,
  'unsigned short': BUILTIN.unsignedShort,
  int: BUILTIN.int,
  'unsigned int': BUILTIN.unsignedInt,
  long: BUILTIN.long,
  'unsigned long': BUILTIN.unsignedLong,
  'long long': BUILTIN.longLong,
  'unsigned long long': BUILTIN.unsignedLongLong,
  float: BUILTIN.float,
  double: BUILTIN.double,
  'long double': BUILTIN.longDouble,
  void: BUILTIN.void,
  _Bool: BUILTIN.bool,
}

/** `unsigned`, `short int`, `long unsigned int`...: the C base type the keywords name. */
export function baseTypeFromWords(words: readonly string[]): ExprType | undefined {
  if (words.length === 0) return undefined
  const count = (w: string): number => words.filter((x) => x === w).length
  const sign = count('unsigned') ? 'unsigned ' : ''
  if (count('signed') && count('unsigned')) return undefined
  const rest = words.filter((w) => w !== 'signed' && w !== 'unsigned' && w !== 'int')
  const hasInt = count('int') > 0
  let core: string
  if (rest.length === 0) core = 'int'
  else core = rest.join(' ')
  if (hasInt && !['int', 'short', 'long', 'long long'].includes(core)) return undefined
  if (core === 'char' && count('signed')) return BUILTIN.signedChar
  if (sign && !['int', 'short', 'long', 'long long', 'char'].includes(core)) return undefined
  return BASE_BY_WORDS[sign + core]
}

/** gdb's spelling of a C base type: DWARF's `long unsigned int` prints as `unsigned long`. */
export function canonicalBaseName(name: string): string {
  const builtin = baseTypeFromWords(name.split(' '))
  return builtin && builtin.kind === 'base' ? builtin.name : name
}
