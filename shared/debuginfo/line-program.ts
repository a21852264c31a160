// .debug_line: the line-number program (DWARF 2-5), run into a list of rows.

import { ByteReader, DwarfError, stringAt } from './bytes'
import { DW_FORM, DW_LNCT, DW_LNE, DW_LNS } from './constants'
import type { DwarfSections } from './dies'
import type { LineRow } from './model'

const hex = (n: number): string => `0x${n.toString(16)}`

export interface LineTable {
  readonly version: number
  /** Full paths of the file table, indexed as the program indexes them. */
  readonly files: readonly (string | undefined)[]
  readonly rows: LineRow[]
}

function joinPath(dir: string | undefined, name: string): string {
  if (name.startsWith('/') || !dir) return name
  return dir.endsWith('/') ? dir + name : `${dir}/${name}`
}

interface EntryFormat {
  readonly content: number
  readonly form: number
}

function readEntryValue(r: ByteReader, form: number, offsetSize: number, sections: DwarfSections): string | number | undefined {
  switch (form) {
    case DW_FORM.string:
      return r.cstring('file entry string')
    case DW_FORM.line_strp:
      return stringAt(sections.lineStr, '.debug_line_str', r.uSized(offsetSize, 'line string offset'))
    case DW_FORM.strp:
      return stringAt(sections.str, '.debug_str', r.uSized(offsetSize, 'string offset'))
    case DW_FORM.udata:
      return r.uleb('file entry number')
    case DW_FORM.data1:
      return r.u8()
    case DW_FORM.data2:
      return r.u16()
    case DW_FORM.data4:
      return r.u32()
    case DW_FORM.data8:
      return r.u64()
    case DW_FORM.data16:
      r.bytesOf(16, 'MD5')
      return undefined
    case DW_FORM.block:
      r.bytesOf(r.uleb('block length'), 'file entry block')
      return undefined
    default:
      throw new DwarfError(`.debug_line: unsupported form ${hex(form)} in a directory or file entry at ${hex(r.offset)}`)
  }
}

function readEntries(r: ByteReader, offsetSize: number, sections: DwarfSections): { path?: string; dir?: number }[] {
  const formatCount = r.u8('entry format count')
  const formats: EntryFormat[] = []
  for (let i = 0; i < formatCount; i++) formats.push({ content: r.uleb('content type'), form: r.uleb('content form') })
  const count = r.uleb('entry count')
  // Every entry takes at least one byte per format; a count beyond that is corrupt (and would
  // otherwise loop for ages when there are no formats).
  if (count > 0 && (formats.length === 0 || count > r.end - r.offset)) {
    throw new DwarfError(`.debug_line: ${count} directory/file entries cannot fit in the ${r.end - r.offset} bytes left at ${hex(r.offset)}`)
  }
  const entries: { path?: string; dir?: number }[] = []
  for (let i = 0; i < count; i++) {
    const entry: { path?: string; dir?: number } = {}
    for (const f of formats) {
      const v = readEntryValue(r, f.form, offsetSize, sections)
      if (f.content === DW_LNCT.path && typeof v === 'string') entry.path = v
      else if (f.content === DW_LNCT.directory_index && typeof v === 'number') entry.dir = v
    }
    entries.push(entry)
  }
  return entries
}

/** Runs the line program at `offset` of .debug_line. `compDir` resolves relative directories. */
export function readLineTable(sections: DwarfSections, offset: number, compDir: string | undefined): LineTable {
  const section = sections.line
  if (!section) throw new DwarfError('a unit has DW_AT_stmt_list but the file has no .debug_line')
  const h = new ByteReader(section, '.debug_line', offset)
  let length = h.u32('unit length')
  let offsetSize = 4
  if (length === 0xffffffff) {
    length = h.u64('64-bit unit length')
    offsetSize = 8
  }
  const end = h.offset + length
  if (end > section.length) throw new DwarfError(`.debug_line: the table at ${hex(offset)} claims ${length} bytes, past the end of the section`)
  const r = new ByteReader(section, '.debug_line', h.offset, end)
  const version = r.u16('version')
  if (version < 2 || version > 5) throw new DwarfError(`.debug_line: table at ${hex(offset)} has unsupported version ${version}`)
  let addressSize = 8
  if (version >= 5) {
    addressSize = r.u8('address size')
    r.u8('segment selector size')
  }
  const headerLength = r.uSized(offsetSize, 'header length')
  const programStart = r.offset + headerLength
  if (programStart > end) throw new DwarfError(`.debug_line: header length ${headerLength} of the table at ${hex(offset)} runs past its end`)
  const minInstLength = r.u8('minimum instruction length')
  if (version >= 4) r.u8('maximum operations per instruction')
  const defaultIsStmt = r.u8('default_is_stmt') !== 0
  const lineBase = r.s8('line_base')
  const lineRange = r.u8('line_range')
  if (lineRange === 0) throw new DwarfError(`.debug_line: table at ${hex(offset)} has line_range 0`)
  const opcodeBase = r.u8('opcode_base')
  const standardLengths: number[] = [0]
  for (let i = 1; i < opcodeBase; i++) standardLengths.push(r.u8('standard opcode length'))

  const files: (string | undefined)[] = []
  if (version >= 5) {
    const dirs = readEntries(r, offsetSize, sections).map((d) => d.path)
    const dirPath = (i: number | undefined): string | undefined => {
      const d = dirs[i ?? 0]
      return d === undefined ? undefined : i === 0 ? d : joinPath(dirs[0], d)
    }
    for (const f of readEntries(r, offsetSize, sections)) files.push(f.path === undefined ? undefined : joinPath(dirPath(f.dir), f.path))
  } else {
    const dirs: (string | undefined)[] = [compDir]
    for (;;) {
      const d = r.cstring('include directory')
      if (d === '') break
      dirs.push(joinPath(compDir, d))
    }
    files.push(undefined) // file numbers start at 1 before DWARF 5
    for (;;) {
      const name = r.cstring('file name')
      if (name === '') break
      const dir = r.uleb('directory index')
      r.uleb('modification time')
      r.uleb('file length')
      files.push(joinPath(dirs[dir], name))
    }
  }

  r.offset = programStart
  const rows: LineRow[] = []
  let address = 0
  let file = 1
  let line = 1
  let column = 0
  let isStmt = defaultIsStmt
  let discriminator = 0
  const reset = (): void => {
    address = 0
    file = 1
    line = 1
    column = 0
    isStmt = defaultIsStmt
  }
  const emit = (endSequence: boolean): void => {
    rows.push({ address, file: files[file] ?? `<file ${file}>`, line, column, isStmt, discriminator, endSequence })
    discriminator = 0
  }
  while (!r.atEnd) {
    const opcode = r.u8('opcode')
    if (opcode >= opcodeBase) {
      const adjusted = opcode - opcodeBase
      address += Math.floor(adjusted / lineRange) * minInstLength
      line += lineBase + (adjusted % lineRange)
      emit(false)
      continue
    }
    switch (opcode) {
      case 0: {
        const len = r.uleb('extended opcode length')
        const after = r.offset + len
        if (len === 0 || after > end) throw new DwarfError(`.debug_line: bad extended opcode length ${len} at ${hex(r.offset)}`)
        const sub = r.u8('extended opcode')
        if (sub === DW_LNE.end_sequence) {
          emit(true)
          reset()
        } else if (sub === DW_LNE.set_address) {
          address = r.uSized(len - 1 === 4 ? 4 : addressSize, 'address')
        } else if (sub === DW_LNE.set_discriminator) {
          discriminator = r.uleb('discriminator')
        }
        r.offset = after
        break
      }
      case DW_LNS.copy:
        emit(false)
        break
      case DW_LNS.advance_pc:
        address += r.uleb('address advance') * minInstLength
        break
      case DW_LNS.advance_line:
        line += r.sleb('line advance')
        break
      case DW_LNS.set_file:
        file = r.uleb('file index')
        break
      case DW_LNS.set_column:
        column = r.uleb('column')
        break
      case DW_LNS.negate_stmt:
        isStmt = !isStmt
        break
      case DW_LNS.set_basic_block:
        break
      case DW_LNS.const_add_pc:
        address += Math.floor((255 - opcodeBase) / lineRange) * minInstLength
        break
      case DW_LNS.fixed_advance_pc:
        address += r.u16('fixed address advance')
        break
      default: {
        // Standard opcodes this reader does not act on (prologue_end, epilogue_begin, set_isa,
        // and any vendor opcode) are skipped using the lengths the header declares.
        const n = standardLengths[opcode] ?? 0
        for (let i = 0; i < n; i++) r.uleb('opcode operand')
      }
    }
  }
  return { version, files, rows }
}
