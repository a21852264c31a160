// Changing the program from the debugger: return, jump, call and set var against gdb 13 run
// interactively (its confirmation queries answered from a non-terminal, as the debugger
// prints them), patch and asm as pwndbg shapes them, and every change exact under reverse
// execution: going back before it and forward again gives the same instruction count,
// registers and memory.

import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SQUARES_AND_FACTORIAL, SQUARES_PRINTED } from './programs'
import { sessionOver, type DrivenSession } from './session-harness'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createDispatcher, outputText, type DebugSession } from '../../../shared/debugger'
import { GENERAL_REGISTERS } from '../../../shared/debugger/registers'
import { buildProgram } from '../../../shared/toolchain/driver'

let dir: string
let gccBinary: string
let printing: Uint8Array

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'memscape-changes-'))
  writeFileSync(join(dir, 'c.c'), SQUARES_AND_FACTORIAL)
  gccBinary = join(dir, 'c')
  execFileSync('gcc', ['-g', '-O0', '-static', '-no-pie', '-fno-stack-protector', '-o', gccBinary, 'c.c'], { cwd: dir })
  const built = buildProgram({ 'p.c': SQUARES_PRINTED }, ['p.c'], { pie: false, debugInfo: true, compilationDirectory: dir })
  if (!built.executable) throw new Error(built.diagnostics)
  printing = built.executable
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** What gdb prints (standard output only) when its commands come with -ex and it runs interactively. */
function gdbInteractive(commands: readonly string[]): string {
  const args = ['-nx', '-q', ...commands.flatMap((c) => ['-ex', c]), '-ex', 'kill', '-ex', 'quit', gccBinary]
  const result = spawnSync('gdb', args, { cwd: dir, input: '', encoding: 'utf8' })
  return result.stdout
}

type Harness = DrivenSession

const harness = (path: string, image: Uint8Array, sources: Record<string, string>): Harness => sessionOver(path, image, sources)

const gccHarness = (): Harness => harness(gccBinary, new Uint8Array(readFileSync(gccBinary)), { [join(dir, 'c.c')]: SQUARES_AND_FACTORIAL })
const printingHarness = (): Harness => harness(join(dir, 'p'), printing, { [join(dir, 'p.c')]: SQUARES_PRINTED })

function normalise(text: string): string {
  return text
    .split('\n')
    .filter((line) => !/^(Reading symbols|Starting program:|Kill the program|\[Inferior 1 \(process \d+\) killed\]|Delete all breakpoints\?)/.test(line))
    .join('\n')
    .trim()
}

async function expectSameAsGdb(commands: readonly string[]): Promise<void> {
  const { run } = gccHarness()
  let memscape = ''
  for (const command of commands) memscape += await run(command)
  expect(normalise(memscape)).toBe(normalise(gdbInteractive(commands)))
}

describe('return, jump, call and set var against gdb', () => {
  test('return pops the selected frame, with or without a value, and prints the new frame', async () => {
    await expectSameAsGdb(['break square', 'run', 'return 99', 'bt', 'next', 'p total', 'up', 'return 5', 'p $rax', 'p $rip'])
  })

  test('call runs a function with integer arguments and prints its value; jump continues elsewhere', async () => {
    await expectSameAsGdb([
      'break sum', 'run', 'delete', 'call square(5)', 'call sum(4)', 'call (void)square(2)', 'call g', 'call (long)fact(5)', 'p $',
      'info registers rip', 'break 20', 'jump 20', 'info breakpoints', 'p g', 'set var g = 100', 'jump 20', 'p g', 'next', 'p g',
    ])
  })

  test('jump to a line of another function asks first, then runs from there', async () => {
    await expectSameAsGdb(['break square', 'run', 'break 19', 'jump 9', 'p $rax', 'bt'])
  })
})

/** Instruction count, every general register, rip and eflags, and bytes of memory that matter. */
function snapshot(session: DebugSession, places: readonly [number, number][]): string {
  const inferior = session.inferior!
  const registers = [...GENERAL_REGISTERS, 'rip', 'eflags'].map((name) => `${name}=${inferior.register(name)!.toString(16)}`)
  const memory = places.map(([address, length]) => Buffer.from(inferior.read(address, length) ?? new Uint8Array(0)).toString('hex'))
  return [`count=${inferior.instructionCount}`, ...registers, ...memory].join('\n')
}

describe('changes replayed exactly by reverse execution', () => {
  test('set var, patch and jump: back before them the old state, forward again the same new one', async () => {
    const { session, run, output } = printingHarness()
    await run('break sum')
    await run('run')
    const inferior = session.inferior!
    const square = Number(inferior.program.symbols.named('square')!.value)
    const gAddress = Number(inferior.program.symbols.named('g')!.value)
    const rsp = inferior.registerNumber('rsp')
    const places: [number, number][] = [[square, 16], [gAddress, 4], [rsp - 256, 512]]
    const start = inferior.instructionCount
    const originalCode = inferior.read(square, 16)

    expect(await run('set var g = 41')).toBe('')
    // square(v) now returns v * v + 1.
    expect(await run('patch square "mov eax, edi; imul eax, edi; inc eax; ret"')).toMatch(/^Patched 8 bytes at 0x[0-9a-f]+\n {2}from: .*\n {2}to {2}: mov eax,edi; imul eax,edi; inc eax; ret\n$/)
    expect(await run('set var n = 4')).toBe('')
    expect(await run('next')).toBe('8\t  for (int i = 1; i <= n; i++)\n')
    // Back to the line that sets total, where the breakpoint is: it stops there at once.
    expect(await run('jump 7')).toMatch(/^Continuing at 0x[0-9a-f]+\.\n\nBreakpoint 1, sum \(n=4\) at p\.c:7\n/)
    await run('delete')
    await run('break 15')
    expect(await run('continue')).toContain('Breakpoint 2, main () at p.c:15')
    expect(await run('p x')).toBe('$1 = 34\n')
    expect(await run('p g')).toBe('$2 = 35\n')
    const end = inferior.instructionCount
    const after = snapshot(session, places)

    // Before the changes, everything is as it was.
    await run(`goto ${start - 1}`)
    expect(await run('p g')).toBe('$3 = 7\n')
    expect(inferior.read(square, 16)).toEqual(originalCode)
    await run('stepi')
    expect(inferior.instructionCount).toBe(start)
    expect(await run('p g')).toBe('$4 = 41\n')
    // Forward again: the same state, byte for byte.
    await run(`goto ${end}`)
    expect(snapshot(session, places)).toBe(after)
    // Back by reverse-continue (the breakpoint in main) and reverse-step, forward by next: still the same.
    await run('reverse-step')
    await run('reverse-next')
    await run('next')
    await run('next')
    expect(inferior.instructionCount).toBe(end)
    expect(snapshot(session, places)).toBe(after)
    await run('continue')
    // The program's output is passed on once, however often history was replayed.
    expect(output()).toBe('x=34 g=35\n')
  })

  test('call: its run is in history, and the registers come back as they were', async () => {
    const { session, run } = printingHarness()
    await run('break 14')
    await run('run')
    const inferior = session.inferior!
    const places: [number, number][] = [[inferior.registerNumber('rsp') - 64, 128]]
    const start = inferior.instructionCount
    const registersBefore = snapshot(session, []).split('\n').slice(1).join('\n')
    expect(await run('call square(12)')).toBe('$1 = 144\n')
    expect(await run('call sum(5)')).toBe('$2 = 55\n')
    expect(snapshot(session, []).split('\n').slice(1).join('\n')).toBe(registersBefore)
    const end = inferior.instructionCount
    expect(end).toBeGreaterThan(start)
    const after = snapshot(session, places)
    await run(`goto ${start}`)
    await run(`goto ${end}`)
    expect(snapshot(session, places)).toBe(after)
    expect(await run('next')).toBe('15\t  printf("x=%d g=%d\\n", x, g);\n')
  })

  test('return and jump at a fatal signal revive the program at that instruction', async () => {
    const source = `int crash(int *p) {
  return *p;
}
int main(void) {
  int r = crash(0);
  return r + 3;
}
`
    const built = buildProgram({ 'k.c': source }, ['k.c'], { pie: false, debugInfo: true, compilationDirectory: dir })
    const { session, run } = harness(join(dir, 'k'), built.executable!, { [join(dir, 'k.c')]: source })
    expect(await run('run')).toContain('Program received signal SIGSEGV, Segmentation fault.')
    const faulted = session.inferior!.instructionCount
    expect(await run('return 39')).toMatch(/^Make crash return now\? \(y or n\) \[answered Y; input not from terminal\]\n#0 {2}0x[0-9a-f]{16} in main \(\) at k\.c:5\n/)
    expect(session.inferior!.phase).toBe('alive')
    expect(await run('continue')).toContain('exited with code 52]')
    await run(`goto ${faulted - 1}`)
    expect(await run('p $pc')).toMatch(/<crash\+/)
  })
})

describe('patch and asm', () => {
  test('asm prints hex as pwndbg does, and writes with an address', async () => {
    const { session, run } = gccHarness()
    expect(await run('asm xor rax, rax')).toBe('4831c0\n')
    expect(await run('asm -f string "push 0x41; pop rax"')).toBe("b'jAX'\n")
    expect(await run('asm "jmp 0x401000" 0x401000')).toBe('')
    await run('break main')
    await run('run')
    const pc = session.inferior!.pc
    expect(await run(`asm "jmp 0x${pc.toString(16)}" $pc`)).toBe('ebfe\n2 bytes written at 0x' + pc.toString(16) + '.\n')
    expect(await run('x/2xb $pc')).toMatch(/0xeb\s+0xfe/)
  })

  test('patch takes hex bytes or instructions and shows the old and new instructions', async () => {
    const { session, run } = gccHarness()
    await run('break main')
    await run('run')
    const pc = session.inferior!.pc
    expect(await run('patch $pc 90 90')).toMatch(new RegExp(`^Patched 2 bytes at 0x${pc.toString(16)}\\n  from: .*\\n  to  : nop; nop\\n$`))
    expect(await run('patch $pc \\x90\\xcc')).toMatch(/to {2}: nop; int3\n$/)
    expect(await run('x/2xb $pc')).toMatch(/0x90\s+0xcc/)
  })

  test('mistakes are reported as errors', async () => {
    const dispatcher = createDispatcher(gccHarness().session)
    for (const line of ['patch', 'patch $pc', 'patch 0 nop', 'asm', 'asm "foo bar"', 'asm -f octal nop', 'jump', 'return', 'call square(2)', 'call']) {
      const output = await dispatcher.execute(line)
      expect(output.ok, line).toBe(false)
      expect(outputText(output), line).not.toMatch(/Internal error/)
    }
  })
})
