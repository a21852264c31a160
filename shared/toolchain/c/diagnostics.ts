/**
 * Compiler diagnostics in gcc's shape:
 *
 *   a.c:2:2: error: expected ',' or ';' before 'return'
 *       2 |  return x;
 *         |  ^~~~~~
 *
 * Locations are 1-based line and column; columns are display columns (tabs advance to the next
 * multiple of 8, every other character counts 1), which is gcc 12's default column unit. Column 0
 * is a whole line: gcc names such a place without a column and underlines nothing
 * (`a.c:3: error: unterminated #if`).
 */

export interface SourceLocation {
  readonly file: string
  readonly line: number
  readonly column: number
}

/** 'fatal error' ends the compilation (gcc then prints "compilation terminated."). */
export type Severity = 'fatal error' | 'error' | 'warning' | 'note'

export interface Diagnostic {
  readonly severity: Severity
  readonly message: string
  readonly location: SourceLocation | undefined
  /** Length of the underlined range (1 = caret only). */
  readonly length: number
  /** The function being compiled when the problem was found (gcc's "In function 'f':"). */
  readonly function?: string
  /** For a place in an included file: the #include lines that brought it in, innermost first
   *  (gcc's "In file included from b.h:2, from a.c:1:"). */
  readonly includedFrom?: readonly SourceLocation[]
}

/** Thrown to abandon the current statement/declaration; the parser catches it and resynchronises. */
export class CompileAbort extends Error {
  constructor() {
    super('compile aborted at a recovery point')
  }
}

/** Collects diagnostics; errors beyond `maxErrors` stop compilation like gcc's -fmax-errors. */
export class DiagnosticSink {
  readonly diagnostics: Diagnostic[] = []
  private errorTotal = 0
  /** Set by the parser while it is inside a function body. */
  currentFunction: string | undefined
  /** Set by the preprocessor: how each included file was included (its latest inclusion). */
  readonly inclusions = new Map<string, readonly SourceLocation[]>()

  constructor(readonly maxErrors = 50) {}

  get errorCount(): number {
    return this.errorTotal
  }

  error(location: SourceLocation | undefined, message: string, length = 1): void {
    // Two errors at the same spot are almost always one mistake seen twice.
    const last = this.diagnostics[this.diagnostics.length - 1]
    if (last && last.severity === 'error' && location && last.location && sameLocation(last.location, location)) return
    this.errorTotal++
    this.push('error', location, message, length)
  }

  /** An error after which nothing more is compiled (the caller stops). */
  fatal(location: SourceLocation | undefined, message: string, length = 1): void {
    this.errorTotal++
    this.push('fatal error', location, message, length)
  }

  warning(location: SourceLocation | undefined, message: string, length = 1): void {
    this.push('warning', location, message, length)
  }

  note(location: SourceLocation | undefined, message: string, length = 1): void {
    this.push('note', location, message, length)
  }

  private push(severity: Severity, given: SourceLocation | undefined, message: string, length: number): void {
    // A location may be a whole token (tokens are their own locations): keep only the place.
    const location = given && { file: given.file, line: given.line, column: given.column }
    const includedFrom = location && this.inclusions.get(location.file)
    this.diagnostics.push({
      severity,
      message,
      location,
      length,
      ...(this.currentFunction === undefined ? {} : { function: this.currentFunction }),
      ...(includedFrom === undefined || includedFrom.length === 0 ? {} : { includedFrom }),
    })
  }

  get tooManyErrors(): boolean {
    return this.errorTotal >= this.maxErrors
  }
}

function sameLocation(a: SourceLocation, b: SourceLocation): boolean {
  return a.file === b.file && a.line === b.line && a.column === b.column
}

/**
 * Formats one diagnostic like gcc 12 (with LC_ALL=C quoting). `sources` maps file names to their
 * text so the offending line can be quoted under the message.
 */
export function formatDiagnostic(d: Diagnostic, sources: Readonly<Record<string, string>>, quoteSource = true): string {
  const where = d.location ? `${d.location.file}:${d.location.line}:${d.location.column === 0 ? '' : `${d.location.column}:`} ` : 'cc1: '
  let out = `${where}${d.severity}: ${d.message}\n`
  if (!d.location || !quoteSource) return out
  const text = sources[d.location.file]
  if (text === undefined) return out
  const lineText = nthLine(text, d.location.line)
  if (lineText === undefined) return out
  const shown = expandTabs(lineText)
  const gutter = String(d.location.line).padStart(5)
  out += `${gutter} | ${shown}\n`
  if (d.location.column === 0) return `${out}${' '.repeat(5)} | \n`
  const pad = ' '.repeat(Math.max(0, d.location.column - 1))
  const tail = Math.max(0, Math.min(d.length, shown.length - d.location.column + 1) - 1)
  out += `${' '.repeat(5)} | ${pad}^${'~'.repeat(tail)}\n`
  return out
}

/**
 * Formats diagnostics as gcc prints them: "In file included from ..." lines whenever the include
 * chain of the place changes to another header's, a "file: In function 'f':" line whenever the
 * function context changes ("At top level:" when it ends), and no second quote of a line whose
 * location and underline the previous diagnostic already showed.
 */
export function formatDiagnostics(list: readonly Diagnostic[], sources: Readonly<Record<string, string>>): string {
  let out = ''
  let context: string | undefined
  let previous: Diagnostic | undefined
  let inclusion = ''
  for (const d of list) {
    const file = d.location?.file
    if (file !== undefined) {
      const sites = d.includedFrom ?? []
      const key = sites.map((site) => `${site.file}:${site.line}`).join(',')
      if (key !== inclusion && sites.length > 0) out += sites.map((site, i) => `${i === 0 ? 'In file included from' : '                 from'} ${site.file}:${site.line}${i === sites.length - 1 ? ':' : ','}\n`).join('')
      inclusion = key
    }
    if (file !== undefined && d.function !== context) {
      if (d.function !== undefined) out += `${file}: In function '${d.function}':\n`
      else if (context !== undefined) out += `${file}: At top level:\n`
      context = d.function
    }
    const repeated = previous?.location !== undefined && d.location !== undefined && sameLocation(previous.location, d.location) && previous.length === d.length
    out += formatDiagnostic(d, sources, !repeated)
    if (d.severity === 'fatal error') out += 'compilation terminated.\n'
    previous = d
  }
  return out
}

/** gcc quotes the line with tabs expanded to 8-column stops, matching its display columns. */
function expandTabs(line: string): string {
  let out = ''
  for (const ch of line) {
    if (ch === '\t') out += ' '.repeat(TAB_STOP - (out.length % TAB_STOP))
    else out += ch
  }
  return out
}

export const TAB_STOP = 8

function nthLine(text: string, line: number): string | undefined {
  let start = 0
  for (let i = 1; i < line; i++) {
    const nl = text.indexOf('\n', start)
    if (nl < 0) return undefined
    start = nl + 1
  }
  const end = text.indexOf('\n', start)
  return text.slice(start, end < 0 ? text.length : end).replace(/\r$/, '')
}
