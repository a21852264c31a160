import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compile } from '../../../../shared/toolchain/c/compile'
import { validateModule } from '../../../../shared/toolchain/ir/validate'
import { IrInterpreter } from './ir-interpreter'

const ROOT = join(import.meta.dirname, '../../../fixtures/toolchain-c')
const PROGRAMS = join(ROOT, 'programs')

function gccRun(file: string): { stdout: string; status: number } {
  const dir = mkdtempSync(join(tmpdir(), 'memscape-prog-'))
  const exe = join(dir, 'a.out')
  execFileSync('gcc', ['-O0', '-w', '-o', exe, join(PROGRAMS, file)])
  const r = spawnSync(exe, [], { encoding: 'utf8' })
  return { stdout: r.stdout, status: r.status ?? -1 }
}

function sources(file: string): Record<string, string> {
  return { [`programs/${file}`]: readFileSync(join(PROGRAMS, file), 'utf8'), 'mini.h': readFileSync(join(ROOT, 'mini.h'), 'utf8') }
}

describe('C programs: our front end + reference IR interpreter vs gcc native', () => {
  for (const file of readdirSync(PROGRAMS).filter((f) => f.endsWith('.c'))) {
    it(file, () => {
      const r = compile(sources(file), `programs/${file}`)
      expect(r.errorCount, r.text).toBe(0)
      const ir = r.ir!
      expect(validateModule(ir)).toEqual([])
      expect(new IrInterpreter(ir).run()).toEqual(gccRun(file))
    })
  }
})
