/** Our own C front end and back end, with DWARF from buildFromIr's debugInfo option (unitFromBuild
 *  and writeDwarf, appended by the linker), read by gdb and by our reader. */
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { DebugIndex, readDebugInfo } from '../../../shared/debuginfo'
import { assemble } from '../../../shared/toolchain/asm/assembler'
import { compile } from '../../../shared/toolchain/c/compile'
import { buildFromIr } from '../../../shared/toolchain/link/build'
import { cleanUp, fixture, gcc, gdbScope, readelfLines, run, stderrOf, workDir } from './native'

afterAll(cleanUp)

const RUNTIME = readFileSync(join(__dirname, '../../fixtures/toolchain/runtime.asm'), 'utf8')

function buildWithDwarf(stackProtector: 'none' | 'all'): { path: string; bytes: Uint8Array } {
  const source = readFileSync(fixture('compiled.c'), 'utf8')
  const compiled = compile({ 'compiled.c': source }, 'compiled.c', { pie: false, stackProtector })
  if (!compiled.ir) throw new Error(compiled.text)
  const runtime = assemble(RUNTIME, 'runtime.asm').object
  if (!runtime) throw new Error('runtime.asm does not assemble')
  const debugInfo = { compDir: join(__dirname, '../../fixtures/debuginfo'), producer: 'memscape cc' }
  const built = buildFromIr(compiled.ir, { pie: false, stackProtector, debugInfo }, [runtime])
  if (!built.executable || !built.link) throw new Error(built.errors.join('\n'))
  const out = join(workDir(), 'with-dwarf')
  writeFileSync(out, built.executable, { mode: 0o755 })
  return { path: out, bytes: built.executable }
}

describe.each(['none', 'all'] as const)('our compiler with -fstack-protector %s', (mode) => {
  const ours = buildWithDwarf(mode)
  const gccBuilt = gcc(fixture('compiled.c'), ['-g', '-O0', '-c', mode === 'none' ? '-fno-stack-protector' : '-fstack-protector-all'], join(workDir(), 'compiled.o'))

  it('gdb sees the frame slots gcc -O0 gives the same source', () => {
    for (const fn of ['scale', 'main']) {
      const theirs = new Map([...gdbScope(gccBuilt.path, fn)].map(([name, slot]) => [name, { rbpOffset: (slot.fbreg ?? NaN) + 16, length: slot.length }]))
      expect(theirs.size).toBeGreaterThan(0)
      expect(gdbScope(ours.path, fn), fn).toEqual(theirs)
    }
  })

  it('readelf reads the sections without complaint; our reader finds lines and scopes', () => {
    expect(stderrOf('readelf', ['--debug-dump=info,abbrev,line,str', ours.path])).toBe('')
    expect(readelfLines(ours.path).map((r) => r.line)).toContain(13)
    const index = new DebugIndex(readDebugInfo(ours.bytes))
    const [address] = index.addressesOf('compiled.c', 13)
    expect(address).toBeDefined()
    expect(index.functionAt(address as number)?.name).toBe('scale')
    expect(index.variablesAt(address as number).map((v) => v.name)).toEqual(['a', 'b', 'buf', 'p', 'k'])
  })

  it('gdb running the program prints the values', () => {
    const out = run('gdb', ['-batch', '-nx', '-ex', 'break 13', '-ex', 'run', '-ex', 'print a', '-ex', 'print b', '-ex', 'print k', '-ex', 'print p', '-ex', 'print total', '-ex', 'print greeting', '-ex', 'print origin', '-ex', 'print (long)$rbp - (long)&buf', ours.path])
    expect(out).toContain('$1 = 5')
    expect(out).toContain('$2 = 9')
    expect(out).toContain('$3 = 10')
    expect(out).toContain('$4 = {x = 3, y = 4, tag = "pt\\000\\000\\000"}')
    expect(out).toContain('$5 = 7')
    expect(out).toContain(`$6 = "hello${'\\000'.repeat(10)}"`)
    expect(out).toContain('$7 = {x = 1, y = 2, tag = "o\\000\\000\\000\\000"}')
    // buf where gcc puts it for the same source and protector mode.
    const gccBuf = gdbScope(gccBuilt.path, 'scale').get('buf')?.fbreg
    expect(out).toContain(`$8 = ${-((gccBuf ?? NaN) + 16)}`)
  })
})
