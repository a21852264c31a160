/**
 * Static linker: objects (asm/object.ts) → an x86-64 Linux executable, laid out like GNU ld's
 * default `-z separate-code` script:
 *
 *   LOAD R    ELF header + program headers        at base
 *   LOAD R X  .text                               at base + 0x1000
 *   LOAD R    .rodata (+ .rela.dyn)               at the next page
 *   LOAD RW   (.dynamic) .data .bss               at the next page + (file offset mod page)
 *   GNU_STACK RW (RWX with -z execstack)
 *
 * -no-pie: ET_EXEC, base 0x400000, every relocation resolved at link time.
 * -pie:    ET_DYN (static PIE), base 0. Code must be RIP-relative. 64-bit absolute addresses in
 *          .data (e.g. `char *p = "hi";`) become R_X86_64_RELATIVE entries in .rela.dyn, listed
 *          by PT_DYNAMIC (DT_RELA/DT_RELASZ/DT_RELAENT) exactly as glibc's static-pie does; the
 *          program's start code applies them: for each entry between `__rela_dyn_start` and
 *          `__rela_dyn_end`, store `__ehdr_start + addend` at `__ehdr_start + offset` (both
 *          symbols are defined by this linker, as by ld).
 *
 * Debug sections (`debugSections`), then .symtab, .strtab and .shstrtab follow the loaded
 * contents in the file, as in ld's output; none of them is loaded.
 */
import type { ObjectFile, ObjectSymbol, SectionName } from '../asm/object'
import { SECTION_NAMES } from '../asm/object'
import {
  alignUp,
  ByteWriter,
  DF_1_PIE,
  DT_FLAGS_1,
  DT_NULL,
  DT_RELA,
  DT_RELAENT,
  DT_RELASZ,
  ELF_HEADER_SIZE,
  ET_DYN,
  ET_EXEC,
  PAGE_SIZE,
  PF_R,
  PF_W,
  PF_X,
  PROGRAM_HEADER_SIZE,
  PT_DYNAMIC,
  PT_GNU_STACK,
  PT_LOAD,
  R_X86_64_RELATIVE,
  RELA_SIZE,
  SHF_ALLOC,
  SHF_EXECINSTR,
  SHF_MERGE,
  SHF_STRINGS,
  SHF_WRITE,
  SHN_ABS,
  SHT_DYNAMIC,
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
  StringTable,
  SYMBOL_SIZE,
  writeElfHeader,
  writeProgramHeader,
  writeSectionHeader,
  type ProgramHeader,
  type SectionHeader,
} from './elf'

export interface LinkOptions {
  /** -pie (static PIE, ET_DYN) or -no-pie (ET_EXEC at 0x400000). */
  readonly pie: boolean
  /** -z execstack: PT_GNU_STACK gets PF_X. */
  readonly execStack?: boolean
  /** Entry symbol, `_start` by default (like ld's -e). */
  readonly entry?: string
  /**
   * Debug sections (`.debug_info`...), made once everything is placed, from the final symbol
   * addresses and line rows. They are written after the loaded contents as non-allocated
   * PROGBITS sections (address 0, alignment 1, no program header), in the order given, as gcc's
   * appear in `readelf -S`. An error thrown here propagates to the caller of `link`.
   */
  readonly debugSections?: (program: PlacedProgram) => readonly NonLoadedSection[]
}

/** What the linker has placed, before the file is written. */
export type PlacedProgram = Pick<LinkResult, 'entry' | 'symbols' | 'sections' | 'lines' | 'labelAddress' | 'placements'>

/** A section that is in the file but not in memory (debug information). */
export interface NonLoadedSection {
  readonly name: string
  readonly bytes: Uint8Array
}

/** Debug string tables: gcc marks them mergeable strings (flags MS, entry size 1) so ld may share
 *  identical strings between objects. */
const STRING_SECTIONS = new Set(['.debug_str', '.debug_line_str'])

export interface LinkedSymbol {
  readonly name: string
  readonly address: bigint
  readonly size: number
  readonly type: 'function' | 'object' | 'none'
  readonly global: boolean
  /** The object file that defined it (linker-defined symbols: undefined). */
  readonly file?: string
}

export interface LinkedSection {
  readonly name: string
  readonly address: bigint
  readonly size: number
}

/** Where one object's section landed in the executable. */
export interface LinkedPlacement {
  readonly file: string
  readonly section: SectionName
  readonly address: bigint
  readonly size: number
}

/** Address → source line, from the objects' `.loc` line tables. */
export interface LinkedLine {
  readonly address: bigint
  readonly file: string
  readonly line: number
  readonly column: number
}

export interface LinkResult {
  /** The executable; absent when there are errors. */
  readonly bytes?: Uint8Array
  readonly errors: readonly string[]
  readonly warnings: readonly string[]
  readonly entry: bigint
  readonly symbols: readonly LinkedSymbol[]
  readonly sections: readonly LinkedSection[]
  readonly lines: readonly LinkedLine[]
  readonly placements: readonly LinkedPlacement[]
  /** Where the `.L` label `name` of object `file` landed (such labels are in no symbol table;
   *  debug info places lexical blocks by them). Looked up on demand: most links never ask. */
  readonly labelAddress: (file: string, name: string) => bigint | undefined
}

const NON_PIE_BASE = 0x400000n

interface OutputSection {
  readonly name: SectionName
  readonly contents: Uint8Array
  readonly size: number
  readonly align: number
  /** Offset of each object's input section inside this output section. */
  readonly inputOffsets: Map<number, number>
  address: bigint
  fileOffset: number
}

/** Symbols ld defines on request (PROVIDE in its default script). */
const LINKER_SYMBOLS = ['__ehdr_start', '__executable_start', '_etext', 'etext', '__etext', '_edata', 'edata', '__bss_start', '_end', 'end', '__rela_dyn_start', '__rela_dyn_end', '_DYNAMIC']

export function link(objects: readonly ObjectFile[], options: LinkOptions): LinkResult {
  const errors: string[] = []
  const warnings: string[] = []
  const base = options.pie ? 0n : NON_PIE_BASE
  const fail = (): LinkResult => ({ errors, warnings, entry: 0n, symbols: [], sections: [], lines: [], placements: [], labelAddress: () => undefined })

  // 1. Merge input sections by name.
  const outputs = new Map<SectionName, OutputSection>()
  for (const name of SECTION_NAMES) {
    const inputOffsets = new Map<number, number>()
    let size = 0
    let align = 1
    objects.forEach((object, index) => {
      const section = object.sections.find((s) => s.name === name)
      if (section === undefined) return
      size = alignUp(size, section.align)
      inputOffsets.set(index, size)
      size += section.size
      align = Math.max(align, section.align)
    })
    if (inputOffsets.size === 0 || size === 0) continue
    const contents = new Uint8Array(name === '.bss' ? 0 : size)
    objects.forEach((object, index) => {
      const section = object.sections.find((s) => s.name === name)
      const offset = inputOffsets.get(index)
      if (section !== undefined && offset !== undefined && name !== '.bss') contents.set(section.bytes, offset)
    })
    outputs.set(name, { name, contents, size, align, inputOffsets, address: 0n, fileOffset: 0 })
  }

  // 2. Global symbols (and duplicate definitions).
  const globals = new Map<string, { object: number; symbol: ObjectSymbol }>()
  objects.forEach((object, index) => {
    for (const symbol of object.symbols) {
      if (symbol.binding !== 'global' || symbol.section === undefined) continue
      const previous = globals.get(symbol.name)
      if (previous !== undefined) errors.push(`${object.fileName}: multiple definition of \`${symbol.name}'; ${objects[previous.object]?.fileName ?? '?'}: first defined here`)
      else globals.set(symbol.name, { object: index, symbol })
    }
  })
  const referenced = new Set<string>()
  for (const object of objects) {
    for (const section of object.sections) for (const relocation of section.relocations) if (relocation.target.kind === 'symbol') referenced.add(relocation.target.name)
  }
  const entryName = options.entry ?? '_start'

  // 3. PIE data relocations need .rela.dyn and .dynamic: count them first (sizes feed the layout).
  const relativeCount = options.pie ? countRelativeRelocations(objects) : 0
  const hasDynamic = relativeCount > 0
  const relaSize = relativeCount * RELA_SIZE
  const dynamicEntries = hasDynamic ? 5 : 0
  const dynamicSize = dynamicEntries * 16

  // 4. Layout.
  const text = outputs.get('.text')
  const rodata = outputs.get('.rodata')
  const data = outputs.get('.data')
  const bss = outputs.get('.bss')
  const hasReadOnly = rodata !== undefined || relaSize > 0
  const hasWritable = data !== undefined || bss !== undefined || hasDynamic
  const programHeaderCount = 1 + (text ? 1 : 0) + (hasReadOnly ? 1 : 0) + (hasWritable ? 1 : 0) + (hasDynamic ? 1 : 0) + 1
  const headersSize = ELF_HEADER_SIZE + programHeaderCount * PROGRAM_HEADER_SIZE
  let fileOffset = headersSize
  const place = (section: OutputSection | undefined, offset: number): number => {
    if (section === undefined) return offset
    section.fileOffset = alignUp(offset, section.align)
    section.address = base + BigInt(section.fileOffset)
    return section.fileOffset + (section.name === '.bss' ? 0 : section.size)
  }
  if (text !== undefined) fileOffset = place(text, alignUp(fileOffset, PAGE_SIZE))
  const textEnd = text !== undefined ? text.address + BigInt(text.size) : base + BigInt(fileOffset)
  let relaOffset = 0
  if (hasReadOnly) {
    fileOffset = alignUp(fileOffset, PAGE_SIZE)
    fileOffset = place(rodata, fileOffset)
    if (relaSize > 0) {
      relaOffset = alignUp(fileOffset, 8)
      fileOffset = relaOffset + relaSize
    }
  }
  const readOnlyStart = hasReadOnly ? alignUp(rodata?.fileOffset ?? relaOffset, 1) : 0
  // RW segment: ld's DATA_SEGMENT_ALIGN keeps the file offset and moves the address to the next page.
  const writableDelta = BigInt(alignUp(fileOffset, PAGE_SIZE)) + (fileOffset % PAGE_SIZE === 0 ? 0n : BigInt(fileOffset % PAGE_SIZE)) - BigInt(fileOffset)
  const writableAddress = (offset: number): bigint => base + BigInt(offset) + writableDelta
  let dynamicOffset = 0
  let writableStart = 0
  if (hasWritable) {
    if (hasDynamic) {
      dynamicOffset = alignUp(fileOffset, 8)
      fileOffset = dynamicOffset + dynamicSize
      writableStart = dynamicOffset
    }
    if (data !== undefined) {
      data.fileOffset = alignUp(fileOffset, data.align)
      data.address = writableAddress(data.fileOffset)
      fileOffset = data.fileOffset + data.size
      if (!hasDynamic) writableStart = data.fileOffset
    }
    if (bss !== undefined) {
      bss.fileOffset = alignUp(fileOffset, bss.align)
      bss.address = writableAddress(bss.fileOffset)
      if (!hasDynamic && data === undefined) writableStart = bss.fileOffset
      // .bss occupies no file space; the next file offset stays where .data ended.
    }
  }
  const dataEnd = data !== undefined ? data.address + BigInt(data.size) : bss?.address ?? writableAddress(fileOffset)
  const programEnd = bss !== undefined ? bss.address + BigInt(bss.size) : dataEnd

  // 5. Symbol addresses.
  const sectionAddress = (objectIndex: number, name: SectionName): bigint | undefined => {
    const output = outputs.get(name)
    const offset = output?.inputOffsets.get(objectIndex)
    return output === undefined || offset === undefined ? undefined : output.address + BigInt(offset)
  }
  const relaAddress = base + BigInt(relaOffset)
  const linkerSymbols = new Map<string, bigint>([
    ['__ehdr_start', base],
    ['__executable_start', base],
    ['_etext', textEnd],
    ['etext', textEnd],
    ['__etext', textEnd],
    ['_edata', dataEnd],
    ['edata', dataEnd],
    ['__bss_start', dataEnd],
    ['_end', programEnd],
    ['end', programEnd],
    ['__rela_dyn_start', relaAddress],
    ['__rela_dyn_end', relaAddress + BigInt(relaSize)],
    ['_DYNAMIC', writableAddress(dynamicOffset)],
  ])
  const resolveGlobal = (name: string): bigint | undefined => {
    const definition = globals.get(name)
    if (definition !== undefined) {
      const start = sectionAddress(definition.object, definition.symbol.section as SectionName)
      return start === undefined ? undefined : start + BigInt(definition.symbol.offset)
    }
    return referenced.has(name) ? linkerSymbols.get(name) : undefined
  }

  // 6. Apply relocations.
  const relatives: { offset: bigint; addend: bigint }[] = []
  objects.forEach((object, index) => {
    for (const section of object.sections) {
      const output = outputs.get(section.name)
      const inputOffset = output?.inputOffsets.get(index)
      if (output === undefined || inputOffset === undefined) continue
      const view = new DataView(output.contents.buffer, output.contents.byteOffset, output.contents.byteLength)
      for (const relocation of section.relocations) {
        const fieldOffset = inputOffset + relocation.offset
        const place = output.address + BigInt(fieldOffset)
        let target: bigint | undefined
        let targetName: string
        if (relocation.target.kind === 'section') {
          target = sectionAddress(index, relocation.target.section)
          targetName = relocation.target.section
        } else {
          targetName = relocation.target.name
          const local = object.symbols.find((s) => s.name === targetName && s.binding === 'local' && s.section !== undefined)
          target = local !== undefined ? (sectionAddress(index, local.section as SectionName) ?? 0n) + BigInt(local.offset) : resolveGlobal(targetName)
        }
        const where = `${object.fileName}:(${section.name}+0x${relocation.offset.toString(16)})`
        if (target === undefined) {
          errors.push(`${where}: undefined reference to \`${targetName}'`)
          continue
        }
        const value = target + relocation.addend
        switch (relocation.kind) {
          case 'pc32':
          case 'plt32': {
            const relative = value - place
            if (relative < -(1n << 31n) || relative >= 1n << 31n) errors.push(`${where}: relocation truncated to fit: R_X86_64_PC32 against \`${targetName}'`)
            else view.setInt32(fieldOffset, Number(relative), true)
            break
          }
          case 'abs64':
            view.setBigUint64(fieldOffset, BigInt.asUintN(64, value), true)
            if (options.pie) {
              if (section.name !== '.data') errors.push(`${where}: relocation R_X86_64_64 against \`${targetName}' in read-only section \`${section.name}'; recompile with -fPIE (or use -no-pie)`)
              else relatives.push({ offset: place, addend: value })
            }
            break
          case 'abs32':
          case 'abs32s': {
            if (options.pie) {
              errors.push(`${where}: relocation R_X86_64_32${relocation.kind === 'abs32s' ? 'S' : ''} against \`${targetName}' can not be used when making a PIE object; recompile with -fPIE`)
              break
            }
            const fits = relocation.kind === 'abs32' ? value >= 0n && value < 1n << 32n : value >= -(1n << 31n) && value < 1n << 31n
            if (!fits) errors.push(`${where}: relocation truncated to fit: R_X86_64_32 against \`${targetName}'`)
            else if (relocation.kind === 'abs32') view.setUint32(fieldOffset, Number(value), true)
            else view.setInt32(fieldOffset, Number(value), true)
            break
          }
        }
      }
    }
  })
  const entryAddress = globals.has(entryName) ? resolveGlobal(entryName) : undefined
  const entry = entryAddress ?? text?.address ?? base
  if (entryAddress === undefined) warnings.push(`warning: cannot find entry symbol ${entryName}; defaulting to 0x${entry.toString(16)}`)
  if (errors.length > 0) return fail()

  // 7. Symbol table.
  const strtab = new StringTable()
  const symtab = new ByteWriter()
  const linked: LinkedSymbol[] = []
  const sectionIndex = new Map<string, number>()
  const sectionOrder: string[] = []
  for (const name of SECTION_NAMES) {
    if (name === '.data' && hasDynamic) sectionOrder.push('.dynamic')
    if (outputs.has(name)) sectionOrder.push(name)
    if (name === '.rodata' && relaSize > 0) sectionOrder.push('.rela.dyn')
  }
  sectionOrder.forEach((name, i) => sectionIndex.set(name, i + 1))
  const writeSymbol = (name: string, value: bigint, size: number, binding: number, type: number, shndx: number): void => {
    symtab.u32(strtab.add(name))
    symtab.u8((binding << 4) | type)
    symtab.u8(0)
    symtab.u16(shndx)
    symtab.u64(value)
    symtab.u64(BigInt(size))
  }
  const elfType = (type: ObjectSymbol['type']): number => (type === 'function' ? STT_FUNC : type === 'object' ? STT_OBJECT : STT_NOTYPE)
  writeSymbol('', 0n, 0, 0, 0, 0)
  let localCount = 1
  objects.forEach((object, index) => {
    writeSymbol(object.fileName, 0n, 0, STB_LOCAL, STT_FILE, SHN_ABS)
    localCount++
    for (const symbol of object.symbols) {
      if (symbol.binding !== 'local' || symbol.section === undefined) continue
      const address = (sectionAddress(index, symbol.section) ?? 0n) + BigInt(symbol.offset)
      writeSymbol(symbol.name, address, symbol.size, STB_LOCAL, elfType(symbol.type), sectionIndex.get(symbol.section) ?? SHN_ABS)
      linked.push({ name: symbol.name, address, size: symbol.size, type: symbol.type, global: false, file: object.fileName })
      localCount++
    }
  })
  for (const [name, definition] of globals) {
    const address = resolveGlobal(name) ?? 0n
    const symbol = definition.symbol
    writeSymbol(name, address, symbol.size, STB_GLOBAL, elfType(symbol.type), sectionIndex.get(symbol.section as string) ?? SHN_ABS)
    linked.push({ name, address, size: symbol.size, type: symbol.type, global: true, file: objects[definition.object]?.fileName ?? '' })
  }
  for (const name of LINKER_SYMBOLS) {
    if (!referenced.has(name) || globals.has(name)) continue
    const address = linkerSymbols.get(name) as bigint
    writeSymbol(name, address, 0, STB_GLOBAL, STT_NOTYPE, SHN_ABS)
    linked.push({ name, address, size: 0, type: 'none', global: true })
  }

  // 8. Write the file.
  const out = new ByteWriter()
  const programHeaders: ProgramHeader[] = [{ type: PT_LOAD, flags: PF_R, offset: 0, vaddr: base, fileSize: headersSize, memSize: headersSize, align: PAGE_SIZE }]
  if (text !== undefined) programHeaders.push({ type: PT_LOAD, flags: PF_R | PF_X, offset: text.fileOffset, vaddr: text.address, fileSize: text.size, memSize: text.size, align: PAGE_SIZE })
  if (hasReadOnly) {
    const end = relaSize > 0 ? relaOffset + relaSize : (rodata as OutputSection).fileOffset + (rodata as OutputSection).size
    const size = end - readOnlyStart
    programHeaders.push({ type: PT_LOAD, flags: PF_R, offset: readOnlyStart, vaddr: base + BigInt(readOnlyStart), fileSize: size, memSize: size, align: PAGE_SIZE })
  }
  if (hasWritable) {
    const fileEnd = data !== undefined ? data.fileOffset + data.size : hasDynamic ? dynamicOffset + dynamicSize : writableStart
    const startAddress = writableAddress(writableStart)
    programHeaders.push({
      type: PT_LOAD,
      flags: PF_R | PF_W,
      offset: writableStart,
      vaddr: startAddress,
      fileSize: fileEnd - writableStart,
      memSize: Number(programEnd - startAddress),
      align: PAGE_SIZE,
    })
  }
  if (hasDynamic) programHeaders.push({ type: PT_DYNAMIC, flags: PF_R | PF_W, offset: dynamicOffset, vaddr: writableAddress(dynamicOffset), fileSize: dynamicSize, memSize: dynamicSize, align: 8 })
  const execStack = options.execStack === true || objects.some((object) => object.execStack)
  programHeaders.push({ type: PT_GNU_STACK, flags: PF_R | PF_W | (execStack ? PF_X : 0), offset: 0, vaddr: 0n, fileSize: 0, memSize: 0, align: 16 })

  const sectionHeaders: SectionHeader[] = []
  const contentFor = new Map<string, Uint8Array>()
  for (const name of sectionOrder) {
    if (name === '.rela.dyn') {
      const rela = new ByteWriter()
      for (const relative of relatives) {
        rela.u64(relative.offset)
        rela.u64(BigInt(R_X86_64_RELATIVE))
        rela.u64(relative.addend)
      }
      contentFor.set(name, rela.result())
      sectionHeaders.push({ name, type: SHT_RELA, flags: SHF_ALLOC, addr: relaAddress, offset: relaOffset, size: relaSize, link: 0, info: 0, align: 8, entrySize: RELA_SIZE })
      continue
    }
    if (name === '.dynamic') {
      const dynamic = new ByteWriter()
      for (const [tag, value] of [
        [DT_RELA, relaAddress],
        [DT_RELASZ, BigInt(relaSize)],
        [DT_RELAENT, BigInt(RELA_SIZE)],
        [DT_FLAGS_1, BigInt(DF_1_PIE)],
        [DT_NULL, 0n],
      ] as const) {
        dynamic.u64(BigInt(tag))
        dynamic.u64(value)
      }
      contentFor.set(name, dynamic.result())
      sectionHeaders.push({ name, type: SHT_DYNAMIC, flags: SHF_ALLOC | SHF_WRITE, addr: writableAddress(dynamicOffset), offset: dynamicOffset, size: dynamicSize, link: 0, info: 0, align: 8, entrySize: 16 })
      continue
    }
    const section = outputs.get(name as SectionName) as OutputSection
    contentFor.set(name, section.contents)
    const flags = SHF_ALLOC | (name === '.text' ? SHF_EXECINSTR : 0) | (name === '.data' || name === '.bss' ? SHF_WRITE : 0)
    sectionHeaders.push({
      name,
      type: name === '.bss' ? SHT_NOBITS : SHT_PROGBITS,
      flags,
      addr: section.address,
      offset: section.fileOffset,
      size: section.size,
      link: 0,
      info: 0,
      align: section.align,
      entrySize: 0,
    })
  }
  const lines: LinkedLine[] = []
  objects.forEach((object, index) => {
    const start = sectionAddress(index, '.text')
    if (start === undefined) return
    for (const row of object.lines ?? []) lines.push({ address: start + BigInt(row.offset), file: object.sourceFile ?? object.fileName, line: row.line, column: row.column })
  })
  const placements: LinkedPlacement[] = []
  objects.forEach((object, index) => {
    for (const section of object.sections) {
      const address = sectionAddress(index, section.name)
      if (address !== undefined) placements.push({ file: object.fileName, section: section.name, address, size: section.size })
    }
  })
  const labelsByFile = new Map<string, Map<string, bigint>>()
  const labelAddress = (file: string, name: string): bigint | undefined => {
    let labels = labelsByFile.get(file)
    if (labels === undefined) {
      labels = new Map()
      const index = objects.findIndex((object) => object.fileName === file)
      for (const label of objects[index]?.localLabels ?? []) {
        const start = sectionAddress(index, label.section)
        if (start !== undefined) labels.set(label.name, start + BigInt(label.offset))
      }
      labelsByFile.set(file, labels)
    }
    return labels.get(name)
  }
  const sections = sectionHeaders.map((header) => ({ name: header.name, address: header.addr, size: header.size }))

  // Write loaded contents in file order.
  const loaded = sectionHeaders.filter((header) => header.type !== SHT_NOBITS).sort((a, b) => a.offset - b.offset)
  out.padTo(0)
  const headerPlaceholder = ELF_HEADER_SIZE + programHeaders.length * PROGRAM_HEADER_SIZE
  out.padTo(headerPlaceholder)
  for (const header of loaded) {
    out.padTo(header.offset)
    out.bytes(contentFor.get(header.name) as Uint8Array)
  }
  for (const extra of options.debugSections?.({ entry, symbols: linked, sections, lines, placements, labelAddress }) ?? []) {
    const strings = STRING_SECTIONS.has(extra.name)
    sectionHeaders.push({ name: extra.name, type: SHT_PROGBITS, flags: strings ? SHF_MERGE | SHF_STRINGS : 0, addr: 0n, offset: out.length, size: extra.bytes.length, link: 0, info: 0, align: 1, entrySize: strings ? 1 : 0 })
    out.bytes(extra.bytes)
  }
  const symtabOffset = alignUp(out.length, 8)
  out.padTo(symtabOffset)
  const symbolBytes = symtab.result()
  out.bytes(symbolBytes)
  const strtabOffset = out.length
  const stringBytes = strtab.bytes()
  out.bytes(stringBytes)
  const symtabIndex = sectionHeaders.length + 1
  sectionHeaders.push({ name: '.symtab', type: SHT_SYMTAB, flags: 0, addr: 0n, offset: symtabOffset, size: symbolBytes.length, link: symtabIndex + 1, info: localCount, align: 8, entrySize: SYMBOL_SIZE })
  sectionHeaders.push({ name: '.strtab', type: SHT_STRTAB, flags: 0, addr: 0n, offset: strtabOffset, size: stringBytes.length, link: 0, info: 0, align: 1, entrySize: 0 })
  const shstrtab = new StringTable()
  const names = sectionHeaders.map((header) => shstrtab.add(header.name))
  const shstrtabName = shstrtab.add('.shstrtab')
  const shstrtabOffset = out.length
  const shstrtabBytes = shstrtab.bytes()
  out.bytes(shstrtabBytes)
  sectionHeaders.push({ name: '.shstrtab', type: SHT_STRTAB, flags: 0, addr: 0n, offset: shstrtabOffset, size: shstrtabBytes.length, link: 0, info: 0, align: 1, entrySize: 0 })
  names.push(shstrtabName)
  const sectionHeaderOffset = alignUp(out.length, 8)
  out.padTo(sectionHeaderOffset)
  writeSectionHeader(out, { name: '', type: SHT_NULL, flags: 0, addr: 0n, offset: 0, size: 0, link: 0, info: 0, align: 0, entrySize: 0 }, 0)
  sectionHeaders.forEach((header, i) => writeSectionHeader(out, header, names[i] as number))

  // Header and program headers go at the front.
  const head = new ByteWriter()
  writeElfHeader(head, {
    type: options.pie ? ET_DYN : ET_EXEC,
    entry,
    programHeaderCount: programHeaders.length,
    sectionHeaderOffset,
    sectionHeaderCount: sectionHeaders.length + 1,
    sectionNameIndex: sectionHeaders.length,
  })
  for (const header of programHeaders) writeProgramHeader(head, header)
  const bytes = out.result()
  bytes.set(head.result(), 0)

  return { bytes, errors, warnings, entry, lines, placements, labelAddress, symbols: linked, sections }
}

function countRelativeRelocations(objects: readonly ObjectFile[]): number {
  let count = 0
  for (const object of objects) {
    for (const section of object.sections) {
      if (section.name !== '.data') continue
      count += section.relocations.filter((relocation) => relocation.kind === 'abs64').length
    }
  }
  return count
}
