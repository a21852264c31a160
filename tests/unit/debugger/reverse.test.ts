// Reverse execution against gdb 13's `record full` on the same programs, one built by
// Memscape's toolchain (whose libc gdb can record) and one by gcc (without libc calls in the
// recorded stretch: glibc's AVX-512 string functions stop gdb's recording): after the same
// forward commands, the same reverse-step / reverse-next / reverse-finish / reverse-nexti /
// reverse-stepi commands stop at the same lines, print them the same way, and count
// breakpoint hits the same way. gdb records only from `record` on, so the scripts stay after
// that point; Memscape records every run from its first instruction.

import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SQUARES_AND_FACTORIAL } from './programs'
import { sessionOver, type DrivenSession } from './session-harness'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createDispatcher, DebugSession, outputText } from '../../../shared/debugger'
import { buildProgram } from '../../../shared/toolchain/driver'

const SOURCE = `#include <stdio.h>
int g = 7;
int square(int v) {
  return v * v;
}
int sum(int n) {
  int total = 0;
  for (int i = 1; i <= n; i++)
    total += square(i);
  return total;
}
int fact(int n) {
  if (n <= 1)
    return 1;
  return n * fact(n - 1);
}
int main(void) {
  int x = sum(3);
  g = x + 1;
  puts("hello");
  x = fact(4);
  g = g + x;
  printf("%d %d\\n", x, g);
  return 0;
}
`

interface Built {
  binary: string
  image: Uint8Array
  source: string
  sourcePath: string
}

let dir: string
let memscapeBuilt: Built
let gccBuilt: Built

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'memscape-reverse-'))
  writeFileSync(join(dir, 'rev.c'), SOURCE)
  const built = buildProgram({ 'rev.c': SOURCE }, ['rev.c'], { pie: false, debugInfo: true, compilationDirectory: dir })
  if (!built.executable) throw new Error(built.diagnostics)
  memscapeBuilt = { binary: join(dir, 'rev'), image: built.executable, source: SOURCE, sourcePath: join(dir, 'rev.c') }
  writeFileSync(memscapeBuilt.binary, built.executable, { mode: 0o755 })
  writeFileSync(join(dir, 'quiet.c'), SQUARES_AND_FACTORIAL)
  execFileSync('gcc', ['-g', '-O0', '-static', '-no-pie', '-fno-stack-protector', '-o', 'quiet', 'quiet.c'], { cwd: dir })
  gccBuilt = { binary: join(dir, 'quiet'), image: new Uint8Array(readFileSync(join(dir, 'quiet'))), source: SQUARES_AND_FACTORIAL, sourcePath: join(dir, 'quiet.c') }
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

function gdbTranscript(program: Built, commands: readonly string[]): string {
  const args = ['-batch', '-nx', ...commands.flatMap((c) => ['-ex', c]), program.binary]
  return execFileSync('gdb', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
}

function newSession(program: Built): DrivenSession {
  return sessionOver(program.binary, program.image, { [program.sourcePath]: program.source })
}

async function memscapeTranscript(program: Built, commands: readonly string[]): Promise<string> {
  const { run } = newSession(program)
  let text = ''
  for (const command of commands) text += await run(command)
  return text
}

/** What differs and says nothing about reverse execution: gdb's `record` is a no-op here, the program's own output. */
function normalise(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.startsWith('Starting program:') && line !== 'Continuing.' && !line.startsWith('Run back to call of') && !/^(hello|24 39)$/.test(line))
    .join('\n')
}

async function expectSameAsGdb(commands: readonly string[], program = memscapeBuilt): Promise<void> {
  const memscape = normalise(await memscapeTranscript(program, commands.filter((c) => c !== 'record')))
  expect(memscape).toBe(normalise(gdbTranscript(program, commands)))
}

const repeat = (command: string, times: number): string[] => Array.from({ length: times }, () => command)

describe('reverse stepping against gdb record full', () => {
  test('reverse-step walks back through returns, recursion and loops, line by line', async () => {
    await expectSameAsGdb(['break main', 'run', 'record', 'break 25', 'continue', ...repeat('reverse-step', 34)])
  })

  test('reverse-next skips whole calls, and stops twice on a line split over two rows', async () => {
    await expectSameAsGdb(['break main', 'run', 'record', 'next', 'next', 'next', 'next', 'next', 'next', ...repeat('reverse-next', 5), 'reverse-step', 'reverse-step', 'bt'])
  })

  test('reverse-next stops at a breakpoint inside a skipped call, and counts the hit', async () => {
    await expectSameAsGdb(['break main', 'run', 'record', 'break square', 'continue', 'continue', ...repeat('reverse-next', 4), 'info breakpoints'])
  })

  test('arriving at a breakpoint going back reports it, and counts the hit', async () => {
    await expectSameAsGdb(['break main', 'run', 'record', 'break 19', 'next', 'next', 'next', 'reverse-next', 'reverse-next', 'info breakpoints'])
  })

  test('reverse-nexti and reverse-stepi print the frame when they cross a call or a return', async () => {
    // gcc's build: gdb finds Memscape's parameters from rbp (its DW_AT_frame_base), which at a
    // `ret` is already the caller's, so it would show another value than the one passed.
    await expectSameAsGdb(['break main', 'run', 'record', 'break 8', 'continue', 'continue', 'next', 'next', 'next', ...repeat('reverse-nexti', 4), ...repeat('reverse-stepi', 6), 'reverse-nexti', 'reverse-nexti'], gccBuilt)
  })

  test('gcc line tables: rows of one line, recursion, the loop', async () => {
    await expectSameAsGdb(['break main', 'run', 'record', 'break 22', 'continue', ...repeat('reverse-step', 30)], gccBuilt)
    await expectSameAsGdb(['break main', 'run', 'record', 'break 22', 'continue', ...repeat('reverse-next', 4), 'reverse-step', 'reverse-finish', 'reverse-nexti', 'reverse-next'], gccBuilt)
  })

  test('in functions without line information: back to their call, then to the line that called', async () => {
    await expectSameAsGdb(['break main', 'run', 'record', 'break strlen', 'continue', 'stepi', 'stepi', 'reverse-nexti', 'reverse-next', 'reverse-step', 'bt', 'reverse-next'])
  })

  test('reverse-finish stops at the call instruction in the caller', async () => {
    await expectSameAsGdb(['break main', 'run', 'record', 'break square', 'continue', 'continue', 'next', 'reverse-finish', 'reverse-next', 'reverse-finish', 'bt', 'p $pc'])
  })
})

const LONG_SOURCE = `#include <stdio.h>
long spin(long n) {
  long s = 0;
  for (long i = 0; i < n; i++)
    s += i ^ (s >> 3);
  return s;
}
int main(void) {
  long a = 1;
  a += spin(300000);
  a += 2;
  printf("%ld\\n", a);
  return 0;
}
`

function memscapeProgram(name: string, source: string): Built {
  const built = buildProgram({ [`${name}.c`]: source }, [`${name}.c`], { pie: false, debugInfo: true, compilationDirectory: dir })
  if (!built.executable) throw new Error(built.diagnostics)
  return { binary: join(dir, name), image: built.executable, source, sourcePath: join(dir, `${name}.c`) }
}

describe('reverse execution beyond what gdb can record', () => {
  test('reverse-next over a call of millions of instructions is quick and lands where next started', async () => {
    const { session, run } = newSession(memscapeProgram('long', LONG_SOURCE))
    await run('break 10')
    await run('run')
    const atCall = session.inferior!.instructionCount
    expect(await run('next')).toBe('11\t  a += 2;\n')
    expect(session.inferior!.instructionCount - atCall).toBeGreaterThan(3_000_000)
    const started = performance.now()
    // The call is found at full speed; tracing it one instruction at a time would take minutes.
    expect(await run('reverse-next')).toBe('\nBreakpoint 1, main () at long.c:10\n10\t  a += spin(300000);\n')
    expect(performance.now() - started).toBeLessThan(10_000)
    expect(session.inferior!.instructionCount).toBe(atCall)
    await run('delete')
    await run('next')
    expect(await run('reverse-step')).toBe('spin (n=300000) at long.c:7\n7\t}\n')
    expect(await run('reverse-finish')).toMatch(/^Run back to call of #0 {2}spin \(n=300000\) at long\.c:7\n0x[0-9a-f]{16} in main \(\) at long\.c:10\n10\t {2}a \+= spin\(300000\);\n$/)
    expect(await run('x/i $pc')).toMatch(/call/)
    expect(session.inferior!.instructionCount - atCall).toBeLessThan(5)
  })

  test('reverse-finish goes back to the call of the selected frame, in the right activation of a recursion', async () => {
    const { run } = newSession(memscapeBuilt)
    await run('break 14')
    await run('run')
    expect(await run('bt')).toMatch(/^#0 {2}fact \(n=1\)[^\n]*\n#1 [^\n]*fact \(n=2\)[^\n]*\n#2 [^\n]*fact \(n=3\)[^\n]*\n#3 [^\n]*fact \(n=4\)[^\n]*\n#4 [^\n]*main \(\)/)
    await run('up 2')
    const reverse = await run('reverse-finish')
    expect(reverse).toMatch(/^Run back to call of #2 {2}0x[0-9a-f]{16} in fact \(n=3\) at rev\.c:15\n0x[0-9a-f]{16} in fact \(n=4\) at rev\.c:15\n15\t {2}return n \* fact\(n - 1\);\n$/)
    expect(await run('bt')).toMatch(/^#0 {2}0x[0-9a-f]{16} in fact \(n=4\) at rev\.c:15\n#1 {2}0x[0-9a-f]{16} in main \(\) at rev\.c:21\n$/)
    // One instruction on, fact(3) has just been entered.
    await run('stepi')
    expect(await run('bt')).toMatch(/^#0 {2}fact \(n=[^\n]*\n#1 [^\n]*fact \(n=4\)[^\n]*\n#2 [^\n]*main \(\)/)
  })

  test('the start of history, and going back from a program that has exited', async () => {
    const { session, run } = newSession(memscapeBuilt)
    await run('starti')
    expect(await run('reverse-stepi')).toMatch(/^\nNo more reverse-execution history\.\n0x[0-9a-f]{16} in _start \(\)\n$/)
    expect(await run('reverse-step')).toContain('No more reverse-execution history.')
    await run('continue')
    expect(session.inferior!.phase).toBe('gone')
    const exited = session.inferior!.instructionCount
    await run('reverse-stepi')
    expect(session.inferior!.instructionCount).toBe(exited - 1)
    expect(session.inferior!.phase).toBe('alive')
    await run('break 24')
    expect(await run('reverse-continue')).toContain('Breakpoint 1, main () at rev.c:24')
    expect(await run('reverse-next')).toBe('23\t  printf("%d %d\\n", x, g);\n')
  })

  test('a pause request ends a long search where it got to', async () => {
    const program = memscapeProgram('long', LONG_SOURCE)
    let pause = false
    let turns = 0
    const hooks = { output: () => {}, console: () => {}, interruptRequested: () => pause && turns > 3, yield: async () => void turns++ }
    const session = new DebugSession({ run: { aslr: 0 }, hooks })
    session.load({ path: program.binary, image: program.image, sources: { [program.sourcePath]: program.source } })
    const dispatcher = createDispatcher(session)
    await dispatcher.execute('break 11')
    await dispatcher.execute('run')
    const at11 = session.inferior!.instructionCount
    pause = true
    turns = 0
    const output = outputText(await dispatcher.execute('reverse-next'))
    expect(output).toContain('Program received signal SIGINT, Interrupt.')
    // Somewhere in spin's five million instructions, going back.
    expect(session.inferior!.instructionCount).toBeLessThan(at11 - 1000)
    expect(session.inferior!.instructionCount).toBeGreaterThan(at11 - 4_000_000)
    pause = false
    expect(outputText(await dispatcher.execute('info registers rip'))).toMatch(/^rip/)
  })
})
