// Questions about the past on a gcc -O0 program stopped after about 10^6 instructions: the
// provenance of 8 bytes (the whole run re-executed under shadow tracking), last-write of the same
// bytes (checkpoint intervals replayed with their page watched), heap history (replayed with
// internal breakpoints on the allocator) and the explanation printed with a crash.

import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createDispatcher, DebugSession, outputText } from '../shared/debugger'
import { report, type BenchRow } from './report'

const SOURCE = `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
static char saved[8];
int main(int argc, char **argv) {
  char input[8];
  read(0, input, 8);
  unsigned long h = 0;
  long rounds = argc > 1 ? atol(argv[1]) : 0;
  for (long i = 0; i < rounds; i++) h = h * 31 + (unsigned char)input[i & 7];
  memcpy(saved, input, 8);
  char *block = malloc(64);
  free(block);
  printf("%lx\\n", h);
  if (argc > 2) { char small[8]; strcpy(small, argv[2]); return small[0]; }
  return 0;
}
`
/** Loop rounds that bring the breakpoint to about 10^6 instructions (the loop body is ~15 instructions). */
const ROUNDS = '64000'
const REPEATS = 3

let dir: string
let binary: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'memscape-provenance-bench-'))
  writeFileSync(join(dir, 'work.c'), SOURCE)
  binary = join(dir, 'work')
  execFileSync('gcc', ['-O0', '-g', '-static', '-no-pie', '-fno-stack-protector', '-o', binary, 'work.c'], { cwd: dir, stdio: 'ignore' })
}, 60_000)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

async function stopped(args: string[], breakLine: number | null): Promise<{ run: (line: string) => Promise<string>; session: DebugSession }> {
  const session = new DebugSession({ run: { aslr: 0, args, stdin: new TextEncoder().encode('ABCDEFGH') } })
  session.load({ path: binary, image: new Uint8Array(readFileSync(binary)), sources: { [join(dir, 'work.c')]: SOURCE } })
  const dispatcher = createDispatcher(session)
  const run = async (line: string) => outputText(await dispatcher.execute(line))
  if (breakLine !== null) await run(`break ${breakLine}`)
  await run('run')
  return { run, session }
}

async function best(action: () => Promise<unknown>): Promise<number> {
  let fastest = Infinity
  for (let i = 0; i < REPEATS; i++) {
    const start = performance.now()
    await action()
    fastest = Math.min(fastest, performance.now() - start)
  }
  return fastest
}

it('measures provenance, last-write, heap history and a crash explanation after 10^6 instructions', async () => {
  const rows: BenchRow[] = []
  const { run, session } = await stopped([ROUNDS], 15)
  const instructions = session.inferior!.instructionCount
  expect(instructions).toBeGreaterThan(900_000)

  let answer = ''
  const provenance = await best(async () => (answer = await run('provenance saved 8')))
  expect(answer).toContain('stdin bytes 0–7')
  rows.push({ name: 'provenance of 8 bytes', value: provenance, unit: 'ms', note: `${instructions} instructions re-executed, best of ${REPEATS}` })
  rows.push({ name: 'shadow tracking speed', value: (provenance * 1000) / instructions, unit: 'µs/instr', note: 'decode once per address, labels per byte' })

  const lastWrite = await best(async () => {
    answer = await run('last-write saved 8')
    await run(`goto ${instructions}`)
  })
  expect(answer).toContain('Last write to')
  rows.push({ name: 'last-write (memcpy, near the end)', value: lastWrite, unit: 'ms', note: 'and goto back, best of 3' })

  const early = await best(async () => {
    answer = await run('last-write &input 8')
    await run(`goto ${instructions}`)
  })
  expect(answer).toContain('written by the read system call (stdin bytes 0–7)')
  rows.push({ name: 'last-write (read(), near the start)', value: early, unit: 'ms', note: 'every interval replayed, and goto back' })

  const history = await best(async () => (answer = await run('heap history')))
  expect(answer).toContain('malloc(64)')
  rows.push({ name: 'heap history', value: history, unit: 'ms', note: 'the run replayed with allocator breakpoints' })

  let crash = ''
  const explained = await best(async () => {
    crash = await (await stopped([ROUNDS, 'X'.repeat(100)], null)).run('explain')
  })
  expect(crash).toContain('argv[2]')
  rows.push({ name: 'crash explanation (explain)', value: explained, unit: 'ms', note: 'including the run to the crash, best of 3' })
  report('Provenance, last-write, heap history, explanations', rows)
})
