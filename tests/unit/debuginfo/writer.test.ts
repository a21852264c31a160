import { execFileSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { DebugIndex, DwarfError, readDebugInfo, readDwarf, writeDwarf, type CompilationUnit, type DwarfType, type UnitInput } from '../../../shared/debuginfo'
import { canonicalUnit, typeText } from './canonical'
import { cleanUp, fixture, gcc, gdbAddressOf, gdbScope, readelfLines, run, stderrOf, workDir } from './native'

afterAll(cleanUp)

const sectionsFrom = (out: ReturnType<typeof writeDwarf>) => ({
  info: out['.debug_info'],
  abbrev: out['.debug_abbrev'],
  line: out['.debug_line'],
  str: out['.debug_str'],
  lineStr: out['.debug_line_str'],
})

const asInput = (u: CompilationUnit): UnitInput => ({ ...u, lines: u.lines })

/** Replaces a gcc binary's debug sections with ours (objcopy), as the linker would emit them. */
function withOurDwarf(built: { path: string }, units: readonly UnitInput[]): { path: string; bytes: Uint8Array } {
  const dir = workDir()
  // Same file name as gcc's output: gdb puts the path on the stack, so its length moves every address printed.
  const out = join(dir, basename(built.path))
  const written = writeDwarf(units)
  const args = ['--strip-debug']
  for (const [name, bytes] of Object.entries(written)) {
    const file = join(dir, name.slice(1))
    writeFileSync(file, bytes)
    args.push('--add-section', `${name}=${file}`, '--set-section-flags', `${name}=contents,readonly,debug`)
  }
  execFileSync('objcopy', [...args, built.path, out])
  return { path: out, bytes: new Uint8Array(readFileSync(out)) }
}

describe.each([
  ['frames.c', ['-g', '-O0', '-static', '-fno-stack-protector']],
  ['frames.c', ['-g', '-O0', '-static', '-fstack-protector-all']],
  ['types.c', ['-g', '-O0', '-static']],
  ['types.c', ['-g', '-O2', '-static']],
])('%s %j: gcc model -> writeDwarf', (source, flags) => {
  const built = gcc(fixture(source), flags)
  const gccUnit = readDebugInfo(built.bytes).units.find((u) => basename(u.name) === source) as CompilationUnit
  // -O2 variables live in location lists, which the writer does not encode: drop them.
  const input: UnitInput = {
    ...asInput(gccUnit),
    functions: gccUnit.functions.filter((f) => f.ranges.length === 1),
  }

  it('reads back as the same model', () => {
    const back = readDwarf(sectionsFrom(writeDwarf([input]))).units
    expect(back).toHaveLength(1)
    const ours = canonicalUnit(back[0] as CompilationUnit) as Record<string, unknown>
    const theirs = canonicalUnit({ ...gccUnit, functions: input.functions }) as Record<string, unknown>
    // The unit range is recomputed from the functions written.
    delete ours.ranges
    delete theirs.ranges
    expect(ours).toEqual(theirs)
  })

  it('readelf decodes our line table as it decodes gcc\'s, without warnings', () => {
    const ours = withOurDwarf(built, [input])
    expect(readelfLines(ours.path)).toEqual(readelfLines(built.path))
    expect(stderrOf('readelf', ['--debug-dump=info,abbrev,line,str', ours.path])).toBe('')
  })

  it('gdb finds the same globals, frame slots and lines', () => {
    const ours = withOurDwarf(built, [input])
    for (const g of gccUnit.globals) {
      if (g.location.kind === 'static') expect(gdbAddressOf(ours.path, g.name), g.name).toBe(g.location.address)
    }
    for (const f of input.functions) {
      const scope = gdbScope(ours.path, f.name)
      // gcc's slots are CFA-relative (rbp offset = fbreg + 16); ours gdb resolves against rbp.
      const expected = new Map([...gdbScope(built.path, f.name)].map(([name, slot]) => [name, { rbpOffset: (slot.fbreg ?? NaN) + 16, length: slot.length }]))
      if (flags.includes('-O0')) expect(scope, f.name).toEqual(expected)
      const want = run('gdb', ['-batch', '-nx', '-ex', `info line ${f.name}`, built.path])
      expect(run('gdb', ['-batch', '-nx', '-ex', `info line ${f.name}`, ours.path]), f.name).toBe(want)
    }
  })
})

describe('gdb running the program reads the same values through our DWARF as through gcc\'s', () => {
  for (const flags of [['-fno-stack-protector'], ['-fstack-protector-all']]) {
    it(`frames.c ${flags.join(' ')}`, () => {
      const built = gcc(fixture('frames.c'), ['-g', '-O0', '-static', ...flags])
      const unit = readDebugInfo(built.bytes).units.find((u) => basename(u.name) === 'frames.c') as CompilationUnit
      const ours = withOurDwarf(built, [asInput(unit)])
      const session = (path: string): string =>
        run('gdb', ['-batch', '-nx', '-ex', 'break 14', '-ex', 'run', '-ex', 'info args', '-ex', 'info locals', '-ex', 'print &buf', '-ex', 'print sizeof(p)', '-ex', 'print counter', '-ex', 'ptype p', '-ex', 'bt', path])
      const theirs = session(built.path)
      expect(theirs).toContain('p = {x = 1, c = 97')
      expect(session(ours.path)).toBe(theirs)
    })
  }
})

describe('writer input from a back end', () => {
  // What a compiler that owns its layout would hand over: final addresses, rbp offsets.
  const int: DwarfType = { kind: 'base', name: 'int', size: 4, encoding: 'signed' }
  const members: { name: string; type: DwarfType; offset: number }[] = []
  const node = { kind: 'struct' as const, id: 7, name: 'node', size: 16, complete: true, members }
  members.push({ name: 'value', type: int, offset: 0 }, { name: 'next', type: { kind: 'pointer', to: node }, offset: 8 })
  const unit: UnitInput = {
    name: 'prog.c',
    compDir: '/src',
    producer: 'memscape cc',
    lines: [
      { address: 0x401000, file: 'prog.c', line: 3 },
      { address: 0x401008, file: 'prog.c', line: 4 },
      { address: 0x401010, file: '/usr/include/inline.h', line: 40, column: 5 },
      { address: 0x401400, file: 'prog.c', line: 200 },
      { address: 0x401420, file: 'prog.c', line: 2 },
      { address: 0x401430, file: 'prog.c', line: 2, endSequence: true },
    ],
    functions: [
      {
        name: 'walk',
        ranges: [{ low: 0x401000, high: 0x401430 }],
        returns: int,
        external: true,
        declFile: 'prog.c',
        declLine: 2,
        params: [{ name: 'head', type: { kind: 'pointer', to: node }, location: { kind: 'frame', rbpOffset: -24 } }],
        locals: [{ name: 'buf', type: { kind: 'array', of: { kind: 'base', name: 'char', size: 1, encoding: 'signed_char' }, count: 64 }, location: { kind: 'frame', rbpOffset: -0x50 } }],
        blocks: [{ ranges: [{ low: 0x401008, high: 0x401010 }], locals: [{ name: 'n', type: int, location: { kind: 'frame', rbpOffset: -4 } }], blocks: [] }],
      },
    ],
    globals: [{ name: 'list', type: node, location: { kind: 'static', address: 0x4c6000 }, declFile: 'prog.c', declLine: 1 }],
  }

  it('round-trips, with the cycle intact and lookups working', () => {
    const info = readDwarf(sectionsFrom(writeDwarf([unit])))
    const u = info.units[0] as CompilationUnit
    expect(u.name).toBe('prog.c')
    expect(u.lines.map((r) => [r.address, r.file, r.line, r.column, r.endSequence])).toEqual([
      [0x401000, '/src/prog.c', 3, 0, false],
      [0x401008, '/src/prog.c', 4, 0, false],
      [0x401010, '/usr/include/inline.h', 40, 5, false],
      [0x401400, '/src/prog.c', 200, 0, false],
      [0x401420, '/src/prog.c', 2, 0, false],
      [0x401430, '/src/prog.c', 2, 0, true],
    ])
    const list = u.globals[0]
    expect(list?.type.kind === 'struct' && list.type.members[1]?.type).toEqual({ kind: 'pointer', to: list?.type })
    expect(typeText(list?.type as DwarfType)).toBe(typeText(node))
    const index = new DebugIndex(info)
    expect(index.sourceAt(0x40100c)).toEqual({ file: '/src/prog.c', line: 4, column: 0 })
    expect(index.sourceAt(0x401430)).toBeUndefined()
    expect(index.addressesOf('prog.c', 200)).toEqual([0x401400])
    expect(index.functionAt(0x401429)?.name).toBe('walk')
    expect(index.variablesAt(0x40100a).map((v) => v.name)).toEqual(['head', 'buf', 'n'])
    expect(index.variablesAt(0x401010).map((v) => v.name)).toEqual(['head', 'buf'])
    expect(index.global('list')?.location).toEqual({ kind: 'static', address: 0x4c6000 })
    expect(u.functions[0]?.locals[0]?.location).toEqual({ kind: 'frame', rbpOffset: -0x50 })
  })

  it('writes a pointer to a qualified type and reads it back', () => {
    const t: DwarfType = { kind: 'pointer', to: { kind: 'qualified', isConst: true, isVolatile: false, type: { kind: 'base', name: 'char', size: 1, encoding: 'signed_char' } } }
    const written = writeDwarf([{ ...unit, globals: [{ name: 'msg', type: t, location: { kind: 'static', address: 0x4c7000 } }] }])
    expect(typeText(readDwarf(sectionsFrom(written)).units[0]?.globals[0]?.type as DwarfType)).toBe('*const char:1:signed_char')
  })

  it('rejects input it cannot encode, with a DwarfError', () => {
    expect(() => writeDwarf([{ ...unit, lines: unit.lines.slice(0, 3) }])).toThrow(/must end the sequence/)
    expect(() => writeDwarf([{ ...unit, lines: [unit.lines[1], unit.lines[0], unit.lines[5]] as UnitInput['lines'] }])).toThrow(DwarfError)
    const split = { ...unit.functions[0], ranges: [{ low: 1, high: 2 }, { low: 5, high: 6 }] } as (typeof unit.functions)[0]
    expect(() => writeDwarf([{ ...unit, functions: [split] }])).toThrow(/exactly one address range/)
  })
})
