/** Random printf conversions: Memscape's libc built by gcc against glibc (memscape.test.ts runs one seed built by Memscape). */
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildWithGccAndLibc, buildWithGlibc, run } from './harness'
import { randomFormatProgram } from './random-formats'

function writeProgram(seed: number): string {
  const path = join(mkdtempSync(join(tmpdir(), 'memscape-formats-')), `formats${seed}.c`)
  writeFileSync(path, randomFormatProgram(seed, 400))
  return path
}

describe('random printf conversions match glibc', () => {
  for (const seed of [1, 2, 3]) {
    it(`seed ${seed}: libc built by gcc`, () => {
      const source = writeProgram(seed)
      const expected = run(buildWithGlibc(source))
      expect(expected.stdout.split('\n').length).toBeGreaterThan(400)
      expect(run(buildWithGccAndLibc(source))).toEqual(expected)
    })
  }
})
