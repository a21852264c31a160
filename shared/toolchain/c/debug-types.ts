/**
 * Structured C types for debug information (the shape DWARF's type entries need: base types with
 * their encoding, pointers, arrays with counts, structs/unions with member offsets and bit-fields,
 * enums with their values, function types).
 *
 * Lowering attaches this structure as the IR's `DebugType.info` (declared there as the debug
 * model's `DwarfType`, to which `DebugTypeInfo` is assignable), for variables, globals and
 * return types. Records are shared objects, so a self-referential struct (a linked list node) is
 * a cycle: writers must key records by `id`.
 */
import type { DebugType } from '../ir/types'
import { intKindOf, isSignedKind, sizeOf, typeToString, unqualified, withoutTypedefName, type CType, type RecordInfo } from './types'

export type DebugTypeInfo =
  | { readonly kind: 'void' }
  | { readonly kind: 'base'; readonly name: string; readonly size: number; readonly encoding: 'signed' | 'unsigned' | 'signed_char' | 'unsigned_char' | 'boolean' }
  | { readonly kind: 'pointer'; readonly to: DebugTypeInfo }
  | { readonly kind: 'array'; readonly of: DebugTypeInfo; readonly count: number | undefined }
  | DebugRecord
  | { readonly kind: 'enum'; readonly name: string | undefined; readonly size: number; readonly enumerators: readonly { readonly name: string; readonly value: bigint }[] }
  | { readonly kind: 'function'; readonly returns: DebugTypeInfo; readonly params: readonly DebugTypeInfo[]; readonly variadic: boolean; readonly prototyped: boolean }
  | { readonly kind: 'qualified'; readonly isConst: boolean; readonly isVolatile: boolean; readonly type: DebugTypeInfo }
  /** A typedef name (DW_TAG_typedef), as the variable was declared. */
  | { readonly kind: 'typedef'; readonly name: string; readonly type: DebugTypeInfo }

export interface DebugRecord {
  readonly kind: 'struct' | 'union'
  /** Stable within one compilation: the same C record always has the same id. */
  readonly id: number
  readonly name: string | undefined
  readonly size: number
  readonly complete: boolean
  readonly members: DebugMember[]
}

export interface DebugMember {
  readonly name: string | undefined
  readonly type: DebugTypeInfo
  readonly offset: number
  /** Bit-fields: width and the lowest bit's position within the unit at `offset`. */
  readonly bitSize?: number
  readonly bitOffset?: number
}

/** `DebugType` plus the structured description (accepted wherever the IR takes a DebugType). */
export interface CDebugType extends DebugType {
  readonly info: DebugTypeInfo
}

/** Describes C types, sharing one description per record so cycles stay finite. */
export class DebugTypeTable {
  private readonly records = new Map<RecordInfo, DebugRecord>()

  debugType(t: CType): CDebugType {
    return { text: typeToString(t), info: this.describe(t) }
  }

  describe(t: CType): DebugTypeInfo {
    if (t.typedefName !== undefined) {
      const named: DebugTypeInfo = { kind: 'typedef', name: t.typedefName, type: this.describe(withoutTypedefName(unqualified(t))) }
      return t.isConst || t.isVolatile ? { kind: 'qualified', isConst: !!t.isConst, isVolatile: !!t.isVolatile, type: named } : named
    }
    const base = this.describeUnqualified(t)
    if (t.kind !== 'array' && (t.isConst || t.isVolatile)) return { kind: 'qualified', isConst: !!t.isConst, isVolatile: !!t.isVolatile, type: base }
    return base
  }

  private describeUnqualified(t: CType): DebugTypeInfo {
    switch (t.kind) {
      case 'void':
        return { kind: 'void' }
      case 'int': {
        const ik = t.ik
        const encoding = ik === 'bool' ? 'boolean' : ik === 'char' || ik === 'schar' ? 'signed_char' : ik === 'uchar' ? 'unsigned_char' : isSignedKind(ik) ? 'signed' : 'unsigned'
        return { kind: 'base', name: typeToString({ kind: 'int', ik }), size: sizeOf(t) as number, encoding }
      }
      case 'enum':
        return { kind: 'enum', name: t.info.tag, size: sizeOf({ kind: 'int', ik: intKindOf(t) ?? 'uint' }) as number, enumerators: t.info.enumerators ?? [] }
      case 'pointer':
        return { kind: 'pointer', to: this.describe(t.to) }
      case 'array':
        return { kind: 'array', of: this.describe(t.of), count: t.length }
      case 'function':
        return { kind: 'function', returns: this.describe(t.returns), params: t.params.map((p) => this.describe(p)), variadic: t.variadic, prototyped: t.prototyped }
      case 'record':
        return this.record(t.info)
    }
  }

  private record(info: RecordInfo): DebugRecord {
    const known = this.records.get(info)
    if (known) return known
    const record: DebugRecord = { kind: info.isUnion ? 'union' : 'struct', id: info.id, name: info.tag, size: info.size, complete: info.complete, members: [] }
    this.records.set(info, record)
    for (const m of info.members) {
      const member: DebugMember = m.bitField
        ? { name: m.name, type: this.describe(m.type), offset: m.offset, bitSize: m.bitField.width, bitOffset: m.bitField.bitOffset }
        : { name: m.name, type: this.describe(m.type), offset: m.offset }
      record.members.push(member)
    }
    return record
  }
}
