// Shadow tracking instruction by instruction, on a hand-written program (Memscape's assembler):
// which forms copy their data's origin (mov, movzx, push/pop, xchg, rep movsb, rep stosb, movq,
// cmov when taken) and which compute a value of their own (add, the zero-extension of movzx, a
// system call's result), with input arriving through read().

import { describe, expect, test } from 'vitest'
import type { Origin } from '../../../../shared/debugger/provenance/origins'
import { traceHistory, type Trace } from '../../../../shared/debugger/provenance/trace'
import { buildProgram } from '../../../../shared/toolchain/driver'
import { bytes, debug } from './harness'

const FORMS = `section .bss
buf: resb 64
section .text
global _start
_start:
  mov eax, 0
  mov edi, 0
  lea rsi, [rel buf]
  mov edx, 16
  syscall
  movzx ebx, byte [rel buf+3]
  push qword [rel buf+8]
  pop rcx
  mov rdx, 0x1234
  xchg rcx, rdx
  lea rsi, [rel buf]
  lea rdi, [rel buf+32]
  mov ecx, 8
  rep movsb
  mov al, [rel buf+5]
  lea rdi, [rel buf+48]
  mov ecx, 4
  rep stosb
  movq xmm0, [rel buf]
  movq [rel buf+56], xmm0
  mov r8, 7
  mov r9, 9
  mov r10, [rel buf]
  cmp eax, eax
  cmove r8, r10
  cmovne r9, r10
  mov r12, [rel buf+8]
  mov r13, 3
  add r12, r13
done:
  mov eax, 60
  xor edi, edi
  syscall
`

const stdin = (offsets: number[]): Origin[] => offsets.map((offset) => ({ kind: 'stdin', offset }) as Origin)
const range = (from: number, count: number): number[] => Array.from({ length: count }, (_, i) => from + i)
/** Origins without the step that read them (compared by kind and offset). */
const plain = (origins: readonly Origin[]): unknown[] => origins.map((o) => (o.kind === 'stdin' ? { kind: 'stdin', offset: o.offset } : o.kind === 'computed' || o.kind === 'constant' ? o.kind : o))

async function traced(): Promise<{ trace: Trace; buf: number; done: number; text: (address: number) => string }> {
  const result = buildProgram({ 'forms.asm': FORMS }, ['forms.asm'], { pie: false, debugInfo: true })
  if (!result.executable) throw new Error(result.diagnostics)
  const d = debug({ path: '/home/user/forms', image: result.executable, sources: { 'forms.asm': FORMS } }, { stdin: bytes('ABCDEFGHIJKLMNOP') })
  await d.run('break done')
  await d.run('run')
  const inferior = d.session.inferior!
  const buf = inferior.runtimeAddress(inferior.program.symbols.named('buf')!.value)
  const done = inferior.runtimeAddress(inferior.program.symbols.named('done')!.value)
  const trace = traceHistory(d.session, inferior)
  const text = (address: number): string => {
    const symbol = inferior.program.symbols.containing(inferior.linkAddress(address))
    return symbol ? `${symbol.symbol.name}+${symbol.offset}` : String(address)
  }
  return { trace, buf, done, text }
}

describe('shadow tracking of instruction forms', () => {
  test('copies keep their origin, computations get their own', async () => {
    const { trace, buf } = await traced()
    const t = trace.tracker
    const memory = (address: number, length: number) => plain(range(address, length).map((a) => t.originAt(a)))
    const register = (name: string) => plain(t.registerOrigins(name)!)
    // read() brought stdin bytes 0-15 into buf; the rest of .bss is still zero.
    expect(memory(buf, 16)).toEqual(plain(stdin(range(0, 16))))
    expect(t.originAt(buf + 20)).toEqual({ kind: 'zero', what: '.bss (zero-initialized)' })
    // movzx: the byte is copied, the zero-extension is computed.
    expect(register('rbx')).toEqual([...plain(stdin([3])), ...Array(7).fill('computed')])
    // push [buf+8]; pop rcx; xchg rcx, rdx: rdx holds the pushed stdin bytes 8-15.
    expect(register('rdx')).toEqual(plain(stdin(range(8, 8))))
    // rep movsb copied buf[0..8) to buf[32..40); rep stosb stored al (stdin byte 5) four times.
    expect(memory(buf + 32, 8)).toEqual(plain(stdin(range(0, 8))))
    expect(memory(buf + 48, 4)).toEqual(plain(stdin([5, 5, 5, 5])))
    // movq xmm0, [buf]: 8 bytes copied, the upper 8 cleared; stored back by movq [buf+56], xmm0.
    expect(register('xmm0')).toEqual([...plain(stdin(range(0, 8))), ...Array(8).fill('computed')])
    expect(memory(buf + 56, 8)).toEqual(plain(stdin(range(0, 8))))
    // cmove taken copies, cmovne not taken leaves the constant.
    expect(register('r8')).toEqual(plain(stdin(range(0, 8))))
    expect(register('r9')).toEqual(Array(8).fill('constant'))
    // add computes; the system call's result in rax is computed by the syscall instruction.
    expect(register('r12')).toEqual(Array(8).fill('computed'))
    expect(t.loadSource('r10')).toEqual({ address: buf, count: expect.any(Number) })
  })

  test('the instructions behind the labels', async () => {
    const { trace, buf, done, text } = await traced()
    const t = trace.tracker
    // add r12, r13 is the last instruction before done (REX.W 01 /r: 3 bytes).
    const add = t.registerOrigins('r12')![0]!
    expect(add.kind === 'computed' && add.step.ip).toBe(done - 3)
    const read = t.originAt(buf)
    expect(read.kind === 'stdin' && read.by?.syscall).toBe('read')
    expect(t.writerAt(buf + 56) && text(t.writerAt(buf + 56)!.ip)).toMatch(/^_start\+\d+$/)
    expect(trace.fromProgramStart).toBe(true)
  })
})
