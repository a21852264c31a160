// gcc's diagnostics text (as the toolchain and real gcc print it) read back into places in the
// editor: the file, line and column of each message, and the underline gcc draws under the
// quoted line (`^~~~~~`), so the editor can underline exactly what gcc underlined.

import type { Diagnostic as LintDiagnostic } from '@codemirror/lint'
import type { Text } from '@codemirror/state'
import { sameSourceFile } from './files'

export type GccSeverity = 'error' | 'warning' | 'note'

export interface GccDiagnostic {
  severity: GccSeverity
  message: string
  /** Null for messages about no place in a file (`cc1: …`, the linker's `ld: …`). */
  file: string | null
  line: number | null
  /** gcc's display column (tabs advance to the next multiple of 8); null when gcc names the whole line. */
  column: number | null
  /** The display columns gcc underlined, end exclusive, read from its caret line. */
  underline: { from: number; to: number } | null
}

/** One build's messages and the text of the files it built (the lines the messages name). */
export interface BuildAttempt {
  files: Record<string, string>
  diagnostics: GccDiagnostic[]
}

/** `names.c:2:10: error: …`, `a.c:3: error: …` (a whole line), `fatal error` counted as an error. */
const LOCATED = /^([^\s:][^:]*):(\d+):(?:(\d+):)? (fatal error|error|warning|note): (.*)$/
/** gcc's quoted source and caret lines: `    2 |   int x = y;` and `      |           ^`. */
const QUOTED = /^ *(\d*) \| ?(.*)$/
/** Lines that only give context to the messages around them. */
const CONTEXT = [/: In function '.*':$/, /: At top level:$/, /^In file included from /, /^ {17}from /, /^compilation terminated\.$/, /: in function `.*':$/, /^ *\+\+\+ \|\+/]

export function parseGccDiagnostics(text: string): GccDiagnostic[] {
  const diagnostics: GccDiagnostic[] = []
  // The caret line belongs to the message just above it (its first one; later ones are fix-its).
  let awaitingCaret: GccDiagnostic | null = null
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '')
    if (line.trim() === '') continue
    const located = LOCATED.exec(line)
    if (located) {
      const [, file = '', lineNumber = '0', column, severity = 'error', message = ''] = located
      const columnNumber = column === undefined ? null : Number(column)
      const diagnostic: GccDiagnostic = {
        severity: severity === 'fatal error' ? 'error' : (severity as GccSeverity),
        message,
        file,
        line: Number(lineNumber),
        column: columnNumber === 0 ? null : columnNumber,
        underline: null,
      }
      diagnostics.push(diagnostic)
      awaitingCaret = diagnostic
      continue
    }
    const quoted = QUOTED.exec(line)
    if (quoted) {
      // A caret line has no line number; the source line above it has one.
      const marks = quoted[2] ?? ''
      const first = marks.search(/[\^~]/)
      if (awaitingCaret && quoted[1] === '' && first >= 0 && /^[\s^~]*$/.test(marks)) {
        const last = Math.max(marks.lastIndexOf('^'), marks.lastIndexOf('~'))
        awaitingCaret.underline = { from: first + 1, to: last + 2 }
        awaitingCaret = null
      }
      continue
    }
    if (CONTEXT.some((pattern) => pattern.test(line))) continue
    // Anything else is a message about no place: the linker's, the driver's, `cc1: …`.
    awaitingCaret = null
    diagnostics.push({ severity: /\bwarning: /.test(line) ? 'warning' : 'error', message: line, file: null, line: null, column: null, underline: null })
  }
  return diagnostics
}

/** The character offset within a line of gcc's display column (1-based; tabs stop every 8). */
export function displayColumnOffset(lineText: string, column: number, tabStop = 8): number {
  let display = 1
  for (let offset = 0; offset < lineText.length; offset++) {
    if (display >= column) return offset
    display = lineText[offset] === '\t' ? display + tabStop - ((display - 1) % tabStop) : display + 1
  }
  return lineText.length
}

const LINT_SEVERITY = { error: 'error', warning: 'warning', note: 'info' } as const

/**
 * The diagnostics of one editor file as the editor underlines them. A line past the end of the
 * text (edited since the build) is dropped; CodeMirror maps the rest through later edits.
 */
export function lintDiagnostics(diagnostics: readonly GccDiagnostic[], fileName: string, doc: Text): LintDiagnostic[] {
  return diagnostics.flatMap((diagnostic) => {
    if (diagnostic.file === null || diagnostic.line === null || !sameSourceFile(diagnostic.file, fileName)) return []
    if (diagnostic.line < 1 || diagnostic.line > doc.lines) return []
    const line = doc.line(diagnostic.line)
    let from = line.from
    let to = line.to
    if (diagnostic.underline) {
      from = line.from + displayColumnOffset(line.text, diagnostic.underline.from)
      to = line.from + displayColumnOffset(line.text, diagnostic.underline.to)
    } else if (diagnostic.column !== null) {
      from = line.from + displayColumnOffset(line.text, diagnostic.column)
      to = Math.min(line.to, from + 1)
    }
    return [{ from, to: Math.max(from, to), severity: LINT_SEVERITY[diagnostic.severity], source: 'gcc', message: diagnostic.message }]
  })
}

/** Messages that name no line of any editor file, shown beside the editor (the linker's, say). */
export function unplacedDiagnostics(diagnostics: readonly GccDiagnostic[], fileNames: readonly string[]): GccDiagnostic[] {
  return diagnostics.filter((diagnostic) => diagnostic.file === null || diagnostic.line === null || !fileNames.some((name) => sameSourceFile(diagnostic.file ?? '', name)))
}
