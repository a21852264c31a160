/**
 * The relocatable object model the assembler produces and the linker consumes. It mirrors an
 * ELF relocatable file (sections, symbols, RELA relocations) without the file encoding.
 */

export type SectionName = '.text' | '.rodata' | '.data' | '.bss'

export const SECTION_NAMES: readonly SectionName[] = ['.text', '.rodata', '.data', '.bss']

export interface ObjectSection {
  readonly name: SectionName
  /** Contents; for .bss only `size` matters and `bytes` is empty. */
  readonly bytes: Uint8Array
  readonly size: number
  readonly align: number
  readonly relocations: readonly Relocation[]
}

/**
 * Relocation kinds, named after their ELF counterparts:
 * - pc32 / plt32: 32-bit S + A - P (RIP-relative data and calls/jumps)
 * - abs64: 64-bit S + A (`dq label`, `mov rax, label`)
 * - abs32: 32-bit zero-extended S + A (`dd label`, `mov eax, label`)
 * - abs32s: 32-bit sign-extended S + A (absolute memory operands `[label]`)
 */
export type RelocationKind = 'pc32' | 'plt32' | 'abs64' | 'abs32' | 'abs32s'

export interface Relocation {
  /** Offset of the field inside its section. */
  readonly offset: number
  readonly kind: RelocationKind
  /** A symbol name, or a section name (the section's start in this object). */
  readonly target: { readonly kind: 'symbol'; readonly name: string } | { readonly kind: 'section'; readonly section: SectionName }
  readonly addend: bigint
}

export type SymbolBinding = 'local' | 'global'

export interface ObjectSymbol {
  readonly name: string
  readonly binding: SymbolBinding
  /** Undefined symbols (extern) have no section. */
  readonly section?: SectionName
  readonly offset: number
  /** Functions (labels in .text) vs data objects, for the ELF symbol type. */
  readonly type: 'function' | 'object' | 'none'
  readonly size: number
}

/** A `.L` label: left out of the symbol table (as gas leaves it out), but debug info places code
 *  ranges by such labels (gcc's lexical blocks: .LBB<n> ... .LBE<n>). */
export interface LocalLabel {
  readonly name: string
  readonly section: SectionName
  readonly offset: number
}

/** One row of the line table: code from `offset` in .text on comes from this source line. */
export interface SourceLine {
  readonly offset: number
  readonly line: number
  readonly column: number
}

export interface ObjectFile {
  readonly fileName: string
  /** Source file named by `.file` (the C file for compiled code). */
  readonly sourceFile?: string
  /** Line table from `.loc` directives, in .text order. */
  readonly lines?: readonly SourceLine[]
  readonly sections: readonly ObjectSection[]
  readonly symbols: readonly ObjectSymbol[]
  readonly localLabels?: readonly LocalLabel[]
  /** Whether the source asked for an executable stack (`section .note.GNU-stack ... exec`). */
  readonly execStack: boolean
}

export interface Diagnostic {
  readonly file: string
  readonly line: number
  readonly column: number
  readonly severity: 'error' | 'warning'
  readonly message: string
}

export function formatDiagnostic(diagnostic: Diagnostic): string {
  return `${diagnostic.file}:${diagnostic.line}:${diagnostic.column}: ${diagnostic.severity}: ${diagnostic.message}`
}
