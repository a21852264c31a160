/**
 * The C front end (shared/toolchain/c) feeding this back end, checked against gcc on the same
 * sources: frame offsets from DWARF and program behaviour when run natively.
 */
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compile } from '../../../../shared/toolchain/c/compile'
import type { IrModule } from '../../../../shared/toolchain/ir/types'
import { layoutFrame, type StackProtector } from '../../../../shared/toolchain/x86/frame'
import { runNative, scratchDir } from './gnu'
import { buildAndRun } from './pipeline'

const FIXTURES = join(import.meta.dirname, '../../../fixtures/toolchain')
const FLAGS: Record<StackProtector, string> = { none: '-fno-stack-protector', default: '-fstack-protector', strong: '-fstack-protector-strong', all: '-fstack-protector-all' }
/** Just enough of <stdarg.h> and <stdio.h> for the fixtures (the libc brings the real ones). */
const HEADERS = {
  'include/stdarg.h': 'typedef __builtin_va_list va_list;\n#define va_start(v, l) __builtin_va_start(v, l)\n#define va_end(v) __builtin_va_end(v)\n#define va_arg(v, t) __builtin_va_arg(v, t)\n',
  'include/stdio.h': 'int puts(const char *);\nint printf(const char *, ...);\n',
}

function compileC(file: string, options: { pie: boolean; stackProtector: StackProtector }): IrModule {
  const source = readFileSync(join(FIXTURES, file), 'utf8')
  const name = file.split('/').pop() as string
  const result = compile({ [name]: source, ...HEADERS }, name, { ...options, systemIncludeDirs: ['include'] })
  if (result.ir === undefined) throw new Error(result.text)
  return result.ir
}

function gccOffsets(mode: StackProtector): Map<string, Map<string, number>> {
  const object = join(scratchDir(), 'frames.o')
  execFileSync('gcc', ['-O0', '-g', '-c', FLAGS[mode], '-o', object, join(FIXTURES, 'frames.c')], { stdio: 'ignore' })
  const dump = execFileSync('readelf', ['--debug-dump=info', object], { maxBuffer: 1 << 26 }).toString()
  const result = new Map<string, Map<string, number>>()
  let tag = ''
  let name = ''
  let current: Map<string, number> | undefined
  for (const line of dump.split('\n')) {
    const tagMatch = /Abbrev Number: \d+ \((DW_TAG_\w+)\)/.exec(line)
    if (tagMatch !== null) [tag, name] = [tagMatch[1] as string, '']
    const nameMatch = /DW_AT_name\s*:\s*(?:\(indirect string, offset: 0x\w+\): )?(\S+)/.exec(line)
    if (nameMatch !== null) {
      name = nameMatch[1] as string
      if (tag === 'DW_TAG_subprogram') result.set(name, (current = new Map()))
    }
    const location = /DW_AT_location.*DW_OP_fbreg: (-?\d+)/.exec(line)
    if (location !== null && current !== undefined) current.set(name, Number(location[1]) + 16)
  }
  return result
}

describe('C front end + back end against gcc', () => {
  it.each(['none', 'default', 'strong', 'all'] as const)('frame offsets of frames.c equal gcc -O0 -g with %s', (mode) => {
    const module = compileC('frames.c', { pie: true, stackProtector: mode })
    const gcc = gccOffsets(mode)
    const mismatches: string[] = []
    for (const fn of module.functions) {
      const layout = layoutFrame(fn, mode)
      for (const object of fn.frame) {
        if (object.kind === 'temp') continue
        const expected = gcc.get(fn.name)?.get(object.name)
        if (layout.offsets.get(object.id) !== expected) mismatches.push(`${fn.name}.${object.name}: ours ${layout.offsets.get(object.id)} gcc ${expected}`)
      }
    }
    expect(mismatches).toEqual([])
  })

  it.each([
    { pie: true, stackProtector: 'strong' },
    { pie: false, stackProtector: 'none' },
  ] as const)('mix.c prints and exits as the gcc build does (%o)', (options) => {
    const dir = scratchDir()
    execFileSync('gcc', ['-O0', '-w', '-o', join(dir, 'reference'), join(FIXTURES, 'programs/mix.c'), join(FIXTURES, 'programs/print.c')])
    const reference = runNative(join(dir, 'reference'))
    const ours = buildAndRun(compileC('programs/mix.c', options), options)
    expect(ours.stdout).toBe(reference.stdout)
    expect(ours.status).toBe(reference.status)
  })

  it('smash.c: the canary catches the overflow like glibc, and without it the program crashes', () => {
    const dir = scratchDir()
    execFileSync('gcc', ['-O0', '-w', '-fstack-protector-strong', '-o', join(dir, 'reference'), join(FIXTURES, 'programs/smash.c'), join(FIXTURES, 'programs/print.c')])
    const reference = runNative(join(dir, 'reference'))
    const guarded = buildAndRun(compileC('programs/smash.c', { pie: true, stackProtector: 'strong' }), { pie: true, stackProtector: 'strong' })
    expect([guarded.stdout, guarded.stderr, guarded.signal]).toEqual([reference.stdout, reference.stderr, reference.signal])
    const open = buildAndRun(compileC('programs/smash.c', { pie: true, stackProtector: 'none' }), { pie: true, stackProtector: 'none' })
    expect(open.stdout).toBe('ok\n')
    expect(open.signal).toBe('SIGSEGV')
  })
})
