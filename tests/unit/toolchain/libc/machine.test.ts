/**
 * The libc inside Memscape's own machine: programs built by Memscape's toolchain run in the
 * simulated process (its kernel, its syscalls) and must behave like gcc + glibc natively.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { Machine } from '../../../../shared/machine/machine'
import { signalName } from '../../../../shared/machine/kernel/signals'
import { LIBC_CASES } from './cases'
import { buildWithGlibc, buildWithMemscape, run, TEST_ENV, type RunOptions, type RunResult } from './harness'

const INSTRUCTION_LIMIT = 2_000_000_000

function runInMachine(path: string, options: RunOptions): RunResult {
  const machine = Machine.fromElf(readFileSync(path), {
    argv: [path, ...(options.args ?? [])],
    env: Object.entries(options.env ?? TEST_ENV).map(([key, value]) => `${key}=${value}`),
    seed: 7,
    aslr: 2,
    stdin: new TextEncoder().encode(options.input ?? ''),
    stdinClosed: true,
    terminal: options.terminal ?? false,
  })
  let stdout = ''
  let stderr = ''
  const decoder = (bytes: Uint8Array): string => String.fromCharCode(...bytes)
  machine.onOutput = (fd, bytes) => {
    if (fd === 1 || options.mergeStderr || options.terminal) stdout += decoder(bytes)
    else stderr += decoder(bytes)
  }
  const status = machine.run(INSTRUCTION_LIMIT)
  if (status.state === 'exited') return { stdout, stderr, status: status.code, signal: null }
  if (status.state === 'signaled') return { stdout, stderr, status: null, signal: signalName(status.signal) as NodeJS.Signals }
  throw new Error(`program did not finish: ${status.state}`)
}

describe('libc built by Memscape runs in the Memscape machine like glibc natively', () => {
  for (const testCase of LIBC_CASES) {
    describe(testCase.source, () => {
      const options = testCase.stackProtector === undefined ? {} : { stackProtector: testCase.stackProtector }
      let glibcProgram: string | undefined
      let ourProgram: string | undefined
      for (const runOptions of testCase.runs) {
        const test = testCase.memscapeKnownBug === undefined ? it : it.fails
        test(testCase.memscapeKnownBug === undefined ? runOptions.label : `${runOptions.label} (known bug: ${testCase.memscapeKnownBug})`, () => {
          glibcProgram ??= buildWithGlibc(testCase.source, options)
          ourProgram ??= buildWithMemscape(testCase.source, { ...options, pie: true })
          const expected = run(glibcProgram, runOptions)
          expect(expected.stdout + expected.stderr, 'the glibc build printed nothing').not.toBe('')
          expect(runInMachine(ourProgram, runOptions)).toEqual(expected)
        })
      }
    })
  }
})
