// ELF64 little-endian x86-64 reader: the file header, program headers (what the kernel loads)
// and, where present, section headers and symbol tables (what the views use to name addresses).
// Anything malformed or unsupported raises an ElfError whose message says exactly what is wrong;
// no other exception escapes, whatever the bytes.

export class ElfError extends Error {
  override name = 'ElfError'
}

export const ET_REL = 1
export const ET_EXEC = 2
export const ET_DYN = 3
export const ET_CORE = 4

export const EM_X86_64 = 62

export const PT_NULL = 0
export const PT_LOAD = 1
export const PT_DYNAMIC = 2
export const PT_INTERP = 3
export const PT_NOTE = 4
export const PT_PHDR = 6
export const PT_TLS = 7
export const PT_GNU_EH_FRAME = 0x6474e550
export const PT_GNU_STACK = 0x6474e551
export const PT_GNU_RELRO = 0x6474e552
export const PT_GNU_PROPERTY = 0x6474e553

export const PF_X = 1
export const PF_W = 2
export const PF_R = 4

export const SHT_SYMTAB = 2
export const SHT_STRTAB = 3
export const SHT_NOBITS = 8
export const SHT_DYNSYM = 11

export const STT_NOTYPE = 0
export const STT_OBJECT = 1
export const STT_FUNC = 2
export const STT_SECTION = 3
export const STT_FILE = 4
export const STT_TLS = 6
export const STT_GNU_IFUNC = 10

export const EHDR_SIZE = 64
export const PHDR_SIZE = 56
const SHDR_SIZE = 64
const SYM_SIZE = 24

/** The page size the kernel maps segments with. */
const PAGE = 0x1000
/** TASK_SIZE_MAX on x86-64 with 4-level paging: the last user page is never mappable. */
const TASK_SIZE = 0x7ffffffff000
/** vm.mmap_min_addr on the reference machine: nothing may be mapped below it. */
export const MMAP_MIN_ADDR = 0x1000

export interface ElfHeader {
  type: number
  machine: number
  entry: number
  phoff: number
  shoff: number
  flags: number
  phentsize: number
  phnum: number
  shentsize: number
  shnum: number
  shstrndx: number
}

export interface ProgramHeader {
  index: number
  type: number
  flags: number
  offset: number
  vaddr: number
  filesz: number
  memsz: number
  align: number
}

export interface SectionHeader {
  index: number
  name: string
  type: number
  flags: number
  addr: number
  offset: number
  size: number
  link: number
  entsize: number
}

export interface ElfSymbol {
  name: string
  value: number
  size: number
  type: number
  bind: number
  sectionIndex: number
}

export interface ElfFile {
  header: ElfHeader
  programHeaders: ProgramHeader[]
  sections: SectionHeader[]
  /** .symtab symbols (or .dynsym when there is no .symtab), in file order; read on first use. */
  readonly symbols: ElfSymbol[]
  /** Problems in the parts the kernel ignores (section table, symbols): reported, not fatal. */
  warnings: string[]
}

const MACHINE_NAMES: Record<number, string> = {
  2: 'SPARC',
  3: 'Intel 80386 (EM_386)',
  8: 'MIPS',
  20: 'PowerPC',
  21: 'PowerPC64',
  22: 'IBM S/390',
  40: 'ARM (EM_ARM)',
  43: 'SPARC V9',
  50: 'IA-64',
  183: 'AArch64 (EM_AARCH64)',
  243: 'RISC-V (EM_RISCV)',
  258: 'LoongArch',
}

const hex = (n: number): string => `0x${n.toString(16)}`
const decoder = new TextDecoder()

/** Bounds-checked little-endian reads; every read past the end is an ElfError naming `what`. */
class Reader {
  private readonly view: DataView
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  }

  get length(): number {
    return this.bytes.length
  }

  private check(offset: number, size: number, what: string): void {
    if (offset < 0 || offset + size > this.bytes.length) {
      throw new ElfError(`${what} at file offset ${hex(offset)} lies past the end of the file (${this.bytes.length} bytes)`)
    }
  }

  u8(offset: number, what: string): number {
    this.check(offset, 1, what)
    return this.view.getUint8(offset)
  }

  u16(offset: number, what: string): number {
    this.check(offset, 2, what)
    return this.view.getUint16(offset, true)
  }

  u32(offset: number, what: string): number {
    this.check(offset, 4, what)
    return this.view.getUint32(offset, true)
  }

  /** A 64-bit field that must be exact as a number (addresses, sizes, offsets). */
  u64(offset: number, what: string): number {
    this.check(offset, 8, what)
    const value = this.view.getBigUint64(offset, true)
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) {
      throw new ElfError(`${what} is 0x${value.toString(16)}, far outside the 47-bit user address space`)
    }
    return Number(value)
  }

  /** A 64-bit field that may be approximated (symbol values, which are only used for display). */
  u64Loose(offset: number, what: string): number {
    this.check(offset, 8, what)
    return Number(this.view.getBigUint64(offset, true))
  }

  cString(offset: number, limit: number): string {
    const stop = Math.min(this.bytes.length, limit)
    if (offset >= stop) return ''
    const nul = this.bytes.subarray(offset, stop).indexOf(0)
    return decoder.decode(this.bytes.subarray(offset, nul < 0 ? stop : offset + nul))
  }
}

function parseHeader(r: Reader): ElfHeader {
  if (r.length < 4 || r.bytes[0] !== 0x7f || r.bytes[1] !== 0x45 || r.bytes[2] !== 0x4c || r.bytes[3] !== 0x46) {
    const start = Array.from(r.bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ')
    throw new ElfError(
      r.length === 0
        ? 'not an ELF file: the file is empty'
        : `not an ELF file: it starts with ${start}, not the ELF magic 7f 45 4c 46 ("\\x7fELF")`,
    )
  }
  if (r.length < 16) throw new ElfError(`truncated ELF header: the file has ${r.length} bytes, e_ident alone needs 16`)
  const elfClass = r.bytes[4]!
  if (elfClass === 1) throw new ElfError('32-bit ELF (ELFCLASS32) is not supported: only 64-bit x86-64 executables run here')
  if (elfClass !== 2) throw new ElfError(`invalid ELF class ${elfClass} in e_ident[EI_CLASS] (expected 2, ELFCLASS64)`)
  const data = r.bytes[5]!
  if (data === 2) throw new ElfError('big-endian ELF (ELFDATA2MSB) is not supported: x86-64 is little-endian')
  if (data !== 1) throw new ElfError(`invalid data encoding ${data} in e_ident[EI_DATA] (expected 1, ELFDATA2LSB)`)
  if (r.bytes[6] !== 1) throw new ElfError(`unsupported ELF version ${r.bytes[6]} in e_ident[EI_VERSION] (expected 1)`)
  if (r.length < EHDR_SIZE) {
    throw new ElfError(`truncated ELF header: the file has ${r.length} bytes, the ELF64 header needs ${EHDR_SIZE}`)
  }
  const type = r.u16(16, 'e_type')
  const machine = r.u16(18, 'e_machine')
  if (machine !== EM_X86_64) {
    const name = MACHINE_NAMES[machine] ?? `machine number ${machine}`
    throw new ElfError(`this ELF file is for ${name}, not x86-64 (EM_X86_64 = 62)`)
  }
  return {
    type,
    machine,
    entry: r.u64(24, 'e_entry'),
    phoff: r.u64(32, 'e_phoff'),
    shoff: r.u64(40, 'e_shoff'),
    flags: r.u32(48, 'e_flags'),
    phentsize: r.u16(54, 'e_phentsize'),
    phnum: r.u16(56, 'e_phnum'),
    shentsize: r.u16(58, 'e_shentsize'),
    shnum: r.u16(60, 'e_shnum'),
    shstrndx: r.u16(62, 'e_shstrndx'),
  }
}

function parseProgramHeaders(r: Reader, h: ElfHeader): ProgramHeader[] {
  if (h.phnum === 0) return []
  if (h.phentsize !== PHDR_SIZE) {
    throw new ElfError(`e_phentsize is ${h.phentsize}, but an ELF64 program header is ${PHDR_SIZE} bytes`)
  }
  const tableEnd = h.phoff + h.phnum * PHDR_SIZE
  if (tableEnd > r.length) {
    throw new ElfError(
      `program header table (${h.phnum} entries at offset ${hex(h.phoff)}, ending at ${hex(tableEnd)}) runs past the end of the file (${r.length} bytes)`,
    )
  }
  const headers: ProgramHeader[] = []
  for (let i = 0; i < h.phnum; i++) {
    const at = h.phoff + i * PHDR_SIZE
    const what = (field: string) => `program header ${i} ${field}`
    headers.push({
      index: i,
      type: r.u32(at, what('p_type')),
      flags: r.u32(at + 4, what('p_flags')),
      offset: r.u64(at + 8, what('p_offset')),
      vaddr: r.u64(at + 16, what('p_vaddr')),
      filesz: r.u64(at + 32, what('p_filesz')),
      memsz: r.u64(at + 40, what('p_memsz')),
      align: r.u64(at + 48, what('p_align')),
    })
  }
  return headers
}

/** Section headers: parsed leniently because the kernel never looks at them. */
function parseSections(r: Reader, h: ElfHeader, warnings: string[]): SectionHeader[] {
  const sections: SectionHeader[] = []
  if (h.shoff === 0 || h.shnum === 0) return sections
  try {
    if (h.shentsize !== SHDR_SIZE) throw new ElfError(`e_shentsize is ${h.shentsize}, not ${SHDR_SIZE}`)
    if (h.shoff + h.shnum * SHDR_SIZE > r.length) {
      throw new ElfError(`section header table (${h.shnum} entries at ${hex(h.shoff)}) runs past the end of the file`)
    }
    const raw: (SectionHeader & { nameOffset: number })[] = []
    for (let i = 0; i < h.shnum; i++) {
      const at = h.shoff + i * SHDR_SIZE
      const what = (field: string) => `section header ${i} ${field}`
      raw.push({
        index: i,
        name: '',
        nameOffset: r.u32(at, what('sh_name')),
        type: r.u32(at + 4, what('sh_type')),
        flags: r.u64Loose(at + 8, what('sh_flags')),
        addr: r.u64Loose(at + 16, what('sh_addr')),
        offset: r.u64(at + 24, what('sh_offset')),
        size: r.u64(at + 32, what('sh_size')),
        link: r.u32(at + 40, what('sh_link')),
        entsize: r.u64(at + 56, what('sh_entsize')),
      })
    }
    const names = raw[h.shstrndx]
    for (const s of raw) {
      if (names && names.type === SHT_STRTAB && names.offset + names.size <= r.length && s.nameOffset < names.size) {
        s.name = r.cString(names.offset + s.nameOffset, names.offset + names.size)
      }
      const { nameOffset: _, ...section } = s
      sections.push(section)
    }
  } catch (error) {
    if (!(error instanceof ElfError)) throw error
    warnings.push(`section headers ignored: ${error.message}`)
    return []
  }
  return sections
}

/**
 * The symbol table (.symtab, else .dynsym), checked now and read by the returned function on
 * first use: a static glibc binary has thousands of symbols the loader never needs.
 */
function symbolReader(r: Reader, sections: SectionHeader[], warnings: string[]): () => ElfSymbol[] {
  const none = () => []
  const table = sections.find((s) => s.type === SHT_SYMTAB) ?? sections.find((s) => s.type === SHT_DYNSYM)
  if (!table) return none
  const strings = sections[table.link]
  if (!strings || strings.type !== SHT_STRTAB) {
    warnings.push(`symbols ignored: ${table.name} links to section ${table.link}, which is not a string table`)
    return none
  }
  if (table.offset + table.size > r.length || strings.offset + strings.size > r.length) {
    warnings.push(`symbols ignored: ${table.name} or its string table lies past the end of the file`)
    return none
  }
  return () => {
    const count = Math.floor(table.size / SYM_SIZE)
    const view = new DataView(r.bytes.buffer, r.bytes.byteOffset + table.offset, count * SYM_SIZE)
    const stringsEnd = strings.offset + strings.size
    const symbols: ElfSymbol[] = []
    for (let i = 0; i < count; i++) {
      const at = i * SYM_SIZE
      const nameOffset = view.getUint32(at, true)
      const info = view.getUint8(at + 4)
      symbols.push({
        name: nameOffset < strings.size ? r.cString(strings.offset + nameOffset, stringsEnd) : '',
        value: Number(view.getBigUint64(at + 8, true)),
        size: Number(view.getBigUint64(at + 16, true)),
        type: info & 0xf,
        bind: info >> 4,
        sectionIndex: view.getUint16(at + 6, true),
      })
    }
    return symbols
  }
}

/** Parses any ELF64 x86-64 file (executable, shared object, the vDSO) without judging loadability. */
export function parseElf(image: Uint8Array): ElfFile {
  try {
    const r = new Reader(image)
    const header = parseHeader(r)
    const programHeaders = parseProgramHeaders(r, header)
    const warnings: string[] = []
    const sections = parseSections(r, header, warnings)
    const readSymbols = symbolReader(r, sections, warnings)
    let symbols: ElfSymbol[] | null = null
    return {
      header,
      programHeaders,
      sections,
      warnings,
      get symbols() {
        symbols ??= readSymbols()
        return symbols
      },
    }
  } catch (error) {
    if (error instanceof ElfError) throw error
    // A bug here must still surface as a clear load failure, never as a host crash.
    throw new ElfError(`unreadable ELF file: ${error instanceof Error ? error.message : String(error)}`)
  }
}

const TYPE_NAMES: Record<number, string> = {
  [ET_REL]: 'a relocatable object file (ET_REL, a .o file): link it into an executable first',
  [ET_CORE]: 'a core dump (ET_CORE), not a program',
}

/**
 * Parses an executable and checks everything the loader relies on: a static x86-64 ET_EXEC or
 * static-PIE ET_DYN with sane, in-file, non-overlapping PT_LOAD segments and an entry point in
 * executable code.
 */
export function parseExecutable(image: Uint8Array): ElfFile {
  const elf = parseElf(image)
  const { header, programHeaders } = elf
  if (header.type !== ET_EXEC && header.type !== ET_DYN) {
    throw new ElfError(`not an executable: this ELF file is ${TYPE_NAMES[header.type] ?? `of unknown type ${header.type} (e_type)`}`)
  }
  if (header.phnum === 0) throw new ElfError('no program headers (e_phnum is 0): there is nothing to load')
  if (header.phnum * PHDR_SIZE > 65536) {
    throw new ElfError(`too many program headers (${header.phnum}); the kernel accepts at most ${Math.floor(65536 / PHDR_SIZE)}`)
  }
  const interp = programHeaders.find((p) => p.type === PT_INTERP)
  if (interp) {
    const path =
      interp.offset + interp.filesz <= image.length
        ? new Reader(image).cString(interp.offset, interp.offset + interp.filesz)
        : '(unreadable)'
    throw new ElfError(`dynamically linked executables are not supported (PT_INTERP ${path}); build with -static`)
  }
  const loads = programHeaders.filter((p) => p.type === PT_LOAD)
  if (loads.length === 0) throw new ElfError('no PT_LOAD segment: there is nothing to load')
  let previousEnd = -1
  for (const p of loads) {
    const name = `PT_LOAD segment (program header ${p.index})`
    if (p.offset + p.filesz > image.length) {
      throw new ElfError(
        `${name}: its file bytes [${hex(p.offset)}, ${hex(p.offset + p.filesz)}) lie past the end of the file (${image.length} bytes)`,
      )
    }
    if (p.filesz > p.memsz) throw new ElfError(`${name}: p_filesz ${hex(p.filesz)} is larger than p_memsz ${hex(p.memsz)}`)
    if (p.vaddr % PAGE !== p.offset % PAGE) {
      throw new ElfError(
        `${name} is misaligned: p_vaddr ${hex(p.vaddr)} and p_offset ${hex(p.offset)} differ modulo the page size (0x1000), so it cannot be mmapped`,
      )
    }
    if (p.vaddr + p.memsz > TASK_SIZE) {
      throw new ElfError(`${name} [${hex(p.vaddr)}, ${hex(p.vaddr + p.memsz)}) reaches beyond the user address space (${hex(TASK_SIZE)})`)
    }
    if (header.type === ET_EXEC && p.memsz > 0 && p.vaddr - (p.vaddr % PAGE) < MMAP_MIN_ADDR) {
      throw new ElfError(`${name} starts at ${hex(p.vaddr)}, below vm.mmap_min_addr (${hex(MMAP_MIN_ADDR)}): the kernel refuses to map it`)
    }
    if (p.vaddr < previousEnd) {
      throw new ElfError(
        `${name} at ${hex(p.vaddr)} overlaps or precedes the previous PT_LOAD segment (ending at ${hex(previousEnd)}); PT_LOAD segments must be in ascending address order`,
      )
    }
    previousEnd = p.vaddr + p.memsz
  }
  const entrySegment = loads.find((p) => header.entry >= p.vaddr && header.entry < p.vaddr + p.memsz)
  if (!entrySegment || (entrySegment.flags & PF_X) === 0) {
    throw new ElfError(
      `entry point ${hex(header.entry)} is not inside an executable (PF_X) PT_LOAD segment${entrySegment ? ` (segment ${entrySegment.index} is not executable)` : ''}`,
    )
  }
  return elf
}

/** PF_R/PF_W/PF_X to PROT_READ/PROT_WRITE/PROT_EXEC (the two encodings are mirrored). */
export function segmentProtection(flags: number): number {
  return ((flags & PF_R) !== 0 ? 1 : 0) | ((flags & PF_W) !== 0 ? 2 : 0) | ((flags & PF_X) !== 0 ? 4 : 0)
}
