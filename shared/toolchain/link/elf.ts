/**
 * Minimal ELF64 little-endian writer for x86-64 executables: file header, program headers,
 * section contents and section headers, laid out by the caller (linker.ts).
 */

export const PAGE_SIZE = 0x1000

export const ET_EXEC = 2
export const ET_DYN = 3
export const EM_X86_64 = 62

export const PT_LOAD = 1
export const PT_DYNAMIC = 2
export const PT_GNU_STACK = 0x6474e551

export const PF_X = 1
export const PF_W = 2
export const PF_R = 4

export const SHT_NULL = 0
export const SHT_PROGBITS = 1
export const SHT_SYMTAB = 2
export const SHT_STRTAB = 3
export const SHT_RELA = 4
export const SHT_DYNAMIC = 6
export const SHT_NOBITS = 8

export const SHF_WRITE = 1
export const SHF_ALLOC = 2
export const SHF_EXECINSTR = 4
export const SHF_MERGE = 0x10
export const SHF_STRINGS = 0x20
export const SHF_INFO_LINK = 0x40

export const STB_LOCAL = 0
export const STB_GLOBAL = 1
export const STT_NOTYPE = 0
export const STT_OBJECT = 1
export const STT_FUNC = 2
export const STT_SECTION = 3
export const STT_FILE = 4
export const SHN_ABS = 0xfff1

export const DT_NULL = 0
export const DT_RELA = 7
export const DT_RELASZ = 8
export const DT_RELAENT = 9
export const DT_FLAGS_1 = 0x6ffffffb
export const DF_1_PIE = 0x08000000

export const R_X86_64_RELATIVE = 8

export const ELF_HEADER_SIZE = 64
export const PROGRAM_HEADER_SIZE = 56
export const SECTION_HEADER_SIZE = 64
export const SYMBOL_SIZE = 24
export const RELA_SIZE = 24

export interface ProgramHeader {
  readonly type: number
  readonly flags: number
  readonly offset: number
  readonly vaddr: bigint
  readonly fileSize: number
  readonly memSize: number
  readonly align: number
}

export interface SectionHeader {
  readonly name: string
  readonly type: number
  readonly flags: number
  readonly addr: bigint
  readonly offset: number
  readonly size: number
  readonly link: number
  readonly info: number
  readonly align: number
  readonly entrySize: number
}

/** A growable little-endian byte buffer. */
export class ByteWriter {
  private buffer = new Uint8Array(4096)
  private view = new DataView(this.buffer.buffer)
  length = 0

  private ensure(extra: number): void {
    if (this.length + extra <= this.buffer.length) return
    let size = this.buffer.length * 2
    while (size < this.length + extra) size *= 2
    const next = new Uint8Array(size)
    next.set(this.buffer.subarray(0, this.length))
    this.buffer = next
    this.view = new DataView(next.buffer)
  }

  u8(value: number): void {
    this.ensure(1)
    this.view.setUint8(this.length, value)
    this.length += 1
  }
  u16(value: number): void {
    this.ensure(2)
    this.view.setUint16(this.length, value, true)
    this.length += 2
  }
  u32(value: number): void {
    this.ensure(4)
    this.view.setUint32(this.length, value >>> 0, true)
    this.length += 4
  }
  u64(value: bigint): void {
    this.ensure(8)
    this.view.setBigUint64(this.length, BigInt.asUintN(64, value), true)
    this.length += 8
  }
  bytes(data: Uint8Array): void {
    this.ensure(data.length)
    this.buffer.set(data, this.length)
    this.length += data.length
  }
  /** Zero-pad up to an absolute file offset. */
  padTo(offset: number): void {
    if (offset < this.length) throw new Error(`ELF layout error: offset ${offset} is behind ${this.length}`)
    this.ensure(offset - this.length)
    this.buffer.fill(0, this.length, offset)
    this.length = offset
  }
  result(): Uint8Array {
    return this.buffer.slice(0, this.length)
  }
}

/** A string table under construction (index 0 is the empty string). */
export class StringTable {
  private readonly parts: Uint8Array[] = [new Uint8Array(1)]
  private readonly offsets = new Map<string, number>()
  size = 1

  add(text: string): number {
    if (text === '') return 0
    const existing = this.offsets.get(text)
    if (existing !== undefined) return existing
    const encoded = new TextEncoder().encode(text + '\0')
    const offset = this.size
    this.parts.push(encoded)
    this.offsets.set(text, offset)
    this.size += encoded.length
    return offset
  }

  bytes(): Uint8Array {
    const out = new Uint8Array(this.size)
    let offset = 0
    for (const part of this.parts) {
      out.set(part, offset)
      offset += part.length
    }
    return out
  }
}

export function writeElfHeader(out: ByteWriter, fields: { type: number; entry: bigint; programHeaderCount: number; sectionHeaderOffset: number; sectionHeaderCount: number; sectionNameIndex: number }): void {
  out.bytes(Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0))
  out.u16(fields.type)
  out.u16(EM_X86_64)
  out.u32(1)
  out.u64(fields.entry)
  out.u64(BigInt(ELF_HEADER_SIZE))
  out.u64(BigInt(fields.sectionHeaderOffset))
  out.u32(0)
  out.u16(ELF_HEADER_SIZE)
  out.u16(PROGRAM_HEADER_SIZE)
  out.u16(fields.programHeaderCount)
  out.u16(SECTION_HEADER_SIZE)
  out.u16(fields.sectionHeaderCount)
  out.u16(fields.sectionNameIndex)
}

export function writeProgramHeader(out: ByteWriter, header: ProgramHeader): void {
  out.u32(header.type)
  out.u32(header.flags)
  out.u64(BigInt(header.offset))
  out.u64(header.vaddr)
  out.u64(header.vaddr)
  out.u64(BigInt(header.fileSize))
  out.u64(BigInt(header.memSize))
  out.u64(BigInt(header.align))
}

export function writeSectionHeader(out: ByteWriter, header: SectionHeader, nameOffset: number): void {
  out.u32(nameOffset)
  out.u32(header.type)
  out.u64(BigInt(header.flags))
  out.u64(header.addr)
  out.u64(BigInt(header.offset))
  out.u64(BigInt(header.size))
  out.u32(header.link)
  out.u32(header.info)
  out.u64(BigInt(header.align))
  out.u64(BigInt(header.entrySize))
}

export function alignUp(value: number, alignment: number): number {
  return alignment <= 1 ? value : Math.ceil(value / alignment) * alignment
}
