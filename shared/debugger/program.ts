// What `file` loads: an executable's image, its ELF structure, its symbols, its debug
// information (when it has any) and the text of its source files (when the host could supply
// them), shared by every run of it.

import { DebugIndex, DwarfError, readDebugInfo } from '../debuginfo'
import { ET_DYN, ElfError, PT_LOAD, parseExecutable, type ElfFile } from '../machine/elf'
import { SymbolTable } from './symbols'

/** A program as the host hands it over: the ELF image and the sources it was built from. */
export interface ProgramFiles {
  /** The executable's absolute path (argv[0] and /proc/self/exe). */
  path: string
  image: Uint8Array
  /** Source texts by the path the line table names (absolute or relative to its directory). */
  sources?: Readonly<Record<string, string>>
}

export class Program {
  readonly path: string
  readonly image: Uint8Array
  readonly elf: ElfFile
  readonly symbols: SymbolTable
  /** Null for a binary without DWARF (gdb: "(No debugging symbols found in …)"). */
  readonly debug: DebugIndex | null
  /** Why the debug information could not be read, when it could not. */
  readonly debugError: string | null
  readonly pie: boolean
  private readonly sourceLines = new Map<string, string[]>()

  /** Throws ElfError (not an executable we can run) with the loader's precise reason. */
  constructor(files: ProgramFiles) {
    this.path = files.path
    this.image = files.image
    this.elf = parseExecutable(files.image)
    this.pie = this.elf.header.type === ET_DYN
    this.symbols = new SymbolTable(this.elf.symbols)
    let debug: DebugIndex | null = null
    let debugError: string | null = null
    try {
      const info = readDebugInfo(files.image)
      if (info.units.length > 0) debug = new DebugIndex(info)
    } catch (error) {
      if (!(error instanceof DwarfError || error instanceof ElfError)) throw error
      debugError = error.message
    }
    this.debug = debug
    this.debugError = debugError
    for (const [path, text] of Object.entries(files.sources ?? {})) this.sourceLines.set(path, text.split('\n'))
  }

  /** The text of `file`'s line (1-based), if the source is known; file matched as the line table names it, or by suffix. */
  sourceLine(file: string, line: number): string | undefined {
    return this.linesOf(file)?.[line - 1]
  }

  /** How many lines `file` has, or undefined when its text is not known. */
  lineCount(file: string): number | undefined {
    const lines = this.linesOf(file)
    // A final newline leaves an empty last element that is not a line.
    return lines && (lines[lines.length - 1] === '' ? lines.length - 1 : lines.length)
  }

  /** Source files the line table names, in unit order. */
  sourceFiles(): string[] {
    const files = new Set<string>()
    for (const unit of this.debug?.info.units ?? []) for (const row of unit.lines) files.add(row.file)
    return [...files]
  }

  /** Bytes of the file's loaded segments at a link-time address (code before any run); null outside them. */
  readLinked(address: number, length: number): Uint8Array | null {
    for (const segment of this.elf.programHeaders) {
      if (segment.type !== PT_LOAD || address < segment.vaddr || address + length > segment.vaddr + segment.filesz) continue
      const offset = segment.offset + (address - segment.vaddr)
      return this.image.slice(offset, offset + length)
    }
    return null
  }

  /** True when a link-time address lies in one of the file's loaded segments (.bss included). */
  containsLinked(address: number): boolean {
    return this.elf.programHeaders.some((s) => s.type === PT_LOAD && address >= s.vaddr && address < s.vaddr + s.memsz)
  }

  private linesOf(file: string): string[] | undefined {
    const exact = this.sourceLines.get(file)
    if (exact) return exact
    for (const [path, lines] of this.sourceLines) {
      if (path.endsWith(`/${file}`) || file.endsWith(`/${path}`)) return lines
    }
    return undefined
  }
}
