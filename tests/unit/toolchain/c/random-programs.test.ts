import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compile } from '../../../../shared/toolchain/c/compile'
import { validateModule } from '../../../../shared/toolchain/ir/validate'
import { IrInterpreter } from './ir-interpreter'
import { generateProgram } from './random-program'

function gccRun(source: string): { stdout: string; status: number } {
  const dir = mkdtempSync(join(tmpdir(), 'memscape-rand-'))
  writeFileSync(join(dir, 'r.c'), source)
  execFileSync('gcc', ['-O0', '-w', '-o', join(dir, 'r'), join(dir, 'r.c')])
  const r = spawnSync(join(dir, 'r'), [], { encoding: 'utf8' })
  return { stdout: r.stdout, status: r.status ?? -1 }
}

describe('random integer programs: front end + IR interpreter agree with gcc', () => {
  for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) {
    it(`seed ${seed}`, () => {
      const source = generateProgram(seed)
      const r = compile({ 'r.c': source }, 'r.c')
      expect(r.errorCount, r.text).toBe(0)
      expect(validateModule(r.ir!)).toEqual([])
      expect(new IrInterpreter(r.ir!).run()).toEqual(gccRun(source))
    })
  }
})
