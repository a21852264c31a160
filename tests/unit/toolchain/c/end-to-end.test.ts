import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { assemble } from '../../../../shared/toolchain/asm/assembler'
import { formatDiagnostic, type ObjectFile } from '../../../../shared/toolchain/asm/object'
import { compile } from '../../../../shared/toolchain/c/compile'
import { link } from '../../../../shared/toolchain/link/linker'
import { generateAssembly, type CodegenOptions } from '../../../../shared/toolchain/x86/codegen'
import { generateProgram } from './random-program'

const ROOT = join(import.meta.dirname, '../../../fixtures/toolchain-c')
const PROGRAMS = join(ROOT, 'programs')
// The back end's test runtime: _start, TLS canary, print_char, __stack_chk_fail.
const RUNTIME = readFileSync(join(import.meta.dirname, '../../../fixtures/toolchain/runtime.asm'), 'utf8')

function assembleOrThrow(source: string, name: string): ObjectFile {
  const r = assemble(source, name)
  if (!r.object) throw new Error(`${r.diagnostics.map(formatDiagnostic).join('\n')}`)
  return r.object
}

/** C sources → our front end → IR → x86 assembly → objects → ELF, with the mini libc. */
function buildWithMemscape(mainFile: string, source: string, options: CodegenOptions): string {
  const files = { [mainFile]: source, 'mini.h': readFileSync(join(ROOT, 'mini.h'), 'utf8'), 'minilibc.c': readFileSync(join(ROOT, 'minilibc.c'), 'utf8') }
  const objects = [assembleOrThrow(RUNTIME, 'runtime.asm')]
  for (const unit of [mainFile, 'minilibc.c']) {
    const r = compile(files, unit, { stackProtector: options.stackProtector, pie: options.pie })
    if (!r.ir) throw new Error(r.text)
    const { assembly } = generateAssembly(r.ir, options)
    objects.push(assembleOrThrow(assembly, unit.replace(/\.c$/, '.s')))
  }
  const linked = link(objects, { pie: options.pie })
  if (!linked.bytes) throw new Error(linked.errors.join('\n'))
  const path = join(mkdtempSync(join(tmpdir(), 'memscape-e2e-')), 'a.out')
  writeFileSync(path, linked.bytes)
  chmodSync(path, 0o755)
  return path
}

function run(path: string): { stdout: string; status: number | null } {
  const r = spawnSync(path, [], { encoding: 'utf8', timeout: 10_000 })
  return { stdout: r.stdout, status: r.status }
}

function gccBuild(sourcePath: string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'memscape-gcc-')), 'a.out')
  execFileSync('gcc', ['-O0', '-w', '-o', path, sourcePath])
  return path
}

const MODES: CodegenOptions[] = [
  { pie: true, stackProtector: 'none' },
  { pie: false, stackProtector: 'strong' },
]

describe('C programs compiled by Memscape run natively like gcc-built ones', () => {
  // Each program is built in one of the modes, alternating, to keep the suite fast.
  readdirSync(PROGRAMS)
    .filter((f) => f.endsWith('.c'))
    .forEach((file, index) => {
      const mode = MODES[index % MODES.length] as CodegenOptions
      it(`${file} (${mode.pie ? 'pie' : 'no-pie'}, stack protector ${mode.stackProtector})`, () => {
        const expected = run(gccBuild(join(PROGRAMS, file)))
        const ours = run(buildWithMemscape(`programs/${file}`, readFileSync(join(PROGRAMS, file), 'utf8'), mode))
        expect(ours).toEqual(expected)
      })
    })
})

const EVERY_MODE: CodegenOptions[] = [
  { pie: true, stackProtector: 'none' },
  { pie: false, stackProtector: 'default' },
  { pie: true, stackProtector: 'strong' },
  { pie: false, stackProtector: 'all' },
]

describe('programs whose code depends on the stack-protector mode run like gcc-built ones in every mode', () => {
  const dir = join(ROOT, 'modes')
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.c'))) {
    it.each(EVERY_MODE)(`${file} (%o)`, (mode) => {
      const expected = run(gccBuild(join(dir, file)))
      expect(run(buildWithMemscape(`modes/${file}`, readFileSync(join(dir, file), 'utf8'), mode))).toEqual(expected)
    })
  }
})

describe('random integer programs compiled by Memscape run natively like gcc-built ones', () => {
  for (const seed of [21, 22, 23]) {
    it(`seed ${seed}`, () => {
      const source = generateProgram(seed)
      const sourcePath = join(mkdtempSync(join(tmpdir(), 'memscape-rand-')), 'r.c')
      writeFileSync(sourcePath, source)
      const expected = run(gccBuild(sourcePath))
      expect(run(buildWithMemscape('r.c', source, { pie: true, stackProtector: 'strong' }))).toEqual(expected)
    })
  }
})
