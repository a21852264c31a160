/**
 * Translation phases 1-3: line splicing, comments, and preprocessing tokens (C17 §6.4).
 * The preprocessor works on these tokens; `tokens.ts` later turns them into C tokens.
 */
import { TAB_STOP, type DiagnosticSink, type SourceLocation } from './diagnostics'

export type PPTokenKind = 'ident' | 'number' | 'char' | 'string' | 'punct' | 'other' | 'eof'

export interface PPToken {
  readonly kind: PPTokenKind
  readonly text: string
  readonly loc: SourceLocation
  /** Whitespace (or a comment) precedes the token on its line. */
  readonly spaceBefore: boolean
  /** First token of a logical line: only such a '#' starts a directive. */
  readonly lineStart: boolean
  /** Macros that must not expand again inside this token's expansion (Prosser's hide sets). */
  readonly hideset?: ReadonlySet<string>
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

/**
 * Phase 2 (splice backslash-newline) with a position map, so every logical character keeps the
 * physical line and display column where it was written.
 */
class SplicedSource {
  readonly text: string
  readonly lines: Int32Array
  readonly cols: Int32Array

  constructor(raw: string) {
    const n = raw.length
    const lines = new Int32Array(n + 1)
    const cols = new Int32Array(n + 1)
    let out = ''
    let chunkStart = 0
    let j = 0
    let line = 1
    let col = 1
    let i = 0
    while (i < n) {
      const c = raw[i]
      if (c === '\\') {
        let k = i + 1
        while (k < n && (raw[k] === ' ' || raw[k] === '\t')) k++ // gcc accepts (and warns about) spaces before the newline
        if (raw[k] === '\r' && raw[k + 1] === '\n') k++
        if (raw[k] === '\n') {
          out += raw.slice(chunkStart, i)
          i = k + 1
          chunkStart = i
          line++
          col = 1
          continue
        }
      }
      lines[j] = line
      cols[j] = col
      j++
      if (c === '\n') {
        line++
        col = 1
      } else if (c === '\t') {
        col += TAB_STOP - ((col - 1) % TAB_STOP)
      } else if (!(c === '\r' && raw[i + 1] === '\n')) {
        // Count code points, not UTF-16 units: a surrogate pair is one display column.
        const code = raw.charCodeAt(i)
        if (!(code >= 0xdc00 && code <= 0xdfff)) col++
      }
      i++
    }
    out += raw.slice(chunkStart)
    lines[j] = line
    cols[j] = col
    this.text = out
    this.lines = lines
    this.cols = cols
  }
}

/** Tokenises one source file into preprocessing tokens; the list ends with an 'eof' token. */
export function tokenize(raw: string, file: string, diags: DiagnosticSink): PPToken[] {
  const src = new SplicedSource(raw)
  const text = src.text
  const n = text.length
  const tokens: PPToken[] = []
  // A UTF-8 byte order mark at the start is ignored, as gcc does.
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0
  let spaceBefore = false
  let lineStart = true
  const lines = src.lines
  const cols = src.cols
  const loc = (at: number): SourceLocation => ({ file, line: lines[at] as number, column: cols[at] as number })
  const push = (kind: PPTokenKind, start: number, end: number, spelled?: string): void => {
    tokens.push({ kind, text: spelled ?? text.slice(start, end), loc: { file, line: lines[start] as number, column: cols[start] as number }, spaceBefore, lineStart })
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
      const p = candidates.find((q) => text.startsWith(q, i)) as string
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
  tokens.push({ kind: 'eof', text: '', loc: loc(n), spaceBefore, lineStart: true })
  return tokens
}
