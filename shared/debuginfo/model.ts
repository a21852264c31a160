// The debug model: what the reader builds from DWARF and what the writer takes as input. It is
// language-neutral: the C front end (shared/toolchain/c/debug-types.ts) builds its types in it.

export type BaseEncoding = 'signed' | 'unsigned' | 'signed_char' | 'unsigned_char' | 'boolean' | 'float' | 'complex_float' | 'address' | 'utf'

export type DwarfType =
  | { readonly kind: 'void' }
  | { readonly kind: 'base'; readonly name: string; readonly size: number; readonly encoding: BaseEncoding }
  /** `alignment`: a pointer type made with an aligned attribute (`int *__attribute__((aligned(16))) p`). */
  | { readonly kind: 'pointer'; readonly to: DwarfType; readonly alignment?: number }
  /** `count` is undefined for an array of unknown bound (`extern int a[]`). `alignment`: of
   *  elements whose alignment was asked for (see DwarfRecord.alignment). */
  | { readonly kind: 'array'; readonly of: DwarfType; readonly count: number | undefined; readonly alignment?: number }
  | DwarfRecord
  | { readonly kind: 'enum'; readonly name: string | undefined; readonly size: number; readonly enumerators: readonly { readonly name: string; readonly value: bigint }[] }
  | { readonly kind: 'function'; readonly returns: DwarfType; readonly params: readonly DwarfType[]; readonly variadic: boolean; readonly prototyped: boolean }
  | { readonly kind: 'qualified'; readonly isConst: boolean; readonly isVolatile: boolean; readonly type: DwarfType }
  /** `alignment`: made with an aligned attribute, or naming a type whose alignment was asked for. */
  | { readonly kind: 'typedef'; readonly name: string; readonly type: DwarfType; readonly alignment?: number }

/** A struct or union. Records may be cyclic (a list node points to itself): key them by `id`. */
export interface DwarfRecord {
  readonly kind: 'struct' | 'union'
  readonly id: number
  readonly name: string | undefined
  readonly size: number
  /** False for a declaration without a body (`struct opaque;`). */
  readonly complete: boolean
  readonly members: readonly DwarfMember[]
  /** The record's alignment, when it was asked for, by the record's own aligned attribute or a
   *  member's (gcc's TYPE_USER_ALIGN): DW_AT_alignment. Absent for a natural alignment. */
  readonly alignment?: number
}

export interface DwarfMember {
  readonly name: string | undefined
  readonly type: DwarfType
  /** Byte offset of the member (of the storage unit holding it, for a bit-field). */
  readonly offset: number
  /** Bit-fields: width and the lowest bit's position within the unit at `offset`. */
  readonly bitSize?: number
  readonly bitOffset?: number
  /** The member's alignment, when it was asked for, on the member or by its type (gcc's
   *  DECL_USER_ALIGN): DW_AT_alignment. */
  readonly alignment?: number
}

/** Where a variable lives. */
export type VariableLocation =
  /** In the frame, at rbp + rbpOffset (gcc -O0 and our back end: a standard rbp frame). */
  | { readonly kind: 'frame'; readonly rbpOffset: number }
  /** At rsp + rspOffset: a local of a realigned frame (`and rsp, -A` leaves no fixed distance
   *  between rbp and the locals, so gcc -O0 describes them with DW_OP_breg7). Valid once the
   *  prologue has run, while rsp stays put (not while a call's stack arguments are pushed). */
  | { readonly kind: 'stack'; readonly rspOffset: number }
  /** At a fixed address (globals, statics). */
  | { readonly kind: 'static'; readonly address: number }
  /** In a register for its whole life (DWARF register number). */
  | { readonly kind: 'register'; readonly register: number }
  /** Anything else (location lists, computed values at -O2): the raw expression, or none. */
  | { readonly kind: 'other'; readonly description: string }
  | { readonly kind: 'none' }

export interface DebugVariable {
  readonly name: string
  readonly type: DwarfType
  readonly location: VariableLocation
  readonly declFile?: string
  readonly declLine?: number
  /** File-scope variables: visible to other units (not `static`). */
  readonly external?: boolean
  /** An alignment the declaration asked for (`_Alignas(32)`): DW_AT_alignment. */
  readonly alignment?: number
}

export interface AddressRange {
  readonly low: number
  /** One past the last byte. */
  readonly high: number
}

export interface LexicalBlock {
  readonly ranges: readonly AddressRange[]
  readonly locals: readonly DebugVariable[]
  readonly blocks: readonly LexicalBlock[]
}

export interface DebugFunction {
  readonly name: string
  /** Code ranges; the first starts at the entry point. Usually one range. */
  readonly ranges: readonly AddressRange[]
  readonly returns: DwarfType
  readonly external: boolean
  readonly declFile?: string
  readonly declLine?: number
  readonly params: readonly DebugVariable[]
  readonly locals: readonly DebugVariable[]
  readonly blocks: readonly LexicalBlock[]
}

/** One row of the line table: the code from `address` up to the next row comes from file:line. */
export interface LineRow {
  readonly address: number
  /** The file as the line table names it (directory joined when the entry is relative). */
  readonly file: string
  readonly line: number
  readonly column: number
  readonly isStmt: boolean
  /** DW_LNE_set_discriminator's block number for this row (0 when none): gdb merges some rows by it. */
  readonly discriminator: number
  /** Marks the first address past a sequence; file/line carry no meaning then. */
  readonly endSequence: boolean
}

export interface CompilationUnit {
  readonly name: string
  readonly compDir: string
  readonly producer: string
  /** DW_LANG_* value. */
  readonly language: number
  readonly ranges: readonly AddressRange[]
  readonly lines: readonly LineRow[]
  readonly functions: readonly DebugFunction[]
  readonly globals: readonly DebugVariable[]
  /** Named types declared at file scope (struct tags, typedefs, enums), in declaration order. */
  readonly types: readonly DwarfType[]
  readonly dwarfVersion: number
}

export interface DebugInfo {
  readonly units: readonly CompilationUnit[]
}
