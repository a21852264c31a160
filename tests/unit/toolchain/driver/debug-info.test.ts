// -g in the driver and the CLI: the linker appends DWARF sections shaped like gcc's (readelf -S),
// readelf decodes them without a warning, nothing loaded changes (the program runs the same,
// natively and in the Memscape machine), several C units each get their own unit, and the CLI
// spells the option as gcc does (`memscape run FILE.c` builds with -g by default).

import { execFileSync, spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { buildForRun, parseBuildArgs, runBuild, type BuildCommand } from '../../../../electron/node/cli/cc'
import { DebugIndex, readDebugInfo } from '../../../../shared/debuginfo'
import { Machine } from '../../../../shared/machine/machine'
import { buildProgram, type DriverOptions } from '../../../../shared/toolchain/driver'
import { buildLibc } from '../../../../shared/toolchain/libc'
import { DRIVER_PROGRAM } from '../../debuginfo/driver-program'

const scratch = mkdtempSync(join(tmpdir(), 'memscape-driver-g-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const SOURCE = 'prog.c'
writeFileSync(join(scratch, SOURCE), DRIVER_PROGRAM)

function build(options: DriverOptions): Uint8Array {
  const result = buildProgram({ [SOURCE]: DRIVER_PROGRAM }, [SOURCE], { compilationDirectory: scratch, ...options })
  if (!result.executable) throw new Error(result.diagnostics)
  return result.executable
}

function save(name: string, bytes: Uint8Array): string {
  const path = join(scratch, name)
  writeFileSync(path, bytes, { mode: 0o755 })
  return path
}

interface SectionRow {
  readonly name: string
  readonly type: string
  readonly address: number
  readonly offset: number
  readonly size: number
  /** entry size, flags, link, info, alignment: what must equal gcc's. */
  readonly shape: string
}

/** `readelf -SW`, one row per section. */
function sections(path: string): SectionRow[] {
  const rows: SectionRow[] = []
  for (const line of execFileSync('readelf', ['-SW', path], { encoding: 'utf8' }).split('\n')) {
    const m = /^\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+([0-9a-f]{16})\s+([0-9a-f]+)\s+([0-9a-f]+)\s+(.*)$/.exec(line)
    if (!m) continue
    rows.push({ name: m[1]!, type: m[2]!, address: parseInt(m[3]!, 16), offset: parseInt(m[4]!, 16), size: parseInt(m[5]!, 16), shape: m[6]!.trim().split(/\s+/).join(' ') })
  }
  return rows
}

const debugRows = (rows: readonly SectionRow[]): SectionRow[] => rows.filter((row) => row.name.startsWith('.debug_'))

function runInMachine(image: Uint8Array) {
  const machine = Machine.fromElf(image, { argv: ['./prog'], env: [], seed: 7, aslr: 2, stdin: new Uint8Array(0), stdinClosed: true })
  let stdout = ''
  machine.onOutput = (fd, bytes) => {
    if (fd === 1) stdout += Buffer.from(bytes).toString('latin1')
  }
  const maps = machine.procMaps()
  let status = machine.status
  for (let slices = 0; slices < 100 && status.state !== 'exited' && status.state !== 'signaled'; slices++) status = machine.run(10_000_000)
  return { stdout, status, instructions: machine.instructionCount, maps }
}

/**
 * What the loader sees: the program headers and every segment's bytes (as hashes, so a
 * difference reads as one line). The first segment maps the ELF header, whose e_shoff (0x28),
 * e_shnum (0x3c) and e_shstrndx (0x3e) describe the section table that -g grows: zeroed here.
 */
function loadedImage(bytes: Uint8Array): string[] {
  const copy = bytes.slice()
  copy.fill(0, 0x28, 0x30)
  copy.fill(0, 0x3c, 0x40)
  const view = new DataView(copy.buffer)
  const phoff = Number(view.getBigUint64(0x20, true))
  const phnum = view.getUint16(0x38, true)
  const segments: string[] = []
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * 56
    const offset = Number(view.getBigUint64(at + 8, true))
    const fileSize = Number(view.getBigUint64(at + 32, true))
    const hash = createHash('sha256').update(copy.subarray(offset, offset + fileSize)).digest('hex')
    segments.push(`${Buffer.from(copy.subarray(at, at + 56)).toString('hex')} ${hash}`)
  }
  return segments
}

describe.each([
  { pie: false, stackProtector: 'none' },
  { pie: true, stackProtector: 'none' },
  { pie: false, stackProtector: 'all' },
  { pie: true, stackProtector: 'all' },
] as const)('-g, PIE $pie, stack protector $stackProtector', ({ pie, stackProtector }) => {
  const withDebug = build({ pie, stackProtector, debugInfo: true })
  const without = build({ pie, stackProtector })
  const ours = save(`g-${pie}-${stackProtector}`, withDebug)

  test('readelf -S lists the .debug_* sections exactly as for gcc -g, after the loaded sections, outside every segment', () => {
    const gccOut = join(scratch, `gcc-${pie}-${stackProtector}`)
    execFileSync('gcc', ['-g', '-O0', pie ? '-static-pie' : '-static', ...(pie ? [] : ['-no-pie']), stackProtector === 'none' ? '-fno-stack-protector' : '-fstack-protector-all', SOURCE, '-o', gccOut], { cwd: scratch, stdio: 'ignore' })
    const mine = sections(ours)
    const theirs = sections(gccOut)
    const shape = (rows: readonly SectionRow[]) => debugRows(rows).map(({ name, type, address, shape }) => ({ name, type, address, shape }))
    expect(shape(mine)).toEqual(shape(theirs))
    expect(shape(mine).map((row) => row.name)).toEqual(['.debug_aranges', '.debug_info', '.debug_abbrev', '.debug_line', '.debug_str', '.debug_line_str'])
    // Back to back, after every loaded byte, before the symbol table: ld's order.
    const debug = debugRows(mine)
    debug.slice(1).forEach((row, i) => expect(row.offset).toBe((debug[i] as SectionRow).offset + (debug[i] as SectionRow).size))
    const loadedEnd = Math.max(...mine.filter((row) => row.address !== 0 && row.type !== 'NOBITS').map((row) => row.offset + row.size))
    expect(debug[0]?.offset).toBeGreaterThanOrEqual(loadedEnd)
    expect(mine.map((row) => row.name).slice(-3)).toEqual(['.symtab', '.strtab', '.shstrtab'])
    // The address range table has gcc's layout (one set, one range: the unit's code).
    const aranges = (path: string): string => execFileSync('readelf', ['--debug-dump=aranges', path], { encoding: 'utf8' }).replace(/[0-9a-f]{16}/g, 'ADDRESS')
    expect(aranges(ours)).toBe(aranges(gccOut))
    const [unitRange] = readDebugInfo(withDebug).units[0]?.ranges ?? []
    const [, start, length] = /\n {4}([0-9a-f]{16}) ([0-9a-f]{16})\n/.exec(execFileSync('readelf', ['--debug-dump=aranges', ours], { encoding: 'utf8' })) ?? []
    expect(unitRange).toBeDefined()
    expect({ low: parseInt(start ?? '', 16), high: parseInt(start ?? '', 16) + parseInt(length ?? '', 16) }).toEqual(unitRange)
    const segmentMap = execFileSync('readelf', ['-lW', ours], { encoding: 'utf8' }).split('Section to Segment mapping:')[1] ?? ''
    expect(segmentMap).toContain('.text')
    expect(segmentMap).not.toContain('.debug')
  })

  test('readelf decodes every debug section without a warning', () => {
    const r = spawnSync('readelf', ['--debug-dump', ours], { encoding: 'utf8' })
    expect(r.status).toBe(0)
    expect(r.stderr).toBe('')
    expect(r.stdout).not.toMatch(/warning|error/i)
    expect(r.stdout).toContain('DW_TAG_subprogram')
    expect(r.stdout).toMatch(/DW_AT_name +: \(indirect line string, offset: 0x[0-9a-f]+\): prog\.c\n/)
    expect(r.stdout).toContain(`DW_AT_comp_dir    : (indirect line string, offset: 0): ${scratch}\n`)
  })

  test('only -g adds debug sections, and it changes nothing that is loaded', () => {
    expect(debugRows(sections(save(`plain-${pie}-${stackProtector}`, without)))).toEqual([])
    expect(readDebugInfo(without).units).toEqual([])
    expect(loadedImage(withDebug)).toEqual(loadedImage(without))
  })

  test('the program runs the same with and without -g, in the Memscape machine and natively', () => {
    const a = runInMachine(withDebug)
    const b = runInMachine(without)
    expect(a.status).toEqual({ state: 'exited', code: 34 })
    expect(a.stdout).toBe('hello 10 9 11 13\n226 17 ./prog\n')
    expect(a).toEqual(b)
    const native = spawnSync(ours, [], { encoding: 'utf8' })
    expect({ stdout: native.stdout.replace(ours, './prog'), status: native.status }).toEqual({ stdout: a.stdout, status: 34 })
  })
})

describe('several units', () => {
  const files = {
    'main.c': 'int helper(int x);\nstatic int twice(int v) { return 2 * v; }\nint main(void) {\n    int local = twice(3);\n    return helper(local);\n}\n',
    'lib/helper.c': 'static int twice(int v) { return v + v + 1; }\nint counter;\nint helper(int x)\n{\n    counter = twice(x);\n    return counter;\n}\n',
    'start.s': 'section .text\nglobal spare\nspare:\n    ret\n',
  }

  test('each source file is its own unit; static functions of the same name are told apart', () => {
    const result = buildProgram(files, ['main.c', 'lib/helper.c', 'start.s'], { debugInfo: true, compilationDirectory: '/src' })
    expect(result.diagnostics).toBe('')
    const info = readDebugInfo(result.executable as Uint8Array)
    expect(info.units.map((unit) => [unit.name, unit.compDir, unit.functions.map((f) => f.name)])).toEqual([
      ['main.c', '/src', ['twice', 'main']],
      ['lib/helper.c', '/src', ['twice', 'helper']],
      ['start.s', '/src', []],
    ])
    expect(info.units[2]?.producer).toBe('Memscape AS 0.1.0')
    const index = new DebugIndex(info)
    for (const unit of info.units.slice(0, 2)) {
      const twice = unit.functions.find((f) => f.name === 'twice')
      const symbol = result.link?.symbols.find((s) => s.name === 'twice' && s.file === unit.name.replace(/\.c$/, '.s'))
      expect(twice?.ranges[0]?.low, unit.name).toBe(Number(symbol?.address))
      expect(index.sourceAt(twice?.ranges[0]?.low ?? 0)?.file, unit.name).toBe(`/src/${unit.name}`)
    }
    expect(index.global('counter')?.declLine).toBe(2)
    expect(index.functionNamed('helper')?.returns).toEqual({ kind: 'base', name: 'int', size: 4, encoding: 'signed' })
    // The assembly file's lines, as `as -g` gives them, but no functions (nor does gas describe
    // any); no debug information for the libc (nor has Debian's static glibc).
    const spare = Number(result.link?.symbols.find((s) => s.name === 'spare')?.address)
    expect(index.functionAt(spare)).toBeUndefined()
    expect(index.sourceAt(spare)).toMatchObject({ file: '/src/start.s', line: 4 })
    const write = result.link?.symbols.find((s) => s.name === 'write')
    expect(index.sourceAt(Number(write?.address))).toBeUndefined()
    const without = buildProgram(files, ['main.c', 'lib/helper.c', 'start.s'], {})
    expect(loadedImage(result.executable as Uint8Array)).toEqual(loadedImage(without.executable as Uint8Array))
  })
})

describe('the conformance corpus with -g', () => {
  const corpus = join(__dirname, '../../../fixtures/conformance')
  const files: Record<string, string> = {}
  const collect = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) collect(path)
      else if (/\.[ch]$/.test(entry.name)) files[path] = readFileSync(path, 'utf8')
    }
  }
  collect(corpus)
  const programs = readdirSync(corpus).filter((name) => name.endsWith('.c'))

  test('every program builds with debug information that readelf decodes cleanly and our reader reads', () => {
    const libc = buildLibc({ pie: true })
    const problems: string[] = []
    for (const name of programs) {
      const path = join(corpus, name)
      const units = /^\/\/ conformance: units (.+)$/m.exec(files[path] ?? '')?.[1]?.split(/\s+/).map((unit) => join(corpus, unit)) ?? []
      const built = buildProgram(files, [path, ...units], { debugInfo: true, libc: () => libc, suppressWarnings: true })
      if (!built.executable) {
        problems.push(`${name}: ${built.diagnostics}`)
        continue
      }
      const out = save('corpus-program', built.executable)
      const decoded = spawnSync('readelf', ['--debug-dump', out], { encoding: 'utf8' })
      if (decoded.stderr !== '' || /warning/i.test(decoded.stdout)) problems.push(`${name}: readelf: ${decoded.stderr}`)
      const info = readDebugInfo(built.executable)
      const main = new DebugIndex(info).functionNamed('main')
      if (info.units.length !== 1 + units.length || main?.declFile !== path) problems.push(`${name}: units ${info.units.map((unit) => unit.name).join(', ')}; main in ${main?.declFile}`)
    }
    expect(problems).toEqual([])
    expect(programs.length).toBeGreaterThan(150)
    // Some 200 builds: minutes when the machine is busy.
  }, 180_000)
})

describe('the command line', () => {
  const parse = (args: string[]): BuildCommand => parseBuildArgs([...args, SOURCE], 'cc') as BuildCommand

  test('-g and its spellings turn debug information on, -g0 off; gcc\'s last one wins', () => {
    expect(parse([]).options.debugInfo).toBe(false)
    for (const flag of ['-g', '-g1', '-g2', '-g3', '-ggdb', '-gdwarf', '-gdwarf-5']) expect(parse([flag]).options.debugInfo, flag).toBe(true)
    expect(parse(['-g', '-g0']).options.debugInfo).toBe(false)
    expect(parse(['-g0', '-g']).options.debugInfo).toBe(true)
    const older = parse(['-gdwarf-4'])
    expect(older.options.debugInfo).toBe(true)
    expect(older.notes).toEqual(["'-gdwarf-4' treated as -gdwarf-5: Memscape writes DWARF version 5 only"])
    expect(() => parseBuildArgs(['-gsplit-dwarf', SOURCE], 'cc')).toThrow("unrecognized command-line option '-gsplit-dwarf'")
  })

  test('memscape as takes -g too, as GNU as and NASM do', () => {
    const assemble = (args: string[]) => (parseBuildArgs([...args, 'start.s'], 'as') as BuildCommand).options.debugInfo
    expect([assemble([]), assemble(['-g']), assemble(['-gdwarf-5']), assemble(['-g', '-g0'])]).toEqual([false, true, true, false])
  })

  test('memscape cc -g writes the sections, with the working directory as DW_AT_comp_dir', () => {
    let errors = ''
    const status = runBuild(parse(['-g', '-o', 'cli-g']), { err: (text) => (errors += text) }, 'cc', scratch)
    expect({ status, errors }).toEqual({ status: 0, errors: '' })
    const [unit] = readDebugInfo(new Uint8Array(readFileSync(join(scratch, 'cli-g')))).units
    expect(unit?.compDir).toBe(scratch)
    expect(unit?.producer).toBe('Memscape C 0.1.0 -g -O0 -fPIE')
  })

  test('memscape run FILE.c builds with -g unless --cc -g0 says otherwise', () => {
    const run = (ccArgs: string[]): Uint8Array => {
      const image = buildForRun(SOURCE, ccArgs, (text) => expect(text).toBe(''), scratch)
      if (typeof image === 'number') throw new Error(`status ${image}`)
      return image
    }
    expect(readDebugInfo(run([])).units.map((unit) => unit.name)).toEqual([SOURCE])
    expect(readDebugInfo(run(['-g0'])).units).toEqual([])
  })
})
