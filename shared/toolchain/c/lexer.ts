/**
 * Translation phases 1-3: line splicing, comments, and preprocessing tokens (C17 §6.4).
 * The preprocessor works on these tokens; `tokens.ts` later turns them into C tokens.
 */
import { TAB_STOP, type DiagnosticSink, type SourceLocation } from './diagnostics'

export type PPTokenKind = 'ident' | 'number' | 'char' | 'string' | 'punct' | 'other' | 'eof'

/**
 * A preprocessing token. It is its own source location (`loc` is the token itself): a program
 * has tens of thousands of tokens, alive from lexing to the end of parsing, and one object per
 * token instead of two halves their allocation and the garbage collector's copying.
 */
export class PPToken implements SourceLocation {
  constructor(
    readonly kind: PPTokenKind,
    readonly text: string,
    /** Where the token was written; for a macro's replacement, where the macro was used. */
    readonly file: string,
    readonly line: number,
    readonly column: number,
    /** Whitespace (or a comment) precedes the token on its line. */
    readonly spaceBefore: boolean,
    /** First token of a logical line: only such a '#' starts a directive. */
    readonly lineStart: boolean,
    /** Macros that must not expand again inside this token's expansion (Prosser's hide sets). */
    readonly hideset: ReadonlySet<string> | undefined,
  ) {}

  get loc(): SourceLocation {
    return this
  }

  /** This token spelled `text` as a `kind` token (a macro's result keeps its place and spacing). */
  withText(kind: PPTokenKind, text: string): PPToken {
    return new PPToken(kind, text, this.file, this.line, this.column, this.spaceBefore, this.lineStart, this.hideset)
  }

  /** This token with other whitespace before it. */
  withSpacing(spaceBefore: boolean, lineStart: boolean): PPToken {
    if (spaceBefore === this.spaceBefore && lineStart === this.lineStart) return this
    return new PPToken(this.kind, this.text, this.file, this.line, this.column, spaceBefore, lineStart, this.hideset)
  }

  /** An end-of-input token at `loc`. */
  static eof(loc: SourceLocation, spaceBefore: boolean, lineStart: boolean): PPToken {
    return new PPToken('eof', '', loc.file, loc.line, loc.column, spaceBefore, lineStart, undefined)
  }
}

/** Longest-match punctuators, longest first within each leading character. */
const PUNCTUATORS = [
  '%:%:', '...', '<<=', '>>=',
  '->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '*=', '/=', '%=', '+=', '-=', '&=', '^=', '|=',
  '##', '<:', ':>', '<%', '%>', '%:',
  '[', ']', '(', ')', '{', '}', '.', '&', '*', '+', '-', '~', '!', '/', '%', '<', '>', '^', '|', '?', ':', ';',
  '=', ',', '#',
]

/** Digraphs are spelled as their ordinary equivalents once lexed. */
const DIGRAPHS: Readonly<Record<string, string>> = { '<:': '[', ':>': ']', '<%': '{', '%>': '}', '%:': '#', '%:%:': '##' }

const PUNCT_BY_FIRST = new Map<string, string[]>()
for (const p of PUNCTUATORS) {
  const first = p[0] as string
  const list = PUNCT_BY_FIRST.get(first) ?? []
  list.push(p)
  PUNCT_BY_FIRST.set(first, list)
}
for (const list of PUNCT_BY_FIRST.values()) list.sort((a, b) => b.length - a.length)

function isIdentStartCode(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 36 || c >= 0x80
}
function isIdentCode(c: number): boolean {
  return isIdentStartCode(c) || (c >= 48 && c <= 57)
}
function isDigitCode(c: number): boolean {
  return c >= 48 && c <= 57
}

/** Length of a literal prefix (L, u, U, u8) directly followed by a quote at `i`, or -1. */
function literalPrefixLength(text: string, i: number): number {
  const c = text.charCodeAt(i)
  if (c === 34 || c === 39) return 0
  if (c === 76 || c === 85) return text.charCodeAt(i + 1) === 34 || text.charCodeAt(i + 1) === 39 ? 1 : -1 // L U
  if (c === 117) {
    const d = text.charCodeAt(i + 1)
    if (d === 34 || d === 39) return 1
    if (d === 56 && (text.charCodeAt(i + 2) === 34 || text.charCodeAt(i + 2) === 39)) return 2 // u8
  }
  return -1
}

/** Where a splice (backslash, spaces or tabs, optional CR) ends at the newline `nl`: its backslash, or -1. */
function spliceStart(raw: string, nl: number): number {
  let k = nl - 1
  if (raw.charCodeAt(k) === 13) k--
  // gcc accepts (and warns about) spaces before the newline
  while (raw.charCodeAt(k) === 32 || raw.charCodeAt(k) === 9) k--
  return raw.charCodeAt(k) === 92 ? k : -1
}

/**
 * Phase 2 (splice backslash-newline), remembering where each physical line starts in the spliced
 * text, so every token keeps the physical line and display column where it was written.
 *
 * Positions are found on demand rather than stored per character: the tokenizer asks in
 * ascending order, so a cursor walking forward makes each lookup amortised O(1).
 */
class SplicedSource {
  readonly text: string
  /** Offsets in `text` where physical line N+1 starts (after a newline or a splice). */
  private readonly lineStarts: number[] = [0]
  private lineIndex = 0
  /** The cursor: `column` is the display column of offset `cursor` on line `lineIndex`. */
  private cursor = 0
  private column = 1

  constructor(
    raw: string,
    private readonly file: string,
  ) {
    let out = ''
    let chunkStart = 0
    let removed = 0
    for (let nl = raw.indexOf('\n'); nl >= 0; nl = raw.indexOf('\n', nl + 1)) {
      const splice = spliceStart(raw, nl)
      if (splice >= 0) {
        out += raw.slice(chunkStart, splice)
        removed += nl + 1 - splice
        chunkStart = nl + 1
      }
      this.lineStarts.push(nl + 1 - removed)
    }
    this.text = chunkStart === 0 ? raw : out + raw.slice(chunkStart)
  }

  /** Physical line of the offset last passed to `locate`. */
  line = 1

  /** The physical location of offset `at` in `text`. */
  location(at: number): SourceLocation {
    const column = this.locate(at)
    return { file: this.file, line: this.line, column }
  }

  /** The display column of offset `at` in `text`, setting `line` to its physical line. */
  locate(at: number): number {
    const starts = this.lineStarts
    if (at < this.cursor) {
      // Only a query behind the cursor (none in practice) restarts from the first line.
      this.lineIndex = 0
      this.cursor = 0
      this.column = 1
    }
    while (this.lineIndex + 1 < starts.length && (starts[this.lineIndex + 1] as number) <= at) {
      this.lineIndex++
      this.cursor = starts[this.lineIndex] as number
      this.column = 1
    }
    const text = this.text
    let column = this.column
    for (let i = this.cursor; i < at; i++) {
      const code = text.charCodeAt(i)
      if (code === 9) column += TAB_STOP - ((column - 1) % TAB_STOP)
      // Count code points, not UTF-16 units: a surrogate pair is one display column.
      else if (!(code === 13 && text.charCodeAt(i + 1) === 10) && !(code >= 0xdc00 && code <= 0xdfff)) column++
    }
    this.cursor = at
    this.column = column
    this.line = this.lineIndex + 1
    return column
  }
}

/** Tokenises one source file into preprocessing tokens; the list ends with an 'eof' token. */
export function tokenize(raw: string, file: string, diags: DiagnosticSink): PPToken[] {
  const src = new SplicedSource(raw, file)
  const text = src.text
  const n = text.length
  const tokens: PPToken[] = []
  // A UTF-8 byte order mark at the start is ignored, as gcc does.
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  let spaceBefore = false
  let lineStart = true
  const loc = (at: number): SourceLocation => src.location(at)
  const push = (kind: PPTokenKind, start: number, end: number, spelled?: string): void => {
    const column = src.locate(start)
    tokens.push(new PPToken(kind, spelled ?? text.slice(start, end), file, src.line, column, spaceBefore, lineStart, undefined))
    spaceBefore = false
    lineStart = false
  }

  while (i < n) {
    const code0 = text.charCodeAt(i)
    if (code0 === 10) {
      i++
      lineStart = true
      spaceBefore = false
      continue
    }
    if (code0 === 32 || code0 === 9 || code0 === 13 || code0 === 12 || code0 === 11) {
      i++
      spaceBefore = true
      continue
    }
    const c = text[i] as string
    if (c === '/' && text[i + 1] === '/') {
      while (i < n && text[i] !== '\n') i++
      spaceBefore = true
      continue
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2)
      if (end < 0) {
        diags.error(loc(i), 'unterminated comment', 2)
        i = n
      } else {
        i = end + 2
      }
      spaceBefore = true
      continue
    }
    const start = i
    // Character and string literals, with the L/u/U/u8 prefixes.
    const prefixLength = literalPrefixLength(text, i)
    if (prefixLength >= 0) {
      const quote = text[i + prefixLength] as string
      let k = i + prefixLength + 1
      let closed = false
      while (k < n && text[k] !== '\n') {
        if (text[k] === '\\') {
          k += 2
          continue
        }
        if (text[k] === quote) {
          closed = true
          k++
          break
        }
        k++
      }
      if (!closed) {
        // gcc's preprocessor only warns (the quote may be in a skipped group or an unused macro)
        // and makes the rest of the line one token; the parser reports it as an error if it gets it.
        diags.warning(loc(start), `missing terminating ${quote} character`)
        while (k < n && text[k] !== '\n') k++
        push('other', start, k)
        i = k
        continue
      }
      push(quote === '"' ? 'string' : 'char', start, k)
      i = k
      continue
    }
    const code = text.charCodeAt(i)
    if (isIdentStartCode(code)) {
      let k = i + 1
      while (k < n && isIdentCode(text.charCodeAt(k))) k++
      push('ident', start, k)
      i = k
      continue
    }
    if (isDigitCode(code) || (c === '.' && isDigitCode(text.charCodeAt(i + 1)))) {
      // pp-number: digit or .digit, then [0-9a-zA-Z_.] and e+ e- p+ p- pairs.
      let k = i + 1
      while (k < n) {
        const d = text.charCodeAt(k)
        const before = text[k - 1]
        if ((d === 43 || d === 45) && (before === 'e' || before === 'E' || before === 'p' || before === 'P')) {
          k++
          continue
        }
        if (isIdentCode(d) || d === 46) {
          k++
          continue
        }
        break
      }
      push('number', start, k)
      i = k
      continue
    }
    const candidates = PUNCT_BY_FIRST.get(c)
    if (candidates) {
      let p = c // every first character is itself a punctuator, and the shortest candidate
      for (const q of candidates) {
        if (text.startsWith(q, i)) {
          p = q
          break
        }
      }
      // '<::' is not a digraph when followed by ':' or '>' in C++ only; C has no such exception.
      push('punct', start, i + p.length, DIGRAPHS[p] ?? p)
      i += p.length
      continue
    }
    // A stray character: the preprocessor passes it through; the parser reports it.
    const width = c.charCodeAt(0) >= 0xd800 && c.charCodeAt(0) <= 0xdbff ? 2 : 1
    push('other', start, i + width)
    i += width
  }
  tokens.push(PPToken.eof(loc(n), spaceBefore, true))
  return tokens
}
