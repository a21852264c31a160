// Whole C programs (bench/programs/*.c, glibc static, -O0 and -O2) run natively and in a
// Memscape machine in the same run: guest instructions per second and the slowdown against
// native execution. Each program prints a checksum; the two runs must print the same line.
//
// Native time is the median wall time of several runs of the process (start-up included, as
// in ../shared/research/perf-anchors.md); Memscape time is the wall time of Machine.run from
// the first instruction to exit (loading the ELF excluded, the block cache starting cold).

import { afterAll, beforeAll, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Machine } from '../shared/machine/machine'
import { report, type BenchRow } from './report'

const SOURCES = fileURLToPath(new URL('./programs', import.meta.url))
const NATIVE_RUNS = 9
const OPTIMISATIONS = ['-O2', '-O0'] as const
/** Work multiplier (argv[1]): -O2 builds do four times the rounds so each runs long enough to time. */
const SCALE: Record<(typeof OPTIMISATIONS)[number], string> = { '-O2': '4', '-O0': '1' }

const dir = mkdtempSync(join(tmpdir(), 'memscape-bench-'))
const programs = readdirSync(SOURCES).filter((f) => f.endsWith('.c')).map((f) => f.slice(0, -2)).sort()

beforeAll(() => {
  for (const name of programs) {
    for (const o of OPTIMISATIONS) {
      const result = spawnSync('gcc', [o, '-static', '-o', join(dir, `${name}${o}`), join(SOURCES, `${name}.c`)])
      if (result.status !== 0) throw new Error(result.stderr.toString())
    }
  }
}, 120_000)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)]!
}

function runNative(binary: string, scale: string): { seconds: number; stdout: string } {
  const times: number[] = []
  let stdout = ''
  for (let i = 0; i < NATIVE_RUNS; i++) {
    const start = process.hrtime.bigint()
    const result = spawnSync(binary, [scale], { env: {} })
    times.push(Number(process.hrtime.bigint() - start) / 1e9)
    stdout = result.stdout.toString()
  }
  return { seconds: median(times), stdout }
}

function runMemscape(binary: string, scale: string): { seconds: number; stdout: string; instructions: number } {
  const machine = Machine.fromElf(new Uint8Array(readFileSync(binary)), { argv: [binary, scale], env: [], seed: 1, aslr: 2, stdinClosed: true })
  let stdout = ''
  machine.onOutput = (fd, bytes) => {
    if (fd === 1) stdout += new TextDecoder().decode(bytes)
  }
  const start = process.hrtime.bigint()
  const status = machine.run(20_000_000_000)
  const seconds = Number(process.hrtime.bigint() - start) / 1e9
  expect(status).toEqual({ state: 'exited', code: 0 })
  return { seconds, stdout, instructions: machine.instructionCount }
}

it('C programs: Memscape against native', () => {
  const rows: BenchRow[] = []
  const slowdowns: Record<string, number[]> = { '-O0': [], '-O2': [] }
  const speeds: Record<string, number[]> = { '-O0': [], '-O2': [] }
  for (const o of OPTIMISATIONS) {
    for (const name of programs) {
      const binary = join(dir, `${name}${o}`)
      const native = runNative(binary, SCALE[o])
      const emulated = runMemscape(binary, SCALE[o])
      expect(emulated.stdout).toBe(native.stdout)
      const mips = emulated.instructions / emulated.seconds / 1e6
      const slowdown = emulated.seconds / native.seconds
      slowdowns[o]!.push(slowdown)
      speeds[o]!.push(mips)
      rows.push({
        name: `${name} ${o} (x${SCALE[o]}): guest speed`,
        value: mips,
        unit: 'M instr/s',
        note: `${(emulated.instructions / 1e6).toFixed(1)} M instructions in ${emulated.seconds.toFixed(2)} s`,
      })
      rows.push({
        name: `${name} ${o} (x${SCALE[o]}): slowdown vs native`,
        value: slowdown,
        unit: 'x',
        note: `native ${(native.seconds * 1000).toFixed(1)} ms (median of ${NATIVE_RUNS}, process start included)`,
      })
    }
  }
  const geomean = (values: number[]) => Math.exp(values.reduce((sum, v) => sum + Math.log(v), 0) / values.length)
  for (const o of OPTIMISATIONS) {
    rows.push({ name: `geometric mean ${o}: guest speed`, value: geomean(speeds[o]!), unit: 'M instr/s', note: `${programs.length} programs` })
    rows.push({ name: `geometric mean ${o}: slowdown`, value: geomean(slowdowns[o]!), unit: 'x', note: 'target: <= 165 (blink -j) on -O2' })
  }
  report('C programs (glibc static): Memscape vs native', rows)
})
