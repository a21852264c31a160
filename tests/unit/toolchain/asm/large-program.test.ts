// A large generated NASM program, assembled by us and by nasm -f elf64: the same bytes in every
// section, the same symbols and the same relocations. Jumps land at every distance, some just
// around the short/near boundary, so relaxation has to grow branches in cascades exactly as nasm.
// No `align` in .text: padding that shrinks while jumps settle makes nasm's result depend on its
// pass history (it re-sizes every jump on every pass; ours only grow), see the README.
import { describe, expect, it } from 'vitest'
import { assemble } from '../../../../shared/toolchain/asm/assembler'
import { formatDiagnostic, type ObjectFile } from '../../../../shared/toolchain/asm/object'
import { nasmElf } from './nasm'

const FUNCTIONS = 320
const STRINGS = 60
const GLOBALS = 80

/** A small deterministic generator (LCG), so a failure can be reproduced. */
function generator(seed: number): (n: number) => number {
  let state = seed
  return (n) => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    return (state >>> 8) % n
  }
}

function generateProgram(seed: number): { source: string; lines: number } {
  const random = generator(seed)
  const pick = <T>(items: readonly T[]): T => items[random(items.length)] as T
  const imm = (): number => pick([0, 1, -1, 127, 128, -128, -129, 255, 4096, 0x7fffffff, -0x80000000, random(100000)])
  const out: string[] = ['bits 64', 'extern puts, printf, malloc', 'section .text']
  for (let f = 0; f < FUNCTIONS; f++) {
    if (f % 3 === 0) out.push(`global f${f}:function`)
    out.push(`f${f}:`, '    push rbp', '    mov rbp, rsp', `    sub rsp, ${16 * (1 + random(20))}`)
    const labels = 2 + random(10)
    const body: string[] = []
    for (let block = 0; block < labels; block++) {
      body.push(`.b${block}:`)
      const statements = random(9)
      for (let s = 0; s < statements; s++) {
        const slot = 4 * (1 + random(30))
        body.push(
          pick([
            `    mov dword [rbp-${slot}], ${imm()}`,
            `    mov eax, dword [rbp-${slot}]`,
            `    mov [rbp-${2 * slot}], rax`,
            `    add eax, ${imm()}`,
            `    sub rsp, ${imm() & 0xfff}`,
            `    cmp eax, ${imm()}`,
            '    test eax, eax',
            '    sete al',
            '    movzx eax, al',
            '    movsxd rax, eax',
            '    cdqe',
            '    cqo',
            '    idiv ecx',
            '    imul eax, ecx',
            `    imul eax, dword [rbp-${slot}], ${imm()}`,
            `    shl eax, ${random(32)}`,
            '    sar rax, 1',
            `    and eax, ${imm()}`,
            `    or rax, [rbx+rcx*8+${random(300)}]`,
            '    xor eax, eax',
            `    lea rax, [rbx+rcx*4+${imm()}]`,
            '    push rbx',
            '    pop rbx',
            '    mov rax, qword [fs:0x28]',
            `    movaps [rbp-${16 * (1 + random(8))}], xmm${random(16)}`,
            `    lea rdi, [rel s${random(STRINGS)}]`,
            `    mov eax, [rel g${random(GLOBALS)}]`,
            `    mov [rel g${random(GLOBALS)} + 4], ecx`,
            `    lea rax, [rel f${random(FUNCTIONS)}]`,
            `    mov rax, f${random(FUNCTIONS)}`,
            `    call f${random(FUNCTIONS)}`,
            `    call ${pick(['puts', 'printf', 'malloc'])}`,
            `    ${pick(['jmp', 'je', 'jne', 'jl', 'jge', 'jg', 'jbe'])} .b${random(labels)}`,
            `    ${pick(['jmp', 'jne'])} .b${random(labels)}`,
            // Filler that puts targets around the 127-byte reach of a short jump.
            `    times ${100 + random(40)} nop`,
            `    times ${random(20)} nop`,
          ]),
        )
      }
    }
    out.push(...body, '    leave', '    ret')
  }
  out.push('section .rodata')
  for (let s = 0; s < STRINGS; s++) out.push(`s${s}: db "string ${s}", 10, 0`)
  out.push('section .data')
  for (let g = 0; g < GLOBALS; g++) out.push(`g${g}: dd ${imm()}, ${g}`, `p${g}: dq f${random(FUNCTIONS)} + ${random(16)}`, `    align ${pick([1, 4, 8, 16])}`)
  out.push('section .bss')
  for (let b = 0; b < 10; b++) out.push(`b${b}: resb ${1 + random(64)}`)
  return { source: out.join('\n') + '\n', lines: out.length }
}

const NM_LETTER: Record<string, string> = { '.text': 't', '.data': 'd', '.rodata': 'r', '.bss': 'b' }

function hexOf(bytes: Uint8Array | undefined): string {
  return Buffer.from(bytes ?? []).toString('hex')
}

describe('a large generated program', () => {
  it.each([1, 2])('assembles exactly as nasm -f elf64 (seed %i)', (seed) => {
    const { source, lines } = generateProgram(seed)
    expect(lines).toBeGreaterThan(10_000)
    const result = assemble(source, 'large.asm')
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([])
    const ours = result.object as ObjectFile
    const nasm = nasmElf(source)
    for (const name of ['.text', '.rodata', '.data'] as const) {
      const section = ours.sections.find((candidate) => candidate.name === name)
      expect(hexOf(section?.bytes), name).toBe(hexOf(nasm.sections.get(name)))
      expect(
        (section?.relocations ?? []).map((r) => `${r.offset} ${r.target.kind === 'symbol' ? r.target.name : r.target.section} ${r.addend}`),
        `${name} relocations`,
      ).toEqual(nasm.relocations.get(name) ?? [])
    }
    expect(ours.sections.find((candidate) => candidate.name === '.bss')?.size).toBeGreaterThan(0)
    const symbols = ours.symbols
      .map((symbol) => {
        const letter = symbol.section === undefined ? 'U' : (NM_LETTER[symbol.section] as string)
        return `${symbol.name} ${symbol.binding === 'global' && symbol.section !== undefined ? letter.toUpperCase() : letter}`
      })
      .sort()
    expect(symbols).toEqual(nasm.symbols)
    // Relaxation had work to do: both jump forms occur.
    const text = hexOf(ours.sections.find((candidate) => candidate.name === '.text')?.bytes)
    expect(text).toMatch(/(?:^|..)e9/)
  })
})

describe('statements whose size depends on where labels land', () => {
  // align, times counted from $, label differences as immediates (imm8 or imm32), an equ of
  // $ - label, branches over them: sized again on every relaxation pass, as nasm does.
  const SOURCE = `bits 64
section .text
start:
    jmp .end
    mov eax, .table_size
    lea rsi, [rel .table]
    times 100 nop
.loop:
    dec ecx
    jnz .loop
    align 16
    cmp eax, (.end - .loop)
    je .loop
    times (64 - ($ - $$) % 64) % 64 nop
    mov eax, .end - start
    jmp start
    times 20 nop
    add eax, .here - start
.here:
    jne short .loop
.end:
    ret
.table: dd 1, 2, 3, .end - start
.table_size equ $ - .table
`

  it('assembles exactly as nasm -f elf64', () => {
    const result = assemble(SOURCE, 'moving.asm')
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([])
    const text = result.object?.sections.find((section) => section.name === '.text')
    expect(hexOf(text?.bytes)).toBe(hexOf(nasmElf(SOURCE).sections.get('.text')))
  })
})
