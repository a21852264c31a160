// Compile time of a ~2,000-line C program with Memscape's toolchain (target: <= 200 ms), split
// into front end (preprocess, parse, check, lower to IR), back end (IR -> assembly text),
// assembler and linker; cold (first compile in a fresh process, before anything else has run
// the compiler's code) and warm (median of later runs). The libc is built once beforehand and
// timed on its own, with the cost of reading it back from the CLI's disk cache.
//
// The program is generated from tests/fixtures/toolchain-c: every program there, copied several
// times with its identifiers renamed per copy, and a main that calls each copy's main. The result
// is checked against gcc: same output when both run natively.

import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deserialize, serialize } from 'node:v8'
import { afterAll, expect, test } from 'vitest'
import { buildProgram, type DriverTimings } from '../shared/toolchain/driver'
import { buildLibc } from '../shared/toolchain/libc'
import { percentile, report, type BenchRow } from './report'

const FIXTURES = fileURLToPath(new URL('../tests/fixtures/toolchain-c', import.meta.url))
const REPO = fileURLToPath(new URL('..', import.meta.url))
const TARGET_LINES = 2000
// Enough runs for a median that a burst of the machine's other load does not move much.
const WARM_RUNS = 20
const UNSEEN_RUNS = 10
const TARGET_MS = 200

const C_KEYWORDS = new Set(
  ('auto break case char const continue default do double else enum extern float for goto if inline int long register restrict ' +
    'return short signed sizeof static struct switch typedef union unsigned void volatile while _Alignas _Alignof _Atomic _Bool ' +
    '_Complex _Generic _Imaginary _Noreturn _Static_assert _Thread_local ' +
    'define include ifdef ifndef endif elif undef defined').split(' '),
)

/**
 * Prefixes every identifier of `source` except keywords and `keep`, skipping literals (with their
 * L/u/U/u8 prefixes), comments and `__attribute__((...))` (attribute names such as `aligned` are
 * gcc's). A prefix, not a suffix, so token pasting (`CAT(var, 1)` for `var1`) still forms the
 * renamed name.
 */
function renameIdentifiers(source: string, prefix: string, keep: ReadonlySet<string>): string {
  const token = /(__attribute__\s*\(\((?:[^()]|\([^()]*\))*\)\)|(?:L|u8|u|U)?"(?:\\.|[^"\\\n])*"|(?:L|u|U)?'(?:\\.|[^'\\\n])*'|\/\*[\s\S]*?\*\/|\/\/[^\n]*|[0-9][0-9A-Za-z_.]*|[A-Za-z_]\w*)/g
  return source.replace(token, (text) => (/^[A-Za-z_]\w*$/.test(text) && !C_KEYWORDS.has(text) && !keep.has(text) && !text.startsWith('__') ? `${prefix}${text}` : text))
}

/** The program; `variant` prefixes every renamed identifier, so each variant is a program the
 *  toolchain has not seen (none of its symbol-naming lines is in the assembler's line cache). */
function generateProgram(variant = ''): { source: string; lines: number } {
  const mini = readFileSync(join(FIXTURES, 'mini.h'), 'utf8')
  // The names the fixtures take from their tiny header come from the real libc headers here.
  const keep = new Set(mini.match(/[A-Za-z_]\w*/g) ?? [])
  const units = [join(FIXTURES, 'features.c'), ...readdirSync(join(FIXTURES, 'programs')).sort().map((name) => join(FIXTURES, 'programs', name))]
  const texts = units.map((path) => readFileSync(path, 'utf8').replace(/^#include "(\.\.\/)?mini\.h"\n/m, ''))
  const header = '#include <stdarg.h>\n#include <stddef.h>\n#include <stdio.h>\n#include <stdlib.h>\n'
  const body: string[] = []
  const mains: string[] = []
  let lines = 0
  for (let copy = 0; lines < TARGET_LINES; copy++) {
    for (const text of texts) {
      if (lines >= TARGET_LINES) break
      const prefix = `${variant}c${copy}u${body.length}_`
      body.push(renameIdentifiers(text, prefix, keep))
      mains.push(`${prefix}main`)
      lines += text.split('\n').length
    }
  }
  const main = `int main(void) {\n${mains.map((name) => `  ${name}();\n  fflush(stdout);\n`).join('')}  return 0;\n}\n`
  const source = `${header}${mains.map((name) => `int ${name}(void);\n`).join('')}${body.join('\n')}\n${main}`
  return { source, lines: source.split('\n').length }
}

const scratch = mkdtempSync(join(tmpdir(), 'memscape-compile-bench-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

function stageRows(label: string, timings: DriverTimings, note: string, linkNote = note): BenchRow[] {
  return [
    { name: `${label}: front end`, value: timings.frontEnd, unit: 'ms', note },
    { name: `${label}: back end`, value: timings.backEnd, unit: 'ms', note },
    { name: `${label}: assembler`, value: timings.assembler, unit: 'ms', note },
    { name: `${label}: link`, value: timings.link, unit: 'ms', note: linkNote },
  ]
}

/** Wall time of `memscape cc` on a small program, as a user sees it (process start included). */
function cliCompileTime(cacheDir: string): number {
  const source = join(scratch, 'hello.c')
  writeFileSync(source, '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n')
  const start = performance.now()
  const result = spawnSync(process.execPath, [join(REPO, 'bin', 'memscape'), 'cc', source, '-o', join(scratch, 'hello')], {
    env: { ...process.env, MEMSCAPE_CACHE_DIR: cacheDir },
    encoding: 'utf8',
  })
  const elapsed = performance.now() - start
  expect(result.stderr).toBe('')
  expect(result.status).toBe(0)
  return elapsed
}

test('compile time of a 2,000-line program', () => {
  const { source, lines } = generateProgram()
  const files = { 'big.c': source }

  // Cold: nothing has run the compiler's code in this process yet.
  const coldStart = performance.now()
  const cold = buildProgram(files, ['big.c'], { link: false })
  const coldTotal = performance.now() - coldStart
  expect(cold.diagnostics).toBe('')

  const libcStart = performance.now()
  const libc = buildLibc({ pie: true })
  const libcBuild = performance.now() - libcStart
  expect(libc.errors).toEqual([])
  const cacheBytes = serialize(libc)
  const readStart = performance.now()
  deserialize(cacheBytes)
  const libcRead = performance.now() - readStart

  const firstLink = buildProgram(files, ['big.c'], { libc: () => libc })
  expect(firstLink.executable).toBeDefined()

  // Only the timings are kept: holding every run's executable and objects would grow the heap
  // run by run and slow the garbage collector for the runs after, which no user session does.
  const warm: { total: number; timings: DriverTimings }[] = []
  for (let run = 0; run < WARM_RUNS; run++) {
    const start = performance.now()
    const result = buildProgram(files, ['big.c'], { libc: () => libc })
    warm.push({ total: performance.now() - start, timings: result.timings })
  }
  const median = (pick: (timings: DriverTimings) => number) => percentile(warm.map((run) => pick(run.timings)), 50)
  const warmTimings: DriverTimings = {
    frontEnd: median((t) => t.frontEnd),
    backEnd: median((t) => t.backEnd),
    assembler: median((t) => t.assembler),
    libc: median((t) => t.libc),
    link: median((t) => t.link),
  }
  const warmTotal = percentile(warm.map((run) => run.total), 50)
  // The same, but a program not compiled before in each run (as after a learner's edits).
  const unseen = Array.from({ length: UNSEEN_RUNS }, (_, run) => {
    const variant = { 'big.c': generateProgram(`v${run}`).source }
    const start = performance.now()
    const result = buildProgram(variant, ['big.c'], { libc: () => libc })
    const total = performance.now() - start
    expect(result.diagnostics).toBe('')
    return total
  })
  const unseenTotal = percentile(unseen, 50)
  const warmFastest = Math.min(...warm.map((run) => run.total))

  // The generated program does what gcc's build of it does.
  const ours = join(scratch, 'ours')
  writeFileSync(ours, firstLink.executable!, { mode: 0o755 })
  writeFileSync(join(scratch, 'big.c'), source)
  execFileSync('gcc', ['-O0', '-w', '-o', join(scratch, 'gcc'), join(scratch, 'big.c')])
  const expected = spawnSync(join(scratch, 'gcc'), { encoding: 'latin1' })
  const actual = spawnSync(ours, { encoding: 'latin1' })
  expect(actual.stdout).toBe(expected.stdout)
  expect(actual.status).toBe(expected.status)

  // The baseline in the same run: gcc compiling and assembling the same file (a whole process).
  const gccTimes = [0, 1, 2].map(() => {
    const start = performance.now()
    execFileSync('gcc', ['-O0', '-w', '-c', '-o', join(scratch, 'big.o'), join(scratch, 'big.c')])
    return performance.now() - start
  })
  const gccCompile = percentile(gccTimes, 50)

  const cliCache = join(scratch, 'cli-cache')
  const cliFirst = cliCompileTime(cliCache)
  const cliWarm = percentile([cliCompileTime(cliCache), cliCompileTime(cliCache), cliCompileTime(cliCache)], 50)

  const program = `${lines} lines, ${source.length} bytes`
  report('C compile time (memscape cc, one 2,000-line file)', [
    { name: 'cold: compile (no link)', value: coldTotal, unit: 'ms', note: `first compile in the process; ${program}` },
    ...stageRows('cold', { ...cold.timings, link: firstLink.timings.link }, 'first compile in the process', 'first link in the process (with the libc)'),
    { name: 'warm: total', value: warmTotal, unit: 'ms', note: `median of ${WARM_RUNS}; target <= ${TARGET_MS} ms` },
    { name: 'warm: unseen program', value: unseenTotal, unit: 'ms', note: `median of ${UNSEEN_RUNS}, identifiers renamed in each run` },
    { name: 'warm: fastest', value: warmFastest, unit: 'ms', note: `fastest of ${WARM_RUNS}: the compile's own cost, least disturbed by other load` },
    { name: 'gcc -O0 -c, same file', value: gccCompile, unit: 'ms', note: `whole process, median of 3; warm total is ${(warmTotal / gccCompile).toFixed(2)}x gcc` },
    ...stageRows('warm', warmTimings, `median of ${WARM_RUNS}`, `median of ${WARM_RUNS}, with the libc's 14 objects`),
    { name: 'libc: build (cold)', value: libcBuild, unit: 'ms', note: 'once per process and mode; 14 units' },
    { name: 'libc: read from disk cache', value: libcRead, unit: 'ms', note: `v8.deserialize of ${cacheBytes.length} bytes (file read excluded)` },
    { name: 'memscape cc hello.c: empty cache', value: cliFirst, unit: 'ms', note: 'whole process, the libc compiled and cached' },
    { name: 'memscape cc hello.c: cached libc', value: cliWarm, unit: 'ms', note: 'whole process (node start included), median of 3' },
  ])
})
