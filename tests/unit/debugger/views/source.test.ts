// list, info line, info locals/args, info symbol, info source, info sharedlibrary and file,
// compared with gdb 13 on the same gcc-built program, then on a Memscape-built one.

import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { createDispatcher, DebugSession, outputText } from '../../../../shared/debugger'
import { buildWithGcc, buildWithMemscape, drive, gdbTranscript, memscapeTranscript, normalise, scratch, SOURCE, type Built } from './harness'

const { dir, cleanUp } = scratch()
afterAll(cleanUp)
const gcc = buildWithGcc(dir, 'w')
const LINES = SOURCE.split('\n').length - 1

const sameFile = (text: string): string => normalise(text).replace(/( at | file )\.\//g, '$1')

async function sameAsGdb(built: Built, script: readonly string[]): Promise<void> {
  expect(sameFile(await memscapeTranscript(built, script))).toBe(sameFile(gdbTranscript(built, script)))
}

describe('list', () => {
  test('around main first, then on; list -, FUNCTION, FILE:LINE, ranges, *ADDRESS, past the end', async () => {
    await sameAsGdb(gcc, [
      'list', 'list', 'list -', 'list sum', 'list w.c:20', 'list 3', 'list 1,5', 'list -', 'list 25,40', 'list', 'list -',
      'list main,sum', 'list 5,3', 'list ,20', 'list square,', 'list *0x401649', 'list *0x401649,', 'list +', 'list 40', 'list w.c:0',
    ])
  }, 60_000)

  test('a stop centres the next list on its line; up and down on theirs', async () => {
    await sameAsGdb(gcc, ['break square', 'run', 'list', 'list', 'up', 'list', 'list -', 'down', 'list -', 'list -', 'list -', 'continue', 'list'])
  }, 60_000)

  test('errors', async () => {
    await sameAsGdb(gcc, ['list nosuch', 'list nosuch.c:3', 'list 99', 'list', 'list 1,2', 'list -'])
    const { run } = drive(gcc)
    for (const [line, message] of [
      ['list nosuch', 'Function "nosuch" not defined.'],
      ['list nosuch.c:3', 'No source file named nosuch.c.'],
      ['list 99', `Line number 94 out of range; w.c has ${LINES} lines.`],
    ] as const) {
      const output = await run(line)
      expect(output.ok).toBe(false)
      expect(outputText(output)).toBe(`${message}\n`)
    }
    const noSource = drive(gcc, { sources: false })
    expect(outputText(await noSource.run('list 10,12'))).toBe('10\tw.c: No such file or directory.\n')
  }, 60_000)
})

describe('info', () => {
  test('info line for lines with and without code, functions, addresses; x/i follows it', async () => {
    await sameAsGdb(gcc, [
      'info line', 'info line 20', 'info line 19', 'info line 24', 'info line 3', 'info line 99', 'info line sum', 'info line main',
      'info line *0x401649', 'info line *0x401018', 'list 1,5', 'info line', 'info line', 'x/i', 'print $_', 'info line nosuch',
    ])
  }, 60_000)

  test('stopped: info line, info locals and info args in each frame, info symbol, info source', async () => {
    await sameAsGdb(gcc, [
      'break square', 'run', 'info line', 'info locals', 'info args', 'up', 'info locals', 'info args', 'up', 'info locals', 'info args',
      'info symbol $pc', 'info symbol $rsp', 'info symbol &table[1]', 'info symbol &origin', 'info symbol 0', 'info symbol &counter',
      'info symbol main+3', 'info symbol 0x401018', 'info source', 'info sharedlibrary', 'frame 0', 'info line', 'finish', 'info locals',
    ])
  }, 60_000)

  test('without a process: info symbol from the file, info source after a listing, no frame for locals', async () => {
    await sameAsGdb(gcc, ['info source', 'info symbol main', 'info symbol &g', 'info symbol g', 'info sharedlibrary', 'list 1,2', 'info source', 'info locals', 'info args'])
    const { run } = drive(gcc)
    for (const line of ['info locals', 'info args']) {
      const output = await run(line)
      expect(output.ok).toBe(false)
      expect(outputText(output)).toBe('No frame selected.\n')
    }
    expect(outputText(await run('info symbol'))).toBe('Argument required (address).\n')
  }, 60_000)

  test('info all-registers: the general rows, then x87, xmm0-15 and mxcsr as gdb prints them without AVX', async () => {
    const { run, session } = drive(gcc)
    await run('break square')
    await run('run')
    const cpu = session.inferior!.machine.cpu
    cpu.r.xmm.set([0x3f800000, 0, 0, 0], 4)
    cpu.r.xmm.set([-1, -1, -1, -1], 8)
    cpu.x87.push(0x4000, 0xa000000000000000n)
    const text = outputText(await run('info all-registers'))
    const rows = text.split('\n').filter((row) => row !== '')
    expect(rows.map((row) => row.split(/\s+/)[0])).toEqual([
      'rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'rip', 'eflags',
      'cs', 'ss', 'ds', 'es', 'fs', 'gs', 'st0', 'st1', 'st2', 'st3', 'st4', 'st5', 'st6', 'st7',
      'fctrl', 'fstat', 'ftag', 'fiseg', 'fioff', 'foseg', 'fooff', 'fop', ...Array.from({ length: 16 }, (_, i) => `xmm${i}`), 'mxcsr',
    ])
    expect(rows).toContain('st0            2.5                 (raw 0x4000a000000000000000)')
    expect(rows).toContain('fctrl          0x37f               895')
    expect(rows).toContain('mxcsr          0x1f80              [ IM DM ZM OM UM PM ]')
    expect(rows).toContain(
      'xmm1           {v8_bfloat16 = {0x0, 0x3f80, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0}, v8_half = {0x0, 0x3f80, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0}, ' +
        'v4_float = {0x3f800000, 0x0, 0x0, 0x0}, v2_double = {0x3f800000, 0x0}, v16_int8 = {0x0, 0x0, 0x80, 0x3f, 0x0 <repeats 12 times>}, ' +
        'v8_int16 = {0x0, 0x3f80, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0}, v4_int32 = {0x3f800000, 0x0, 0x0, 0x0}, v2_int64 = {0x3f800000, 0x0}, uint128 = 0x3f800000}',
    )
    expect(rows).toContain(
      'xmm2           {v8_bfloat16 = {0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff}, v8_half = {0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff}, ' +
        'v4_float = {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, v2_double = {0xffffffffffffffff, 0xffffffffffffffff}, v16_int8 = {0xff <repeats 16 times>}, ' +
        'v8_int16 = {0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff, 0xffff}, v4_int32 = {0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff}, ' +
        'v2_int64 = {0xffffffffffffffff, 0xffffffffffffffff}, uint128 = 0xffffffffffffffffffffffffffffffff}',
    )
    // ftag: st0 (physical 7 after one push) valid, the rest empty.
    expect(rows).toContain('ftag           0x3fff              16383')
    expect(outputText(await run('info all-registers xmm1 rip'))).toMatch(/^xmm1 {11}\{v8_bfloat16.*\nrip {12}0x40161c {12}0x40161c <square\+7>\n$/)
    expect((await run('info all-registers xmm16')).ok).toBe(false)
    // The rows gdb and we share match gdb's.
    await sameAsGdb(gcc, ['break square', 'run', 'info all-registers rip mxcsr fctrl fstat ftag fiseg fioff foseg fooff fop st0 st7'])
    // Named, any register is info registers' too, as in gdb.
    await sameAsGdb(gcc, ['break square', 'run', 'info registers rip mxcsr fctrl st0 eflags'])
    expect(outputText(await run('info registers xmm1'))).toBe(outputText(await run('info all-registers xmm1')))
  }, 60_000)
})

describe('file', () => {
  function session(files: Record<string, Uint8Array>): { run: (line: string) => Promise<{ ok: boolean; text: string }>; debug: DebugSession } {
    const debug = new DebugSession({ run: { aslr: 0 } })
    debug.readFile = (path) => files[path] ?? null
    const dispatcher = createDispatcher(debug)
    return { debug, run: async (line) => { const output = await dispatcher.execute(line); return { ok: output.ok, text: outputText(output) } } }
  }

  test('reads the program and its sources through the host, and says when there are no debugging symbols', async () => {
    const stripped = join(dir, 'w-stripped')
    execFileSync('strip', ['-o', stripped, gcc.path])
    const { run, debug } = session({
      '/work/w': new Uint8Array(readFileSync(gcc.path)),
      [gcc.sourcePath]: new TextEncoder().encode(gcc.source),
      '/work/stripped': new Uint8Array(readFileSync(stripped)),
      '/work/notes.txt': new TextEncoder().encode('not a program'),
    })
    expect(await run('file /work/w')).toEqual({ ok: true, text: 'Reading symbols from /work/w...\n' })
    expect(debug.program?.path).toBe('/work/w')
    expect((await run('list 15,15')).text).toBe('15\t  return v * v;\n')
    expect(await run('file /work/stripped')).toEqual({ ok: true, text: 'Reading symbols from /work/stripped...\n(No debugging symbols found in /work/stripped)\n' })
    expect(await run('list')).toEqual({ ok: false, text: 'No symbol table is loaded.  Use the "file" command.\n' })
    expect(await run('print main')).toEqual({ ok: false, text: 'No symbol table is loaded.  Use the "file" command.\n' })
    expect(await run('file /work/missing')).toEqual({ ok: false, text: '/work/missing: No such file or directory.\n' })
    expect((await run('file /work/notes.txt')).text).toMatch(/^"\/work\/notes.txt": not in executable format: /)
    expect(await run('file')).toEqual({ ok: true, text: 'No executable file now.\nNo symbol file now.\n' })
    expect(debug.program).toBeNull()
    expect((await run('disassemble main')).ok).toBe(false)
  })
})

describe('a Memscape-built program', () => {
  test('list, info line, locals and args, info symbol and info source as gdb shows them', async () => {
    const memscape = buildWithMemscape(dir, 'm')
    // gdb makes two symbol tables of the unit's `./m.c` (one named `././m.c`, with no lines) and
    // reports the line for each; the one with lines is the one we report.
    const script = [
      'list square', 'info line 15', 'info line 20', 'info symbol main', 'info symbol &g', 'break square', 'run', 'list',
      'info locals', 'info args', 'up', 'info locals', 'info args', 'info symbol $pc', 'info line',
    ]
    const gdb = sameFile(gdbTranscript(memscape, script)).replace(/^Line number \d+ is out of range for "\.\/\.\/m\.c"\.\n/gm, '')
    expect(sameFile(await memscapeTranscript(memscape, script))).toBe(gdb)
    const { text } = drive(memscape)
    await text('list 1,1')
    const lines = (await text('info source')).split('\n')
    expect(lines.slice(0, 5)).toEqual(['Current source file is ./m.c', 'Compilation directory is .', `Located in ${join(dir, 'm.c')}`, `Contains ${LINES} lines.`, 'Source language is c.'])
    expect(lines[5]).toMatch(/^Producer is Memscape C .*\.$/)
    expect(lines.slice(6)).toEqual(['Compiled with DWARF 5 debugging format.', 'Does not include preprocessor macro info.', ''])
  }, 60_000)
})
