/**
 * C types of the supported subset, with the x86-64 System V sizes, alignments and struct layout
 * rules gcc uses, and C17's integer promotions and usual arithmetic conversions.
 */
import type { SourceLocation } from './diagnostics'

/** Integer types by conversion rank; 'char' is plain char (signed on x86-64, but a distinct type). */
export type IntKind = 'bool' | 'char' | 'schar' | 'uchar' | 'short' | 'ushort' | 'int' | 'uint' | 'long' | 'ulong' | 'llong' | 'ullong'

export interface Qualifiers {
  readonly isConst?: boolean
  readonly isVolatile?: boolean
  /** The type was written through this typedef name (kept for diagnostics and debug info). */
  readonly typedefName?: string
  /** Alignment set by `__attribute__((aligned(N)))` on a typedef: it replaces the natural one
   *  (and may lower it), while the size stays (gcc's user-aligned type variant). */
  readonly alignment?: number
}

export interface Member {
  /** Undefined for an anonymous struct/union member (its members are found through it). */
  readonly name: string | undefined
  readonly type: CType
  /** Byte offset; for a bit-field, of the storage unit it is read and written through. */
  readonly offset: number
  readonly bitField?: BitField
  /** The alignment the member was laid out with (`_Alignof` of the member, like gcc's DECL_ALIGN). */
  readonly align: number
  /** `align` was asked for, on the member or by its type (gcc's DECL_USER_ALIGN): debug info records it. */
  readonly explicitlyAligned?: boolean
  readonly loc?: SourceLocation
}

/** Where a bit-field lives inside its storage unit (an integer of `unitSize` bytes at the member's offset). */
export interface BitField {
  readonly width: number
  /** Bit number of the field's lowest bit within the unit (little-endian). */
  readonly bitOffset: number
  readonly unitSize: 1 | 2 | 4 | 8
}

export interface RecordInfo {
  readonly id: number
  readonly tag: string | undefined
  readonly isUnion: boolean
  members: Member[]
  size: number
  align: number
  complete: boolean
  /** `align` was asked for, by the record's aligned attribute or by a member's explicit alignment
   *  (gcc's TYPE_USER_ALIGN): debug info records it. */
  explicitlyAligned?: boolean
  loc?: SourceLocation
  /** `typedef struct { ... } name;`: an untagged record takes the typedef's name (as in gcc). */
  typedefName?: string
}

export interface EnumInfo {
  readonly tag: string | undefined
  /** gcc's compatible integer type: unsigned int unless some enumerator is negative. */
  underlying: IntKind
  complete: boolean
  /** The constants in declaration order (for debug information). */
  enumerators?: { readonly name: string; readonly value: bigint }[]
}

export type CType = Qualifiers &
  (
    | { readonly kind: 'void' }
    | { readonly kind: 'int'; readonly ik: IntKind }
    | { readonly kind: 'enum'; readonly info: EnumInfo }
    | {
        readonly kind: 'pointer'
        readonly to: CType
        /** An aligned attribute after the `*` (`int *__attribute__((aligned(16))) p`): the
         *  pointer type's own alignment, which `alignment` carries too unless a typedef's
         *  attribute replaced it (debug info describes the pointer type with this one). */
        readonly pointerAlignment?: number
      }
    | { readonly kind: 'array'; readonly of: CType; readonly length: number | undefined }
    | {
        readonly kind: 'function'
        readonly returns: CType
        readonly params: readonly CType[]
        readonly paramNames: readonly (string | undefined)[]
        readonly variadic: boolean
        /** false for `int f()`: an unprototyped declaration (arguments get default promotions). */
        readonly prototyped: boolean
      }
    | { readonly kind: 'record'; readonly info: RecordInfo }
  )

export const VOID: CType = { kind: 'void' }
export const BOOL: CType = { kind: 'int', ik: 'bool' }
export const CHAR: CType = { kind: 'int', ik: 'char' }
export const SCHAR: CType = { kind: 'int', ik: 'schar' }
export const UCHAR: CType = { kind: 'int', ik: 'uchar' }
export const SHORT: CType = { kind: 'int', ik: 'short' }
export const USHORT: CType = { kind: 'int', ik: 'ushort' }
export const INT: CType = { kind: 'int', ik: 'int' }
export const UINT: CType = { kind: 'int', ik: 'uint' }
export const LONG: CType = { kind: 'int', ik: 'long' }
export const ULONG: CType = { kind: 'int', ik: 'ulong' }
export const LLONG: CType = { kind: 'int', ik: 'llong' }
export const ULLONG: CType = { kind: 'int', ik: 'ullong' }
/** size_t and ptrdiff_t on x86-64 Linux. */
export const SIZE_T = ULONG
export const PTRDIFF_T = LONG

const INT_INFO: Readonly<Record<IntKind, { size: number; signed: boolean; rank: number }>> = {
  bool: { size: 1, signed: false, rank: 0 },
  char: { size: 1, signed: true, rank: 1 },
  schar: { size: 1, signed: true, rank: 1 },
  uchar: { size: 1, signed: false, rank: 1 },
  short: { size: 2, signed: true, rank: 2 },
  ushort: { size: 2, signed: false, rank: 2 },
  int: { size: 4, signed: true, rank: 3 },
  uint: { size: 4, signed: false, rank: 3 },
  long: { size: 8, signed: true, rank: 4 },
  ulong: { size: 8, signed: false, rank: 4 },
  llong: { size: 8, signed: true, rank: 5 },
  ullong: { size: 8, signed: false, rank: 5 },
}

const INT_TYPES: Readonly<Record<IntKind, CType>> = {
  bool: BOOL, char: CHAR, schar: SCHAR, uchar: UCHAR, short: SHORT, ushort: USHORT,
  int: INT, uint: UINT, long: LONG, ulong: ULONG, llong: LLONG, ullong: ULLONG,
}

/**
 * The one unqualified type object of each integer kind. Sharing it lets a conversion between
 * equal types keep its node (`Sema.convert` checks identity) instead of copying it.
 */
export function intType(ik: IntKind): CType {
  return INT_TYPES[ik]
}

export function pointerTo(to: CType): CType {
  return { kind: 'pointer', to }
}

export function arrayOf(of: CType, length: number | undefined): CType {
  return { kind: 'array', of, length }
}

export function unqualified(t: CType): CType {
  if (!t.isConst && !t.isVolatile) return t
  const { isConst: _c, isVolatile: _v, ...rest } = t
  return rest as CType
}

/** The type without the typedef name it was written with (for values computed from it). */
export function withoutTypedefName(t: CType): CType {
  if (t.typedefName === undefined) return t
  const { typedefName: _n, ...rest } = t
  return rest as CType
}

export function qualified(t: CType, q: Qualifiers): CType {
  if (!q.isConst && !q.isVolatile) return t
  // Qualifying an array type qualifies its elements (C17 6.7.3p10).
  if (t.kind === 'array') return { ...withoutTypedefName(t), of: qualified(t.of, q) } as CType
  return { ...t, isConst: t.isConst || q.isConst, isVolatile: t.isVolatile || q.isVolatile }
}

/** The integer kind an integer-like type (int, enum, bool) computes as. */
export function intKindOf(t: CType): IntKind | undefined {
  if (t.kind === 'int') return t.ik
  if (t.kind === 'enum') return t.info.underlying
  return undefined
}

export function isInteger(t: CType): boolean {
  return t.kind === 'int' || t.kind === 'enum'
}

export function isPointer(t: CType): boolean {
  return t.kind === 'pointer'
}

export function isScalar(t: CType): boolean {
  return isInteger(t) || t.kind === 'pointer'
}

export function isArithmetic(t: CType): boolean {
  return isInteger(t)
}

export function isRecord(t: CType): t is CType & { kind: 'record' } {
  return t.kind === 'record'
}

export function isSignedKind(ik: IntKind): boolean {
  return INT_INFO[ik].signed
}

export function intSize(ik: IntKind): number {
  return INT_INFO[ik].size
}

export function rank(ik: IntKind): number {
  return INT_INFO[ik].rank
}

export function isSignedType(t: CType): boolean {
  const ik = intKindOf(t)
  return ik !== undefined && isSignedKind(ik)
}

/** Object size in bytes, or undefined for incomplete types and functions. */
export function sizeOf(t: CType): number | undefined {
  switch (t.kind) {
    case 'void':
      return undefined
    case 'int':
      return INT_INFO[t.ik].size
    case 'enum':
      return t.info.complete ? INT_INFO[t.info.underlying].size : undefined
    case 'pointer':
      return 8
    case 'array': {
      if (t.length === undefined) return undefined
      const e = sizeOf(t.of)
      return e === undefined ? undefined : e * t.length
    }
    case 'function':
      return undefined
    case 'record':
      return t.info.complete ? t.info.size : undefined
  }
}

export function alignOf(t: CType): number {
  if (t.alignment !== undefined) return t.alignment
  switch (t.kind) {
    case 'void':
    case 'function':
      return 1
    case 'int':
      return INT_INFO[t.ik].size
    case 'enum':
      return INT_INFO[t.info.underlying].size
    case 'pointer':
      return 8
    case 'array':
      return alignOf(t.of)
    case 'record':
      return t.info.align
  }
}

/**
 * Whether a type's alignment was asked for (gcc's TYPE_USER_ALIGN, which gcc records as
 * DW_AT_alignment): a typedef or pointer type made with an aligned attribute (and every type
 * written through it), a record whose definition or some member asked for one, an array of such
 * elements.
 */
export function isExplicitlyAligned(t: CType): boolean {
  if (t.alignment !== undefined) return true
  if (t.kind === 'record') return t.info.explicitlyAligned === true
  return t.kind === 'array' && isExplicitlyAligned(t.of)
}

export function isComplete(t: CType): boolean {
  return t.kind !== 'void' && t.kind !== 'function' && sizeOf(t) !== undefined
}

/** C17 6.3.1.1: bool, char, short (and enums of such) promote to int; others stay. */
export function promote(t: CType): CType {
  const ik = intKindOf(t)
  if (ik === undefined) return t
  if (rank(ik) < rank('int')) return INT
  return intType(ik)
}

/** C17 6.3.1.8, integer part. */
export function usualArithmetic(a: CType, b: CType): CType {
  const x = intKindOf(promote(a)) as IntKind
  const y = intKindOf(promote(b)) as IntKind
  if (x === y) return intType(x)
  const sx = isSignedKind(x)
  const sy = isSignedKind(y)
  if (sx === sy) return intType(rank(x) >= rank(y) ? x : y)
  const [u, s] = sx ? [y, x] : [x, y]
  if (rank(u) >= rank(s)) return intType(u)
  if (intSize(s) > intSize(u)) return intType(s)
  return intType(toUnsigned(s))
}

export function toUnsigned(ik: IntKind): IntKind {
  switch (ik) {
    case 'char':
    case 'schar':
      return 'uchar'
    case 'short':
      return 'ushort'
    case 'int':
      return 'uint'
    case 'long':
      return 'ulong'
    case 'llong':
      return 'ullong'
    default:
      return ik
  }
}

/** Wraps a value to the range of an integer kind (two's complement, as gcc does). */
export function wrapToKind(value: bigint, ik: IntKind): bigint {
  if (ik === 'bool') return value !== 0n ? 1n : 0n
  const bits = intSize(ik) * 8
  return isSignedKind(ik) ? BigInt.asIntN(bits, value) : BigInt.asUintN(bits, value)
}

/** Type compatibility (C17 6.2.7), ignoring top-level qualifiers when `ignoreQualifiers`. */
export function compatible(a: CType, b: CType, ignoreQualifiers = false): boolean {
  if (!ignoreQualifiers && (!!a.isConst !== !!b.isConst || !!a.isVolatile !== !!b.isVolatile)) return false
  if (a.kind === 'enum' && b.kind === 'int') return a.info.underlying === b.ik
  if (a.kind === 'int' && b.kind === 'enum') return b.info.underlying === a.ik
  if (a.kind !== b.kind) return false
  switch (a.kind) {
    case 'void':
      return true
    case 'int':
      return a.ik === (b as typeof a).ik
    case 'enum':
      return a.info === (b as typeof a).info
    case 'pointer':
      return compatible(a.to, (b as typeof a).to)
    case 'array': {
      const bb = b as typeof a
      if (a.length !== undefined && bb.length !== undefined && a.length !== bb.length) return false
      return compatible(a.of, bb.of)
    }
    case 'record':
      return a.info === (b as typeof a).info
    case 'function': {
      const bb = b as typeof a
      if (!compatible(a.returns, bb.returns)) return false
      if (!a.prototyped || !bb.prototyped) return true
      if (a.variadic !== bb.variadic || a.params.length !== bb.params.length) return false
      return a.params.every((p, i) => compatible(unqualified(p), unqualified(bb.params[i] as CType)))
    }
  }
}

/**
 * Spells a type the way gcc does ('int *', 'char[10]', 'struct point'), through typedef names as
 * written unless `expand` asks for the underlying types (gcc's "aka" spelling).
 */
export function typeToString(t: CType, inner = '', expand = false): string {
  const q = (t.isConst ? 'const ' : '') + (t.isVolatile ? 'volatile ' : '')
  if (!expand && t.typedefName !== undefined) return join(q + t.typedefName, inner)
  switch (t.kind) {
    case 'void':
      return join(q + 'void', inner)
    case 'int':
      return join(q + INT_NAMES[t.ik], inner)
    case 'enum':
      return join(q + (t.info.tag ? `enum ${t.info.tag}` : 'enum <anonymous>'), inner)
    case 'record':
      if (t.info.tag === undefined && t.info.typedefName !== undefined) return join(q + t.info.typedefName, inner)
      return join(q + `${t.info.isUnion ? 'union' : 'struct'} ${t.info.tag ?? '<anonymous>'}`, inner)
    case 'pointer': {
      const ptrQ = (t.isConst ? ' const' : '') + (t.isVolatile ? ' volatile' : '')
      const needsParens = t.to.kind === 'array' || t.to.kind === 'function'
      const star = `*${ptrQ}${inner ? (ptrQ ? ' ' : '') + inner : ''}`
      return typeToString(t.to, needsParens ? `(${star})` : star, expand)
    }
    case 'array':
      return typeToString(t.of, `${inner}[${t.length ?? ''}]`, expand)
    case 'function': {
      const params = t.prototyped ? (t.params.length === 0 && !t.variadic ? 'void' : [...t.params.map((p) => typeToString(p, '', expand)), ...(t.variadic ? ['...'] : [])].join(', ')) : ''
      return typeToString(t.returns, `${inner}(${params})`, expand)
    }
  }
}

function join(base: string, inner: string): string {
  if (inner === '') return base
  return inner.startsWith('[') || inner.startsWith('(') ? base + inner : `${base} ${inner}`
}

const INT_NAMES: Readonly<Record<IntKind, string>> = {
  bool: '_Bool',
  char: 'char',
  schar: 'signed char',
  uchar: 'unsigned char',
  short: 'short int',
  ushort: 'short unsigned int',
  int: 'int',
  uint: 'unsigned int',
  long: 'long int',
  ulong: 'long unsigned int',
  llong: 'long long int',
  ullong: 'long long unsigned int',
}

let nextRecordId = 1

export function newRecord(tag: string | undefined, isUnion: boolean, loc?: SourceLocation): RecordInfo {
  return { id: nextRecordId++, tag, isUnion, members: [], size: 0, align: 1, complete: false, loc }
}

export interface MemberDeclaration {
  readonly name: string | undefined
  readonly type: CType
  /** Set for bit-fields (0 only for an unnamed `T : 0`). */
  readonly bitWidth?: number
  /** Alignment asked for by `_Alignas` or `__attribute__((aligned))` on the member (a bit-field's
   *  attribute moves it to that boundary, even below its type's alignment). */
  readonly align?: number
  /** `__attribute__((packed))` on the member: laid out as in a packed record. */
  readonly packed?: boolean
  readonly loc?: SourceLocation
}

/**
 * Lays out a struct or union as gcc does on x86-64: each member at the next multiple of its
 * alignment (unions: all at 0), the size rounded up to the largest alignment. A flexible array
 * member (last, `T x[]`) adds no size but its alignment counts. A member's requested alignment
 * can only raise its type's, except in a packed record or for a packed member, where it is the
 * member's whole alignment (1 without one); `recordAlign` (the record's own aligned attribute) raises the record's.
 * Which alignments were asked for is kept for debug info, as gcc decides it: a member's own
 * request, unless its type's alignment overrides a smaller one, else its type's (which packing
 * may lower); a record's own attribute, or any member's (bit-fields: their own request, and a
 * named one's type).
 */
export function layoutRecord(info: RecordInfo, decls: readonly MemberDeclaration[], packed = false, recordAlign?: number): void {
  // Positions are tracked in bits so bit-fields can share bytes.
  let bitPos = 0
  let sizeBits = 0
  let align = 1
  let explicitlyAligned = recordAlign !== undefined
  const members: Member[] = []
  for (const d of decls) {
    const typeAlign = alignOf(d.type)
    const typeBits = (sizeOf(d.type) ?? 0) * 8
    if (d.bitWidth !== undefined) {
      const width = d.bitWidth
      // An aligned attribute moves the field to its boundary first, packed or not (gcc).
      const from = d.align === undefined ? bitPos : alignUp(bitPos, d.align * 8)
      const start = info.isUnion ? 0 : placeBitField(from, width, typeAlign * 8, typeBits, packed)
      if (d.align !== undefined) explicitlyAligned = true
      // Named bit-fields raise the record's alignment (to their type's unless packed, and to their
      // own request); unnamed ones (incl. `:0`) do not (SysV ABI).
      if (d.name !== undefined) {
        const fieldAlign = d.align ?? (packed ? 1 : typeAlign)
        align = Math.max(align, fieldAlign, packed ? 1 : typeAlign)
        if (isExplicitlyAligned(d.type)) explicitlyAligned = true
        const aligned = d.align === undefined ? {} : { explicitlyAligned: true }
        members.push({ name: d.name, type: d.type, loc: d.loc, align: fieldAlign, ...aligned, ...storageUnit(start, width, sizeOf(d.type) ?? 4, packed) })
      }
      if (info.isUnion) sizeBits = Math.max(sizeBits, width)
      else {
        bitPos = start + width
        sizeBits = bitPos
      }
      continue
    }
    const isPacked = packed || d.packed === true
    const a = isPacked ? (d.align ?? 1) : Math.max(typeAlign, d.align ?? 1)
    align = Math.max(align, a)
    // gcc's layout_decl: a type aligned beyond the member's request replaces it, and with it
    // whether the alignment counts as asked for (a packed member keeps its own request).
    const ownRequest = d.align !== undefined && (isPacked || d.align >= typeAlign)
    const memberAligned = ownRequest || isExplicitlyAligned(d.type)
    if (memberAligned) explicitlyAligned = true
    const aligned = memberAligned ? { explicitlyAligned: true } : {}
    if (info.isUnion) {
      members.push({ name: d.name, type: d.type, offset: 0, align: a, ...aligned, loc: d.loc })
      sizeBits = Math.max(sizeBits, typeBits)
    } else {
      bitPos = alignUp(bitPos, a * 8)
      members.push({ name: d.name, type: d.type, offset: bitPos / 8, align: a, ...aligned, loc: d.loc })
      bitPos += typeBits
      sizeBits = bitPos
    }
  }
  info.members = members
  align = Math.max(align, recordAlign ?? 1)
  info.align = align
  if (explicitlyAligned) info.explicitlyAligned = true
  info.size = alignUp(Math.ceil(sizeBits / 8), align)
  info.complete = true
  for (const [i, m] of members.entries()) members[i] = keepInside(m, info.size)
}

/**
 * gcc's placement of a bit-field on x86-64 (excess_unit_span): it goes at the next free bit
 * unless it would span more units of its type's alignment than the type's size covers (one,
 * unless a typedef gave the type another alignment), in which case it starts at the next unit;
 * `:0` just moves to the next unit. Packed records never skip.
 */
function placeBitField(bitPos: number, width: number, unitBits: number, typeBits: number, packed: boolean): number {
  if (width === 0) return packed ? bitPos : alignUp(bitPos, unitBits)
  if (packed) return bitPos
  const spans = Math.ceil(((bitPos % unitBits) + width) / unitBits)
  return spans > Math.floor(typeBits / unitBits) ? alignUp(bitPos, unitBits) : bitPos
}

/**
 * The unit a bit-field is read and written through: its type's, at a multiple of the type's
 * size; in a packed record, or when a type aligned below its size lets the field cross that
 * unit, the smallest integer from the field's first byte that holds it.
 */
function storageUnit(start: number, width: number, typeSize: number, packed: boolean): { offset: number; bitField: BitField } {
  const unitBits = typeSize * 8
  const natural = Math.floor(start / unitBits) * typeSize
  if (!packed && start + width <= natural * 8 + unitBits) {
    return { offset: natural, bitField: { width, bitOffset: start - natural * 8, unitSize: typeSize as BitField['unitSize'] } }
  }
  return byteUnit(start, width)
}

function byteUnit(start: number, width: number): { offset: number; bitField: BitField } {
  const offset = Math.floor(start / 8)
  const bitOffset = start - offset * 8
  const unitSize = ([1, 2, 4, 8] as const).find((u) => bitOffset + width <= u * 8) ?? 8
  return { offset, bitField: { width, bitOffset, unitSize } }
}

/**
 * A unit may reach past the record's end (one from the field's first byte in a packed record; a
 * type's, when a typedef aligned the type below its size): take the smallest unit from the
 * field's first byte, slid back so accesses stay inside. Units of naturally aligned types never do.
 */
function keepInside(m: Member, recordSize: number): Member {
  const bf = m.bitField
  if (!bf || m.offset + bf.unitSize <= recordSize) return m
  const unit = byteUnit(m.offset * 8 + bf.bitOffset, bf.width)
  const shift = Math.max(0, Math.min(unit.offset, unit.offset + unit.bitField.unitSize - recordSize))
  return { ...m, offset: unit.offset - shift, bitField: { ...unit.bitField, bitOffset: unit.bitField.bitOffset + shift * 8 } }
}

export function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a
}

export interface FoundMember {
  readonly type: CType
  readonly offset: number
  readonly align: number
  readonly bitField?: BitField
}

/** Finds a member by name, looking inside anonymous struct/union members (C11). */
export function findMember(info: RecordInfo, name: string): FoundMember | undefined {
  for (const m of info.members) {
    if (m.name === name) return m.bitField ? { type: m.type, offset: m.offset, align: m.align, bitField: m.bitField } : { type: m.type, offset: m.offset, align: m.align }
    if (m.name === undefined && m.type.kind === 'record') {
      const inner = findMember(m.type.info, name)
      if (inner) return { ...inner, offset: m.offset + inner.offset }
    }
  }
  return undefined
}
