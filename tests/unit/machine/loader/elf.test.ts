// The ELF reader on real gcc output (checked field by field against readelf and nm) and on
// every kind of broken or unsupported file: always an ElfError with a precise message, never
// another exception, whatever the bytes.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import {
  ET_DYN,
  ET_EXEC,
  ElfError,
  PT_LOAD,
  PT_TLS,
  STT_FUNC,
  parseExecutable,
  type ElfFile,
} from '../../../../shared/machine/elf'
import { LoadError, loadElf } from '../../../../shared/machine/loader'
import { Memory } from '../../../../shared/machine/memory'
import { Random } from '../../../../shared/machine/random'
import { compile, removeBuilds } from './native'

afterAll(removeBuilds)

const built: Record<string, Uint8Array> = {}
const paths: Record<string, string> = {}

beforeAll(() => {
  const builds: [string, string, string[]][] = [
    ['static', 'addresses.c', ['-static', '-O0']],
    ['static-pie', 'addresses.c', ['-static-pie', '-O2']],
    ['dynamic', 'addresses.c', ['-O0']],
    ['object', 'addresses.c', ['-c']],
    ['freestanding', 'startup.c', ['-static', '-nostdlib', '-fno-stack-protector', '-O1']],
  ]
  for (const [name, source, flags] of builds) {
    paths[name] = compile(source, `elf-${name}`, flags)
    built[name] = new Uint8Array(readFileSync(paths[name])) // a plain copy: Buffer.slice would share memory
  }
})

/** `readelf -lW`'s program headers: type, offset, vaddr, filesz, memsz, flags. */
function readelfSegments(path: string): string[] {
  const text = execFileSync('readelf', ['-lW', path], { encoding: 'utf8' })
  return text
    .split('\n')
    .filter((l) => /^\s+[A-Z_]+\s+0x[0-9a-f]+ 0x/.test(l))
    .map((l) => {
      const f = l.trim().split(/\s+/)
      return [f[0], f[1], f[2], f[4], f[5]].map((x) => (x!.startsWith('0x') ? BigInt(x!).toString(16) : x)).join(' ')
    })
}

const TYPE_NAMES: Record<number, string> = {
  1: 'LOAD', 2: 'DYNAMIC', 3: 'INTERP', 4: 'NOTE', 6: 'PHDR', 7: 'TLS',
  0x6474e550: 'GNU_EH_FRAME', 0x6474e551: 'GNU_STACK', 0x6474e552: 'GNU_RELRO', 0x6474e553: 'GNU_PROPERTY',
}

function mySegments(elf: ElfFile): string[] {
  return elf.programHeaders.map((p) =>
    [TYPE_NAMES[p.type] ?? p.type.toString(16), p.offset.toString(16), p.vaddr.toString(16), p.filesz.toString(16), p.memsz.toString(16)].join(' '),
  )
}

describe('real gcc executables', () => {
  for (const name of ['static', 'static-pie', 'freestanding']) {
    it(`${name}: program headers as readelf shows them`, () => {
      const elf = parseExecutable(built[name]!)
      expect(mySegments(elf)).toEqual(readelfSegments(paths[name]!))
      expect(elf.header.type).toBe(name === 'static-pie' ? ET_DYN : ET_EXEC)
      expect(elf.warnings).toEqual([])
    })
  }

  it('static: symbols as nm shows them, PT_TLS recorded', () => {
    const elf = parseExecutable(built.static!)
    const nm = execFileSync('nm', [paths.static!], { encoding: 'utf8' })
    const fromNm = new Map(
      nm
        .split('\n')
        .map((l) => l.split(' '))
        .filter((f) => f.length === 3)
        .map((f) => [f[2]!, parseInt(f[0]!, 16)] as const),
    )
    for (const name of ['main', '_start', 'malloc', 'global_data', 'global_bss', 'rodata']) {
      const mine = elf.symbols.find((s) => s.name === name)
      expect(mine, name).toBeDefined()
      expect(mine!.value, name).toBe(fromNm.get(name))
    }
    expect(elf.symbols.find((s) => s.name === 'main')!.type).toBe(STT_FUNC)
    expect(elf.programHeaders.some((p) => p.type === PT_TLS)).toBe(true)
  })

  it('refuses a dynamically linked executable with the reason and the fix', () => {
    expect(() => parseExecutable(built.dynamic!)).toThrowError(
      new ElfError('dynamically linked executables are not supported (PT_INTERP /lib64/ld-linux-x86-64.so.2); build with -static'),
    )
  })

  it('refuses an object file', () => {
    expect(() => parseExecutable(built.object!)).toThrowError(/relocatable object file \(ET_REL, a \.o file\): link it into an executable first/)
  })
})

/** A copy of the freestanding binary with some bytes changed. */
function patched(edit: (view: DataView, bytes: Uint8Array) => void, base = 'freestanding'): Uint8Array {
  const bytes = built[base]!.slice()
  edit(new DataView(bytes.buffer), bytes)
  return bytes
}

const PHOFF = 64
const phdr = (index: number, field: number) => PHOFF + index * 56 + field
const loadIndexes = () => parseExecutable(built.freestanding!).programHeaders.filter((p) => p.type === PT_LOAD).map((p) => p.index)

describe('broken and unsupported files get a precise ElfError', () => {
  const cases: [string, () => Uint8Array, RegExp][] = [
    ['empty', () => new Uint8Array(0), /^not an ELF file: the file is empty$/],
    ['a shell script', () => new TextEncoder().encode('#!/bin/sh\necho hi\n'), /^not an ELF file: it starts with 23 21 2f 62, not the ELF magic 7f 45 4c 46/],
    ['only the magic', () => Uint8Array.of(0x7f, 0x45, 0x4c, 0x46), /^truncated ELF header: the file has 4 bytes, e_ident alone needs 16$/],
    ['32-bit', () => patched((_, b) => (b[4] = 1)), /^32-bit ELF \(ELFCLASS32\) is not supported/],
    ['bad class', () => patched((_, b) => (b[4] = 9)), /^invalid ELF class 9/],
    ['big-endian', () => patched((_, b) => (b[5] = 2)), /^big-endian ELF \(ELFDATA2MSB\) is not supported/],
    ['bad version', () => patched((_, b) => (b[6] = 0)), /^unsupported ELF version 0/],
    ['truncated header', () => built.freestanding!.slice(0, 40), /^truncated ELF header: the file has 40 bytes, the ELF64 header needs 64$/],
    ['AArch64', () => patched((v) => v.setUint16(18, 183, true)), /^this ELF file is for AArch64 \(EM_AARCH64\), not x86-64 \(EM_X86_64 = 62\)$/],
    ['i386', () => patched((v) => v.setUint16(18, 3, true)), /^this ELF file is for Intel 80386/],
    ['core dump', () => patched((v) => v.setUint16(16, 4, true)), /^not an executable: this ELF file is a core dump/],
    ['no program headers', () => patched((v) => v.setUint16(56, 0, true)), /^no program headers \(e_phnum is 0\)/],
    ['wrong phentsize', () => patched((v) => v.setUint16(54, 32, true)), /^e_phentsize is 32, but an ELF64 program header is 56 bytes$/],
    ['phdr table out of file', () => patched((v) => v.setBigUint64(32, 0x100000n, true)), /^program header table \(\d+ entries at offset 0x100000, ending at 0x[0-9a-f]+\) runs past the end of the file/],
    ['phdr table cut off', () => built.freestanding!.slice(0, 100), /^program header table .* runs past the end of the file \(100 bytes\)$/],
    [
      'segment out of file',
      () => patched((v) => v.setBigUint64(phdr(loadIndexes()[1]!, 32), 0x10000000n, true)),
      /^PT_LOAD segment \(program header \d\): its file bytes \[0x[0-9a-f]+, 0x[0-9a-f]+\) lie past the end of the file \(\d+ bytes\)$/,
    ],
    [
      'filesz > memsz',
      () => patched((v) => v.setBigUint64(phdr(loadIndexes()[0]!, 40), 1n, true)),
      /^PT_LOAD segment \(program header \d\): p_filesz 0x[0-9a-f]+ is larger than p_memsz 0x1$/,
    ],
    [
      'misaligned',
      () => patched((v) => v.setBigUint64(phdr(loadIndexes()[1]!, 8), v.getBigUint64(phdr(loadIndexes()[1]!, 8), true) + 8n, true)),
      /is misaligned: p_vaddr 0x[0-9a-f]+ and p_offset 0x[0-9a-f]+ differ modulo the page size/,
    ],
    [
      'overlapping',
      () => patched((v) => v.setBigUint64(phdr(loadIndexes()[1]!, 16), 0x400000n, true)),
      /overlaps or precedes the previous PT_LOAD segment/,
    ],
    [
      'below mmap_min_addr',
      () => patched((v) => {
        const i = loadIndexes()[0]!
        v.setBigUint64(phdr(i, 16), 0n, true)
      }),
      /starts at 0x0, below vm.mmap_min_addr \(0x1000\)/,
    ],
    [
      'beyond user space',
      () => patched((v) => v.setBigUint64(phdr(loadIndexes()[3] ?? loadIndexes()[2]!, 40), 0x800000000000n, true)),
      /reaches beyond the user address space \(0x7ffffffff000\)/,
    ],
    ['no PT_LOAD', () => patched((v) => loadIndexes().forEach((i) => v.setUint32(phdr(i, 0), 0, true))), /^no PT_LOAD segment: there is nothing to load$/],
    ['entry outside code', () => patched((v) => v.setBigUint64(24, 0x400010n, true)), /^entry point 0x400010 is not inside an executable \(PF_X\) PT_LOAD segment \(segment \d is not executable\)$/],
    ['entry nowhere', () => patched((v) => v.setBigUint64(24, 0x9000000n, true)), /^entry point 0x9000000 is not inside an executable \(PF_X\) PT_LOAD segment$/],
    ['huge field', () => patched((v) => v.setBigUint64(24, 0xffffffffffffffffn, true)), /^e_entry is 0xffffffffffffffff, far outside the 47-bit user address space$/],
  ]
  for (const [label, make, message] of cases) {
    it(label, () => {
      let error: unknown = null
      try {
        parseExecutable(make())
      } catch (e) {
        error = e
      }
      expect(error).toBeInstanceOf(ElfError)
      expect((error as Error).message).toMatch(message)
    })
  }

  it('a broken section table is reported as a warning, not fatal (the kernel never reads it)', () => {
    const bytes = patched((v) => v.setUint16(58, 12, true))
    const elf = parseExecutable(bytes)
    expect(elf.sections).toEqual([])
    expect(elf.warnings[0]).toMatch(/^section headers ignored: e_shentsize is 12, not 64$/)
  })
})

describe('fuzzing', () => {
  const onlyElfErrors = (bytes: Uint8Array, label: string) => {
    try {
      parseExecutable(bytes) // parses the whole file (parseElf) first
    } catch (error) {
      if (!(error instanceof ElfError)) throw new Error(`${label}: ${String(error)}`)
      expect((error as Error).message.length, label).toBeGreaterThan(10)
    }
  }

  it('random bytes, with and without the ELF magic', () => {
    const random = new Random(11)
    for (let i = 0; i < 3000; i++) {
      const bytes = random.bytes(random.below(600))
      if (i % 2 === 0 && bytes.length >= 7) bytes.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0)
      if (i % 4 === 0 && bytes.length >= 20) bytes.set([62, 0], 18)
      onlyElfErrors(bytes, `random #${i}`)
    }
  })

  it('every truncation of a real static binary', () => {
    const image = built.static!
    for (let length = 0; length < image.length; length += length < 4096 ? 1 : 4093) onlyElfErrors(image.subarray(0, length), `truncated to ${length}`)
  })

  it('bit flips in the headers of real binaries, then loading what still parses', () => {
    const random = new Random(5)
    let loaded = 0
    for (const base of ['static', 'static-pie', 'freestanding']) {
      const image = built[base]!
      for (let i = 0; i < 400; i++) {
        const bytes = image.slice()
        const flips = 1 + random.below(4)
        for (let f = 0; f < flips; f++) {
          const at = random.below(Math.min(bytes.length, i % 2 === 0 ? 64 + 14 * 56 : 4096))
          bytes[at]! ^= 1 << random.below(8)
        }
        onlyElfErrors(bytes, `${base} flip #${i}`)
        if (i % 32 !== 0) continue
        try {
          loadElf(Memory.create({ maxBytes: 8 * 1024 * 1024 }), bytes, { argv: ['a'], env: [], execPath: '/a', random: new Random(i), aslr: 2 })
          loaded++
        } catch (error) {
          if (!(error instanceof ElfError) && !(error instanceof LoadError)) throw new Error(`${base} flip #${i} load: ${String(error)}`)
        }
      }
    }
    expect(loaded).toBeGreaterThan(0)
  })
})
