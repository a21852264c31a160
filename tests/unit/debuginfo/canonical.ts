// A canonical text form of model values for comparisons: record ids (DIE offsets in one file,
// front-end ids in another) are replaced by names, and cycles are cut at the second visit.
import type { CompilationUnit, DwarfType } from '../../../shared/debuginfo/model'

export function typeText(t: DwarfType, seen: Set<DwarfType> = new Set()): string {
  switch (t.kind) {
    case 'void':
      return 'void'
    case 'base':
      return `${t.name}:${t.size}:${t.encoding}`
    case 'pointer':
      return `*${typeText(t.to, seen)}`
    case 'array':
      return `[${t.count ?? ''}]${typeText(t.of, seen)}`
    case 'struct':
    case 'union': {
      const head = `${t.kind} ${t.name ?? '<anon>'}`
      if (seen.has(t)) return head
      seen.add(t)
      const members = t.members.map((m) => `${m.name ?? ''}@${m.offset}${m.bitSize !== undefined ? `:${m.bitOffset}+${m.bitSize}` : ''} ${typeText(m.type, seen)}`)
      return `${head}(${t.size}${t.complete ? '' : ' incomplete'}){${members.join('; ')}}`
    }
    case 'enum':
      return `enum ${t.name ?? '<anon>'}(${t.size}){${t.enumerators.map((e) => `${e.name}=${e.value}`).join(',')}}`
    case 'function':
      return `fn(${t.params.map((p) => typeText(p, seen)).join(',')}${t.variadic ? ',...' : ''})${t.prototyped ? '' : ' K&R'}->${typeText(t.returns, seen)}`
    case 'qualified':
      return `${t.isConst ? 'const ' : ''}${t.isVolatile ? 'volatile ' : ''}${typeText(t.type, seen)}`
    case 'typedef':
      return `typedef ${t.name}=${typeText(t.type, seen)}`
  }
}

/** The unit as plain JSON with types replaced by their canonical text. */
export function canonicalUnit(unit: CompilationUnit): unknown {
  return JSON.parse(
    JSON.stringify(
      { ...unit, producer: unit.producer, dwarfVersion: undefined },
      (key, value: unknown) => {
        if (typeof value === 'bigint') return value.toString()
        if ((key === 'type' || key === 'returns') && value && typeof value === 'object' && 'kind' in value) return typeText(value as DwarfType)
        if (key === 'types' && Array.isArray(value)) return value.map((t: DwarfType) => typeText(t))
        return value
      },
    ),
  )
}
