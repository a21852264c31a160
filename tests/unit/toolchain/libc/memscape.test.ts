/**
 * The real target: the test programs and the libc compiled by Memscape's own toolchain (C front
 * end, x86 back end, assembler, linker) must behave exactly like the same programs built by gcc
 * against glibc, both natively and inside Memscape's machine. (One file, so the library is
 * compiled once per mode.)
 */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildLibc } from '../../../../shared/toolchain/libc'
import { LIBC_CASES } from './cases'
import { buildWithGlibc, buildWithMemscape, run, runInMachine } from './harness'
import { randomFormatProgram } from './random-formats'

describe("the libc compiled by Memscape's toolchain", () => {
  it('exports the symbols programs and the heap view need', () => {
    const build = buildLibc({ pie: true })
    expect(build.errors).toEqual([])
    const defined = new Set(
      build.objects.flatMap((object) => object.symbols.filter((symbol) => symbol.binding === 'global' && symbol.section !== undefined).map((symbol) => symbol.name)),
    )
    for (const name of ['_start', '__libc_start_main', 'main_arena', 'mp_', 'tcache', 'malloc', 'free', 'printf', 'stdout', 'errno', 'environ', '__stack_chk_fail', '__restore_rt'])
      expect(defined, name).toContain(name)
    expect(buildLibc({ pie: true })).toBe(build)
  })

  it('system() reports that no shell is available (Memscape runs one process)', () => {
    expect(run(buildWithMemscape('system_call.c', { pie: true }))).toEqual({
      stdout: 'system(NULL)=0\nsystem("ls -l")=-1 errno=Function not implemented\n',
      stderr: '',
      status: 0,
      signal: null,
    })
  })

  it('prints random printf conversions like glibc', () => {
    const source = join(mkdtempSync(join(tmpdir(), 'memscape-formats-')), 'formats.c')
    writeFileSync(source, randomFormatProgram(4, 400))
    const expected = run(buildWithGlibc(source))
    expect(expected.stdout.split('\n').length).toBeGreaterThan(400)
    expect(run(buildWithMemscape(source, { pie: true }))).toEqual(expected)
  })
})

for (const pie of [true, false]) {
  describe(`programs built by Memscape (${pie ? '-pie' : '-no-pie'}) behave like gcc + glibc`, () => {
    for (const testCase of LIBC_CASES) {
      describe(testCase.source, () => {
        const options = testCase.stackProtector === undefined ? {} : { stackProtector: testCase.stackProtector }
        let glibcProgram: string | undefined
        let ourProgram: string | undefined
        const test = testCase.memscapeKnownBug === undefined ? it : it.fails
        const suffix = testCase.memscapeKnownBug === undefined ? '' : ` (known bug: ${testCase.memscapeKnownBug})`
        for (const runOptions of testCase.runs) {
          const compare = (where: 'natively' | 'in the machine'): void => {
            glibcProgram ??= buildWithGlibc(testCase.source, options)
            ourProgram ??= buildWithMemscape(testCase.source, { ...options, pie })
            const expected = run(glibcProgram, runOptions)
            expect(expected.stdout + expected.stderr, 'the glibc build printed nothing').not.toBe('')
            expect(where === 'natively' ? run(ourProgram, runOptions) : runInMachine(ourProgram, runOptions)).toEqual(expected)
          }
          test(`${runOptions.label}, natively${suffix}`, () => compare('natively'))
          // The machine runs one mode (static PIE, what `memscape run` builds by default).
          if (pie) test(`${runOptions.label}, in the machine${suffix}`, () => compare('in the machine'))
        }
      })
    }
  })
}
