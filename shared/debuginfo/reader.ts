// Builds the debug model (model.ts) from the DWARF sections of an ELF file: what gcc 12 -g emits
// (DWARF 5) and DWARF 2-4. Only DwarfError escapes, whatever the bytes.

import { ElfError, ET_REL, parseElf, SHT_NOBITS } from '../machine/elf'
import { ByteReader, DwarfError } from './bytes'
import { DW_AT, DW_ATE, DW_OP, DW_RLE, DW_TAG, DWARF_REG_RBP, DWARF_REG_RSP } from './constants'
import { addressAtIndex, attrAddress, attrString, attrUnsigned, exactValue, parseUnits, type AttrValue, type Die, type DwarfSections, type Unit } from './dies'
import { readLineTable } from './line-program'
import type { AddressRange, BaseEncoding, CompilationUnit, DebugFunction, DebugInfo, DebugVariable, DwarfMember, DwarfRecord, DwarfType, LexicalBlock, LineRow, VariableLocation } from './model'

const hex = (n: number): string => `0x${n.toString(16)}`

const SECTION_NAMES: Record<string, keyof DwarfSections> = {
  '.debug_info': 'info',
  '.debug_abbrev': 'abbrev',
  '.debug_str': 'str',
  '.debug_line_str': 'lineStr',
  '.debug_line': 'line',
  '.debug_str_offsets': 'strOffsets',
  '.debug_addr': 'addr',
  '.debug_rnglists': 'rnglists',
  '.debug_ranges': 'ranges',
  '.debug_loclists': 'loclists',
}

/** The DWARF sections of an ELF image (compressed sections are reported, not decoded). */
export function dwarfSectionsOf(image: Uint8Array): DwarfSections {
  let elf
  try {
    elf = parseElf(image)
  } catch (e) {
    if (e instanceof ElfError) throw new DwarfError(`not a readable ELF file: ${e.message}`)
    throw e
  }
  // In an object file the string offsets and addresses are relocation addends (the fields hold
  // zero), so reading the raw bytes would give wrong names silently.
  if (elf.header.type === ET_REL && elf.sections.some((s) => s.name.startsWith('.rela.debug_'))) {
    throw new DwarfError('this is a relocatable object (.o): its DWARF needs its relocations applied; read the linked executable instead')
  }
  const out: Partial<Record<keyof DwarfSections, Uint8Array>> = {}
  for (const s of elf.sections) {
    const key = SECTION_NAMES[s.name]
    if (!key || s.type === SHT_NOBITS) continue
    if (s.flags & 0x800) throw new DwarfError(`${s.name} is compressed (SHF_COMPRESSED), which this reader does not decode`)
    if (s.offset + s.size > image.length) throw new DwarfError(`${s.name} lies past the end of the file`)
    out[key] = image.subarray(s.offset, s.offset + s.size)
  }
  return out
}

/** Reads the debug information of an ELF image (an empty model when it has none). */
export function readDebugInfo(image: Uint8Array): DebugInfo {
  return readDwarf(dwarfSectionsOf(image))
}

export function readDwarf(sections: DwarfSections): DebugInfo {
  try {
    return new ModelBuilder(sections).build()
  } catch (e) {
    if (e instanceof DwarfError) throw e
    // A bug in this reader must still surface as a DwarfError so callers need one catch.
    throw new DwarfError(`malformed DWARF: ${e instanceof Error ? e.message : String(e)}`)
  }
}

const ENCODINGS: Record<number, BaseEncoding> = {
  [DW_ATE.address]: 'address',
  [DW_ATE.boolean]: 'boolean',
  [DW_ATE.complex_float]: 'complex_float',
  [DW_ATE.float]: 'float',
  [DW_ATE.signed]: 'signed',
  [DW_ATE.signed_char]: 'signed_char',
  [DW_ATE.unsigned]: 'unsigned',
  [DW_ATE.unsigned_char]: 'unsigned_char',
  [DW_ATE.UTF]: 'utf',
}

/** How a function's DW_AT_frame_base relates to rbp, so fbreg offsets become rbp offsets. */
type FrameBase = { kind: 'rbp'; offset: number } | { kind: 'unknown'; description: string }

class ModelBuilder {
  private readonly dieByOffset = new Map<number, { die: Die; unit: Unit }>()
  private readonly types = new Map<number, DwarfType>()
  /** Types being described, to catch a cycle that does not pass through a record. */
  private readonly inProgress = new Set<number>()
  private unit!: Unit
  private fileNames: readonly (string | undefined)[] = []

  constructor(private readonly sections: DwarfSections) {}

  build(): DebugInfo {
    const units = parseUnits(this.sections)
    for (const unit of units) this.index(unit.root, unit)
    return { units: units.filter((u) => u.root.tag === DW_TAG.compile_unit || u.root.tag === DW_TAG.partial_unit).map((u) => this.compilationUnit(u)) }
  }

  private index(die: Die, unit: Unit): void {
    this.dieByOffset.set(die.offset, { die, unit })
    for (const c of die.children) this.index(c, unit)
  }

  private str(die: Die, at: number): string | undefined {
    return attrString(die.attrs.get(at), this.unit, this.sections)
  }

  private compilationUnit(unit: Unit): CompilationUnit {
    this.unit = unit
    const root = unit.root
    const compDir = this.str(root, DW_AT.comp_dir) ?? ''
    let lines: LineRow[] = []
    const stmt = root.attrs.get(DW_AT.stmt_list)
    if (stmt && (stmt.kind === 'section-offset' || stmt.kind === 'unsigned')) {
      const table = readLineTable(this.sections, stmt.value, compDir)
      lines = table.rows
      this.fileNames = table.files
    } else {
      this.fileNames = []
    }
    const functions: DebugFunction[] = []
    const globals: DebugVariable[] = []
    const types: DwarfType[] = []
    for (const child of root.children) {
      if (child.tag === DW_TAG.subprogram) {
        const f = this.func(child)
        if (f) functions.push(f)
      } else if (child.tag === DW_TAG.variable && !child.attrs.has(DW_AT.declaration)) {
        // (A declaration, `extern int x;`, has no storage; its definition has its own DIE.)
        const v = this.variable(child, { kind: 'unknown', description: 'no frame at file scope' })
        if (v) globals.push(v)
      } else if (isTypeTag(child.tag) && child.attrs.has(DW_AT.name)) {
        types.push(this.type(child.offset))
      }
    }
    return {
      name: this.str(root, DW_AT.name) ?? '',
      compDir,
      producer: this.str(root, DW_AT.producer) ?? '',
      language: attrUnsigned(root.attrs.get(DW_AT.language)) ?? 0,
      ranges: this.ranges(root),
      lines,
      functions,
      globals,
      types,
      dwarfVersion: unit.version,
    }
  }

  private declFile(die: Die): string | undefined {
    const n = attrUnsigned(die.attrs.get(DW_AT.decl_file))
    return n === undefined ? undefined : this.fileNames[n]
  }

  /** Follows DW_AT_specification / DW_AT_abstract_origin for a name or type the DIE lacks. */
  private origin(die: Die): Die | undefined {
    const ref = die.attrs.get(DW_AT.specification) ?? die.attrs.get(DW_AT.abstract_origin)
    return ref?.kind === 'ref' ? this.dieByOffset.get(ref.offset)?.die : undefined
  }

  private nameOf(die: Die): string | undefined {
    let d: Die | undefined = die
    for (let i = 0; d && i < 8; i++, d = this.origin(d)) {
      const n = this.str(d, DW_AT.name)
      if (n !== undefined) return n
    }
    return undefined
  }

  private typeOf(die: Die): DwarfType {
    let d: Die | undefined = die
    for (let i = 0; d && i < 8; i++, d = this.origin(d)) {
      const t = d.attrs.get(DW_AT.type)
      if (t?.kind === 'ref') return this.type(t.offset)
    }
    return { kind: 'void' }
  }

  private func(die: Die): DebugFunction | undefined {
    const ranges = this.ranges(die)
    const name = this.nameOf(die)
    if (ranges.length === 0 || name === undefined) return undefined // a declaration or inlined-only copy
    const frameBase = this.frameBase(die.attrs.get(DW_AT.frame_base))
    const params: DebugVariable[] = []
    const { locals, blocks } = this.scope(die, frameBase, params)
    const origin = this.origin(die)
    const ext = die.attrs.get(DW_AT.external) ?? origin?.attrs.get(DW_AT.external)
    const declFile = this.declFile(die) ?? (origin && this.declFile(origin))
    const declLine = attrUnsigned(die.attrs.get(DW_AT.decl_line)) ?? (origin && attrUnsigned(origin.attrs.get(DW_AT.decl_line)))
    return {
      name,
      ranges,
      returns: this.typeOf(die),
      external: ext?.kind === 'flag' && ext.value,
      ...(declFile !== undefined ? { declFile } : {}),
      ...(declLine !== undefined ? { declLine } : {}),
      params,
      locals,
      blocks,
    }
  }

  private scope(die: Die, frameBase: FrameBase, params?: DebugVariable[]): { locals: DebugVariable[]; blocks: LexicalBlock[] } {
    const locals: DebugVariable[] = []
    const blocks: LexicalBlock[] = []
    for (const c of die.children) {
      if (c.tag === DW_TAG.formal_parameter && params) {
        const v = this.variable(c, frameBase)
        if (v) params.push(v)
      } else if (c.tag === DW_TAG.variable) {
        const v = this.variable(c, frameBase)
        if (v) locals.push(v)
      } else if (c.tag === DW_TAG.lexical_block) {
        const inner = this.scope(c, frameBase)
        blocks.push({ ranges: this.ranges(c), ...inner })
      }
    }
    return { locals, blocks }
  }

  private variable(die: Die, frameBase: FrameBase): DebugVariable | undefined {
    const name = this.nameOf(die)
    if (name === undefined) return undefined
    const loc = die.attrs.get(DW_AT.location)
    let location: VariableLocation
    if (!loc) location = { kind: 'none' }
    else if (loc.kind === 'expr' || loc.kind === 'block') location = this.location(loc.value, frameBase)
    else location = { kind: 'other', description: 'location list' }
    const origin = this.origin(die)
    const declFile = this.declFile(die) ?? (origin && this.declFile(origin))
    const declLine = attrUnsigned(die.attrs.get(DW_AT.decl_line)) ?? (origin && attrUnsigned(origin.attrs.get(DW_AT.decl_line)))
    const external = die.attrs.get(DW_AT.external) ?? origin?.attrs.get(DW_AT.external)
    return {
      name,
      type: this.typeOf(die),
      location,
      ...(declFile !== undefined ? { declFile } : {}),
      ...(declLine !== undefined ? { declLine } : {}),
      ...(external?.kind === 'flag' && external.value ? { external: true } : {}),
      ...alignmentOf(die),
    }
  }

  private frameBase(value: AttrValue | undefined): FrameBase {
    if (!value || (value.kind !== 'expr' && value.kind !== 'block')) return { kind: 'unknown', description: 'no frame base' }
    const e = value.value
    // gcc -O0: the CFA, which is rbp + 16 once `push rbp; mov rbp, rsp` has run.
    if (e.length === 1 && e[0] === DW_OP.call_frame_cfa) return { kind: 'rbp', offset: 16 }
    if (e.length === 1 && e[0] === DW_OP.reg0 + DWARF_REG_RBP) return { kind: 'rbp', offset: 0 }
    if (e.length >= 2 && e[0] === DW_OP.breg0 + DWARF_REG_RBP) {
      const r = new ByteReader(e, 'frame base expression', 1)
      const offset = r.sleb('offset')
      if (r.atEnd) return { kind: 'rbp', offset }
    }
    return { kind: 'unknown', description: `frame base ${describeExpr(e)}` }
  }

  private location(e: Uint8Array, frameBase: FrameBase): VariableLocation {
    if (e.length === 0) return { kind: 'none' }
    const r = new ByteReader(e, 'location expression')
    const op = r.u8('opcode')
    if (op === DW_OP.fbreg) {
      const offset = r.sleb('frame offset')
      if (r.atEnd) {
        return frameBase.kind === 'rbp' ? { kind: 'frame', rbpOffset: offset + frameBase.offset } : { kind: 'other', description: `${describeExpr(e)} with ${frameBase.description}` }
      }
    } else if (op === DW_OP.breg0 + DWARF_REG_RBP) {
      const offset = r.sleb('rbp offset')
      if (r.atEnd) return { kind: 'frame', rbpOffset: offset }
    } else if (op === DW_OP.breg0 + DWARF_REG_RSP) {
      const offset = r.sleb('rsp offset')
      if (r.atEnd) return { kind: 'stack', rspOffset: offset }
    } else if (op === DW_OP.addr) {
      const address = r.uSized(this.unit.addressSize, 'address')
      if (r.atEnd) return { kind: 'static', address }
    } else if (op === DW_OP.addrx || op === DW_OP.GNU_addr_index) {
      const address = addressAtIndex(r.uleb('address index'), this.unit, this.sections)
      if (r.atEnd) return { kind: 'static', address }
    } else if (op >= DW_OP.reg0 && op < DW_OP.reg0 + 32 && e.length === 1) {
      return { kind: 'register', register: op - DW_OP.reg0 }
    }
    return { kind: 'other', description: describeExpr(e) }
  }

  /** DW_AT_low_pc/high_pc or DW_AT_ranges of a DIE, as address ranges. */
  private ranges(die: Die): AddressRange[] {
    const low = attrAddress(die.attrs.get(DW_AT.low_pc), this.unit, this.sections)
    const highAttr = die.attrs.get(DW_AT.high_pc)
    if (low !== undefined && highAttr) {
      const high = highAttr.kind === 'unsigned' || highAttr.kind === 'signed' ? low + highAttr.value : attrAddress(highAttr, this.unit, this.sections)
      if (high === undefined) throw new DwarfError(`.debug_info: DIE at ${hex(die.offset)} has a DW_AT_high_pc of an unexpected form`)
      return high > low ? [{ low, high }] : []
    }
    const r = die.attrs.get(DW_AT.ranges)
    if (!r) return []
    if (this.unit.version >= 5) {
      let offset: number
      if (r.kind === 'list-index') {
        const table = this.sections.rnglists
        if (!table) throw new DwarfError('DW_FORM_rnglistx is used but the file has no .debug_rnglists')
        const t = new ByteReader(table, '.debug_rnglists', this.unit.rnglistsBase + r.index * this.unit.offsetSize)
        offset = this.unit.rnglistsBase + t.uSized(this.unit.offsetSize, 'range list offset')
      } else if (r.kind === 'section-offset' || r.kind === 'unsigned') offset = r.value
      else return []
      return this.rangeList(offset, attrAddress(this.unit.root.attrs.get(DW_AT.low_pc), this.unit, this.sections) ?? 0)
    }
    if (r.kind !== 'section-offset' && r.kind !== 'unsigned') return []
    return this.legacyRanges(r.value, attrAddress(this.unit.root.attrs.get(DW_AT.low_pc), this.unit, this.sections) ?? 0)
  }

  private rangeList(offset: number, baseAddress: number): AddressRange[] {
    if (!this.sections.rnglists) throw new DwarfError('DW_AT_ranges is used but the file has no .debug_rnglists')
    const r = new ByteReader(this.sections.rnglists, '.debug_rnglists', offset)
    const out: AddressRange[] = []
    let base = baseAddress
    const size = this.unit.addressSize
    const idx = (): number => addressAtIndex(r.uleb('address index'), this.unit, this.sections)
    for (let guard = 0; guard < 1_000_000; guard++) {
      const kind = r.u8('range list entry kind')
      switch (kind) {
        case DW_RLE.end_of_list:
          return out.filter((x) => x.high > x.low)
        case DW_RLE.base_addressx:
          base = idx()
          break
        case DW_RLE.startx_endx: {
          const low = idx()
          out.push({ low, high: idx() })
          break
        }
        case DW_RLE.startx_length: {
          const low = idx()
          out.push({ low, high: low + r.uleb('length') })
          break
        }
        case DW_RLE.offset_pair: {
          const a = r.uleb('start offset')
          out.push({ low: base + a, high: base + r.uleb('end offset') })
          break
        }
        case DW_RLE.base_address:
          base = r.uSized(size, 'base address')
          break
        case DW_RLE.start_end: {
          const low = r.uSized(size, 'start')
          out.push({ low, high: r.uSized(size, 'end') })
          break
        }
        case DW_RLE.start_length: {
          const low = r.uSized(size, 'start')
          out.push({ low, high: low + r.uleb('length') })
          break
        }
        default:
          throw new DwarfError(`.debug_rnglists: unknown entry kind ${kind} at ${hex(r.offset - 1)}`)
      }
    }
    throw new DwarfError(`.debug_rnglists: the list at ${hex(offset)} does not end`)
  }

  private legacyRanges(offset: number, baseAddress: number): AddressRange[] {
    if (!this.sections.ranges) throw new DwarfError('DW_AT_ranges is used but the file has no .debug_ranges')
    const r = new ByteReader(this.sections.ranges, '.debug_ranges', offset)
    const out: AddressRange[] = []
    let base = baseAddress
    for (;;) {
      const a = r.u64Big('range start')
      const b = r.u64Big('range end')
      if (a === 0n && b === 0n) return out.filter((x) => x.high > x.low)
      if (a === 0xffffffffffffffffn) base = Number(b)
      else out.push({ low: base + Number(a), high: base + Number(b) })
    }
  }

  private type(offset: number): DwarfType {
    const known = this.types.get(offset)
    if (known) return known
    const entry = this.dieByOffset.get(offset)
    if (!entry) throw new DwarfError(`.debug_info: a type reference points to ${hex(offset)}, where no DIE starts`)
    const saved = this.unit
    this.unit = entry.unit
    try {
      return this.describe(entry.die)
    } finally {
      this.unit = saved
    }
  }

  private describe(die: Die): DwarfType {
    const size = attrUnsigned(die.attrs.get(DW_AT.byte_size))
    const name = this.str(die, DW_AT.name)
    const placeholder = (t: DwarfType): DwarfType => {
      this.types.set(die.offset, t)
      return t
    }
    // Guards against a cycle that does not pass through a record (malformed input).
    if (this.inProgress.has(die.offset)) throw new DwarfError(`.debug_info: the type at ${hex(die.offset)} refers to itself`)
    this.inProgress.add(die.offset)
    try {
      switch (die.tag) {
        case DW_TAG.base_type: {
          const enc = attrUnsigned(die.attrs.get(DW_AT.encoding)) ?? 0
          const encoding = ENCODINGS[enc]
          if (!encoding) throw new DwarfError(`.debug_info: base type at ${hex(die.offset)} has unknown encoding ${enc}`)
          return placeholder({ kind: 'base', name: name ?? '?', size: size ?? 0, encoding })
        }
        case DW_TAG.unspecified_type:
          return placeholder({ kind: 'void' })
        case DW_TAG.pointer_type:
          return placeholder({ kind: 'pointer', to: this.typeOf(die), ...alignmentOf(die) })
        case DW_TAG.const_type:
        case DW_TAG.volatile_type: {
          const inner = this.typeOf(die)
          const isConst = die.tag === DW_TAG.const_type
          // `const volatile` arrives as two nested DIEs; fold them into one qualifier.
          if (inner.kind === 'qualified') return placeholder({ kind: 'qualified', isConst: isConst || inner.isConst, isVolatile: !isConst || inner.isVolatile, type: inner.type })
          return placeholder({ kind: 'qualified', isConst, isVolatile: !isConst, type: inner })
        }
        case DW_TAG.restrict_type:
        case DW_TAG.atomic_type:
          return placeholder(this.typeOf(die))
        case DW_TAG.typedef:
          return placeholder({ kind: 'typedef', name: name ?? '?', type: this.typeOf(die), ...alignmentOf(die) })
        case DW_TAG.array_type: {
          // Multi-dimensional arrays are one DIE with a subrange per dimension, outermost first;
          // an alignment belongs to each level (each is an array of the aligned elements).
          const counts = die.children.filter((c) => c.tag === DW_TAG.subrange_type).map((c) => this.subrangeCount(c))
          let t = this.typeOf(die)
          if (counts.length === 0) counts.push(undefined)
          for (let i = counts.length - 1; i >= 0; i--) t = { kind: 'array', of: t, count: counts[i], ...alignmentOf(die) }
          return placeholder(t)
        }
        case DW_TAG.enumeration_type: {
          const enumerators = die.children
            .filter((c) => c.tag === DW_TAG.enumerator)
            .map((c) => {
              const v = c.attrs.get(DW_AT.const_value)
              const value = v && (v.kind === 'signed' || v.kind === 'unsigned') ? exactValue(v) : 0n
              return { name: this.str(c, DW_AT.name) ?? '?', value }
            })
          return placeholder({ kind: 'enum', name, size: size ?? 4, enumerators })
        }
        case DW_TAG.structure_type:
        case DW_TAG.union_type: {
          const members: DwarfMember[] = []
          const record: DwarfRecord = {
            kind: die.tag === DW_TAG.union_type ? 'union' : 'struct',
            id: die.offset,
            name,
            size: size ?? 0,
            complete: !die.attrs.has(DW_AT.declaration),
            members,
            ...alignmentOf(die),
          }
          this.types.set(die.offset, record)
          this.inProgress.delete(die.offset)
          for (const c of die.children) if (c.tag === DW_TAG.member) members.push(this.member(c))
          return record
        }
        case DW_TAG.subroutine_type: {
          const params: DwarfType[] = []
          let variadic = false
          for (const c of die.children) {
            if (c.tag === DW_TAG.formal_parameter) params.push(this.typeOf(c))
            else if (c.tag === DW_TAG.unspecified_parameters) variadic = true
          }
          const prototyped = die.attrs.get(DW_AT.prototyped)
          return placeholder({ kind: 'function', returns: this.typeOf(die), params, variadic, prototyped: prototyped?.kind === 'flag' && prototyped.value })
        }
        default:
          throw new DwarfError(`.debug_info: a type reference points to a DIE with tag ${hex(die.tag)} at ${hex(die.offset)}, which is not a type`)
      }
    } finally {
      this.inProgress.delete(die.offset)
    }
  }

  private subrangeCount(die: Die): number | undefined {
    const count = attrUnsigned(die.attrs.get(DW_AT.count))
    if (count !== undefined) return count
    const upper = die.attrs.get(DW_AT.upper_bound)
    if (upper && (upper.kind === 'unsigned' || upper.kind === 'signed')) {
      const lower = attrUnsigned(die.attrs.get(DW_AT.lower_bound)) ?? 0
      // gcc writes a zero-length array (`int a[0]`) as upper bound -1 (0xffffffff...).
      return upper.kind === 'unsigned' && exactValue(upper) >= 0xffffffffn ? 0 : upper.value - lower + 1
    }
    return undefined
  }

  private member(die: Die): DwarfMember {
    const type = this.typeOf(die)
    const name = this.str(die, DW_AT.name)
    const loc = die.attrs.get(DW_AT.data_member_location)
    let offset = 0
    if (loc && (loc.kind === 'unsigned' || loc.kind === 'signed')) offset = loc.value
    else if (loc && (loc.kind === 'expr' || loc.kind === 'block')) {
      const r = new ByteReader(loc.value, 'member location')
      if (r.u8('opcode') !== DW_OP.plus_uconst) throw new DwarfError(`.debug_info: member at ${hex(die.offset)} has an unsupported location expression`)
      offset = r.uleb('member offset')
    }
    const bitSize = attrUnsigned(die.attrs.get(DW_AT.bit_size))
    if (bitSize === undefined) return { name, type, offset, ...alignmentOf(die) }
    // DWARF 4+ gives the bit position from the start of the struct; express it, as the C front
    // end does, relative to the storage unit of the field's type.
    const dataBit = attrUnsigned(die.attrs.get(DW_AT.data_bit_offset))
    const unitBytes = Math.max(1, typeSize(type))
    const bit = dataBit ?? offset * 8
    const unitStart = Math.floor(bit / (unitBytes * 8)) * unitBytes
    return { name, type, offset: unitStart, bitSize, bitOffset: bit - unitStart * 8, ...alignmentOf(die) }
  }
}

/** DW_AT_alignment of a DIE, as an optional model field. */
function alignmentOf(die: Die): { alignment?: number } {
  const alignment = attrUnsigned(die.attrs.get(DW_AT.alignment))
  return alignment === undefined ? {} : { alignment }
}

function isTypeTag(tag: number): boolean {
  return (
    tag === DW_TAG.structure_type ||
    tag === DW_TAG.union_type ||
    tag === DW_TAG.enumeration_type ||
    tag === DW_TAG.typedef ||
    tag === DW_TAG.base_type
  )
}

/** The size in bytes of a value of type `t` (0 for void, functions and unknown bounds). */
export function typeSize(t: DwarfType): number {
  switch (t.kind) {
    case 'void':
    case 'function':
      return 0
    case 'base':
    case 'enum':
    case 'struct':
    case 'union':
      return t.size
    case 'pointer':
      return 8
    case 'array':
      return t.count === undefined ? 0 : t.count * typeSize(t.of)
    case 'qualified':
    case 'typedef':
      return typeSize(t.type)
  }
}

function describeExpr(e: Uint8Array): string {
  return `DWARF expression [${Array.from(e, (b) => b.toString(16).padStart(2, '0')).join(' ')}]`
}
