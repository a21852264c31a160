// Test helpers: assemble Intel-syntax snippets with GNU as, and run bytes in a fresh Cpu.

import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Memory, PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../../../shared/machine/memory'
import { Cpu, type CpuHost } from '../../../../shared/machine/cpu/cpu'

export const CODE = 0x400000
export const DATA = 0x600000
export const STACK_TOP = 0x7ffffffde000 + 16 * PAGE_SIZE

/** Assembles Intel-syntax source (no prefix/suffix needed) into raw bytes. */
export function assemble(source: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'memscape-as-'))
  try {
    writeFileSync(join(dir, 'a.s'), `.intel_syntax noprefix\n.text\n${source}\n`)
    execFileSync('as', ['--64', '-o', join(dir, 'a.o'), join(dir, 'a.s')])
    execFileSync('objcopy', ['-O', 'binary', '-j', '.text', join(dir, 'a.o'), join(dir, 'a.bin')])
    return new Uint8Array(readFileSync(join(dir, 'a.bin')))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export interface Machine {
  memory: Memory
  cpu: Cpu
  syscalls: number[]
}

/** A Cpu with code at CODE (r-x), a data page at DATA (rw-) and a 64 KiB stack; a syscall halts. */
export function machine(code: Uint8Array, host?: CpuHost): Machine {
  const memory = Memory.create({ maxBytes: 256 * PAGE_SIZE })
  const codeBytes = Math.max(PAGE_SIZE, Math.ceil(code.length / PAGE_SIZE) * PAGE_SIZE)
  memory.map(CODE, codeBytes, PROT_READ | PROT_WRITE)
  memory.poke(CODE, code)
  memory.protect(CODE, codeBytes, PROT_READ | PROT_EXEC)
  memory.map(DATA, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE)
  memory.map(STACK_TOP - 16 * PAGE_SIZE, 16 * PAGE_SIZE, PROT_READ | PROT_WRITE)
  const syscalls: number[] = []
  const cpu = new Cpu(
    memory,
    host ?? {
      syscall(c) {
        syscalls.push(c.r.get(0))
        c.requestHalt()
      },
    },
  )
  cpu.r.rip = CODE
  cpu.r.set(4, STACK_TOP - 64)
  return { memory, cpu, syscalls }
}
