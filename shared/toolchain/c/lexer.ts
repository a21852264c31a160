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
  const lexer = new Lexer(raw, file, diags)
  const tokens: PPToken[] = []
  while (!lexer.done) for (const t of lexer.line()) tokens.push(t)
  return tokens
}

/**
 * Tokenises one source file on demand, a line at a time, so a file's tokens need not all be alive
 * at once (the parser is done with most of them before the next are made), and the lexer's
 * diagnostics come when the parser gets to their line, in its function, as gcc's do.
 */
export class Lexer {
  private readonly src: SplicedSource
  private readonly text: string
  private i: number
  private spaceBefore = false
  private lineStart = true
  private finished = false

  constructor(
    raw: string,
    private readonly file: string,
    private readonly diags: DiagnosticSink,
  ) {
    this.src = new SplicedSource(raw, file)
    this.text = this.src.text
    // A UTF-8 byte order mark at the start is ignored, as gcc does.
    this.i = this.text.charCodeAt(0) === 0xfeff ? 1 : 0
  }

  /** The 'eof' token has been handed out. */
  get done(): boolean {
    return this.finished
  }

  /** The tokens of the next line that has any; the last line's end with the 'eof' token. */
  line(): PPToken[] {
    const tokens: PPToken[] = []
    for (;;) {
      this.skipBlanks()
      if (this.i >= this.text.length) {
        tokens.push(PPToken.eof(this.src.location(this.text.length), this.spaceBefore, true))
        this.finished = true
        return tokens
      }
      if (this.lineStart && tokens.length > 0) return tokens
      tokens.push(this.token())
      this.spaceBefore = false
      this.lineStart = false
    }
  }

  /** Skips whitespace, newlines and comments, noting them in `spaceBefore` and `lineStart`. */
  private skipBlanks(): void {
    const text = this.text
    const n = text.length
    let i = this.i
    while (i < n) {
      const code = text.charCodeAt(i)
      if (code === 10) {
        i++
        this.lineStart = true
        this.spaceBefore = false
        continue
      }
      if (code === 32 || code === 9 || code === 13 || code === 12 || code === 11) {
        i++
        this.spaceBefore = true
        continue
      }
      if (code === 47 && text.charCodeAt(i + 1) === 47) {
        while (i < n && text.charCodeAt(i) !== 10) i++
        this.spaceBefore = true
        continue
      }
      if (code === 47 && text.charCodeAt(i + 1) === 42) {
        const end = text.indexOf('*/', i + 2)
        if (end < 0) {
          this.diags.error(this.src.location(i), 'unterminated comment')
          i = n
        } else {
          i = end + 2
        }
        this.spaceBefore = true
        continue
      }
      break
    }
    this.i = i
  }

  /** The token at `i`, which starts one. */
  private token(): PPToken {
    const text = this.text
    const n = text.length
    const start = this.i
    const c = text[start] as string
    // Character and string literals, with the L/u/U/u8 prefixes.
    const prefixLength = literalPrefixLength(text, start)
    if (prefixLength >= 0) {
      const quote = text[start + prefixLength] as string
      let k = start + prefixLength + 1
      while (k < n && text[k] !== '\n') {
        if (text[k] === '\\') {
          k += 2
          continue
        }
        if (text[k] === quote) return this.make(quote === '"' ? 'string' : 'char', start, k + 1)
        k++
      }
      // gcc's preprocessor only warns (the quote may be in a skipped group or an unused macro)
      // and makes the rest of the line one token; the parser reports it as an error if it gets it.
      this.diags.warning(this.src.location(start), `missing terminating ${quote} character`)
      while (k < n && text[k] !== '\n') k++
      return this.make('other', start, k)
    }
    const code = text.charCodeAt(start)
    if (isIdentStartCode(code)) {
      let k = start + 1
      while (k < n && isIdentCode(text.charCodeAt(k))) k++
      return this.make('ident', start, k)
    }
    if (isDigitCode(code) || (c === '.' && isDigitCode(text.charCodeAt(start + 1)))) {
      // pp-number: digit or .digit, then [0-9a-zA-Z_.] and e+ e- p+ p- pairs.
      let k = start + 1
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
      return this.make('number', start, k)
    }
    const candidates = PUNCT_BY_FIRST.get(c)
    if (candidates) {
      let p = c // every first character is itself a punctuator, and the shortest candidate
      for (const q of candidates) {
        if (text.startsWith(q, start)) {
          p = q
          break
        }
      }
      // '<::' is not a digraph when followed by ':' or '>' in C++ only; C has no such exception.
      return this.make('punct', start, start + p.length, DIGRAPHS[p] ?? p)
    }
    // A stray character: the preprocessor passes it through; the parser reports it.
    const width = code >= 0xd800 && code <= 0xdbff ? 2 : 1
    return this.make('other', start, start + width)
  }

  private make(kind: PPTokenKind, start: number, end: number, spelled?: string): PPToken {
    const column = this.src.locate(start)
    this.i = end
    return new PPToken(kind, spelled ?? this.text.slice(start, end), this.file, this.src.line, column, this.spaceBefore, this.lineStart, undefined)
  }
}
