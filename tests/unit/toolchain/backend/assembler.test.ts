import { describe, expect, it } from 'vitest'
import { assemble } from '../../../../shared/toolchain/asm/assembler'
import { assembleLine } from '../../../../shared/toolchain/asm/line'
import { formatDiagnostic } from '../../../../shared/toolchain/asm/object'
import { gnuAssembleText, hex, nasmAssemble } from './gnu'

/** Instructions written in the spelling both GNU as (Intel mode) and our assembler accept. */
const INSTRUCTIONS = `
push rbp
mov rbp, rsp
sub rsp, 16
sub rsp, 0x1000
add rsp, 8
mov DWORD PTR [rbp-4], edi
mov QWORD PTR [rbp-24], rsi
mov eax, DWORD PTR [rbp-20]
mov rax, QWORD PTR [rbp-0x50]
mov BYTE PTR [rbp-1], 65
mov WORD PTR [rbp-2], 0x1234
mov DWORD PTR [rbp-8], 5
mov QWORD PTR [rbp-16], -1
mov eax, 0
mov eax, 0xffffffff
mov rax, 5
mov rax, -5
mov rax, 0x123456789
mov al, 200
mov ax, 1000
mov r8d, 7
mov r15, r14
mov r8b, BYTE PTR [r9+r10*4+3]
mov rax, QWORD PTR fs:0x28
sub rax, QWORD PTR fs:0x28
mov QWORD PTR [rbp-8], rax
mov rax, QWORD PTR [rsp]
mov rax, QWORD PTR [rsp+8]
mov rax, QWORD PTR [r12]
mov rax, QWORD PTR [r13]
mov rax, QWORD PTR [rbp]
mov rax, QWORD PTR [rax+rcx*8]
mov rax, QWORD PTR [rcx*4+16]
lea rax, [rbp-64]
lea rdx, [rax+rax*2]
lea rdi, [rip+0x100]
movzx eax, BYTE PTR [rbp-1]
movzx eax, WORD PTR [rax]
movsx eax, BYTE PTR [rbp-1]
movsx eax, al
movsx rax, eax
movsxd rdx, DWORD PTR [rbp-4]
movzx eax, al
cdqe
cdq
cqo
idiv ecx
idiv QWORD PTR [rbp-8]
div rcx
imul eax, edx
imul eax, DWORD PTR [rbp-8], 10
imul rax, rax, 1000
mul rcx
neg eax
not rax
inc DWORD PTR [rbp-4]
dec rax
add eax, edx
add eax, 1
add eax, 1000
add DWORD PTR [rbp-4], 1
add rax, QWORD PTR [rbp-8]
adc rax, rbx
sbb eax, eax
and eax, 0xff
and rax, -16
or ecx, 3
xor eax, eax
xor r9d, r9d
shl eax, 1
shl eax, 4
shl eax, cl
sar edx, 31
shr rax, 63
sal eax, 2
rol eax, 3
cmp eax, DWORD PTR [rbp-8]
cmp BYTE PTR [rax], 0
cmp rax, 0x7f
cmp eax, 128
test eax, eax
test al, 1
sete al
setne al
setg al
setl dl
setle al
setge al
seta al
setb al
setbe al
setae al
cmove eax, ecx
cmovl rax, rdx
call rax
call QWORD PTR [rax+8]
jmp rax
jmp QWORD PTR [rax*8+0x402000]
push 8
push 1000
push QWORD PTR [rbp-8]
push r12
pop rbx
pop r15
leave
ret
ret 8
nop
syscall
int 0x80
int3
hlt
xchg rax, rbx
xchg eax, ecx
bswap eax
bsf eax, ecx
bsr rax, rdx
bt eax, 3
popcnt eax, ecx
lzcnt eax, ecx
tzcnt rax, rdx
rep movsb
rep movsq
rep stosq
rep stosb
movsb
lodsb
repne scasb
cld
std
lock xadd DWORD PTR [rax], ecx
lock cmpxchg QWORD PTR [rdi], rsi
mfence
rdtsc
cpuid
pushfq
popfq
enter 16, 0
movq xmm0, rax
movd eax, xmm1
movaps XMMWORD PTR [rbp-128], xmm0
movdqu xmm1, XMMWORD PTR [rsi]
pxor xmm0, xmm0
paddd xmm1, xmm2
movss xmm0, DWORD PTR [rax]
addsd xmm0, xmm1
cvtsi2sd xmm0, eax
ucomisd xmm0, xmm1
vpxor xmm0, xmm1, xmm2
vmovdqu ymm0, YMMWORD PTR [rdi]
fld QWORD PTR [rax]
fstp st(1)
endbr64
ud2
`.split('\n').map((line) => line.trim()).filter((line) => line !== '')

describe('assembler encoding agrees with GNU as', () => {
  it('encodes every instruction in the list exactly as GNU as does', () => {
    const gnu = gnuAssembleText(INSTRUCTIONS.join('\n'))
    const mismatches: string[] = []
    let offset = 0
    for (const line of INSTRUCTIONS) {
      let ours: Uint8Array
      try {
        ours = assembleLine(line.replace('st(1)', 'st1'), BigInt(offset))
      } catch (error) {
        mismatches.push(`${line}: ${String(error)}`)
        break
      }
      const theirs = gnu.slice(offset, offset + ours.length)
      if (hex(ours) !== hex(theirs)) {
        mismatches.push(`${line}: ours ${hex(ours)} gas ${hex(gnu.slice(offset, offset + 12))}`)
        break
      }
      offset += ours.length
    }
    expect(mismatches).toEqual([])
    expect(offset).toBe(gnu.length)
  })
})

/** A NASM program using labels, local labels, relaxation, data directives, times, equ, $ and $$. */
const NASM_PROGRAM = `
start:
    jmp short .begin
    db 0x90
.begin:
    mov ecx, COUNT
.loop:
    dec ecx
    jnz .loop                 ; backward: short
    test eax, eax
    jz far_away               ; forward over 300 bytes: near
    je start                  ; backward over a long way
    call helper
    lea rsi, [rel message]
    mov edx, message_length
    mov rax, [rel table + 8]
    cmp byte [rsi + rcx*2 + 1], 'A'
    jmp $ + 2
    times 300 nop
far_away:
    ret
helper:
    push rbp
    mov rbp, rsp
    xor eax, eax
    pop rbp
    ret
message:  db "hello", 10, 0
message_length equ $ - message
COUNT equ 3 * (4 + 1) << 1
align 8
table:    dq 1, 2, start - $$
words:    dw 0x1234, -2
dwords:   dd 0xdeadbeef, helper - start
padding:  times 5 db 0xcc
strings:  db 'single', "double", \`tab\\there\`, 0
reserved: resb 3
`

describe('assembler agrees with NASM', () => {
  it('assembles a program with labels, relaxation and data exactly as nasm -f bin', () => {
    const ours = assemble(NASM_PROGRAM, 'nasm.asm')
    expect(ours.diagnostics.map(formatDiagnostic)).toEqual([])
    const text = ours.object?.sections.find((section) => section.name === '.text')
    expect(hex(text?.bytes ?? new Uint8Array())).toBe(hex(nasmAssemble(NASM_PROGRAM)))
  })

  it('writes relocations for references that cross sections or leave the file', () => {
    const result = assemble(
      `extern puts
global main
section .text
main:
    lea rdi, [rel text]
    call puts
    mov eax, [counter]
    mov rax, text
    ret
section .rodata
text: db "x", 0
section .data
counter: dd 0
pointer: dq text + 1
`,
      'reloc.asm',
    )
    expect(result.diagnostics).toEqual([])
    const text = result.object?.sections.find((section) => section.name === '.text')
    expect(text?.relocations.map((r) => [r.offset, r.kind, r.target.kind === 'symbol' ? r.target.name : r.target.section, r.addend])).toEqual([
      [3, 'pc32', '.rodata', -4n],
      [8, 'plt32', 'puts', -4n],
      [15, 'abs32s', '.data', 0n],
      [21, 'abs64', '.rodata', 0n],
    ])
    const data = result.object?.sections.find((section) => section.name === '.data')
    expect(data?.relocations.map((r) => [r.offset, r.kind, r.addend])).toEqual([[4, 'abs64', 1n]])
    expect(result.object?.symbols.find((symbol) => symbol.name === 'main')).toMatchObject({ binding: 'global', section: '.text', type: 'function' })
  })
})

describe('assembler diagnostics', () => {
  it('reports every error of a file in one pass, located as file:line:col', () => {
    const result = assemble(
      `section .text
    mov eax, ebx, ecx
    mov rax, [rbx*3+rcx*2]
    jmp nowhere
    movzx eax, [rbx]
    frobnicate rax
    mov al, 300
    db "unterminated
    add eax, 1
`,
      'bad.asm',
    )
    expect(result.object).toBeUndefined()
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([
      "bad.asm:2:5: error: invalid combination of opcode and operands for 'mov'",
      'bad.asm:3:14: error: too many registers in a memory operand',
      "bad.asm:4:9: error: symbol 'nowhere' not defined (declare it with 'extern')",
      'bad.asm:5:16: error: operation size not specified',
      "bad.asm:6:5: error: unknown instruction 'frobnicate'",
      "bad.asm:7:5: error: invalid combination of opcode and operands for 'mov'",
      'bad.asm:8:8: error: unterminated string',
    ])
  })

  it('refuses absurd sizes instead of exhausting memory', () => {
    const result = assemble('section .data\nbig: resb 0x7fffffff\nsection .text\ntimes 0x100000 times 0x1000 nop\nalign 65536\n', 'huge.asm')
    expect(result.diagnostics.map(formatDiagnostic)).toEqual([
      'huge.asm:2:6: error: section .data would exceed 67108864 bytes',
      'huge.asm:4:1: error: section .text would exceed 67108864 bytes',
      'huge.asm:5:1: error: alignment 65536 is larger than a page',
    ])
  })

  it('explains single-line errors for the debugger', () => {
    expect(() => assembleLine('mov eax, [', 0n)).toThrow(/expected an expression/)
    expect(() => assembleLine('jmp somewhere', 0n)).toThrow(/unknown symbol 'somewhere'/)
    expect(hex(assembleLine('jmp 0x401000', 0x401000n))).toBe('ebfe')
    expect(hex(assembleLine('call 0x401000', 0x402000n))).toBe('e8fbefffff')
    expect(hex(assembleLine('mov rax, [rel 0x404000]', 0x401000n))).toBe('488b05f92f0000')
    expect(hex(assembleLine('db 0x90, 0xcc', 0n))).toBe('90cc')
  })

  it('never throws on garbage: fuzzed sources give diagnostics only', () => {
    let seed = 12345
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff
      return seed % n
    }
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789 ,[]+-*:;."\'`$\t_rexdiqwordptr'
    const valid = NASM_PROGRAM.split('\n')
    for (let round = 0; round < 150; round++) {
      const lines: string[] = []
      for (let i = 0; i < 12; i++) {
        if (random(2) === 0) {
          // mutate a real line
          const line = valid[random(valid.length)] ?? ''
          const position = random(line.length + 1)
          lines.push(line.slice(0, position) + alphabet[random(alphabet.length)] + line.slice(position + random(3)))
        } else {
          lines.push(Array.from({ length: random(30) }, () => alphabet[random(alphabet.length)]).join(''))
        }
      }
      const source = lines.join('\n')
      expect(() => assemble(source, 'fuzz.asm')).not.toThrow()
      for (const line of lines) {
        try {
          assembleLine(line, 0x401000n)
        } catch (error) {
          expect((error as Error).constructor.name).toBe('AssembleLineError')
        }
      }
    }
  })
})
