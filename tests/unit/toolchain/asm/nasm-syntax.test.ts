// NASM spellings the code generator and hand-written sources rely on, checked against nasm -f elf64
// on this machine: `$name` symbols that would otherwise be registers or keywords, and the
// `.note.GNU-stack` marker section in its plain, NASM-typical and gas forms.
import { describe, expect, it } from 'vitest'
import { assemble } from '../../../../shared/toolchain/asm/assembler'
import { formatDiagnostic, type ObjectFile } from '../../../../shared/toolchain/asm/object'
import { nasmElf } from './nasm'

const NM_LETTER: Record<string, string> = { '.text': 't', '.data': 'd', '.rodata': 'r', '.bss': 'b' }

/** Our symbols as `nm` prints them (`name letter`), sorted. */
function nmOf(object: ObjectFile): string[] {
  return object.symbols
    .map((symbol) => {
      const letter = symbol.section === undefined ? 'U' : (NM_LETTER[symbol.section] as string)
      return `${symbol.name} ${symbol.binding === 'global' && symbol.section !== undefined ? letter.toUpperCase() : letter}`
    })
    .sort()
}

function relocationsOf(object: ObjectFile): string[] {
  const text = object.sections.find((section) => section.name === '.text')
  return (text?.relocations ?? []).map((r) => `${r.offset} ${r.target.kind === 'symbol' ? r.target.name : r.target.section} ${r.addend}`)
}

function assembled(source: string): ObjectFile {
  const result = assemble(source, 'test.asm')
  expect(result.diagnostics.map(formatDiagnostic)).toEqual([])
  return result.object as ObjectFile
}

function textOf(object: ObjectFile): string {
  return Buffer.from(object.sections.find((section) => section.name === '.text')?.bytes ?? []).toString('hex')
}

describe('$name: a symbol even when the name is a register or keyword', () => {
  const SOURCE = `bits 64
global $offset, $byte:function
extern $rcx, $qword
section .text
$rax: dq $byte
$byte: mov rax, [rel $rax]
$offset: call $al
$al: ret
    call $rcx
    mov eax, $offset
    mov rdx, [rel $qword]
    lea rsi, [rel $dword + 4]
    mov byte [rel $dword], 1
    mov ecx, [rbx + $size]
    jmp $al
    jmp short $strict
$strict: nop
$size equ 16
section .data
$dword dd $size, 2
$ptr dq $offset
$rel: dq $rel
$times times 2 db 7
`

  it('assembles byte for byte, with the same symbols and relocations as nasm -f elf64', () => {
    const ours = assembled(SOURCE)
    const nasm = nasmElf(SOURCE)
    expect(textOf(ours)).toBe(Buffer.from(nasm.sections.get('.text') ?? []).toString('hex'))
    expect(Buffer.from(ours.sections.find((section) => section.name === '.data')?.bytes ?? []).toString('hex')).toBe(Buffer.from(nasm.sections.get('.data') ?? []).toString('hex'))
    // nasm lists equ constants as absolute ('a') symbols; our object model keeps them out.
    expect(nmOf(ours)).toEqual(nasm.symbols.filter((line) => !line.endsWith(' a')))
    expect(relocationsOf(ours)).toEqual(nasm.relocations.get('.text'))
  })

  it('drops the $ from the symbol name, so C names such as offset or byte link', () => {
    const names = assembled(SOURCE).symbols.map((symbol) => symbol.name)
    expect(names).toEqual(expect.arrayContaining(['rax', 'byte', 'offset', 'al', 'rcx', 'qword', 'dword', 'ptr', 'rel', 'times']))
    expect(names.some((name) => name.includes('$'))).toBe(false)
  })

  it('keeps $ alone (here), $$ (section start) and names containing $ as before', () => {
    const object = assembled('start: jmp $\n dq $$\nname$x: dq $ - $$\n dq name$x\n')
    expect(textOf(object).slice(0, 4)).toBe('ebfe')
    expect(object.symbols.map((symbol) => symbol.name)).toContain('name$x')
  })

  it('without the $, register names still are registers and keywords still keywords', () => {
    expect(assemble('rax: ret\n', 'plain.asm').diagnostics.map((d) => [d.line, d.column])).toEqual([[1, 4]])
    expect(textOf(assembled('mov rax, rcx\n'))).toBe('4889c8')
  })

  it('a $name starting a line is a label, with or without the colon (nasm: mov at 0, push at 1)', () => {
    const object = assembled('$mov ret\n$push: push rax\n')
    expect(textOf(object)).toBe('c350')
    expect(object.symbols.map((symbol) => [symbol.name, symbol.offset])).toEqual([
      ['mov', 0],
      ['push', 1],
    ])
  })

  it('a $name is never taken for a segment register (nasm: invalid segment override)', () => {
    const result = assemble('extern $fs\n    mov rax, [rel $fs]\n    mov eax, $fs:5\n', 'x.asm')
    expect(result.diagnostics.map(formatDiagnostic)).toEqual(['x.asm:3:17: error: unexpected text after the statement'])
  })
})

describe('names that JavaScript objects also carry', () => {
  it('constructor, toString, valueOf, __proto__ are plain symbols, as for nasm', () => {
    const source = `global constructor
section .text
constructor:
    call toString
    mov eax, valueOf
    lea rax, [rel __proto__]
toString: ret
valueOf: jmp constructor
section .data
__proto__: dq hasOwnProperty
hasOwnProperty: dd 1
`
    const ours = assembled(source)
    const nasm = nasmElf(source)
    expect(textOf(ours)).toBe(Buffer.from(nasm.sections.get('.text') ?? []).toString('hex'))
    expect(nmOf(ours)).toEqual(nasm.symbols)
    expect(relocationsOf(ours)).toEqual(nasm.relocations.get('.text'))
  })
})

describe('section .note.GNU-stack', () => {
  const program = (noteLine: string): string => `section .text\nglobal _start\n_start:\n    mov eax, 60\n    syscall\n${noteLine}\n`

  for (const noteLine of ['section .note.GNU-stack', 'section .note.GNU-stack noalloc noexec nowrite progbits', 'section .note.GNU-stack progbits', 'SECTION .note.GNU-stack exec', 'segment .note.GNU-stack noalloc exec nowrite progbits']) {
    it(`accepts '${noteLine}' and asks for an executable stack exactly when nasm marks the section X`, () => {
      const ours = assembled(program(noteLine))
      const nasm = nasmElf(program(noteLine))
      expect(ours.execStack).toBe((nasm.sectionFlags.get('.note.GNU-stack') ?? '').includes('X'))
      expect(textOf(ours)).toBe(Buffer.from(nasm.sections.get('.text') ?? []).toString('hex'))
    })
  }

  it('accepts the gas spelling gcc emits, with "x" asking for an executable stack', () => {
    expect(assembled('.section .note.GNU-stack,"",@progbits\n').execStack).toBe(false)
    expect(assembled('.section .note.GNU-stack,"x",@progbits\n').execStack).toBe(true)
  })

  it('code can come back to .text afterwards, but nothing goes into the note itself', () => {
    expect(textOf(assembled('section .note.GNU-stack noexec\nsection .text\n ret\n'))).toBe('c3')
    const result = assemble('section .note.GNU-stack\n  ret\nlabel:\n', 'note.asm')
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([
      'note.asm:2:3: error: section .note.GNU-stack holds no code, data or labels (switch to .text, .data, ... first)',
      'note.asm:3:1: error: section .note.GNU-stack holds no code, data or labels (switch to .text, .data, ... first)',
    ])
  })
})
