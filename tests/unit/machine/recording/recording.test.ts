// Reverse execution on real gcc -static programs: every state reached by stepping back or by
// runTo must equal, exactly, the state a fresh machine reaches by running forward to the same
// instruction count (registers, flags, x87, every mapped byte, the areas, the kernel's state,
// and the output so far).

import { beforeAll, describe, expect, test } from 'vitest'
import { DEFAULT_CHECKPOINT_INTERVAL, DEFAULT_RECENT_WINDOW, HistoryError, Recorder } from '../../../../shared/machine/recording/recorder'
import type { Machine } from '../../../../shared/machine/machine'
import { RAX } from '../../../../shared/machine/cpu/registers'
import { build, CORPUS, cpuState, freshRunTo, hasMusl, fullState, start, type Started } from './state'
import { seededFractions } from '../../seeded-random'

const STDIN = new TextEncoder().encode('hello\n')
const INPUT = { stdin: STDIN, stdinClosed: true }

let syscalls: Uint8Array
let stackGrowth: Uint8Array
let selfModifying: Uint8Array

beforeAll(() => {
  syscalls = build('syscalls')
  stackGrowth = build('stack_growth', ['-O0'])
  selfModifying = build('self_modifying')
}, 60_000)

function recordedState(started: Started, recorder: Recorder): Record<string, unknown> {
  return fullState(started.machine, started.output, { 1: recorder.outputLength(1), 2: recorder.outputLength(2) })
}

function expectSameAsFresh(image: Uint8Array, started: Started, recorder: Recorder, options: object = INPUT): void {
  const count = recorder.instructionCount
  const fresh = freshRunTo(image, count, options)
  expect(fresh.machine.instructionCount).toBe(count)
  expect(recordedState(started, recorder)).toEqual(fullState(fresh.machine, fresh.output))
}

/** Instruction counts (after the instruction) of each system call a fresh run makes, with its number. */
function syscallCounts(image: Uint8Array, options: object = INPUT, limit = 1e9): { count: number; nr: number }[] {
  const { machine } = start(image, options)
  const calls: { count: number; nr: number }[] = []
  const kernel = machine.kernel
  const syscall = kernel.syscall.bind(kernel)
  kernel.syscall = (cpu) => {
    calls.push({ count: cpu.instructionCount, nr: cpu.r.get(RAX) })
    syscall(cpu)
  }
  machine.run(limit)
  return calls
}

describe('recorder on a program making system calls (write, brk, mmap, munmap, read)', () => {
  test('stepping back reaches recorded states exactly, in any order', () => {
    const started = start(syscalls, INPUT)
    const recorder = new Recorder(started.machine, { checkpointInterval: 5000 })
    const counts = [0, 1, 2, 17, 4999, 5000, 5001, 20_000, 45_678, 80_000, 120_000]
    const states = new Map<number, Record<string, unknown>>()
    for (const count of counts) {
      recorder.runTo(count)
      expect(recorder.instructionCount).toBe(count)
      states.set(count, recordedState(started, recorder))
    }
    recorder.run(1e9)
    expect(started.machine.status).toEqual({ state: 'exited', code: 0 })
    const end = recorder.instructionCount
    const finalState = recordedState(started, recorder)
    const random = seededFractions(3)
    const order = [...counts].reverse().concat([...counts].sort(() => random() - 0.5))
    for (const count of order) {
      recorder.runTo(count)
      expect(recordedState(started, recorder), `at ${count}`).toEqual(states.get(count))
    }
    recorder.runTo(end)
    expect(recordedState(started, recorder)).toEqual(finalState)
  })

  test('runTo(k) for random k equals a fresh run stopped at k', () => {
    const started = start(syscalls, INPUT)
    const recorder = new Recorder(started.machine, { checkpointInterval: 7000 })
    recorder.run(1e9)
    const end = recorder.instructionCount
    const random = seededFractions(11)
    for (let i = 0; i < 6; i++) {
      const k = Math.floor(random() * end)
      recorder.runTo(k)
      expect(recorder.instructionCount).toBe(k)
      expectSameAsFresh(syscalls, started, recorder)
    }
  })

  test.runIf(hasMusl)('the same holds for the musl build', () => {
    const musl = build('syscalls', ['-O2'], undefined, 'musl-gcc')
    const started = start(musl, INPUT)
    const recorder = new Recorder(started.machine, { checkpointInterval: 3000 })
    recorder.run(1e9)
    expect(started.machine.status).toEqual({ state: 'exited', code: 0 })
    const end = recorder.instructionCount
    const random = seededFractions(13)
    for (let i = 0; i < 4; i++) {
      recorder.runTo(Math.floor(random() * end))
      expectSameAsFresh(musl, started, recorder)
    }
  })

  test('steps back across write, brk, mmap and munmap one instruction at a time', () => {
    const calls = syscallCounts(syscalls)
    const wanted = { write: 1, brk: 12, mmap: 9, munmap: 11 }
    const chosen = Object.entries(wanted).map(([name, nr]) => {
      const call = calls.find((c) => c.nr === nr)
      if (call === undefined) throw new Error(`the program made no ${name} call`)
      return call.count
    })
    const started = start(syscalls, INPUT)
    const recorder = new Recorder(started.machine, { checkpointInterval: 5000 })
    recorder.run(1e9)
    for (const count of chosen) {
      recorder.runTo(count)
      expectSameAsFresh(syscalls, started, recorder)
      recorder.stepBack()
      expect(recorder.instructionCount).toBe(count - 1)
      expectSameAsFresh(syscalls, started, recorder)
      recorder.step()
      expectSameAsFresh(syscalls, started, recorder)
    }
  })

  test('output is passed on once, however often a stretch is re-executed', () => {
    const native = freshRunTo(syscalls, 1e9, INPUT)
    const started = start(syscalls, INPUT)
    const recorder = new Recorder(started.machine, { checkpointInterval: 4000 })
    recorder.run(1e9)
    const end = recorder.instructionCount
    recorder.runTo(Math.floor(end / 3))
    recorder.runTo(Math.floor(end / 2))
    recorder.stepBack(1000)
    recorder.run(1e9)
    expect(started.output).toEqual(native.output)
    expect(recorder.outputLength(1)).toBe(native.output[1].length)
  })

  test('input fed while waiting is fed again, at the same instruction, when re-executing', () => {
    const started = start(syscalls, {})
    const recorder = new Recorder(started.machine, { checkpointInterval: 3000 })
    expect(recorder.run(1e9)).toEqual({ state: 'waiting-input' })
    const firstRead = recorder.instructionCount
    recorder.feedStdin(new TextEncoder().encode('typed\n'))
    expect(recorder.run(1e9)).toEqual({ state: 'waiting-input' })
    const secondRead = recorder.instructionCount
    recorder.closeStdin()
    recorder.run(1e9)
    expect(started.machine.status).toEqual({ state: 'exited', code: 0 })
    const transcript = Buffer.from(started.output[1]).toString()
    expect(transcript).toContain('done ')
    expect(transcript).toContain(' typed\n')
    const finalState = recordedState(started, recorder)

    // A fresh machine given the same input at the same moments.
    const fresh = start(syscalls, {})
    fresh.machine.run(firstRead)
    fresh.machine.feedStdin(new TextEncoder().encode('typed\n'))
    fresh.machine.run(secondRead - firstRead)
    fresh.machine.closeStdin()
    fresh.machine.run(1e9)
    expect(fullState(fresh.machine, fresh.output)).toEqual(finalState)

    recorder.runTo(firstRead - 10)
    expect(started.machine.status).toEqual({ state: 'running' })
    recorder.run(1e9)
    expect(recordedState(started, recorder)).toEqual(finalState)
    expect(Buffer.from(started.output[1]).toString()).toBe(transcript)
  })

  test('history is bounded: old checkpoints are thinned, then dropped, and what remains is exact', () => {
    const started = start(syscalls, INPUT)
    const recorder = new Recorder(started.machine, { checkpointInterval: 2000, recentWindow: 20_000 })
    recorder.run(1e9)
    const end = recorder.instructionCount
    const stats = recorder.stats()
    // Dense in the recent window, one per window before it.
    expect(stats.checkpoints).toBeLessThanOrEqual(Math.ceil(20_000 / 2000) + Math.ceil(end / 20_000) + 2)
    expect(stats.earliestReachable).toBe(0)
    recorder.runTo(3000)
    expectSameAsFresh(syscalls, started, recorder)

    const tight = start(syscalls, INPUT)
    const bounded = new Recorder(tight.machine, { checkpointInterval: 2000, recentWindow: 20_000, maxHistoryBytes: 600_000 })
    bounded.run(1e9)
    expect(bounded.stats().bytes).toBeLessThanOrEqual(600_000)
    const earliest = bounded.earliestReachable
    expect(earliest).toBeGreaterThan(0)
    expect(() => bounded.runTo(earliest - 1)).toThrow(HistoryError)
    bounded.runTo(earliest + 123)
    expectSameAsFresh(syscalls, tight, bounded)
  })

  test('bad targets are refused with a clear error', () => {
    const started = start(syscalls, INPUT)
    const recorder = new Recorder(started.machine)
    recorder.run(100)
    expect(() => recorder.stepBack(101)).toThrow(/only 100 have run/)
    expect(() => recorder.runTo(-1)).toThrow(HistoryError)
    expect(() => recorder.runTo(1.5)).toThrow(HistoryError)
    expect(() => new Recorder(started.machine)).toThrow(/already being recorded/)
  })

  test('dispose leaves the machine as it was before recording', () => {
    const started = start(syscalls, INPUT)
    const machine: Machine = started.machine
    const kernelKeys = Object.keys(machine.kernel).sort()
    const recorder = new Recorder(machine)
    recorder.run(50_000)
    recorder.dispose()
    expect(machine.memory.frameObserver).toBeNull()
    expect(Object.keys(machine.kernel).sort()).toEqual(kernelKeys)
    machine.run(1e9)
    expect(Buffer.from(started.output[1]).toString()).toContain('done ')
  })
})

describe('recorder across a page fault handled by growing the stack', () => {
  test('states before and after the growth equal fresh runs, areas included', () => {
    const { machine } = start(stackGrowth)
    const growths: number[] = []
    const kernel = machine.kernel
    const handle = kernel.handleException.bind(kernel)
    kernel.handleException = (exception) => {
      growths.push(machine.instructionCount)
      handle(exception)
    }
    machine.run(1e9)
    expect(machine.status).toEqual({ state: 'exited', code: 0 })
    expect(growths.length).toBeGreaterThan(100)

    const started = start(stackGrowth)
    const recorder = new Recorder(started.machine, { checkpointInterval: 10_000 })
    recorder.run(1e9)
    const stackBefore = (s: Started) => s.machine.regions().find((r) => r.name === '[stack]')!
    const grownSize = stackBefore(started).end - stackBefore(started).start
    for (const count of [growths[0]!, growths[0]! + 1, growths[Math.floor(growths.length / 2)]!, growths[growths.length - 1]!]) {
      recorder.runTo(count)
      expectSameAsFresh(stackGrowth, started, recorder, {})
      recorder.stepBack(1)
      expectSameAsFresh(stackGrowth, started, recorder, {})
    }
    recorder.runTo(growths[0]! - 1)
    const region = stackBefore(started)
    expect(region.end - region.start).toBeLessThan(grownSize)
  })
})

describe('recorder across self-modifying code', () => {
  test('each step back over rewritten code equals the forward trace', () => {
    const reference = freshRunTo(selfModifying, 1e9)
    expect(Buffer.from(reference.output[1]).toString()).toMatch(/^total \d+\n$/)

    const calls = syscallCounts(selfModifying, {})
    const mmapCount = calls.find((c) => c.nr === 9)!.count
    const started = start(selfModifying)
    const recorder = new Recorder(started.machine, { checkpointInterval: 50 })
    recorder.runTo(mmapCount)
    // Step through the rounds that write and call the generated code, one instruction at a time.
    const trace: string[] = []
    for (let i = 0; i < 400; i++) {
      trace.push(JSON.stringify(cpuState(started.machine)))
      recorder.step()
    }
    for (let i = 399; i >= 0; i--) {
      recorder.stepBack()
      expect(JSON.stringify(cpuState(started.machine)), `${i} steps after mmap`).toBe(trace[i])
    }
    recorder.runTo(mmapCount + 250)
    expectSameAsFresh(selfModifying, started, recorder, {})
    recorder.run(1e9)
    expect(started.output).toEqual(reference.output)
    expect(recordedState(started, recorder)).toEqual(fullState(reference.machine, reference.output))
  })
})

describe('recorder with default options on a run longer than the recent window', () => {
  test('the last 1,000,000 instructions are densely checkpointed and every count is reachable exactly', () => {
    const image = build('long_loop')
    const started = start(image)
    const recorder = new Recorder(started.machine)
    recorder.run(1e9)
    expect(started.machine.status).toEqual({ state: 'exited', code: 0 })
    const end = recorder.instructionCount
    expect(end).toBeGreaterThan(2_500_000)
    const counts = recorder.checkpointCounts()
    expect(counts[0]).toBe(0)
    const recent = counts.filter((c) => c >= end - DEFAULT_RECENT_WINDOW)
    for (let i = 1; i < recent.length; i++) expect(recent[i]! - recent[i - 1]!).toBeLessThanOrEqual(DEFAULT_CHECKPOINT_INTERVAL)
    expect(end - recent[recent.length - 1]!).toBeLessThanOrEqual(DEFAULT_CHECKPOINT_INTERVAL)
    expect(recent[0]! - (end - DEFAULT_RECENT_WINDOW)).toBeLessThanOrEqual(DEFAULT_CHECKPOINT_INTERVAL)
    // Older history is thinned to about one checkpoint per window.
    expect(counts.length - recent.length).toBeLessThanOrEqual(Math.ceil(end / DEFAULT_RECENT_WINDOW) + 1)

    recorder.runTo(end - DEFAULT_RECENT_WINDOW)
    expectSameAsFresh(image, started, recorder, {})
    const random = seededFractions(5)
    recorder.runTo(Math.floor(random() * (end - DEFAULT_RECENT_WINDOW)))
    expectSameAsFresh(image, started, recorder, {})
    recorder.run(1e9)
    expect(Buffer.from(started.output[1]).toString()).toMatch(/final [0-9a-f]{8}\n$/)
  })
})

describe('recorder across signals', () => {
  test('a SIGSEGV handler that siglongjmps: stepping back over the delivery equals fresh runs', () => {
    const image = build('signal_segv_handler', ['-O2'], CORPUS)
    const { machine } = start(image)
    const deliveries: number[] = []
    const kernel = machine.kernel
    const handle = kernel.handleException.bind(kernel)
    kernel.handleException = (exception) => {
      deliveries.push(machine.instructionCount)
      handle(exception)
    }
    machine.run(1e9)
    expect(deliveries.length).toBeGreaterThanOrEqual(2)

    const started = start(image)
    const recorder = new Recorder(started.machine, { checkpointInterval: 3000 })
    recorder.run(1e9)
    const finalState = recordedState(started, recorder)
    for (const count of deliveries) {
      // At `count` the faulting store has not retired; one more instruction runs in the handler.
      for (const k of [count - 1, count, count + 1]) {
        recorder.runTo(k)
        expectSameAsFresh(image, started, recorder, {})
      }
    }
    recorder.run(1e9)
    expect(recordedState(started, recorder)).toEqual(finalState)
  })

  test('timers (alarm, setitimer, pause, sigsuspend) fire at the same instructions when re-executed', () => {
    const image = build('timers_alarm', ['-O2'], CORPUS)
    const RT_SIGSUSPEND = 130
    const suspends = syscallCounts(image, {}, 2_000_000).filter((c) => c.nr === RT_SIGSUSPEND)
    // The periodic timer wakes sigsuspend until seven alarms have arrived.
    expect(suspends.length).toBeGreaterThanOrEqual(4)
    const periodicDone = suspends[suspends.length - 1]!.count + 5000

    const started = start(image)
    const recorder = new Recorder(started.machine, { checkpointInterval: 20_000 })
    recorder.runTo(periodicDone)
    const afterTimers = recordedState(started, recorder)
    const random = seededFractions(9)
    for (let i = 0; i < 3; i++) {
      recorder.runTo(Math.floor(random() * periodicDone))
      expectSameAsFresh(image, started, recorder, {})
    }
    recorder.runTo(periodicDone)
    expect(recordedState(started, recorder)).toEqual(afterTimers)
  })
})
