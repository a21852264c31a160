import { basename } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { readDebugInfo, typeSize } from '../../../shared/debuginfo/reader'
import type { CompilationUnit, DebugVariable, DwarfRecord, DwarfType } from '../../../shared/debuginfo/model'
import { cleanUp, fixture, gcc, gdbAddressOf, gdbScope, nmFunctions, readelfLines, run } from './native'

afterAll(cleanUp)

const userUnit = (bytes: Uint8Array, source: string): CompilationUnit => {
  const unit = readDebugInfo(bytes).units.find((u) => basename(u.name) === source)
  if (!unit) throw new Error(`no unit for ${source}`)
  return unit
}

const allVariables = (f: { params: readonly DebugVariable[]; locals: readonly DebugVariable[]; blocks: readonly { locals: readonly DebugVariable[]; blocks: readonly unknown[] }[] }): DebugVariable[] => {
  const out = [...f.params, ...f.locals]
  const walk = (blocks: readonly { locals: readonly DebugVariable[]; blocks: readonly unknown[] }[]): void => {
    for (const b of blocks) {
      out.push(...b.locals)
      walk(b.blocks as typeof blocks)
    }
  }
  walk(f.blocks)
  return out
}

describe.each([
  ['-O0', ['-g', '-O0', '-static', '-fno-stack-protector']],
  ['-O2', ['-g', '-O2', '-static']],
  ['-O0 DWARF 4', ['-g', '-gdwarf-4', '-O0', '-static']],
])('gcc %s', (_label, flags) => {
  for (const source of ['frames.c', 'types.c']) {
    it(`line table of ${source} matches readelf's decoded lines`, () => {
      const built = gcc(fixture(source), flags)
      const unit = userUnit(built.bytes, source)
      const ours = unit.lines.filter((r) => !r.endSequence).map((r) => ({ file: basename(r.file), line: r.line, address: r.address, isStmt: r.isStmt }))
      const theirs = readelfLines(built.path)
      expect(theirs.length).toBeGreaterThan(5)
      expect(ours).toEqual(theirs)
    })

    it(`functions of ${source} span what nm says`, () => {
      const built = gcc(fixture(source), flags)
      const unit = userUnit(built.bytes, source)
      const nm = nmFunctions(built.path)
      expect(unit.functions.length).toBeGreaterThan(0)
      for (const f of unit.functions) {
        const sym = nm.get(f.name)
        expect(sym, f.name).toBeDefined()
        const first = f.ranges[0]
        expect(first?.low).toBe(sym?.address)
        // -O2 may split a cold part off (main.cold); the hot range is the symbol's extent.
        expect((first?.high ?? 0) - (first?.low ?? 0)).toBe(sym?.size)
      }
    })
  }
})

describe('frames at -O0 agree with gdb', () => {
  for (const [label, flags] of [
    ['no canary', ['-fno-stack-protector']],
    ['canary', ['-fstack-protector-all']],
    ['DWARF 4', ['-gdwarf-4']],
  ] as const) {
    it(`every local and parameter of f (${label}): rbp offset = fbreg + 16, size = gdb's length`, () => {
      const built = gcc(fixture('frames.c'), ['-g', '-O0', '-static', ...flags])
      const f = userUnit(built.bytes, 'frames.c').functions.find((x) => x.name === 'f')
      if (!f) throw new Error('no f')
      const gdb = gdbScope(built.path, 'f')
      // gdb's `info scope` lists the function's outermost scope; nested blocks are tested below.
      const vars = [...f.params, ...f.locals]
      expect(allVariables(f).length).toBe(vars.length + 1)
      expect(vars.map((v) => v.name).sort()).toEqual([...gdb.keys()].sort())
      for (const v of vars) {
        const g = gdb.get(v.name)
        expect(v.location, v.name).toEqual({ kind: 'frame', rbpOffset: (g?.fbreg ?? NaN) + 16 })
        expect(typeSize(v.type), v.name).toBe(g?.length)
      }
    })
  }

  it('char buf[64] with gets: rbp-0x40 without a canary, rbp-0x50 with one', () => {
    const plain = gcc(fixture('gets-frame.c'), ['-g', '-O0', '-static', '-fno-stack-protector'])
    const guarded = gcc(fixture('gets-frame.c'), ['-g', '-O0', '-static', '-fstack-protector-all'])
    const buf = (bytes: Uint8Array): DebugVariable | undefined => userUnit(bytes, 'gets-frame.c').functions.find((x) => x.name === 'vulnerable')?.locals.find((v) => v.name === 'buf')
    expect(buf(plain.bytes)?.location).toEqual({ kind: 'frame', rbpOffset: -0x40 })
    expect(buf(guarded.bytes)?.location).toEqual({ kind: 'frame', rbpOffset: -0x50 })
    expect(buf(plain.bytes)?.type).toEqual({ kind: 'array', of: { kind: 'base', name: 'char', size: 1, encoding: 'signed_char' }, count: 64 })
  })

  it('lexical blocks hold their own locals', () => {
    const built = gcc(fixture('frames.c'), ['-g', '-O0', '-static'])
    const f = userUnit(built.bytes, 'frames.c').functions.find((x) => x.name === 'f')
    expect(f?.blocks).toHaveLength(1)
    expect(f?.blocks[0]?.locals.map((v) => v.name)).toEqual(['inner'])
    const r = f?.blocks[0]?.ranges[0]
    expect(r && r.high > r.low && r.low > (f?.ranges[0]?.low ?? 0)).toBe(true)
    expect(f?.params.map((p) => [p.name, p.declLine])).toEqual([
      ['a', 9],
      ['s', 9],
    ])
  })
})

describe('globals and types agree with gcc', () => {
  const built = gcc(fixture('types.c'), ['-g', '-O0', '-static'])
  const unit = userUnit(built.bytes, 'types.c')
  const global = (name: string): DebugVariable => {
    const g = unit.globals.find((x) => x.name === name)
    if (!g) throw new Error(`no global ${name}`)
    return g
  }
  const strip = (t: DwarfType): DwarfType => (t.kind === 'typedef' || t.kind === 'qualified' ? strip(t.type) : t)
  const record = (name: string): DwarfRecord => {
    const t = strip(global(name).type)
    if (t.kind !== 'struct' && t.kind !== 'union') throw new Error(`${name} is not a record`)
    return t
  }
  const native = run(built.path, []).split('\n')
  const numbers = (prefix: string): number[] => (native.find((l) => l.startsWith(prefix + ' ')) ?? '').split(' ').slice(1).map(Number)

  it('each global once, declarations (extern) not counted', () => {
    const names = unit.globals.map((g) => g.name)
    expect(new Set(names).size).toBe(names.length)
    expect(names).toContain('handler')
    expect(global('handler').external).toBe(true)
    expect(global('hidden').external).toBeUndefined()
  })

  it('global addresses match gdb', () => {
    for (const name of ['head', 'num', 'fl', 'mx', 'lv', 'matrix', 'message', 'handler']) {
      expect(global(name).location, name).toEqual({ kind: 'static', address: gdbAddressOf(built.path, name) })
    }
  })

  it('struct, union and member offsets match sizeof/offsetof run natively', () => {
    const [nodeSize, nextOff] = numbers('node')
    expect(record('head').size).toBe(nodeSize)
    expect(record('head').members.map((m) => [m.name, m.offset])).toEqual([
      ['value', 0],
      ['next', nextOff],
    ])
    expect(record('num').size).toBe(numbers('number')[0])
    const [flagsSize, cOff] = numbers('flags')
    expect(record('fl').size).toBe(flagsSize)
    expect(record('fl').members.find((m) => m.name === 'c')?.offset).toBe(cOff)
    const mixed = numbers('mixed')
    expect(record('mx').size).toBe(mixed[0])
    expect(record('mx').members.map((m) => m.offset)).toEqual(mixed.slice(1))
    expect(record('mx').members.map((m) => typeSize(m.type))).toEqual([1, 2, 8, 13, 8, 4])
  })

  it('anonymous union member, flexible array, incomplete struct, float and bool bases', () => {
    const packet = strip(global('incoming').type)
    if (packet.kind !== 'pointer' || packet.to.kind !== 'struct') throw new Error('incoming is not a struct pointer')
    const [size, dataOffset] = numbers('packet')
    expect(packet.to.size).toBe(size)
    expect(packet.to.members.map((m) => [m.name, m.offset, m.type.kind])).toEqual([
      ['length', 0, 'base'],
      [undefined, 4, 'union'],
      ['data', dataOffset, 'array'],
    ])
    expect(packet.to.members[2]?.type).toMatchObject({ kind: 'array', count: undefined })
    expect(global('handle').type).toMatchObject({ kind: 'pointer', to: { kind: 'struct', name: 'opaque', complete: false, members: [] } })
    expect(global('average').type).toEqual({ kind: 'base', name: 'double', size: 8, encoding: 'float' })
    expect(global('ready').type).toEqual({ kind: 'base', name: '_Bool', size: 1, encoding: 'boolean' })
    expect(global('octet').type).toEqual({ kind: 'base', name: 'unsigned char', size: 1, encoding: 'unsigned_char' })
    expect(typeSize(global('counts').type)).toBe(16)
  })

  it('self-referential struct is a cycle through one shared record', () => {
    const node = record('head')
    const next = node.members[1]?.type
    expect(next?.kind === 'pointer' && next.to).toBe(node)
  })

  it('bit-fields: width and bit position within their unit', () => {
    expect(record('fl').members.map((m) => [m.name, m.offset, m.bitSize, m.bitOffset])).toEqual([
      ['a', 0, 3, 0],
      ['b', 0, 5, 3],
      ['c', 4, undefined, undefined],
      ['d', 8, 1, 0],
    ])
  })

  it('enum values, 2-D array bounds, const volatile, typedef, function pointer', () => {
    expect(strip(global('lv').type)).toEqual({
      kind: 'enum',
      name: 'level',
      size: 4,
      enumerators: [
        { name: 'LOW', value: -1n },
        { name: 'MID', value: 7n },
        { name: 'HIGH', value: 1000n },
      ],
    })
    const int = { kind: 'base', name: 'int', size: 4, encoding: 'signed' }
    expect(global('matrix').type).toEqual({ kind: 'array', of: { kind: 'array', of: int, count: 4 }, count: 3 })
    expect(typeSize(global('matrix').type)).toBe(48)
    expect(global('mx').type).toMatchObject({ kind: 'typedef', name: 'mixed_t' })
    expect(record('mx').members[5]?.type).toEqual({ kind: 'qualified', isConst: true, isVolatile: true, type: int })
    const message = global('message').type
    expect(message).toMatchObject({ kind: 'qualified', isConst: true, type: { kind: 'pointer', to: { kind: 'qualified', isConst: true, type: { kind: 'base', name: 'char' } } } })
    const handler = global('handler').type
    expect(handler).toMatchObject({ kind: 'pointer', to: { kind: 'function', returns: int, variadic: true, prototyped: true } })
    expect(handler.kind === 'pointer' && handler.to.kind === 'function' && handler.to.params.length).toBe(1)
  })
})
