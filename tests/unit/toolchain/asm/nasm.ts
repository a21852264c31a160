/** Runs NASM (installed on this machine) in ELF64 mode, for byte-for-byte comparisons. */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface NasmObject {
  /** Bytes of a section (relocated fields hold what nasm wrote: the addend for RELA, i.e. 0). */
  readonly sections: ReadonlyMap<string, Uint8Array>
  /** `readelf -SW` flag letters per section name (`AX`, `WA`, ...). */
  readonly sectionFlags: ReadonlyMap<string, string>
  /** `nm` lines: `name type` (type letter as nm prints it: T t D d U ...), sorted. */
  readonly symbols: readonly string[]
  /** Relocations per section as `offset symbol addend` (decimal; the section symbol for local
   *  targets), in order. The type is left out: nasm writes PC32 where GNU as and we write PLT32. */
  readonly relocations: ReadonlyMap<string, readonly string[]>
}

export function nasmElf(source: string): NasmObject {
  const dir = mkdtempSync(join(tmpdir(), 'memscape-nasm-'))
  try {
    const input = join(dir, 'in.asm')
    const object = join(dir, 'in.o')
    writeFileSync(input, source)
    execFileSync('nasm', ['-f', 'elf64', '-o', object, input])
    const sectionFlags = new Map<string, string>()
    const sections = new Map<string, Uint8Array>()
    for (const line of execFileSync('readelf', ['-SW', object], { encoding: 'utf8' }).split('\n')) {
      // [ 1] .text PROGBITS 0000000000000000 000180 000010 00  AX  0   0 16
      const match = /^\s*\[\s*\d+\]\s+(\S+)\s+(\S+)\s+\S+\s+\S+\s+(\S+)\s+\S+\s+([A-Z]*)\s+\d+\s+\d+\s+\d+\s*$/.exec(line)
      if (match === null) continue
      const [, name, type, , flags] = match as unknown as [string, string, string, string, string]
      sectionFlags.set(name, flags)
      if (type === 'PROGBITS') {
        const out = join(dir, 'section.bin')
        execFileSync('objcopy', ['-O', 'binary', '--set-section-flags', `${name}=alloc`, '-j', name, object, out])
        sections.set(name, new Uint8Array(readFileSync(out)))
      }
    }
    const symbols = execFileSync('nm', [object], { encoding: 'utf8' })
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => {
        const parts = line.trim().split(/\s+/)
        return `${parts[parts.length - 1]} ${parts[parts.length - 2]}`
      })
      .sort()
    const relocations = new Map<string, string[]>()
    let current: string[] = []
    for (const line of execFileSync('readelf', ['-rW', object], { encoding: 'utf8' }).split('\n')) {
      const header = /^Relocation section '\.rela(\S+)'/.exec(line)
      if (header !== null) relocations.set(header[1] as string, (current = []))
      // 0000000000000016  0000000800000002 R_X86_64_PC32  0000000000000000 rcx - 4
      const match = /^([0-9a-f]{16})\s+[0-9a-f]+\s+R_X86_64_\w+\s+[0-9a-f]+\s+(\S+) ([+-]) ([0-9a-f]+)$/.exec(line.trim())
      if (match !== null) {
        const [, offset, symbol, sign, addend] = match as unknown as [string, string, string, string, string]
        current.push(`${parseInt(offset, 16)} ${symbol} ${sign === '-' ? '-' : ''}${BigInt('0x' + addend)}`)
      }
    }
    return { sections, sectionFlags, symbols, relocations }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}
