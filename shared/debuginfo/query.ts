// Lookups the views and the debugger make on the debug model: address -> source line and
// function, source line -> addresses, and which variables are in scope at an address.

import type { CompilationUnit, DebugFunction, DebugInfo, DebugVariable, LexicalBlock, LineRow } from './model'

interface Span {
  readonly start: number
  readonly end: number
  readonly row: LineRow
}

export interface SourceLocation {
  readonly file: string
  readonly line: number
  readonly column: number
}

/** The code of one line-table row: [start, end) comes from file:line. */
export interface LineSpan extends SourceLocation {
  readonly start: number
  readonly end: number
  /** A recommended breakpoint place (a statement's start), as the row says. */
  readonly isStmt: boolean
}

/** Sorted indexes over a DebugInfo, built once. */
export class DebugIndex {
  /** Line spans [start, end) sorted by start, from every unit's sequences. */
  private readonly spans: Span[] = []
  private readonly functions: { fn: DebugFunction; unit: CompilationUnit; low: number; high: number }[] = []
  private readonly globalsByName = new Map<string, DebugVariable>()

  constructor(readonly info: DebugInfo) {
    for (const unit of info.units) {
      const rows = unit.lines
      for (let i = 0; i + 1 < rows.length; i++) {
        const row = rows[i] as LineRow
        const next = rows[i + 1] as LineRow
        if (row.endSequence || next.address <= row.address) continue
        this.spans.push({ start: row.address, end: next.address, row })
      }
      for (const fn of unit.functions) for (const r of fn.ranges) this.functions.push({ fn, unit, low: r.low, high: r.high })
      for (const g of unit.globals) if (!this.globalsByName.has(g.name)) this.globalsByName.set(g.name, g)
    }
    this.spans.sort((a, b) => a.start - b.start)
    this.functions.sort((a, b) => a.low - b.low)
  }

  /** The source line whose code contains `address`. */
  sourceAt(address: number): SourceLocation | undefined {
    const span = findContaining(this.spans, address, (s) => s.start, (s) => s.end)
    return span && { file: span.row.file, line: span.row.line, column: span.row.column }
  }

  /** The line-table row whose code contains `address` (stepping ranges are made of these). */
  spanAt(address: number): LineSpan | undefined {
    const span = findContaining(this.spans, address, (s) => s.start, (s) => s.end)
    return span && { file: span.row.file, line: span.row.line, column: span.row.column, start: span.start, end: span.end, isStmt: span.row.isStmt }
  }

  /** Rows of a function's code, in address order (to find where its prologue ends). */
  spansIn(low: number, high: number): LineSpan[] {
    return this.spans
      .filter((s) => s.start >= low && s.start < high)
      .map((s) => ({ file: s.row.file, line: s.row.line, column: s.row.column, start: s.start, end: s.end, isStmt: s.row.isStmt }))
  }

  /** Lines of `file` that have statement code, ascending (for `break LINE` on a line without code). */
  linesWithCode(file: string): number[] {
    const lines = new Set<number>()
    for (const s of this.spans) if (s.row.isStmt && sameFile(s.row.file, file)) lines.add(s.row.line)
    return [...lines].sort((a, b) => a - b)
  }

  /** Statement start addresses of `file:line` (file matched by full path or by its last components). */
  addressesOf(file: string, line: number): number[] {
    const out = new Set<number>()
    for (const s of this.spans) if (s.row.isStmt && s.row.line === line && sameFile(s.row.file, file)) out.add(s.start)
    return [...out].sort((a, b) => a - b)
  }

  functionAt(address: number): DebugFunction | undefined {
    return findContaining(this.functions, address, (f) => f.low, (f) => f.high)?.fn
  }

  functionNamed(name: string): DebugFunction | undefined {
    return this.functions.find((f) => f.fn.name === name)?.fn
  }

  global(name: string): DebugVariable | undefined {
    return this.globalsByName.get(name)
  }

  /** Parameters and locals visible at `address` in its function, innermost scope last. */
  variablesAt(address: number): DebugVariable[] {
    const fn = this.functionAt(address)
    if (!fn) return []
    const out = [...fn.params, ...fn.locals]
    const walk = (blocks: readonly LexicalBlock[]): void => {
      for (const b of blocks) {
        if (b.ranges.some((r) => address >= r.low && address < r.high)) {
          out.push(...b.locals)
          walk(b.blocks)
        }
      }
    }
    walk(fn.blocks)
    return out
  }
}

function sameFile(full: string, wanted: string): boolean {
  return full === wanted || full.endsWith(`/${wanted}`)
}

/** Binary search for the last item starting at or before `address`, if it contains it. */
function findContaining<T>(items: readonly T[], address: number, start: (t: T) => number, end: (t: T) => number): T | undefined {
  let lo = 0
  let hi = items.length - 1
  let found = -1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (start(items[mid] as T) <= address) {
      found = mid
      lo = mid + 1
    } else hi = mid - 1
  }
  // Ranges may nest or overlap (a cold part inside another's span); look back a little.
  for (let i = found; i >= 0 && i > found - 8; i--) {
    const item = items[i] as T
    if (address < end(item)) return item
  }
  return undefined
}
