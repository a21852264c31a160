// Differential testing against this machine's CPU: every variant is one instruction, assembled
// once by GNU as. A generated C + asm harness runs each (variant, state) natively; the same
// bytes run in Cpu from the same state; results are compared with undefined flags masked out.

import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Decoder, DecoderOptions } from 'iced-x86'
import { Memory, PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../../../shared/machine/memory'
import { Cpu } from '../../../../shared/machine/cpu/cpu'

/** State block layout (bytes): 8 GPRs, rflags, 16 bytes of memory operand, pad, xmm0, xmm1. */
export const STATE_BYTES = 128
export const OFF_FLAGS = 64
export const OFF_MEM = 72
export const OFF_XMM0 = 96
export const OFF_XMM1 = 112
/** GPRs in the state block, as register numbers (rax rbx rcx rdx rsi rdi r8 r9). */
export const STATE_GPRS = [0, 3, 1, 2, 6, 7, 8, 9] as const
const GPR_NAMES = ['rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'r8', 'r9']

export interface Case {
  variant: number
  state: Uint8Array
  /** Status-flag bits the instruction defines for this input (others are masked out). */
  flagMask: number
}

export interface Assembled {
  bytes: Uint8Array
  /** Instructions in the variant (one per source line). */
  count: number
}

/** Assembles each variant (one instruction per line) and returns its bytes. */
export function assembleEach(variants: readonly string[]): Assembled[] {
  const dir = mkdtempSync(join(tmpdir(), 'memscape-diff-'))
  try {
    writeFileSync(join(dir, 'i.s'), `.intel_syntax noprefix\n.text\n${variants.join('\n')}\n`)
    execFileSync('as', ['--64', '-o', join(dir, 'i.o'), join(dir, 'i.s')])
    execFileSync('objcopy', ['-O', 'binary', '-j', '.text', join(dir, 'i.o'), join(dir, 'i.bin')])
    const all = new Uint8Array(readFileSync(join(dir, 'i.bin')))
    const decoder = new Decoder(64, all, DecoderOptions.None)
    const out: Assembled[] = []
    try {
      for (const text of variants) {
        const count = text.split('\n').length
        const start = decoder.position
        for (let i = 0; i < count; i++) decoder.decode().free()
        out.push({ bytes: all.slice(start, decoder.position), count })
      }
    } finally {
      decoder.free()
    }
    return out
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** Runs all cases natively (one process) and returns the output states. */
export function runNative(instructions: readonly string[], cases: readonly Case[]): Uint8Array[] {
  const dir = mkdtempSync(join(tmpdir(), 'memscape-native-'))
  try {
    const asm: string[] = ['.intel_syntax noprefix', '.text']
    instructions.forEach((text, k) => {
      asm.push(`.globl v_${k}`, `v_${k}:`, 'push rbx', 'push r15', 'mov r15, rdi')
      GPR_NAMES.forEach((name, i) => {
        if (name !== 'rdi') asm.push(`mov ${name}, [r15+${i * 8}]`)
      })
      asm.push(`movdqu xmm0, [r15+${OFF_XMM0}]`, `movdqu xmm1, [r15+${OFF_XMM1}]`)
      asm.push(`push qword ptr [r15+${OFF_FLAGS}]`, 'popfq', `mov rdi, [r15+40]`)
      asm.push(...text.split('\n'))
      asm.push('pushfq', `pop qword ptr [r15+${OFF_FLAGS}]`)
      GPR_NAMES.forEach((name, i) => asm.push(`mov [r15+${i * 8}], ${name}`))
      asm.push(`movdqu [r15+${OFF_XMM0}], xmm0`, `movdqu [r15+${OFF_XMM1}], xmm1`, 'cld', 'pop r15', 'pop rbx', 'ret')
    })
    asm.push('.section .data.rel.ro', '.globl variants', 'variants:')
    instructions.forEach((_, k) => asm.push(`.quad v_${k}`))
    asm.push('.section .note.GNU-stack,"",@progbits')
    writeFileSync(join(dir, 'v.s'), asm.join('\n') + '\n')
    writeFileSync(
      join(dir, 'main.c'),
      `#include <stdio.h>
#include <stdint.h>
typedef struct { unsigned char b[${STATE_BYTES}]; } __attribute__((aligned(16))) State;
extern void (*variants[])(State *);
int main(void) {
  static State s; uint32_t k;
  while (fread(&k, 4, 1, stdin) == 1 && fread(&s, sizeof s, 1, stdin) == 1) {
    variants[k](&s);
    fwrite(&s, sizeof s, 1, stdout);
  }
  return 0;
}
`,
    )
    execFileSync('gcc', ['-O1', '-o', join(dir, 'h'), join(dir, 'main.c'), join(dir, 'v.s')])
    const input = new Uint8Array(cases.length * (4 + STATE_BYTES))
    const view = new DataView(input.buffer)
    cases.forEach((c, i) => {
      view.setUint32(i * (4 + STATE_BYTES), c.variant, true)
      input.set(c.state, i * (4 + STATE_BYTES) + 4)
    })
    const output = execFileSync(join(dir, 'h'), { input, maxBuffer: 1 << 28 })
    const results: Uint8Array[] = []
    for (let i = 0; i < cases.length; i++) results.push(new Uint8Array(output.subarray(i * STATE_BYTES, (i + 1) * STATE_BYTES)))
    return results
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const DATA = 0x600000
const CODE = 0x400000
/** Each variant's instructions sit in their own slot, followed by int3 padding. */
const SLOT = 64

/** Runs cases in one Cpu; each variant's code is translated once and reused. */
export class Emulated {
  private readonly memory: Memory
  private readonly cpu: Cpu

  constructor(private readonly codes: readonly Assembled[]) {
    const codeBytes = Math.ceil((codes.length * SLOT) / PAGE_SIZE) * PAGE_SIZE
    this.memory = Memory.create({ maxBytes: codeBytes + 16 * PAGE_SIZE })
    const memory = this.memory
    memory.map(DATA, PAGE_SIZE, PROT_READ | PROT_WRITE)
    memory.map(0x7fff0000, PAGE_SIZE, PROT_READ | PROT_WRITE)
    memory.map(CODE, codeBytes, PROT_READ | PROT_WRITE)
    const image = new Uint8Array(codeBytes).fill(0xcc)
    codes.forEach((code, k) => image.set(code.bytes, k * SLOT))
    memory.poke(CODE, image)
    memory.protect(CODE, codeBytes, PROT_READ | PROT_EXEC)
    this.cpu = new Cpu(memory, {
      syscall() {
        throw new Error('unexpected syscall')
      },
    })
  }

  run(variant: number, state: Uint8Array): Uint8Array {
    const { memory, cpu } = this
    memory.poke(DATA, state)
    const view = new DataView(state.buffer, state.byteOffset, state.byteLength)
    STATE_GPRS.forEach((reg, i) => cpu.r.setBig(reg, view.getBigUint64(i * 8, true)))
    cpu.r.set(15, DATA)
    cpu.r.set(4, 0x7fff0800)
    for (let i = 0; i < 8; i++) {
      cpu.r.xmm[i] = view.getInt32(OFF_XMM0 + i * 4, true)
    }
    cpu.setRflags(view.getUint32(OFF_FLAGS, true))
    cpu.r.rip = CODE + variant * SLOT
    const stop = cpu.run(this.codes[variant]!.count)
    if (stop.kind !== 'budget') throw new Error(`stopped: ${JSON.stringify(stop, (_k, v) => (typeof v === 'bigint' ? v.toString(16) : v))}`)
    const out = new Uint8Array(memory.peek(DATA, STATE_BYTES).data)
    const ov = new DataView(out.buffer)
    STATE_GPRS.forEach((reg, i) => ov.setBigUint64(i * 8, cpu.r.getBig(reg), true))
    ov.setBigUint64(OFF_FLAGS, BigInt(cpu.getRflags()), true)
    for (let i = 0; i < 8; i++) ov.setInt32(OFF_XMM0 + i * 4, cpu.r.xmm[i]!, true)
    return out
  }
}
