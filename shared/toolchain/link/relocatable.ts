/**
 * ELF64 relocatable (.o) writer: the same object the linker consumes, in the format GNU ld and
 * gcc read, so Memscape-built code can be linked with gcc-built code (and checked against it).
 */
import type { ObjectFile, RelocationKind, SectionName } from '../asm/object'
import {
  alignUp,
  ByteWriter,
  ELF_HEADER_SIZE,
  RELA_SIZE,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_INFO_LINK,
  SHF_WRITE,
  SHT_NOBITS,
  SHT_NULL,
  SHT_PROGBITS,
  SHT_RELA,
  SHT_STRTAB,
  SHT_SYMTAB,
  STB_GLOBAL,
  STB_LOCAL,
  STT_FILE,
  STT_FUNC,
  STT_NOTYPE,
  STT_OBJECT,
  STT_SECTION,
  SHN_ABS,
  StringTable,
  SYMBOL_SIZE,
  writeElfHeader,
  writeSectionHeader,
  type SectionHeader,
} from './elf'

const ET_REL = 1

const RELOCATION_TYPES: Record<RelocationKind, number> = { abs64: 1, pc32: 2, plt32: 4, abs32: 10, abs32s: 11 }

const SECTION_FLAGS: Record<SectionName, number> = {
  '.text': SHF_ALLOC | SHF_EXECINSTR,
  '.rodata': SHF_ALLOC,
  '.data': SHF_ALLOC | SHF_WRITE,
  '.bss': SHF_ALLOC | SHF_WRITE,
}

export function writeRelocatable(object: ObjectFile): Uint8Array {
  const headers: SectionHeader[] = []
  const contents: (Uint8Array | undefined)[] = []
  const add = (header: SectionHeader, data?: Uint8Array): number => {
    headers.push(header)
    contents.push(data)
    return headers.length // index (the null section is 0)
  }
  const sectionIndex = new Map<SectionName, number>()
  for (const section of object.sections) {
    const index = add(
      { name: section.name, type: section.name === '.bss' ? SHT_NOBITS : SHT_PROGBITS, flags: SECTION_FLAGS[section.name], addr: 0n, offset: 0, size: section.size, link: 0, info: 0, align: section.align, entrySize: 0 },
      section.name === '.bss' ? undefined : section.bytes,
    )
    sectionIndex.set(section.name, index)
  }
  add({ name: '.note.GNU-stack', type: SHT_PROGBITS, flags: object.execStack ? SHF_EXECINSTR : 0, addr: 0n, offset: 0, size: 0, link: 0, info: 0, align: 1, entrySize: 0 }, new Uint8Array(0))

  // Symbols: null, file, section symbols, locals, then globals (defined and undefined).
  const strtab = new StringTable()
  const symbols = new ByteWriter()
  const symbolIndex = new Map<string, number>()
  const sectionSymbol = new Map<SectionName, number>()
  let count = 0
  const writeSymbol = (name: string, info: number, shndx: number, value: number, size: number): number => {
    symbols.u32(strtab.add(name))
    symbols.u8(info)
    symbols.u8(0)
    symbols.u16(shndx)
    symbols.u64(BigInt(value))
    symbols.u64(BigInt(size))
    return count++
  }
  const typeOf = (type: 'function' | 'object' | 'none'): number => (type === 'function' ? STT_FUNC : type === 'object' ? STT_OBJECT : STT_NOTYPE)
  writeSymbol('', 0, 0, 0, 0)
  writeSymbol(object.fileName, (STB_LOCAL << 4) | STT_FILE, SHN_ABS, 0, 0)
  for (const [name, index] of sectionIndex) sectionSymbol.set(name, writeSymbol('', (STB_LOCAL << 4) | STT_SECTION, index, 0, 0))
  for (const symbol of object.symbols) {
    if (symbol.binding !== 'local' || symbol.section === undefined) continue
    symbolIndex.set(symbol.name, writeSymbol(symbol.name, (STB_LOCAL << 4) | typeOf(symbol.type), sectionIndex.get(symbol.section) ?? 0, symbol.offset, symbol.size))
  }
  const firstGlobal = count
  for (const symbol of object.symbols) {
    if (symbol.binding !== 'global') continue
    const shndx = symbol.section === undefined ? 0 : (sectionIndex.get(symbol.section) ?? 0)
    symbolIndex.set(symbol.name, writeSymbol(symbol.name, (STB_GLOBAL << 4) | typeOf(symbol.type), shndx, symbol.offset, symbol.size))
  }

  const symtabIndex = headers.length + 1 + object.sections.filter((section) => section.relocations.length > 0).length
  for (const section of object.sections) {
    if (section.relocations.length === 0) continue
    const rela = new ByteWriter()
    for (const relocation of section.relocations) {
      const target = relocation.target.kind === 'section' ? sectionSymbol.get(relocation.target.section) : symbolIndex.get(relocation.target.name)
      if (target === undefined) throw new Error(`relocation against unknown symbol in ${object.fileName}`)
      rela.u64(BigInt(relocation.offset))
      rela.u64((BigInt(target) << 32n) | BigInt(RELOCATION_TYPES[relocation.kind]))
      rela.u64(relocation.addend)
    }
    add({ name: `.rela${section.name}`, type: SHT_RELA, flags: SHF_INFO_LINK, addr: 0n, offset: 0, size: rela.length, link: symtabIndex, info: sectionIndex.get(section.name) ?? 0, align: 8, entrySize: RELA_SIZE }, rela.result())
  }
  const symbolBytes = symbols.result()
  add({ name: '.symtab', type: SHT_SYMTAB, flags: 0, addr: 0n, offset: 0, size: symbolBytes.length, link: symtabIndex + 1, info: firstGlobal, align: 8, entrySize: SYMBOL_SIZE }, symbolBytes)
  const stringBytes = strtab.bytes()
  add({ name: '.strtab', type: SHT_STRTAB, flags: 0, addr: 0n, offset: 0, size: stringBytes.length, link: 0, info: 0, align: 1, entrySize: 0 }, stringBytes)
  const shstrtab = new StringTable()
  const nameOffsets = headers.map((header) => shstrtab.add(header.name))
  const shstrtabName = shstrtab.add('.shstrtab')
  const shstrtabBytes = shstrtab.bytes()
  add({ name: '.shstrtab', type: SHT_STRTAB, flags: 0, addr: 0n, offset: 0, size: shstrtabBytes.length, link: 0, info: 0, align: 1, entrySize: 0 }, shstrtabBytes)
  nameOffsets.push(shstrtabName)

  // Lay out contents after the ELF header, then the section header table.
  const out = new ByteWriter()
  out.padTo(ELF_HEADER_SIZE)
  const placed = headers.map((header, i) => {
    const data = contents[i]
    if (data === undefined) return { ...header, offset: out.length }
    out.padTo(alignUp(out.length, Math.max(1, header.align)))
    const offset = out.length
    out.bytes(data)
    return { ...header, offset }
  })
  const sectionHeaderOffset = alignUp(out.length, 8)
  out.padTo(sectionHeaderOffset)
  writeSectionHeader(out, { name: '', type: SHT_NULL, flags: 0, addr: 0n, offset: 0, size: 0, link: 0, info: 0, align: 0, entrySize: 0 }, 0)
  placed.forEach((header, i) => writeSectionHeader(out, header, nameOffsets[i] as number))
  const bytes = out.result()
  const head = new ByteWriter()
  writeElfHeader(head, { type: ET_REL, entry: 0n, programHeaderCount: 0, sectionHeaderOffset, sectionHeaderCount: placed.length + 1, sectionNameIndex: placed.length })
  const header = head.result()
  // e_phoff must be 0 for a file without program headers.
  new DataView(header.buffer).setBigUint64(32, 0n, true)
  bytes.set(header, 0)
  return bytes
}
