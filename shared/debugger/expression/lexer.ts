// Tokens of gdb's C expression language.

import { ExpressionError } from './environment'

export type Token =
  | { readonly kind: 'integer'; readonly value: bigint; readonly unsigned: boolean; readonly long: boolean; readonly decimal: boolean; readonly start: number }
  | { readonly kind: 'float'; readonly value: number; readonly suffix: '' | 'f' | 'l'; readonly start: number }
  | { readonly kind: 'char'; readonly value: number; readonly start: number }
  | { readonly kind: 'string'; readonly value: Uint8Array; readonly start: number }
  | { readonly kind: 'identifier'; readonly name: string; readonly start: number }
  /** `$name`, `$N`, `$`, `$$`, `$$N`: the text after the first '$'. */
  | { readonly kind: 'dollar'; readonly name: string; readonly start: number }
  | { readonly kind: 'punct'; readonly text: string; readonly start: number }
  | { readonly kind: 'end'; readonly start: number }

const PUNCTUATORS = [
  '<<=', '>>=', '->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||',
  '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=',
  '+', '-', '*', '/', '%', '<', '>', '=', '!', '~', '&', '|', '^', '?', ':', ',', '.', '(', ')', '[', ']', '{', '}', '@',
]

const SIMPLE_ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, e: 27, '\\': 92, "'": 39, '"': 34, '?': 63 }

export function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < text.length) {
    const c = text[i] as string
    if (/\s/.test(c)) {
      i++
      continue
    }
    const start = i
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      const word = /^(?:[0-9]*\.?[0-9]+|[0-9]+\.)(?:[eE][+-]?[0-9]+)?[A-Za-z0-9_.]*/.exec(text.slice(i))?.[0] as string
      tokens.push(numberToken(word, start))
      i += word.length
      continue
    }
    if (/[A-Za-z_]/.test(c)) {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i))?.[0] as string
      tokens.push({ kind: 'identifier', name, start })
      i += name.length
      continue
    }
    if (c === '$') {
      const name = /^\$?[A-Za-z0-9_]*/.exec(text.slice(i + 1))?.[0] ?? ''
      tokens.push({ kind: 'dollar', name, start })
      i += 1 + name.length
      continue
    }
    if (c === "'") {
      const { bytes, end } = readQuoted(text, i, "'")
      if (bytes.length !== 1) throw new ExpressionError(bytes.length === 0 ? 'Empty character constant.' : 'Invalid character constant.')
      tokens.push({ kind: 'char', value: bytes[0] as number, start })
      i = end
      continue
    }
    if (c === '"') {
      const { bytes, end } = readQuoted(text, i, '"')
      tokens.push({ kind: 'string', value: bytes, start })
      i = end
      continue
    }
    const punct = PUNCTUATORS.find((p) => text.startsWith(p, i))
    if (!punct) throw new ExpressionError(`Invalid character '${c}' in expression.`)
    tokens.push({ kind: 'punct', text: punct, start })
    i += punct.length
  }
  tokens.push({ kind: 'end', start: text.length })
  return tokens
}

function numberToken(word: string, start: number): Token {
  const invalid = (): ExpressionError => new ExpressionError(`Invalid number "${word}".`)
  const isHex = /^0[xX]/.test(word)
  if (!isHex && /[.eE]/.test(word)) {
    const m = /^([0-9]*\.?[0-9]*(?:[eE][+-]?[0-9]+)?)([fFlL]?)$/.exec(word)
    if (!m || !/[0-9]/.test(m[1] as string)) throw invalid()
    const suffix = (m[2] as string).toLowerCase() as '' | 'f' | 'l'
    return { kind: 'float', value: Number(m[1]), suffix, start }
  }
  const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)([uUlL]*)$/.exec(word)
  if (!m) throw invalid()
  const suffix = (m[2] as string).toLowerCase()
  if (!/^(u?l{0,2}|l{1,2}u)$/.test(suffix)) throw invalid()
  const digits = m[1] as string
  const value = digits.length > 1 && digits.startsWith('0') && !isHex ? BigInt('0o' + digits.slice(1)) : BigInt(digits)
  if (value >= 1n << 64n) throw new ExpressionError('Numeric constant too large.')
  return { kind: 'integer', value, unsigned: suffix.includes('u'), long: suffix.includes('l'), decimal: !isHex && !(digits.length > 1 && digits.startsWith('0')), start }
}

/** A quoted character or string with C escapes; returns the bytes and the index past the closing quote. */
function readQuoted(text: string, open: number, quote: string): { bytes: Uint8Array; end: number } {
  const out: number[] = []
  let i = open + 1
  while (i < text.length && text[i] !== quote) {
    const c = text[i] as string
    if (c !== '\\') {
      for (const b of new TextEncoder().encode(c)) out.push(b)
      i++
      continue
    }
    const e = text[i + 1] ?? ''
    if (e in SIMPLE_ESCAPES) {
      out.push(SIMPLE_ESCAPES[e] as number)
      i += 2
    } else if (/[0-7]/.test(e)) {
      const digits = /^[0-7]{1,3}/.exec(text.slice(i + 1))?.[0] as string
      out.push(parseInt(digits, 8) & 0xff)
      i += 1 + digits.length
    } else if (e === 'x') {
      const digits = /^[0-9a-fA-F]+/.exec(text.slice(i + 2))?.[0]
      if (!digits) throw new ExpressionError('\\x escape without a following hex digit')
      out.push(parseInt(digits.slice(-2), 16))
      i += 2 + digits.length
    } else {
      out.push(e.charCodeAt(0) & 0xff)
      i += 2
    }
  }
  if (i >= text.length) throw new ExpressionError(quote === "'" ? 'Unmatched single quote.' : 'Unterminated string in expression.')
  return { bytes: Uint8Array.from(out), end: i + 1 }
}
