// The program's memory as gdb sees it before `run` (and after the program exits): the
// executable file's allocated sections at their link-time addresses. .data and .rodata read
// from the file, .bss reads as zeros, and anything outside a section cannot be read, the way
// gdb's exec-file target answers.

import { SHT_NOBITS, type SectionHeader } from '../machine/elf'
import type { Program } from './program'

const SHF_ALLOC = 2

export class FileMemory {
  private readonly sections: readonly SectionHeader[]

  constructor(private readonly program: Program) {
    this.sections = program.elf.sections.filter((s) => (s.flags & SHF_ALLOC) !== 0 && s.size > 0)
  }

  /** Bytes of [address, address+length), with `mapped` 0 where no section holds them (read as 0). */
  peek(address: number, length: number): { data: Uint8Array; mapped: Uint8Array } {
    const data = new Uint8Array(length)
    const mapped = new Uint8Array(length)
    for (const section of this.sections) {
      const from = Math.max(address, section.addr)
      const to = Math.min(address + length, section.addr + section.size)
      if (from >= to) continue
      mapped.fill(1, from - address, to - address)
      if (section.type === SHT_NOBITS) continue
      const offset = section.offset + (from - section.addr)
      data.set(this.program.image.subarray(offset, offset + (to - from)), from - address)
    }
    return { data, mapped }
  }

  /** The bytes, or null when any of them lies outside the file's sections. */
  read(address: number, length: number): Uint8Array | null {
    if (!Number.isSafeInteger(address) || address < 0) return null
    const { data, mapped } = this.peek(address, length)
    return mapped.every((m) => m === 1) ? data : null
  }
}
