/**
 * The real target: the test programs and the libc compiled by Memscape's own toolchain (C front
 * end, x86 back end, assembler, linker), run natively, must behave exactly like the same
 * programs built by gcc against glibc.
 */
import { describe, expect, it } from 'vitest'
import { LIBC_CASES } from './cases'
import { buildWithGlibc, buildWithMemscape, run } from './harness'

for (const pie of [true, false]) {
  describe(`libc built by Memscape (${pie ? '-pie' : '-no-pie'}) behaves like glibc`, () => {
    for (const testCase of LIBC_CASES) {
      describe(testCase.source, () => {
        const options = testCase.stackProtector === undefined ? {} : { stackProtector: testCase.stackProtector }
        let glibcProgram: string | undefined
        let ourProgram: string | undefined
        for (const runOptions of testCase.runs) {
          const test = testCase.memscapeKnownBug === undefined ? it : it.fails
          test(testCase.memscapeKnownBug === undefined ? runOptions.label : `${runOptions.label} (known bug: ${testCase.memscapeKnownBug})`, () => {
            glibcProgram ??= buildWithGlibc(testCase.source, options)
            ourProgram ??= buildWithMemscape(testCase.source, { ...options, pie })
            const expected = run(glibcProgram, runOptions)
            expect(expected.stdout + expected.stderr, 'the glibc build printed nothing').not.toBe('')
            expect(run(ourProgram, runOptions)).toEqual(expected)
          })
        }
      })
    }
  })
}
