// .debug_info / .debug_abbrev parsing into a tree of DIEs with decoded attribute values
// (DWARF 2-5 unit headers, every DWARF 5 form and the GNU forms gcc uses).

import { ByteReader, DwarfError, stringAt } from './bytes'
import { DW_AT, DW_FORM, DW_UT_skeleton, DW_UT_split_compile, DW_UT_split_type, DW_UT_type } from './constants'

export interface DwarfSections {
  readonly info?: Uint8Array
  readonly abbrev?: Uint8Array
  readonly str?: Uint8Array
  readonly lineStr?: Uint8Array
  readonly line?: Uint8Array
  readonly strOffsets?: Uint8Array
  readonly addr?: Uint8Array
  readonly rnglists?: Uint8Array
  readonly ranges?: Uint8Array
  readonly loclists?: Uint8Array
}

export type AttrValue =
  | { readonly kind: 'address'; readonly value: number }
  | { readonly kind: 'addrx'; readonly index: number }
  /** data1/2/4/8/udata: `big` keeps 64-bit values exact; it is absent when `value` is exact
   *  (data1/2/4: most attributes, so reading allocates no BigInt for them). See `exactValue`. */
  | { readonly kind: 'unsigned'; readonly value: number; readonly big?: bigint }
  | { readonly kind: 'signed'; readonly value: number; readonly big: bigint }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'strx'; readonly index: number }
  /** strp / line_strp: an offset into .debug_str or .debug_line_str. */
  | { readonly kind: 'strp'; readonly section: 'str' | 'line_str'; readonly offset: number }
  | { readonly kind: 'block'; readonly value: Uint8Array }
  /** exprloc: a DWARF expression. */
  | { readonly kind: 'expr'; readonly value: Uint8Array }
  /** A reference: an offset within .debug_info. */
  | { readonly kind: 'ref'; readonly offset: number }
  | { readonly kind: 'flag'; readonly value: boolean }
  /** sec_offset: an offset into another section (line table, range or location list). */
  | { readonly kind: 'section-offset'; readonly value: number }
  | { readonly kind: 'list-index'; readonly index: number }
  | { readonly kind: 'unsupported'; readonly form: number }

export interface Die {
  readonly offset: number
  readonly tag: number
  readonly attrs: Map<number, AttrValue>
  readonly children: Die[]
}

export interface Unit {
  readonly offset: number
  readonly version: number
  readonly unitType: number
  readonly addressSize: number
  readonly offsetSize: number
  readonly root: Die
  /** Attribute bases from the unit DIE (DWARF 5); filled before any value is resolved. */
  strOffsetsBase: number
  addrBase: number
  rnglistsBase: number
}

interface AttrSpec {
  readonly name: number
  readonly form: number
  readonly implicitConst: bigint
}

interface Abbrev {
  readonly tag: number
  readonly hasChildren: boolean
  readonly specs: readonly AttrSpec[]
}

const hex = (n: number): string => `0x${n.toString(16)}`

function parseAbbrevTable(section: Uint8Array, offset: number): Map<number, Abbrev> {
  const r = new ByteReader(section, '.debug_abbrev', offset)
  const table = new Map<number, Abbrev>()
  for (;;) {
    const code = r.uleb('abbreviation code')
    if (code === 0) return table
    const tag = r.uleb('tag')
    const hasChildren = r.u8('children flag') !== 0
    const specs: AttrSpec[] = []
    for (;;) {
      const name = r.uleb('attribute name')
      const form = r.uleb('attribute form')
      if (name === 0 && form === 0) break
      const implicitConst = form === DW_FORM.implicit_const ? r.slebBig('implicit constant') : 0n
      specs.push({ name, form, implicitConst })
    }
    if (table.has(code)) throw new DwarfError(`.debug_abbrev: code ${code} is defined twice in the table at ${hex(offset)}`)
    table.set(code, { tag, hasChildren, specs })
  }
}

function readForm(r: ByteReader, form: number, spec: AttrSpec, unit: { version: number; addressSize: number; offsetSize: number; offset: number }, depth = 0): AttrValue {
  const unsigned = (value: number | bigint): AttrValue => (typeof value === 'number' ? { kind: 'unsigned', value } : { kind: 'unsigned', value: Number(value), big: value })
  switch (form) {
    case DW_FORM.addr:
      return { kind: 'address', value: r.uSized(unit.addressSize, 'address') }
    case DW_FORM.block1:
      return { kind: 'block', value: r.bytesOf(r.u8('block length'), 'block') }
    case DW_FORM.block2:
      return { kind: 'block', value: r.bytesOf(r.u16('block length'), 'block') }
    case DW_FORM.block4:
      return { kind: 'block', value: r.bytesOf(r.u32('block length'), 'block') }
    case DW_FORM.block:
      return { kind: 'block', value: r.bytesOf(r.uleb('block length'), 'block') }
    case DW_FORM.exprloc:
      return { kind: 'expr', value: r.bytesOf(r.uleb('expression length'), 'expression') }
    case DW_FORM.data1:
      return unsigned(r.u8('data1'))
    case DW_FORM.data2:
      return unsigned(r.u16('data2'))
    case DW_FORM.data4:
      return unsigned(r.u32('data4'))
    case DW_FORM.data8:
      return unsigned(r.u64Big('data8'))
    case DW_FORM.data16:
      return { kind: 'block', value: r.bytesOf(16, 'data16') }
    case DW_FORM.udata:
      return unsigned(r.ulebBig('udata'))
    case DW_FORM.sdata: {
      const big = r.slebBig('sdata')
      return { kind: 'signed', value: Number(big), big }
    }
    case DW_FORM.implicit_const:
      return { kind: 'signed', value: Number(spec.implicitConst), big: spec.implicitConst }
    case DW_FORM.string:
      return { kind: 'string', value: r.cstring('inline string') }
    case DW_FORM.strp:
    case DW_FORM.line_strp:
    case DW_FORM.strp_sup:
    case DW_FORM.GNU_strp_alt: {
      const offset = r.uSized(unit.offsetSize, 'string offset')
      if (form === DW_FORM.strp) return { kind: 'strp', section: 'str', offset }
      if (form === DW_FORM.line_strp) return { kind: 'strp', section: 'line_str', offset }
      // Strings in a supplementary (dwz) file, which is not available here.
      return { kind: 'unsupported', form }
    }
    case DW_FORM.strx:
    case DW_FORM.GNU_str_index:
      return { kind: 'strx', index: r.uleb('string index') }
    case DW_FORM.strx1:
      return { kind: 'strx', index: r.u8('string index') }
    case DW_FORM.strx2:
      return { kind: 'strx', index: r.u16('string index') }
    case DW_FORM.strx3:
      return { kind: 'strx', index: r.u24('string index') }
    case DW_FORM.strx4:
      return { kind: 'strx', index: r.u32('string index') }
    case DW_FORM.addrx:
    case DW_FORM.GNU_addr_index:
      return { kind: 'addrx', index: r.uleb('address index') }
    case DW_FORM.addrx1:
      return { kind: 'addrx', index: r.u8('address index') }
    case DW_FORM.addrx2:
      return { kind: 'addrx', index: r.u16('address index') }
    case DW_FORM.addrx3:
      return { kind: 'addrx', index: r.u24('address index') }
    case DW_FORM.addrx4:
      return { kind: 'addrx', index: r.u32('address index') }
    case DW_FORM.flag:
      return { kind: 'flag', value: r.u8('flag') !== 0 }
    case DW_FORM.flag_present:
      return { kind: 'flag', value: true }
    case DW_FORM.ref1:
      return { kind: 'ref', offset: unit.offset + r.u8('reference') }
    case DW_FORM.ref2:
      return { kind: 'ref', offset: unit.offset + r.u16('reference') }
    case DW_FORM.ref4:
      return { kind: 'ref', offset: unit.offset + r.u32('reference') }
    case DW_FORM.ref8:
      return { kind: 'ref', offset: unit.offset + r.u64('reference') }
    case DW_FORM.ref_udata:
      return { kind: 'ref', offset: unit.offset + r.uleb('reference') }
    case DW_FORM.ref_addr:
      // DWARF 2 used the address size here; later versions the offset size.
      return { kind: 'ref', offset: r.uSized(unit.version <= 2 ? unit.addressSize : unit.offsetSize, 'reference') }
    case DW_FORM.ref_sig8:
      r.bytesOf(8, 'type signature')
      return { kind: 'unsupported', form }
    case DW_FORM.ref_sup4:
    case DW_FORM.GNU_ref_alt:
      r.uSized(form === DW_FORM.ref_sup4 ? 4 : unit.offsetSize, 'supplementary reference')
      return { kind: 'unsupported', form }
    case DW_FORM.ref_sup8:
      r.bytesOf(8, 'supplementary reference')
      return { kind: 'unsupported', form }
    case DW_FORM.sec_offset:
      return { kind: 'section-offset', value: r.uSized(unit.offsetSize, 'section offset') }
    case DW_FORM.loclistx:
    case DW_FORM.rnglistx:
      return { kind: 'list-index', index: r.uleb('list index') }
    case DW_FORM.indirect: {
      if (depth > 4) throw new DwarfError(`.debug_info: DW_FORM_indirect chain too deep at ${hex(r.offset)}`)
      const actual = r.uleb('indirect form')
      return readForm(r, actual, spec, unit, depth + 1)
    }
    default:
      throw new DwarfError(`.debug_info: unknown attribute form ${hex(form)} at offset ${hex(r.offset)}`)
  }
}

/** Parses every unit of .debug_info. */
export function parseUnits(sections: DwarfSections): Unit[] {
  const info = sections.info
  if (!info) return []
  if (!sections.abbrev) throw new DwarfError('the file has .debug_info but no .debug_abbrev')
  const abbrevCache = new Map<number, Map<number, Abbrev>>()
  const units: Unit[] = []
  let offset = 0
  while (offset < info.length) {
    const h = new ByteReader(info, '.debug_info', offset)
    let length = h.u32('unit length')
    let offsetSize = 4
    if (length === 0xffffffff) {
      length = h.u64('64-bit unit length')
      offsetSize = 8
    } else if (length >= 0xfffffff0) {
      throw new DwarfError(`.debug_info: reserved unit length ${hex(length)} at offset ${hex(offset)}`)
    }
    const end = h.offset + length
    if (end > info.length) throw new DwarfError(`.debug_info: the unit at ${hex(offset)} claims ${length} bytes, past the end of the section (${info.length} bytes)`)
    const r = new ByteReader(info, '.debug_info', h.offset, end)
    const version = r.u16('version')
    if (version < 2 || version > 5) throw new DwarfError(`.debug_info: unit at ${hex(offset)} has unsupported DWARF version ${version}`)
    let unitType = 1
    let addressSize: number
    let abbrevOffset: number
    if (version >= 5) {
      unitType = r.u8('unit type')
      addressSize = r.u8('address size')
      abbrevOffset = r.uSized(offsetSize, 'abbreviation offset')
      if (unitType === DW_UT_skeleton || unitType === DW_UT_split_compile) r.bytesOf(8, 'DWO id')
      else if (unitType === DW_UT_type || unitType === DW_UT_split_type) {
        r.bytesOf(8, 'type signature')
        r.uSized(offsetSize, 'type offset')
      }
    } else {
      abbrevOffset = r.uSized(offsetSize, 'abbreviation offset')
      addressSize = r.u8('address size')
    }
    if (addressSize !== 4 && addressSize !== 8) throw new DwarfError(`.debug_info: unit at ${hex(offset)} has address size ${addressSize} (expected 8)`)
    let abbrevs = abbrevCache.get(abbrevOffset)
    if (!abbrevs) {
      abbrevs = parseAbbrevTable(sections.abbrev, abbrevOffset)
      abbrevCache.set(abbrevOffset, abbrevs)
    }
    const header = { version, addressSize, offsetSize, offset }
    const root = parseDieTree(r, abbrevs, header)
    if (root) {
      const unit: Unit = { offset, version, unitType, addressSize, offsetSize, root, strOffsetsBase: 8, addrBase: 8, rnglistsBase: 0 }
      const base = (at: number): number | undefined => {
        const v = root.attrs.get(at)
        return v?.kind === 'section-offset' ? v.value : undefined
      }
      unit.strOffsetsBase = base(DW_AT.str_offsets_base) ?? (offsetSize === 8 ? 16 : 8)
      unit.addrBase = base(DW_AT.addr_base) ?? 8
      unit.rnglistsBase = base(DW_AT.rnglists_base) ?? 0
      units.push(unit)
    }
    offset = end
  }
  return units
}

function parseDieTree(r: ByteReader, abbrevs: Map<number, Abbrev>, header: { version: number; addressSize: number; offsetSize: number; offset: number }): Die | undefined {
  const stack: Die[] = []
  let root: Die | undefined
  while (!r.atEnd) {
    const dieOffset = r.offset
    const code = r.uleb('abbreviation code')
    if (code === 0) {
      if (stack.length === 0) continue // padding after the unit DIE
      stack.pop()
      if (stack.length === 0) break
      continue
    }
    const abbrev = abbrevs.get(code)
    if (!abbrev) throw new DwarfError(`.debug_info: DIE at ${hex(dieOffset)} uses abbreviation code ${code}, which the table does not define`)
    const attrs = new Map<number, AttrValue>()
    for (const spec of abbrev.specs) attrs.set(spec.name, readForm(r, spec.form, spec, header))
    const die: Die = { offset: dieOffset, tag: abbrev.tag, attrs, children: [] }
    const parent = stack[stack.length - 1]
    if (parent) parent.children.push(die)
    else if (root) throw new DwarfError(`.debug_info: unit at ${hex(header.offset)} has a second top-level DIE at ${hex(dieOffset)}`)
    else root = die
    if (abbrev.hasChildren) stack.push(die)
    else if (!parent) break
  }
  return root
}

/** Resolves string-valued attributes (inline, strp, line_strp, strx). */
export function attrString(value: AttrValue | undefined, unit: Unit, sections: DwarfSections): string | undefined {
  if (!value) return undefined
  switch (value.kind) {
    case 'string':
      return value.value
    case 'strp':
      return value.section === 'line_str' ? stringAt(sections.lineStr, '.debug_line_str', value.offset) : stringAt(sections.str, '.debug_str', value.offset)
    case 'strx': {
      const table = sections.strOffsets
      if (!table) throw new DwarfError('a string index (DW_FORM_strx) is used but the file has no .debug_str_offsets')
      const r = new ByteReader(table, '.debug_str_offsets', 0)
      r.offset = unit.strOffsetsBase + value.index * unit.offsetSize
      return stringAt(sections.str, '.debug_str', r.uSized(unit.offsetSize, 'string offset'))
    }
    default:
      return undefined
  }
}

/** Resolves address-valued attributes (addr, addrx). */
export function attrAddress(value: AttrValue | undefined, unit: Unit, sections: DwarfSections): number | undefined {
  if (!value) return undefined
  if (value.kind === 'address') return value.value
  if (value.kind === 'addrx') return addressAtIndex(value.index, unit, sections)
  return undefined
}

export function addressAtIndex(index: number, unit: Unit, sections: DwarfSections): number {
  if (!sections.addr) throw new DwarfError('an address index (DW_FORM_addrx) is used but the file has no .debug_addr')
  const r = new ByteReader(sections.addr, '.debug_addr', 0)
  r.offset = unit.addrBase + index * unit.addressSize
  return r.uSized(unit.addressSize, 'address')
}

/** The exact value of a constant attribute (`big` when the number alone may have lost bits). */
export function exactValue(value: Extract<AttrValue, { kind: 'unsigned' | 'signed' }>): bigint {
  return value.big ?? BigInt(value.value)
}

export function attrUnsigned(value: AttrValue | undefined): number | undefined {
  if (!value) return undefined
  if (value.kind === 'unsigned' || value.kind === 'signed') return value.value
  return undefined
}
