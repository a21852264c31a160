// Type names as gdb spells them (`int (*)(int, int)`, `char [16]`, `struct node *`), and ptype's
// expansion of struct, union and enum bodies.

import type { DwarfMember, DwarfRecord, DwarfType } from '../../debuginfo'
import { canonicalBaseName, type ExprType, type FlagsType } from './types'

/** How `whatis` shows a type: names only, typedefs kept. */
export function typeName(t: ExprType): string {
  return declare(t, '', { expand: false, indent: '' })
}

/** How `ptype` shows a type: typedefs looked through, the underlying record or enum spelled out. */
export function typeDefinition(t: ExprType): string {
  return declare(t, '', { expand: true, indent: '' })
}

interface Style {
  /** Look through typedefs and spell out the record or enum the declarators lead to. */
  readonly expand: boolean
  /** Indentation of the enclosing body, for nested anonymous records. */
  readonly indent: string
}

/** `inner` is the declarator built so far (`*p`, `(*)(int)`, `[16]`), C's inside-out way. */
function declare(t: ExprType, inner: string, style: Style): string {
  switch (t.kind) {
    case 'pointer': {
      const to = style.expand ? peelTypedefs(t.to) : t.to
      const star = inner.startsWith('const') || inner.startsWith('volatile') ? `* ${inner}` : `*${inner}`
      return declare(to, to.kind === 'array' || to.kind === 'function' ? `(${star})` : star, style)
    }
    case 'array':
      return declare(style.expand ? peelTypedefs(t.of) : t.of, `${inner}[${t.count ?? ''}]`, style)
    case 'function': {
      const params = t.params.map((p) => declare(p, '', { expand: false, indent: style.indent }))
      if (t.variadic) params.push('...')
      const list = params.length > 0 ? params.join(', ') : t.prototyped ? 'void' : ''
      return declare(style.expand ? peelTypedefs(t.returns) : t.returns, `${inner}(${list})`, style)
    }
    case 'qualified': {
      const words = [t.isConst ? 'const' : '', t.isVolatile ? 'volatile' : ''].filter(Boolean).join(' ')
      if (t.type.kind === 'pointer') return declare(t.type, inner ? `${words} ${inner}` : words, style)
      return `${words} ${declare(t.type, inner, style)}`
    }
    case 'typedef':
      if (style.expand) return declare(t.type, inner, style)
      return withDeclarator(t.name, inner)
    default:
      return withDeclarator(head(t, style), inner)
  }
}

function withDeclarator(head: string, inner: string): string {
  return inner ? `${head} ${inner}` : head
}

function peelTypedefs(t: DwarfType): DwarfType {
  let r = t
  while (r.kind === 'typedef') r = r.type
  return r
}

/** The specifier part: a base type's name, or a record/enum with or without its body. */
function head(t: ExprType, style: Style): string {
  switch (t.kind) {
    case 'void':
      return 'void'
    case 'base':
      return canonicalBaseName(t.name)
    case 'flags':
      return style.expand ? flagsBody(t) : t.name
    case 'struct':
    case 'union':
      if (style.expand) return recordBody(t, style.indent)
      return t.name ? `${t.kind} ${t.name}` : `${t.kind} {...}`
    case 'enum':
      if (style.expand) return `enum ${t.name ? `${t.name} ` : ''}{${enumerators(t)}}`
      return t.name ? `enum ${t.name}` : 'enum {...}'
    default:
      return ''
  }
}

function recordBody(r: DwarfRecord, indent: string): string {
  const inner = indent + '    '
  const lines: string[] = []
  if (!r.complete) lines.push(`${inner}<incomplete type>`)
  else if (r.members.length === 0) lines.push(`${inner}<no data fields>`)
  for (const m of r.members) lines.push(`${inner}${memberDeclaration(m, inner)};`)
  return `${r.kind}${r.name ? ` ${r.name}` : ''} {\n${lines.join('\n')}\n${indent}}`
}

function memberDeclaration(m: DwarfMember, indent: string): string {
  const t = m.type
  // Anonymous records have no name to refer to them by: gdb spells them out in place.
  const anonymous = (t.kind === 'struct' || t.kind === 'union' || t.kind === 'enum') && t.name === undefined
  const text = declare(t, m.name ?? '', { expand: anonymous, indent })
  return m.bitSize !== undefined ? `${text} : ${m.bitSize}` : text
}

function enumerators(t: Extract<DwarfType, { kind: 'enum' }>): string {
  let expected = 0n
  const parts: string[] = []
  for (const e of t.enumerators) {
    parts.push(e.value === expected ? e.name : `${e.name} = ${e.value}`)
    expected = e.value + 1n
  }
  return parts.join(', ')
}

function flagsBody(t: FlagsType): string {
  const lines = t.fields.map((f) => `    bool ${f.name ? `${f.name} ` : ''}@${f.bit};`)
  return `flag ${t.name} {\n${lines.join('\n')}\n}`
}
