// The debugger's costs on a long-running gcc -O0 program: `continue` with ten breakpoints set
// (never hit) against none — breakpoints are a flag on the blocks that start at them, so the
// ratio should be 1; the latency of going back with reverse-stepi and `goto` 10^4, 10^6 and 10^7
// instructions; and reverse-continue back across 10^7 instructions to a breakpoint.

import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { createDispatcher, DebugSession, outputText, type Dispatcher } from '../shared/debugger'
import { percentile, report, type BenchRow } from './report'

const SOURCE = `#include <stdio.h>
static unsigned long mix(unsigned long h, unsigned long v) { return (h ^ v) * 0x100000001b3UL; }
${Array.from({ length: 10 }, (_, i) => `void unused${i}(void) { puts("never"); }`).join('\n')}
int main(int argc, char **argv) {
  unsigned long h = 1469598103934665603UL;
  long rounds = argc > 1 ? 20000000 : 4000000;
  for (long i = 0; i < rounds; i++) h = mix(h, (unsigned long)i);
  printf("%lx\\n", h);
  return 0;
}
`

let dir: string
let binary: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'memscape-debugger-bench-'))
  writeFileSync(join(dir, 'loop.c'), SOURCE)
  binary = join(dir, 'loop')
  execFileSync('gcc', ['-O0', '-g', '-static', '-no-pie', '-o', binary, 'loop.c'], { cwd: dir })
}, 60_000)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

function open(): { session: DebugSession; run: (line: string) => Promise<string> } {
  const session = new DebugSession({ run: { aslr: 0 } })
  session.load({ path: binary, image: new Uint8Array(readFileSync(binary)) })
  const dispatcher: Dispatcher = createDispatcher(session)
  return { session, run: async (line) => outputText(await dispatcher.execute(line)) }
}

async function timed(action: () => Promise<unknown>): Promise<number> {
  const start = performance.now()
  await action()
  return performance.now() - start
}

it('measures continue with breakpoints, going back in time and reverse-continue', async () => {
  const rows: BenchRow[] = []

  // continue to the exit, alternating without and with ten breakpoints; best of three each.
  const plain: number[] = []
  const withBreakpoints: number[] = []
  for (let round = 0; round < 3; round++) {
    for (const breakpoints of [0, 10]) {
      const { run } = open()
      await run('starti')
      for (let i = 0; i < breakpoints; i++) await run(`break unused${i}`)
      const ms = await timed(() => run('continue'))
      ;(breakpoints === 0 ? plain : withBreakpoints).push(ms)
    }
  }
  const best = (values: number[]): number => Math.min(...values)
  rows.push({ name: 'continue, no breakpoint', value: best(plain), unit: 'ms', note: 'best of 3, about 60 M instructions' })
  rows.push({ name: 'continue, ten breakpoints', value: best(withBreakpoints), unit: 'ms', note: 'never hit' })
  rows.push({ name: 'ratio ten / none', value: best(withBreakpoints) / best(plain), unit: '×', note: 'target <= 1.05' })

  // Going back from 2·10^7 instructions into the run.
  const { session, run } = open()
  await run('break mix')
  await run('run 1')
  await run('delete')
  await run('stepi 20000000')
  const end = session.inferior!.instructionCount
  for (const power of [1e4, 1e6, 1e7]) {
    // Off the checkpoint grid (a multiple of the interval would land on a checkpoint exactly).
    const distance = power + 12_345
    const samples: number[] = []
    for (let i = 0; i < 5; i++) {
      await run(`goto ${end}`)
      samples.push(await timed(() => run(`goto ${end - distance}`)))
      expect(session.inferior!.instructionCount).toBe(end - distance)
    }
    // The first jump pays the full re-execution; the ones after it find the checkpoints that
    // replaying forward to the end laid down again.
    rows.push({ name: `goto ${power.toExponential(0)} back, first`, value: samples[0]!, unit: 'ms', note: 'history as a straight run leaves it' })
    rows.push({ name: `goto ${power.toExponential(0)} back, again`, value: percentile(samples.slice(1), 50), unit: 'ms', note: 'median of 4 more' })
  }
  const stepBack: number[] = []
  await run(`goto ${end}`)
  for (let i = 0; i < 20; i++) stepBack.push(await timed(() => run('reverse-stepi')))
  rows.push({ name: 'reverse-stepi', value: percentile(stepBack, 50), unit: 'ms', note: `median of 20, at instruction ${end}` })

  // reverse-continue across 10^7 instructions to the one breakpoint hit there.
  const { session: far, run: farRun } = open()
  await farRun('break main')
  await farRun('run 1')
  const mainCount = far.inferior!.instructionCount
  await farRun('stepi 10000000')
  const back = await timed(() => farRun('reverse-continue'))
  expect(far.inferior!.instructionCount).toBe(mainCount)
  rows.push({ name: 'reverse-continue over 10^7', value: back, unit: 'ms', note: 'to a breakpoint 10^7 instructions back' })

  report('Debugger', rows)
}, 600_000)
