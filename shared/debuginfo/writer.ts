// DWARF 5 writer: turns the debug model into the six sections gcc 12 -g emits for a C unit
// (.debug_aranges, .debug_info, .debug_abbrev, .debug_line, .debug_str, .debug_line_str). Addresses are written
// as final virtual addresses, so the sections belong in a linked executable (no relocations).
//
// Frames: functions get DW_AT_frame_base = DW_OP_reg6 (rbp) and locals DW_OP_fbreg <rbp offset>,
// as clang -O0 does; gcc's DW_OP_call_frame_cfa would need call frame information (.eh_frame or
// .debug_frame) that our back end does not emit. Both read back as the same rbp offsets. Locals of
// a realigned frame (`and rsp, -A`) get DW_OP_breg7 <rsp offset>, as gcc -O0 gives them.

import { ByteWriter, DwarfError } from './bytes'
import { DW_AT, DW_ATE, DW_FORM, DW_LANG_C11, DW_LNCT, DW_LNE, DW_LNS, DW_OP, DW_TAG, DW_UT_compile, DWARF_REG_RBP, DWARF_REG_RSP } from './constants'
import type { AddressRange, BaseEncoding, DebugFunction, DebugVariable, DwarfRecord, DwarfType, LexicalBlock, VariableLocation } from './model'

/** A row of the line table to write; `endSequence` rows end a run of contiguous code. */
export interface LineInput {
  readonly address: number
  readonly file: string
  readonly line: number
  readonly column?: number
  readonly isStmt?: boolean
  readonly endSequence?: boolean
}

export interface UnitInput {
  /** The primary source file, as given to the compiler (relative to compDir or absolute). */
  readonly name: string
  readonly compDir: string
  readonly producer: string
  /** DW_LANG_* (default DW_LANG_C11, as gcc 12 -std=gnu17 writes). */
  readonly language?: number
  /** Sorted by address within each sequence; the table must end with an endSequence row. */
  readonly lines: readonly LineInput[]
  readonly functions: readonly DebugFunction[]
  readonly globals: readonly DebugVariable[]
  /** The code the unit covers when it describes no functions (an assembly source: gas gives
   *  its unit the range of the file's .text). Otherwise the functions' ranges decide. */
  readonly codeRange?: AddressRange
  /** Extra named types to describe even if no variable uses them. */
  readonly types?: readonly DwarfType[]
}

export type DwarfSectionName = '.debug_aranges' | '.debug_info' | '.debug_abbrev' | '.debug_line' | '.debug_str' | '.debug_line_str'

const hex = (n: number): string => `0x${n.toString(16)}`

const ENCODING_CODES: Record<BaseEncoding, number> = {
  address: DW_ATE.address,
  boolean: DW_ATE.boolean,
  complex_float: DW_ATE.complex_float,
  float: DW_ATE.float,
  signed: DW_ATE.signed,
  signed_char: DW_ATE.signed_char,
  unsigned: DW_ATE.unsigned,
  unsigned_char: DW_ATE.unsigned_char,
  utf: DW_ATE.UTF,
}

type AttrOut =
  | { readonly at: number; readonly form: typeof DW_FORM.strp | typeof DW_FORM.line_strp; readonly value: string }
  | { readonly at: number; readonly form: typeof DW_FORM.addr | typeof DW_FORM.data8; readonly value: number }
  | { readonly at: number; readonly form: typeof DW_FORM.udata | typeof DW_FORM.data1 | typeof DW_FORM.data2 | typeof DW_FORM.data4 | typeof DW_FORM.sec_offset; readonly value: number }
  | { readonly at: number; readonly form: typeof DW_FORM.sdata; readonly value: bigint | number }
  | { readonly at: number; readonly form: typeof DW_FORM.exprloc; readonly value: Uint8Array }
  | { readonly at: number; readonly form: typeof DW_FORM.flag_present }
  | { readonly at: number; readonly form: typeof DW_FORM.ref4; readonly value: DieOut }

interface DieOut {
  readonly tag: number
  readonly attrs: AttrOut[]
  readonly children: DieOut[]
  /** Offset from the start of the unit, known once written. */
  offset?: number
}

class StringTable {
  private readonly offsets = new Map<string, number>()
  readonly out = new ByteWriter()
  offsetOf(s: string): number {
    let at = this.offsets.get(s)
    if (at === undefined) {
      at = this.out.length
      this.offsets.set(s, at)
      this.out.cstring(s)
    }
    return at
  }
}

function expression(emit: (w: ByteWriter) => void): Uint8Array {
  const w = new ByteWriter(16)
  emit(w)
  return w.result()
}

function locationExpr(location: VariableLocation): Uint8Array | undefined {
  switch (location.kind) {
    case 'frame':
      return expression((w) => {
        w.u8(DW_OP.fbreg)
        w.sleb(location.rbpOffset)
      })
    case 'stack':
      return expression((w) => {
        w.u8(DW_OP.breg0 + DWARF_REG_RSP)
        w.sleb(location.rspOffset)
      })
    case 'static':
      return expression((w) => {
        w.u8(DW_OP.addr)
        w.u64(location.address)
      })
    case 'register':
      if (location.register < 0 || location.register > 31) throw new DwarfError(`register ${location.register} has no DW_OP_reg form`)
      return Uint8Array.of(DW_OP.reg0 + location.register)
    case 'other':
    case 'none':
      return undefined
  }
}

function single(ranges: readonly AddressRange[], what: string): AddressRange {
  const first = ranges[0]
  if (ranges.length !== 1 || !first) throw new DwarfError(`${what} must have exactly one address range (has ${ranges.length})`)
  if (first.high <= first.low) throw new DwarfError(`${what} has an empty range ${hex(first.low)}..${hex(first.high)}`)
  return first
}

/** A constant attribute in the smallest fixed-size form that holds it, as gcc writes them. */
function constant(at: number, value: number): AttrOut {
  if (value <= 0xff) return { at, form: DW_FORM.data1, value }
  if (value <= 0xffff) return { at, form: DW_FORM.data2, value }
  if (value <= 0xffffffff) return { at, form: DW_FORM.data4, value }
  return { at, form: DW_FORM.data8, value }
}

/** The code a unit covers: its own range, or from its first function's start to its last's end. */
function unitRange(unit: UnitInput): AddressRange | undefined {
  if (unit.codeRange) return unit.codeRange
  if (unit.functions.length === 0) return undefined
  const low = Math.min(...unit.functions.map((f) => single(f.ranges, `function ${f.name}`).low))
  const high = Math.max(...unit.functions.map((f) => single(f.ranges, `function ${f.name}`).high))
  return { low, high }
}

/** Builds the DIE tree of one unit. */
class UnitBuilder {
  private readonly typeDies = new Map<DwarfType, DieOut>()
  private readonly recordDies = new Map<number, DieOut>()
  private readonly baseDies = new Map<string, DieOut>()
  private readonly typeList: DieOut[] = []
  private readonly root: DieOut

  constructor(
    private readonly unit: UnitInput,
    private readonly fileIndex: (path: string) => number,
    stmtList: number,
  ) {
    const range = unitRange(unit)
    const attrs: AttrOut[] = [
      { at: DW_AT.producer, form: DW_FORM.strp, value: unit.producer },
      constant(DW_AT.language, unit.language ?? DW_LANG_C11),
      { at: DW_AT.name, form: DW_FORM.line_strp, value: unit.name },
      { at: DW_AT.comp_dir, form: DW_FORM.line_strp, value: unit.compDir },
    ]
    if (range) attrs.push({ at: DW_AT.low_pc, form: DW_FORM.addr, value: range.low }, { at: DW_AT.high_pc, form: DW_FORM.data8, value: range.high - range.low })
    attrs.push({ at: DW_AT.stmt_list, form: DW_FORM.sec_offset, value: stmtList })
    this.root = { tag: DW_TAG.compile_unit, attrs, children: [] }
  }

  build(): DieOut {
    const children: DieOut[] = []
    for (const t of this.unit.types ?? []) this.typeRef(t)
    for (const g of this.unit.globals) children.push(this.variable(DW_TAG.variable, g))
    for (const f of this.unit.functions) children.push(this.func(f))
    // Types first, as gcc orders them; references are patched after layout so order is free.
    this.root.children.push(...this.typeList, ...children)
    return this.root
  }

  private decl(attrs: AttrOut[], file: string | undefined, line: number | undefined): void {
    if (file !== undefined) attrs.push({ at: DW_AT.decl_file, form: DW_FORM.udata, value: this.fileIndex(file) })
    if (line !== undefined) attrs.push({ at: DW_AT.decl_line, form: DW_FORM.udata, value: line })
  }

  private withType(attrs: AttrOut[], t: DwarfType): AttrOut[] {
    const ref = this.typeRef(t)
    if (ref) attrs.push({ at: DW_AT.type, form: DW_FORM.ref4, value: ref })
    return attrs
  }

  private variable(tag: number, v: DebugVariable): DieOut {
    const attrs: AttrOut[] = [{ at: DW_AT.name, form: DW_FORM.strp, value: v.name }]
    this.decl(attrs, v.declFile, v.declLine)
    this.withType(attrs, v.type)
    if (v.external) attrs.push({ at: DW_AT.external, form: DW_FORM.flag_present })
    if (v.alignment !== undefined) attrs.push(constant(DW_AT.alignment, v.alignment))
    const loc = locationExpr(v.location)
    if (loc) attrs.push({ at: DW_AT.location, form: DW_FORM.exprloc, value: loc })
    return { tag, attrs, children: [] }
  }

  private scopeChildren(locals: readonly DebugVariable[], blocks: readonly LexicalBlock[], into: DieOut[]): void {
    for (const v of locals) into.push(this.variable(DW_TAG.variable, v))
    for (const b of blocks) {
      // A block whose declarations generate no code has no range (gcc omits its pc attributes).
      const r = b.ranges.length === 0 ? undefined : single(b.ranges, 'a lexical block')
      const die: DieOut = {
        tag: DW_TAG.lexical_block,
        attrs: r
          ? [
              { at: DW_AT.low_pc, form: DW_FORM.addr, value: r.low },
              { at: DW_AT.high_pc, form: DW_FORM.data8, value: r.high - r.low },
            ]
          : [],
        children: [],
      }
      this.scopeChildren(b.locals, b.blocks, die.children)
      into.push(die)
    }
  }

  private func(f: DebugFunction): DieOut {
    const r = single(f.ranges, `function ${f.name}`)
    const attrs: AttrOut[] = []
    if (f.external) attrs.push({ at: DW_AT.external, form: DW_FORM.flag_present })
    attrs.push({ at: DW_AT.name, form: DW_FORM.strp, value: f.name })
    this.decl(attrs, f.declFile, f.declLine)
    attrs.push({ at: DW_AT.prototyped, form: DW_FORM.flag_present })
    this.withType(attrs, f.returns)
    attrs.push(
      { at: DW_AT.low_pc, form: DW_FORM.addr, value: r.low },
      { at: DW_AT.high_pc, form: DW_FORM.data8, value: r.high - r.low },
      { at: DW_AT.frame_base, form: DW_FORM.exprloc, value: Uint8Array.of(DW_OP.reg0 + DWARF_REG_RBP) },
    )
    const die: DieOut = { tag: DW_TAG.subprogram, attrs, children: [] }
    for (const p of f.params) die.children.push(this.variable(DW_TAG.formal_parameter, p))
    this.scopeChildren(f.locals, f.blocks, die.children)
    return die
  }

  private newType(t: DwarfType, die: DieOut): DieOut {
    this.typeDies.set(t, die)
    this.typeList.push(die)
    return die
  }

  private sizeType(): DieOut {
    return this.base({ kind: 'base', name: 'long unsigned int', size: 8, encoding: 'unsigned' })
  }

  private base(t: Extract<DwarfType, { kind: 'base' }>): DieOut {
    const key = `${t.name}/${t.size}/${t.encoding}`
    const known = this.baseDies.get(key)
    if (known) return known
    const die: DieOut = {
      tag: DW_TAG.base_type,
      attrs: [
        { at: DW_AT.byte_size, form: DW_FORM.data1, value: t.size },
        { at: DW_AT.encoding, form: DW_FORM.data1, value: ENCODING_CODES[t.encoding] },
        { at: DW_AT.name, form: DW_FORM.strp, value: t.name },
      ],
      children: [],
    }
    this.baseDies.set(key, die)
    return this.newType(t, die)
  }

  /** The DIE describing `t`, or undefined for void (which DWARF expresses by omission). */
  private typeRef(t: DwarfType): DieOut | undefined {
    const known = this.typeDies.get(t) ?? (t.kind === 'struct' || t.kind === 'union' ? this.recordDies.get(t.id) : undefined)
    if (known) return known
    switch (t.kind) {
      case 'void':
        return undefined
      case 'base':
        return this.base(t)
      case 'pointer': {
        const die = this.newType(t, { tag: DW_TAG.pointer_type, attrs: [{ at: DW_AT.byte_size, form: DW_FORM.data1, value: 8 }], children: [] })
        if (t.alignment !== undefined) die.attrs.push(constant(DW_AT.alignment, t.alignment))
        this.withType(die.attrs, t.to)
        return die
      }
      case 'array': {
        const die = this.newType(t, { tag: DW_TAG.array_type, attrs: [], children: [] })
        this.withType(die.attrs, t.of)
        if (t.alignment !== undefined) die.attrs.push(constant(DW_AT.alignment, t.alignment))
        const sub: AttrOut[] = [{ at: DW_AT.type, form: DW_FORM.ref4, value: this.sizeType() }]
        if (t.count !== undefined) sub.push({ at: DW_AT.upper_bound, form: DW_FORM.sdata, value: t.count - 1 })
        die.children.push({ tag: DW_TAG.subrange_type, attrs: sub, children: [] })
        return die
      }
      case 'struct':
      case 'union':
        return this.record(t)
      case 'enum': {
        const attrs: AttrOut[] = []
        if (t.name !== undefined) attrs.push({ at: DW_AT.name, form: DW_FORM.strp, value: t.name })
        const signed = t.enumerators.some((e) => e.value < 0n)
        const underlying: DwarfType = { kind: 'base', name: signed ? 'int' : 'unsigned int', size: t.size, encoding: signed ? 'signed' : 'unsigned' }
        attrs.push({ at: DW_AT.encoding, form: DW_FORM.data1, value: signed ? DW_ATE.signed : DW_ATE.unsigned }, { at: DW_AT.byte_size, form: DW_FORM.data1, value: t.size })
        const die = this.newType(t, { tag: DW_TAG.enumeration_type, attrs, children: [] })
        this.withType(attrs, underlying)
        for (const e of t.enumerators) {
          die.children.push({
            tag: DW_TAG.enumerator,
            attrs: [
              { at: DW_AT.name, form: DW_FORM.strp, value: e.name },
              { at: DW_AT.const_value, form: DW_FORM.sdata, value: e.value },
            ],
            children: [],
          })
        }
        return die
      }
      case 'function': {
        const attrs: AttrOut[] = []
        if (t.prototyped) attrs.push({ at: DW_AT.prototyped, form: DW_FORM.flag_present })
        const die = this.newType(t, { tag: DW_TAG.subroutine_type, attrs, children: [] })
        this.withType(attrs, t.returns)
        for (const p of t.params) die.children.push({ tag: DW_TAG.formal_parameter, attrs: this.withType([], p), children: [] })
        if (t.variadic) die.children.push({ tag: DW_TAG.unspecified_parameters, attrs: [], children: [] })
        return die
      }
      case 'qualified': {
        if (!t.isConst && !t.isVolatile) return this.typeRef(t.type)
        // const volatile T is written as volatile(const T), as gcc does.
        const inner: DwarfType = t.isConst && t.isVolatile ? { kind: 'qualified', isConst: true, isVolatile: false, type: t.type } : t.type
        const die = this.newType(t, { tag: t.isVolatile ? DW_TAG.volatile_type : DW_TAG.const_type, attrs: [], children: [] })
        this.withType(die.attrs, inner)
        return die
      }
      case 'typedef': {
        const die = this.newType(t, { tag: DW_TAG.typedef, attrs: [{ at: DW_AT.name, form: DW_FORM.strp, value: t.name }], children: [] })
        this.withType(die.attrs, t.type)
        if (t.alignment !== undefined) die.attrs.push(constant(DW_AT.alignment, t.alignment))
        return die
      }
    }
  }

  private record(t: DwarfRecord): DieOut {
    const attrs: AttrOut[] = []
    if (t.name !== undefined) attrs.push({ at: DW_AT.name, form: DW_FORM.strp, value: t.name })
    if (t.complete) attrs.push({ at: DW_AT.byte_size, form: DW_FORM.udata, value: t.size })
    else attrs.push({ at: DW_AT.declaration, form: DW_FORM.flag_present })
    if (t.alignment !== undefined) attrs.push(constant(DW_AT.alignment, t.alignment))
    const die = this.newType(t, { tag: t.kind === 'union' ? DW_TAG.union_type : DW_TAG.structure_type, attrs, children: [] })
    this.recordDies.set(t.id, die)
    for (const m of t.members) {
      const ma: AttrOut[] = []
      if (m.name !== undefined) ma.push({ at: DW_AT.name, form: DW_FORM.strp, value: m.name })
      this.withType(ma, m.type)
      const alignment = m.alignment === undefined ? [] : [constant(DW_AT.alignment, m.alignment)]
      // gcc's order: DW_AT_alignment after the type (and a bit-field's size), before the position.
      if (m.bitSize !== undefined) {
        ma.push({ at: DW_AT.bit_size, form: DW_FORM.udata, value: m.bitSize }, ...alignment, { at: DW_AT.data_bit_offset, form: DW_FORM.udata, value: m.offset * 8 + (m.bitOffset ?? 0) })
      } else {
        ma.push(...alignment, { at: DW_AT.data_member_location, form: DW_FORM.udata, value: m.offset })
      }
      die.children.push({ tag: DW_TAG.member, attrs: ma, children: [] })
    }
    return die
  }
}

/** Assigns abbreviation codes by shape (tag, children, attribute/form list). */
class AbbrevTable {
  private readonly codes = new Map<string, number>()
  readonly out = new ByteWriter()
  codeOf(die: DieOut): number {
    const hasChildren = die.children.length > 0
    const key = `${die.tag}:${hasChildren ? 1 : 0}:${die.attrs.map((a) => `${a.at}/${a.form}`).join(',')}`
    let code = this.codes.get(key)
    if (code === undefined) {
      code = this.codes.size + 1
      this.codes.set(key, code)
      this.out.uleb(code)
      this.out.uleb(die.tag)
      this.out.u8(hasChildren ? 1 : 0)
      for (const a of die.attrs) {
        this.out.uleb(a.at)
        this.out.uleb(a.form)
      }
      this.out.uleb(0)
      this.out.uleb(0)
    }
    return code
  }
}

const LINE_BASE = -5
const LINE_RANGE = 14
const OPCODE_BASE = 13
const STANDARD_OPCODE_LENGTHS = [0, 1, 1, 1, 1, 0, 0, 0, 1, 0, 0, 1]

function splitPath(path: string): { dir: string; base: string } {
  const slash = path.lastIndexOf('/')
  return slash < 0 ? { dir: '', base: path } : { dir: path.slice(0, slash) || '/', base: path.slice(slash + 1) }
}

/** Writes one unit's line program; returns the file index function for DW_AT_decl_file. */
function writeLineProgram(unit: UnitInput, out: ByteWriter, lineStr: StringTable): (path: string) => number {
  const dirs: string[] = [unit.compDir]
  const files: { base: string; dir: number }[] = []
  const index = new Map<string, number>()
  const entryFor = (path: string): { base: string; dir: number } => {
    if (!path.startsWith('/')) return { base: path, dir: 0 }
    const { dir, base } = splitPath(path)
    let dirIndex = dirs.indexOf(dir)
    if (dirIndex < 0) dirIndex = dirs.push(dir) - 1
    return { base, dir: dirIndex }
  }
  const addFile = (path: string): number => {
    let known = index.get(path)
    if (known === undefined) {
      known = files.push(entryFor(path)) - 1
      index.set(path, known)
    }
    return known
  }
  // DWARF 5 file 0 is the primary source file; gcc repeats it as file 1, which the state
  // machine's initial file register (1) and older consumers expect.
  const primary = unit.name.startsWith('/') ? unit.name : `${unit.compDir}/${unit.name}`
  files.push(entryFor(primary))
  addFile(primary)
  for (const row of unit.lines) if (!row.endSequence) addFile(row.file)
  const fileIndex = (path: string): number => addFile(path)
  // Files named only by declarations must be in the table too.
  for (const f of unit.functions) if (f.declFile !== undefined) addFile(f.declFile)
  for (const g of unit.globals) if (g.declFile !== undefined) addFile(g.declFile)

  const program = new ByteWriter()
  let address = 0
  let file = 1
  let line = 1
  let column = 0
  let isStmt = true
  let inSequence = false
  let last: LineInput | undefined
  for (const row of unit.lines) {
    if (!Number.isInteger(row.address) || row.address < 0) throw new DwarfError(`line table: bad address ${row.address}`)
    if (inSequence && row.address < address) throw new DwarfError(`line table: address ${hex(row.address)} goes back before ${hex(address)} within a sequence`)
    if (!inSequence) {
      program.u8(0)
      program.uleb(9)
      program.u8(DW_LNE.set_address)
      program.u64(row.address)
      address = row.address
      inSequence = true
    }
    if (row.endSequence) {
      if (row.address > address) {
        program.u8(DW_LNS.advance_pc)
        program.uleb(row.address - address)
      }
      program.u8(0)
      program.uleb(1)
      program.u8(DW_LNE.end_sequence)
      address = 0
      file = 1
      line = 1
      column = 0
      isStmt = true
      inSequence = false
      last = row
      continue
    }
    if (!Number.isInteger(row.line) || row.line < 0) throw new DwarfError(`line table: bad line number ${row.line}`)
    const f = addFile(row.file)
    if (f !== file) {
      program.u8(DW_LNS.set_file)
      program.uleb(f)
      file = f
    }
    const col = row.column ?? 0
    if (col !== column) {
      program.u8(DW_LNS.set_column)
      program.uleb(col)
      column = col
    }
    if ((row.isStmt ?? true) !== isStmt) {
      program.u8(DW_LNS.negate_stmt)
      isStmt = !isStmt
    }
    const lineDelta = row.line - line
    const addrDelta = row.address - address
    const special = lineDelta - LINE_BASE + LINE_RANGE * addrDelta + OPCODE_BASE
    if (lineDelta >= LINE_BASE && lineDelta < LINE_BASE + LINE_RANGE && special <= 255) {
      program.u8(special)
    } else {
      if (lineDelta !== 0) {
        program.u8(DW_LNS.advance_line)
        program.sleb(lineDelta)
      }
      if (addrDelta !== 0) {
        program.u8(DW_LNS.advance_pc)
        program.uleb(addrDelta)
      }
      program.u8(DW_LNS.copy)
    }
    address = row.address
    line = row.line
    last = row
  }
  if (inSequence || (last && !last.endSequence)) throw new DwarfError('line table: the last row must end the sequence (endSequence: true)')

  const header = new ByteWriter()
  header.u8(1) // minimum_instruction_length
  header.u8(1) // maximum_operations_per_instruction
  header.u8(1) // default_is_stmt
  header.u8(LINE_BASE & 0xff)
  header.u8(LINE_RANGE)
  header.u8(OPCODE_BASE)
  for (const n of STANDARD_OPCODE_LENGTHS) header.u8(n)
  header.u8(1) // directory entry format: path as line_strp
  header.uleb(DW_LNCT.path)
  header.uleb(DW_FORM.line_strp)
  header.uleb(dirs.length)
  for (const d of dirs) header.u32(lineStr.offsetOf(d))
  header.u8(2) // file entry format: path as line_strp, directory index as udata
  header.uleb(DW_LNCT.path)
  header.uleb(DW_FORM.line_strp)
  header.uleb(DW_LNCT.directory_index)
  header.uleb(DW_FORM.udata)
  header.uleb(files.length)
  for (const f of files) {
    header.u32(lineStr.offsetOf(f.base))
    header.uleb(f.dir)
  }
  const headerBytes = header.result()
  const programBytes = program.result()
  out.u32(2 + 1 + 1 + 4 + headerBytes.length + programBytes.length)
  out.u16(5)
  out.u8(8) // address_size
  out.u8(0) // segment_selector_size
  out.u32(headerBytes.length)
  out.bytes(headerBytes)
  out.bytes(programBytes)
  return fileIndex
}

/**
 * The unit's entry in .debug_aranges (version 2 even in DWARF 5): which code the unit at
 * `infoOffset` covers, as one range like its DW_AT_low_pc/high_pc. gdb uses the table to find a
 * unit by address without reading every unit; gcc writes a set only for units with code.
 */
function writeAddressRanges(unit: UnitInput, infoOffset: number, out: ByteWriter): void {
  const range = unitRange(unit)
  if (!range) return
  const { low, high } = range
  const start = out.length
  out.u32(0) // unit_length, patched below
  out.u16(2)
  out.u32(infoOffset)
  out.u8(8) // address_size
  out.u8(0) // segment_selector_size
  // Tuples start at a multiple of twice the address size from the set's start.
  while ((out.length - start) % 16 !== 0) out.u8(0)
  out.u64(low)
  out.u64(high - low)
  out.u64(0) // terminating tuple
  out.u64(0)
  out.patchU32(start, out.length - start - 4)
}

/** Encodes units as DWARF 5 sections (32-bit format, 8-byte addresses). */
export function writeDwarf(units: readonly UnitInput[]): Record<DwarfSectionName, Uint8Array> {
  const aranges = new ByteWriter()
  const info = new ByteWriter()
  const line = new ByteWriter()
  const abbrevs = new AbbrevTable()
  const str = new StringTable()
  const lineStr = new StringTable()
  for (const unit of units) {
    const stmtList = line.length
    const fileIndex = writeLineProgram(unit, line, lineStr)
    const root = new UnitBuilder(unit, fileIndex, stmtList).build()
    const unitStart = info.length
    writeAddressRanges(unit, unitStart, aranges)
    info.u32(0) // unit_length, patched below
    info.u16(5)
    info.u8(DW_UT_compile)
    info.u8(8)
    info.u32(0) // debug_abbrev_offset: one table shared by all units
    const patches: { at: number; target: DieOut }[] = []
    const emit = (die: DieOut): void => {
      die.offset = info.length - unitStart
      info.uleb(abbrevs.codeOf(die))
      for (const a of die.attrs) {
        switch (a.form) {
          case DW_FORM.strp:
            info.u32(str.offsetOf(a.value))
            break
          case DW_FORM.line_strp:
            info.u32(lineStr.offsetOf(a.value))
            break
          case DW_FORM.addr:
          case DW_FORM.data8:
            info.u64(a.value)
            break
          case DW_FORM.udata:
            info.uleb(a.value)
            break
          case DW_FORM.data1:
            info.u8(a.value)
            break
          case DW_FORM.data2:
            info.u16(a.value)
            break
          case DW_FORM.data4:
          case DW_FORM.sec_offset:
            info.u32(a.value)
            break
          case DW_FORM.sdata:
            info.sleb(a.value)
            break
          case DW_FORM.exprloc:
            info.uleb(a.value.length)
            info.bytes(a.value)
            break
          case DW_FORM.flag_present:
            break
          case DW_FORM.ref4:
            patches.push({ at: info.length, target: a.value })
            info.u32(0)
            break
        }
      }
      if (die.children.length > 0) {
        for (const c of die.children) emit(c)
        info.u8(0)
      }
    }
    emit(root)
    info.patchU32(unitStart, info.length - unitStart - 4)
    for (const p of patches) {
      if (p.target.offset === undefined) throw new DwarfError('internal: a type DIE was referenced but never written')
      info.patchU32(p.at, p.target.offset)
    }
  }
  abbrevs.out.u8(0)
  // In gcc's section order, which is the order an ELF writer appends them in.
  return {
    '.debug_aranges': aranges.result(),
    '.debug_info': info.result(),
    '.debug_abbrev': abbrevs.out.result(),
    '.debug_line': line.result(),
    '.debug_str': str.out.result(),
    '.debug_line_str': lineStr.out.result(),
  }
}
