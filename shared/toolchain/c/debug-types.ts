/**
 * C types described in the debug model's `DwarfType` (shared/debuginfo/model.ts): base types
 * with their encoding, pointers, arrays with counts, structs/unions with member offsets and
 * bit-fields, enums with their values, function types.
 *
 * Lowering attaches this structure as the IR's `DebugType.info`, for variables, globals and
 * return types. Records are shared objects, so a self-referential struct (a linked list node) is
 * a cycle: writers must key records by `id`.
 */
import type { DwarfMember, DwarfRecord, DwarfType } from '../../debuginfo/model'
import type { DebugType } from '../ir/types'
import { alignOf, intKindOf, isExplicitlyAligned, isSignedKind, sizeOf, typeToString, unqualified, withoutTypedefName, type CType, type RecordInfo } from './types'

/** A record under construction: members are pushed after it is registered, so a
 *  self-referential struct can point to itself. A struct described while still incomplete is
 *  completed in place when its body has been seen (functions are lowered while the parser goes
 *  on), so every reference to it describes the whole struct, as gcc's end-of-unit DWARF does. */
type DebugRecord = Omit<DwarfRecord, 'size' | 'complete' | 'members' | 'alignment'> & { size: number; complete: boolean; readonly members: DwarfMember[]; alignment?: number }

/** `DebugType` plus the structured description (accepted wherever the IR takes a DebugType). */
export interface CDebugType extends DebugType {
  readonly info: DwarfType
}

/** Describes C types, sharing one description per record so cycles stay finite. */
export class DebugTypeTable {
  private readonly records = new Map<RecordInfo, DebugRecord>()

  debugType(t: CType): CDebugType {
    return { text: typeToString(t), info: this.describe(t) }
  }

  describe(t: CType): DwarfType {
    if (t.typedefName !== undefined) {
      const named: DwarfType = { kind: 'typedef', name: t.typedefName, type: this.describe(withoutTypedefName(unqualified(t))), ...explicitAlignment(t) }
      return t.isConst || t.isVolatile ? { kind: 'qualified', isConst: !!t.isConst, isVolatile: !!t.isVolatile, type: named } : named
    }
    const base = this.describeUnqualified(t)
    if (t.kind !== 'array' && (t.isConst || t.isVolatile)) return { kind: 'qualified', isConst: !!t.isConst, isVolatile: !!t.isVolatile, type: base }
    return base
  }

  private describeUnqualified(t: CType): DwarfType {
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
        // Its own aligned attribute, not a typedef's that names it.
        return { kind: 'pointer', to: this.describe(t.to), ...(t.pointerAlignment === undefined ? {} : { alignment: t.pointerAlignment }) }
      case 'array':
        // The array itself, not a typedef's aligned variant of it: only its elements count.
        return { kind: 'array', of: this.describe(t.of), count: t.length, ...explicitAlignment(t.of) }
      case 'function':
        return { kind: 'function', returns: this.describe(t.returns), params: t.params.map((p) => this.describe(p)), variadic: t.variadic, prototyped: t.prototyped }
      case 'record':
        return this.record(t.info)
    }
  }

  private record(info: RecordInfo): DebugRecord {
    const known = this.records.get(info)
    if (known !== undefined && (known.complete || !info.complete)) return known
    const record: DebugRecord = known ?? { kind: info.isUnion ? 'union' : 'struct', id: info.id, name: info.tag, size: info.size, complete: info.complete, members: [] }
    record.size = info.size
    record.complete = info.complete
    if (info.explicitlyAligned === true) record.alignment = info.align
    this.records.set(info, record)
    for (const m of info.members) {
      const alignment = m.explicitlyAligned === true ? { alignment: m.align } : {}
      const member: DwarfMember = m.bitField
        ? { name: m.name, type: this.describe(m.type), offset: m.offset, bitSize: m.bitField.width, bitOffset: m.bitField.bitOffset, ...alignment }
        : { name: m.name, type: this.describe(m.type), offset: m.offset, ...alignment }
      record.members.push(member)
    }
    return record
  }
}

/** DW_AT_alignment of a type whose alignment was asked for (gcc records only those). */
function explicitAlignment(t: CType): { alignment?: number } {
  return isExplicitlyAligned(t) ? { alignment: alignOf(t) } : {}
}
