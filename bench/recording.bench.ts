// The cost of recording (shared/machine/recording): guest instructions per second with no
// recorder and with one, history bytes per million instructions, the latency of stepBack(1)
// (restore a checkpoint, re-execute up to one interval) and of runTo far back and forward
// again, on the C benchmark programs (glibc static, -O2).
//
// A machine without a recorder pays for recording only on the write TLB's miss path (one null
// test); the table also reports how often that path runs.

import { afterAll, beforeAll, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Machine } from '../shared/machine/machine'
import type { FrameObserver } from '../shared/machine/memory'
import { DEFAULT_CHECKPOINT_INTERVAL, Recorder } from '../shared/machine/recording/recorder'
import { percentile, report, type BenchRow } from './report'

const SOURCES = fileURLToPath(new URL('./programs', import.meta.url))
const dir = mkdtempSync(join(tmpdir(), 'memscape-recording-bench-'))
const programs = readdirSync(SOURCES).filter((f) => f.endsWith('.c')).map((f) => f.slice(0, -2)).sort()
/** Runs alternate off/on this many times after a warm-up; the best of each is reported (the host is shared). */
const REPEATS = 3
const STEP_BACK_SAMPLES = 15

beforeAll(() => {
  for (const name of programs) {
    const result = spawnSync('gcc', ['-O2', '-static', '-o', join(dir, name), join(SOURCES, `${name}.c`)])
    if (result.status !== 0) throw new Error(result.stderr.toString())
  }
}, 120_000)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

function newMachine(image: Uint8Array): { machine: Machine; stdout: () => string } {
  const machine = Machine.fromElf(image, { argv: ['./bench'], env: [], seed: 1, aslr: 2, stdinClosed: true })
  let out = ''
  machine.onOutput = (fd, bytes) => {
    if (fd === 1) out += new TextDecoder().decode(bytes)
  }
  return { machine, stdout: () => out }
}

function kib(bytes: number): string {
  return `${(bytes / 1024).toFixed(0)} KiB`
}

function seconds(action: () => void): number {
  const start = process.hrtime.bigint()
  action()
  return Number(process.hrtime.bigint() - start) / 1e9
}

/** Counts the write-TLB misses (the only place a disabled recorder is tested for) without recording. */
function writeMisses(image: Uint8Array): number {
  const { machine } = newMachine(image)
  let misses = 0
  const counter: FrameObserver = {
    frameWillChange: () => {
      misses++
    },
    frameAllocated: () => {},
  }
  machine.memory.frameObserver = counter
  machine.run(20_000_000_000)
  return misses / (machine.instructionCount / 1e6)
}

it('recording: speed, memory, step-back latency', () => {
  const rows: BenchRow[] = []
  for (const name of programs) {
    const image = new Uint8Array(readFileSync(join(dir, name)))
    let off = Infinity
    let on = Infinity
    let instructions = 0
    let recorder: Recorder | null = null
    let expected = ''
    // The first round warms the JIT up for both and is not counted.
    for (let i = 0; i <= REPEATS; i++) {
      const plain = newMachine(image)
      const offSeconds = seconds(() => plain.machine.run(20_000_000_000))
      if (i > 0) off = Math.min(off, offSeconds)
      instructions = plain.machine.instructionCount
      expected = plain.stdout()
      const recorded = newMachine(image)
      const candidate = new Recorder(recorded.machine)
      const onSeconds = seconds(() => candidate.run(20_000_000_000))
      if (i > 0) on = Math.min(on, onSeconds)
      expect(recorded.stdout()).toBe(expected)
      recorder?.dispose()
      recorder = candidate
    }
    const history = recorder!.stats()
    const millions = instructions / 1e6
    rows.push({ name: `${name}: off`, value: millions / off, unit: 'M instr/s', note: `${millions.toFixed(1)} M instructions, best of ${REPEATS}` })
    rows.push({ name: `${name}: recording`, value: millions / on, unit: 'M instr/s', note: `${((on / off - 1) * 100).toFixed(1)}% slower` })
    // Memory at full checkpoint density (what the recent window costs): nothing thinned.
    const dense = newMachine(image)
    const denseRecorder = new Recorder(dense.machine, { recentWindow: Number.MAX_SAFE_INTEGER, maxHistoryBytes: Number.MAX_SAFE_INTEGER })
    denseRecorder.run(20_000_000_000)
    const full = denseRecorder.stats()
    denseRecorder.dispose()
    rows.push({
      name: `${name}: history, full density`, value: full.bytes / millions / 1024, unit: 'KiB per M instr',
      note: `${full.checkpoints} checkpoints; pages ${kib(full.pageBytes)}, kernel ${kib(full.kernelBytes)}, tables ${kib(full.tableBytes)}`,
    })
    rows.push({ name: `${name}: history kept (defaults)`, value: history.bytes / 1024, unit: 'KiB', note: `${history.checkpoints} checkpoints after thinning` })
    rows.push({ name: `${name}: write-TLB misses`, value: writeMisses(image), unit: 'per M instr', note: 'one null test each when not recording' })

    const end = recorder!.instructionCount
    const stepBacks: number[] = []
    recorder!.runTo(end - 1)
    for (let i = 0; i < STEP_BACK_SAMPLES; i++) {
      // Spread the samples over one interval, where the re-execution needed varies from 0 to all of it.
      recorder!.runTo(end - 1 - Math.floor((i * DEFAULT_CHECKPOINT_INTERVAL) / STEP_BACK_SAMPLES) - 1)
      stepBacks.push(seconds(() => recorder!.stepBack(1)) * 1000)
    }
    rows.push({ name: `${name}: stepBack(1)`, value: percentile(stepBacks, 50), unit: 'ms', note: `median of ${STEP_BACK_SAMPLES}; max ${Math.max(...stepBacks).toFixed(2)} ms` })
    const farBack = Math.floor(end / 10)
    rows.push({ name: `${name}: runTo(10%) from the end`, value: seconds(() => recorder!.runTo(farBack)) * 1000, unit: 'ms', note: `to ${farBack}` })
    rows.push({ name: `${name}: runTo(end) from 10%`, value: seconds(() => recorder!.runTo(end)) * 1000, unit: 'ms', note: 're-executes, recording' })
    expect(recorder!.instructionCount).toBe(end)
    recorder!.dispose()
  }
  report('Recording (checkpoint every 20,000 instructions, page undo journal)', rows)
})
