// The line table as gdb keeps it, which is what its stepping ranges are made of. gdb drops a
// row that repeats the line of the row before it when that line has had a non-zero
// discriminator since it last changed (gcc's way of marking the blocks of one line, such as a
// `for` loop's parts), so the repeated row's code belongs to the row before; other repeated
// rows stay (two rows of one line is gcc's sign of a prologue's end). Stepping backwards stops
// at the start of such a merged row, not at each of gcc's rows.

import type { DebugInfo, LineRow, LineSpan } from '../debuginfo'

export class GdbLineTable {
  /** [start, end) spans sorted by start, link-time addresses. */
  private readonly spans: LineSpan[] = []

  constructor(info: DebugInfo) {
    for (const unit of info.units) this.addSequences(unit.lines)
    this.spans.sort((a, b) => a.start - b.start)
  }

  /** The row holding a link-time address; undefined outside the table or on line 0. */
  rowAt(address: number): LineSpan | undefined {
    let lo = 0
    let hi = this.spans.length - 1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      const span = this.spans[mid]!
      if (address < span.start) hi = mid - 1
      else if (address >= span.end) lo = mid + 1
      else return span.line === 0 ? undefined : span
    }
    return undefined
  }

  private addSequences(rows: readonly LineRow[]): void {
    let kept: LineRow | null = null
    let lastLine = 0
    let lastFile: string | null = null
    let lineHasDiscriminator = false
    for (const row of rows) {
      if (row.endSequence) {
        if (kept) this.addSpan(kept, row.address)
        kept = null
        lastLine = 0
        lastFile = null
        lineHasDiscriminator = false
        continue
      }
      lineHasDiscriminator = row.line !== lastLine ? row.discriminator !== 0 : lineHasDiscriminator || row.discriminator !== 0
      const recorded = row.file !== lastFile || row.line !== lastLine || !lineHasDiscriminator
      lastLine = row.line
      lastFile = row.file
      if (!recorded) continue
      if (kept) this.addSpan(kept, row.address)
      kept = row
    }
  }

  private addSpan(row: LineRow, end: number): void {
    // Rows at one address: the last one describes the code there.
    if (end <= row.address) return
    this.spans.push({ file: row.file, line: row.line, column: row.column, start: row.address, end, isStmt: row.isStmt })
  }
}

const tables = new WeakMap<DebugInfo, GdbLineTable>()

/** The gdb line table of a program's debug information, built once. */
export function gdbLineTable(info: DebugInfo): GdbLineTable {
  let table = tables.get(info)
  if (!table) {
    table = new GdbLineTable(info)
    tables.set(info, table)
  }
  return table
}
