/**
 * Memscape's libc compiled by gcc (so its behaviour is checked independently of Memscape's
 * compiler) against the system's glibc: same stdout, stderr, exit status and signal.
 */
import { describe, expect, it } from 'vitest'
import { LIBC_CASES } from './cases'
import { buildWithGccAndLibc, buildWithGlibc, run } from './harness'

describe('libc built with gcc behaves like glibc', () => {
  for (const testCase of LIBC_CASES) {
    describe(testCase.source, () => {
      const options = testCase.stackProtector === undefined ? {} : { stackProtector: testCase.stackProtector }
      let glibcProgram: string | undefined
      let ourProgram: string | undefined
      for (const runOptions of testCase.runs) {
        it(runOptions.label, () => {
          glibcProgram ??= buildWithGlibc(testCase.source, options)
          ourProgram ??= buildWithGccAndLibc(testCase.source, options)
          const expected = run(glibcProgram, runOptions)
          expect(expected.stdout + expected.stderr, 'the glibc build printed nothing').not.toBe('')
          expect(run(ourProgram, runOptions)).toEqual(expected)
        })
      }
    })
  }
})
