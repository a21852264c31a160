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
