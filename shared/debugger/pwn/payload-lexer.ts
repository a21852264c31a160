// The tokens of a payload expression, spelled as in Python: integer literals with 0x/0o/0b and
// underscores, b'...' bytes and '...' strings with Python's escapes, names and operators.

import { PayloadError } from './payload-error'

export type Token =
  | { kind: 'int'; value: bigint; column: number }
  | { kind: 'bytes'; value: Uint8Array; column: number }
  | { kind: 'name'; text: string; column: number }
  | { kind: 'operator'; text: string; column: number }
  | { kind: 'end'; column: number }

/** Longest first, so `**` is not read as two `*`. */
const OPERATORS = ['**', '//', '<<', '>>', '+', '-', '*', '/', '%', '&', '|', '^', '~', '(', ')', '[', ']', ',', '.', '=']

/** About 4096 bits: integers past this are refused (see payload.ts). */
const MAX_LITERAL_DIGITS = 1300

const SIMPLE_ESCAPES: Record<string, number> = {
  '\\': 0x5c, "'": 0x27, '"': 0x22, a: 0x07, b: 0x08, f: 0x0c, n: 0x0a, r: 0x0d, t: 0x09, v: 0x0b,
}

const isDigit = (c: string | undefined) => c !== undefined && c >= '0' && c <= '9'
const isNameStart = (c: string | undefined) => c !== undefined && /[A-Za-z_]/.test(c)
const isNamePart = (c: string | undefined) => c !== undefined && /[A-Za-z0-9_]/.test(c)

const RADIX_DIGITS: Record<string, [number, RegExp]> = {
  x: [16, /^[0-9a-fA-F]$/],
  o: [8, /^[0-7]$/],
  b: [2, /^[01]$/],
}

export function tokenize(source: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < source.length) {
    const c = source[i]!
    const column = i + 1
    if (/\s/.test(c)) {
      i++
    } else if (isDigit(c)) {
      const [token, next] = readNumber(source, i)
      tokens.push(token)
      i = next
    } else if ((c === 'b' || c === 'B') && (source[i + 1] === '"' || source[i + 1] === "'")) {
      const [value, next] = readString(source, i + 1, true)
      tokens.push({ kind: 'bytes', value, column })
      i = next
    } else if (c === '"' || c === "'") {
      const [value, next] = readString(source, i, false)
      tokens.push({ kind: 'bytes', value, column })
      i = next
    } else if (isNameStart(c)) {
      let end = i + 1
      while (isNamePart(source[end])) end++
      tokens.push({ kind: 'name', text: source.slice(i, end), column })
      i = end
    } else {
      const operator = OPERATORS.find((op) => source.startsWith(op, i))
      if (operator === undefined) throw new PayloadError(`unexpected character ${JSON.stringify(c)}`, column)
      tokens.push({ kind: 'operator', text: operator, column })
      i += operator.length
    }
  }
  tokens.push({ kind: 'end', column: source.length + 1 })
  return tokens
}

function readNumber(source: string, start: number): [Token, number] {
  const column = start + 1
  const prefix = source[start] === '0' ? source[start + 1]?.toLowerCase() : undefined
  const radix = prefix === undefined ? undefined : RADIX_DIGITS[prefix]
  let i = radix === undefined ? start : start + 2
  const digitPattern = radix?.[1] ?? /^[0-9]$/
  let digits = ''
  let lastWasDigit = false
  while (i < source.length) {
    const c = source[i]!
    if (digitPattern.test(c)) {
      digits += c
      lastWasDigit = true
    } else if (c === '_' && (lastWasDigit || (radix !== undefined && digits === '' && i === start + 2))) {
      // Python allows one underscore between digits, and right after the radix prefix.
      lastWasDigit = false
    } else {
      break
    }
    i++
  }
  const literal = source.slice(start, i)
  if (!lastWasDigit) throw new PayloadError(`invalid integer literal ${JSON.stringify(literal)}`, column)
  if (isNamePart(source[i]) || source[i] === '.') {
    const what = source[i] === '.' ? 'floats are not supported' : `invalid integer literal ${JSON.stringify(literal + source[i])}`
    throw new PayloadError(what, i + 1)
  }
  if (radix === undefined && digits.length > 1 && digits[0] === '0' && /[1-9]/.test(digits)) {
    throw new PayloadError('leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers', column)
  }
  if (digits.length > MAX_LITERAL_DIGITS) throw new PayloadError(`integer literal of ${digits.length} digits is too large`, column)
  const value = radix === undefined ? BigInt(digits) : BigInt(`0${prefix}${digits}`)
  return [{ kind: 'int', value, column }, i]
}

/**
 * A quoted literal starting at the quote `source[start]`. Bytes literals give their bytes and may
 * only hold ASCII; strings are UTF-8 encoded, their \x escapes naming code points as in Python.
 */
function readString(source: string, start: number, isBytes: boolean): [Uint8Array, number] {
  const quote = source[start]!
  const opening = isBytes ? start : start + 1
  const units: number[] = []
  let i = start + 1
  for (;;) {
    if (i >= source.length) throw new PayloadError('unterminated string literal', opening)
    const c = source[i]!
    if (c === quote) return [isBytes ? Uint8Array.from(units) : new TextEncoder().encode(units.map((unit) => String.fromCodePoint(unit)).join('')), i + 1]
    if (c === '\n') throw new PayloadError('unterminated string literal', opening)
    if (c !== '\\') {
      const code = source.codePointAt(i)!
      if (isBytes && code > 0x7f) throw new PayloadError('bytes can only contain ASCII literal characters', i + 1)
      units.push(code)
      i += code > 0xffff ? 2 : 1
      continue
    }
    const [code, next] = readEscape(source, i, isBytes)
    units.push(code)
    i = next
  }
}

function readEscape(source: string, backslash: number, isBytes: boolean): [number, number] {
  const column = backslash + 1
  const kind = source[backslash + 1]
  if (kind === undefined) throw new PayloadError('unterminated string literal', column)
  const simple = SIMPLE_ESCAPES[kind]
  if (simple !== undefined) return [simple, backslash + 2]
  if (kind >= '0' && kind <= '7') {
    let end = backslash + 1
    while (end < backslash + 4 && source[end] !== undefined && source[end]! >= '0' && source[end]! <= '7') end++
    const value = parseInt(source.slice(backslash + 1, end), 8)
    if (isBytes && value > 0xff) throw new PayloadError(`octal escape \\${source.slice(backslash + 1, end)} is larger than \\377`, column)
    return [value, end]
  }
  const hexWidth = kind === 'x' ? 2 : !isBytes && kind === 'u' ? 4 : !isBytes && kind === 'U' ? 8 : 0
  if (hexWidth === 0) throw new PayloadError(`unknown escape \\${kind}`, column)
  const hex = source.slice(backslash + 2, backslash + 2 + hexWidth)
  if (hex.length !== hexWidth || !/^[0-9a-fA-F]+$/.test(hex)) {
    throw new PayloadError(`truncated \\${kind} escape: it needs ${hexWidth} hex digits`, column)
  }
  const value = parseInt(hex, 16)
  if (value > 0x10ffff || (value >= 0xd800 && value <= 0xdfff)) {
    throw new PayloadError(`\\${kind}${hex} is not a Unicode scalar value`, column)
  }
  return [value, backslash + 2 + hexWidth]
}
