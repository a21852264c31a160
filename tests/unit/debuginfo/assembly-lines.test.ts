// `-g` on an assembly source (`memscape cc -g prog.s`) describes it as `gcc -g prog.s` does
// (GNU as -g): a line row for each source line that puts code in .text, and a unit covering that
// code. The same source is built by both; the line tables agree row for row, and gdb steps
// through the source lines of both alike.
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { DebugIndex, readDebugInfo } from '../../../shared/debuginfo'
import { DW_LANG_Mips_Assembler } from '../../../shared/debuginfo/constants'
import { buildPair, cleanUp, gdbCommands, readelfLines } from './native'

afterAll(cleanUp)

const SOURCE = 'sum.s'
// Intel syntax both assemblers read: gas with .intel_syntax, ours natively.
const PROGRAM = `\t.intel_syntax noprefix
\t.globl _start
\t.text
sum_down:
\txor eax, eax
.Lloop:
\tadd eax, edi

\tdec edi
\tjnz .Lloop
\tret
_start:
\tmov edi, 4
\tcall sum_down
\tmov edi, eax
\tmov eax, 60
\tsyscall
\t.section .rodata
banner:\t.ascii "not code\\n"
`

const lineOf = (text: string): number => PROGRAM.split('\n').findIndex((line) => line.includes(text)) + 1


describe('-g on an assembly source, against gcc -g (GNU as)', () => {
  const { dir, ours } = buildPair(SOURCE, PROGRAM, { pie: false }, ['-g', '-nostdlib', '-static', '-no-pie'])
  const program = (who: string): string => join(dir, who, 'prog')

  it('has the same line rows as GNU as: one per line with code, none for blank lines, labels or data', () => {
    const rows = (path: string) => {
      const all = readelfLines(path)
      const start = all[0]?.address ?? 0
      return all.map((row) => ({ ...row, address: row.address - start }))
    }
    expect(rows(program('memscape'))).toEqual(rows(program('gcc')))
    expect(rows(program('memscape')).map((row) => row.line)).toEqual(
      ['xor eax', 'add eax', 'dec edi', 'jnz', 'ret', 'mov edi, 4', 'call', 'mov edi, eax', 'mov eax, 60', 'syscall'].map(lineOf),
    )
  })

  it('describes one unit of the assembler\'s language covering the file\'s code', () => {
    const unit = readDebugInfo(ours).units[0]
    expect(unit?.name).toBe(SOURCE)
    expect(unit?.language).toBe(DW_LANG_Mips_Assembler)
    expect(unit?.functions).toEqual([])
    const index = new DebugIndex(readDebugInfo(ours))
    const call = index.addressesOf(SOURCE, lineOf('call sum_down'))[0]
    expect(call).toBeDefined()
    expect(index.sourceAt(call as number)?.line).toBe(lineOf('call sum_down'))
  })

  it('gdb stops and steps at the same source lines in both', () => {
    const session = [`break ${lineOf('add eax, edi')}`, 'run', 'info line *$pc', 'next', 'info line *$pc', 'next', 'next', 'info registers edi eax', 'list 7,7']
    const transcript = (who: string) =>
      gdbCommands(join(dir, who), './prog', session).map((text) => text.replace(/0x[0-9a-f]+/g, '0x…').replace(/ \(\S+\/prog\)/, ''))
    const mine = transcript('memscape')
    expect(mine).toEqual(transcript('gcc'))
    expect(mine[session.indexOf('info line *$pc')]).toMatch(new RegExp(`^Line ${lineOf('add eax, edi')} of "sum\\.s"`))
    expect(mine[session.lastIndexOf('info line *$pc')]).toMatch(new RegExp(`^Line ${lineOf('dec edi')} of "sum\\.s"`))
  })
})
