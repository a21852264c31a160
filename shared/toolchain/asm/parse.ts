/**
 * Line parser for NASM-flavoured Intel syntax (also accepting the `BYTE PTR` / `fs:0x28` spellings
 * gcc -masm=intel prints). One source line yields at most one label and one statement.
 */
import { registerByName, type RegisterInfo } from './registers'

export class AsmSyntaxError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(message)
  }
}

// ---------------------------------------------------------------------------------------------
// Tokens
// ---------------------------------------------------------------------------------------------

export type Token =
  /** `symbol`: written `$name`, so a symbol even when `name` is a register or keyword (NASM). */
  | { readonly kind: 'ident'; readonly text: string; readonly column: number; readonly symbol?: true }
  | { readonly kind: 'number'; readonly value: bigint; readonly column: number }
  | { readonly kind: 'string'; readonly bytes: Uint8Array; readonly column: number }
  | { readonly kind: 'punct'; readonly text: string; readonly column: number }

const PUNCTUATION = ['<<', '>>', '$$', '[', ']', '(', ')', ',', ':', '+', '-', '*', '/', '%', '&', '|', '^', '~', '$']

// Character classes by code (the tokenizer runs on every line; regexes per character are slow).
const IDENT_START = new Uint8Array(128)
const IDENT_PART = new Uint8Array(128)
const DIGIT = new Uint8Array(128)
const NUMBER_PART = new Uint8Array(128)
for (let code = 0; code < 128; code++) {
  const ch = String.fromCharCode(code)
  IDENT_START[code] = /[A-Za-z_.?@]/.test(ch) ? 1 : 0
  IDENT_PART[code] = /[A-Za-z0-9_.?@$#~]/.test(ch) ? 1 : 0
  DIGIT[code] = /[0-9]/.test(ch) ? 1 : 0
  NUMBER_PART[code] = /[0-9A-Za-z_]/.test(ch) ? 1 : 0
}
const classOf = (table: Uint8Array, code: number): boolean => code < 128 && table[code] === 1

/** Split a line into tokens, stopping at a comment (`;` or `#` outside quotes). Columns are 1-based. */
export function tokenize(line: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < line.length) {
    const ch = line[i] as string
    const column = i + 1
    const code = line.charCodeAt(i)
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++
      continue
    }
    if (ch === ';' || ch === '#') break
    if (ch === '"' || ch === "'" || ch === '`') {
      const end = line.indexOf(ch, i + 1)
      if (end < 0) throw new AsmSyntaxError('unterminated string', column)
      const raw = line.slice(i + 1, end)
      tokens.push({ kind: 'string', bytes: ch === '`' ? unescapeBackquoted(raw, column) : new TextEncoder().encode(raw), column })
      i = end + 1
      continue
    }
    if (classOf(DIGIT, code)) {
      let j = i
      while (j < line.length && classOf(NUMBER_PART, line.charCodeAt(j))) j++
      tokens.push({ kind: 'number', value: parseNumber(line.slice(i, j), column), column })
      i = j
      continue
    }
    if (classOf(IDENT_START, code)) {
      let j = i + 1
      while (j < line.length && classOf(IDENT_PART, line.charCodeAt(j))) j++
      tokens.push({ kind: 'ident', text: line.slice(i, j), column })
      i = j
      continue
    }
    if (ch === '$' && classOf(IDENT_START, line.charCodeAt(i + 1))) {
      // NASM's `$name`: the identifier `name`, never a register or keyword (`$rax`, `$byte`).
      let j = i + 2
      while (j < line.length && classOf(IDENT_PART, line.charCodeAt(j))) j++
      tokens.push({ kind: 'ident', text: line.slice(i + 1, j), column, symbol: true })
      i = j
      continue
    }
    const punct = PUNCTUATION.find((p) => line.startsWith(p, i))
    if (punct === undefined) throw new AsmSyntaxError(`unexpected character '${ch}'`, column)
    tokens.push({ kind: 'punct', text: punct, column })
    i += punct.length
  }
  return tokens
}

function parseNumber(text: string, column: number): bigint {
  if (/^[0-9]{1,15}$/.test(text)) return BigInt(Number(text))
  const clean = text.replace(/_/g, '').toLowerCase()
  let match: RegExpMatchArray | null
  try {
    if ((match = /^0x([0-9a-f]+)$/.exec(clean)) || (match = /^([0-9][0-9a-f]*)h$/.exec(clean))) return BigInt('0x' + match[1])
    if ((match = /^0b([01]+)$/.exec(clean)) || (match = /^([01]+)b$/.exec(clean))) return BigInt('0b' + match[1])
    if ((match = /^0o([0-7]+)$/.exec(clean)) || (match = /^([0-7]+)[oq]$/.exec(clean))) return BigInt('0o' + match[1])
    if ((match = /^([0-9]+)d?$/.exec(clean))) return BigInt(match[1] as string)
  } catch {
    // fall through to the error below
  }
  throw new AsmSyntaxError(`invalid number '${text}'`, column)
}

const SIMPLE_ESCAPES = new Map<string, number>(Object.entries({ n: 10, t: 9, r: 13, '0': 0, '\\': 92, '"': 34, "'": 39, '`': 96, a: 7, b: 8, f: 12, v: 11, e: 27 }))

function unescapeBackquoted(raw: string, column: number): Uint8Array {
  const out: number[] = []
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i] as string
    if (ch !== '\\') {
      out.push(...new TextEncoder().encode(ch))
      continue
    }
    const next = raw[++i]
    if (next === undefined) throw new AsmSyntaxError('backslash at end of string', column)
    if (next === 'x') {
      const hex = /^[0-9a-fA-F]{1,2}/.exec(raw.slice(i + 1))
      if (hex === null) throw new AsmSyntaxError('\\x needs hex digits', column)
      out.push(parseInt(hex[0], 16))
      i += hex[0].length
      continue
    }
    const simple = SIMPLE_ESCAPES.get(next)
    if (simple === undefined) throw new AsmSyntaxError(`unknown escape '\\${next}'`, column)
    out.push(simple)
  }
  return Uint8Array.from(out)
}

// ---------------------------------------------------------------------------------------------
// Expressions
// ---------------------------------------------------------------------------------------------

export type ExprNode =
  | { readonly kind: 'number'; readonly value: bigint; readonly column: number }
  | { readonly kind: 'symbol'; readonly name: string; readonly column: number }
  | { readonly kind: 'register'; readonly register: RegisterInfo; readonly column: number }
  | { readonly kind: 'here'; readonly column: number }
  | { readonly kind: 'sectionStart'; readonly column: number }
  | { readonly kind: 'unary'; readonly op: '-' | '+' | '~'; readonly operand: ExprNode; readonly column: number }
  | { readonly kind: 'binary'; readonly op: string; readonly left: ExprNode; readonly right: ExprNode; readonly column: number }

const BINARY_PRECEDENCE = new Map<string, number>(Object.entries({ '|': 1, '^': 2, '&': 3, '<<': 4, '>>': 4, '+': 5, '-': 5, '*': 6, '/': 6, '%': 6 }))

/** A cursor over one line's tokens. */
export class TokenCursor {
  private index = 0
  constructor(
    private readonly tokens: readonly Token[],
    private readonly lineLength: number,
  ) {}

  peek(offset = 0): Token | undefined {
    return this.tokens[this.index + offset]
  }
  next(): Token | undefined {
    return this.tokens[this.index++]
  }
  atEnd(): boolean {
    return this.index >= this.tokens.length
  }
  column(): number {
    return this.peek()?.column ?? this.lineLength + 1
  }
  isPunct(text: string, offset = 0): boolean {
    const token = this.peek(offset)
    return token?.kind === 'punct' && token.text === text
  }
  /** Whether the token is the keyword `text` (a `$name` never is). */
  isIdent(text: string, offset = 0): boolean {
    const token = this.peek(offset)
    return token?.kind === 'ident' && token.symbol !== true && token.text.toLowerCase() === text
  }
  expectPunct(text: string): void {
    if (!this.isPunct(text)) throw new AsmSyntaxError(`expected '${text}'`, this.column())
    this.index++
  }

  parseExpression(minPrecedence = 1): ExprNode {
    let left = this.parseUnary()
    for (;;) {
      const token = this.peek()
      if (token?.kind !== 'punct') return left
      const precedence = BINARY_PRECEDENCE.get(token.text)
      if (precedence === undefined || precedence < minPrecedence) return left
      this.index++
      const right = this.parseExpression(precedence + 1)
      left = { kind: 'binary', op: token.text, left, right, column: token.column }
    }
  }

  private parseUnary(): ExprNode {
    const token = this.next()
    if (token === undefined) throw new AsmSyntaxError('expected an expression', this.lineLength + 1)
    switch (token.kind) {
      case 'number':
        return { kind: 'number', value: token.value, column: token.column }
      case 'string': {
        // A quoted constant in an expression is its bytes, little-endian (NASM).
        if (token.bytes.length > 8) throw new AsmSyntaxError('character constant longer than 8 bytes', token.column)
        let value = 0n
        token.bytes.forEach((byte, i) => (value |= BigInt(byte) << BigInt(8 * i)))
        return { kind: 'number', value, column: token.column }
      }
      case 'ident': {
        const register = token.symbol === true ? undefined : registerByName(token.text)
        if (register !== undefined) return { kind: 'register', register, column: token.column }
        return { kind: 'symbol', name: token.text, column: token.column }
      }
      case 'punct':
        if (token.text === '(') {
          const inner = this.parseExpression()
          this.expectPunct(')')
          return inner
        }
        if (token.text === '$') return { kind: 'here', column: token.column }
        if (token.text === '$$') return { kind: 'sectionStart', column: token.column }
        if (token.text === '-' || token.text === '+' || token.text === '~') {
          return { kind: 'unary', op: token.text, operand: this.parseUnary(), column: token.column }
        }
        throw new AsmSyntaxError(`unexpected '${token.text}' in expression`, token.column)
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Operands and statements
// ---------------------------------------------------------------------------------------------

export const SIZE_KEYWORDS = new Map<string, number>(Object.entries({
  byte: 1,
  word: 2,
  dword: 4,
  qword: 8,
  tword: 10,
  oword: 16,
  xmmword: 16,
  yword: 32,
  ymmword: 32,
  zword: 64,
  zmmword: 64,
}))

export type Operand =
  | { readonly kind: 'register'; readonly register: RegisterInfo; readonly column: number }
  | {
      readonly kind: 'memory'
      /** Explicit operand size in bytes, 0 when not given. */
      readonly size: number
      readonly segment?: RegisterInfo
      /** `rel` / `abs` inside the brackets; undefined = the `default` setting. */
      readonly relative?: boolean
      readonly address: ExprNode
      readonly column: number
    }
  | { readonly kind: 'immediate'; readonly size: number; readonly value: ExprNode; readonly column: number; readonly branchHint?: 'short' | 'near' }

export type DataItem = { readonly kind: 'bytes'; readonly bytes: Uint8Array } | { readonly kind: 'expr'; readonly expr: ExprNode }

export type Statement =
  | { readonly kind: 'instruction'; readonly mnemonic: string; readonly prefixes: readonly string[]; readonly operands: readonly Operand[]; readonly column: number }
  | { readonly kind: 'data'; readonly unit: 1 | 2 | 4 | 8; readonly items: readonly DataItem[]; readonly column: number }
  | { readonly kind: 'reserve'; readonly unit: 1 | 2 | 4 | 8; readonly count: ExprNode; readonly column: number }
  | { readonly kind: 'times'; readonly count: ExprNode; readonly body: Statement; readonly column: number }
  | { readonly kind: 'align'; readonly value: ExprNode; readonly column: number }
  /** `flags`: NASM's attribute words (`exec`, `align=16`, ...); `gasFlags`: gas's quoted flag letters (`"ax"`). */
  | { readonly kind: 'section'; readonly name: string; readonly flags: readonly string[]; readonly gasFlags: string; readonly column: number }
  | { readonly kind: 'global' | 'extern'; readonly names: readonly { readonly name: string; readonly type?: 'function' | 'data' }[]; readonly column: number }
  | { readonly kind: 'equ'; readonly name: string; readonly value: ExprNode; readonly column: number }
  | { readonly kind: 'default'; readonly relative: boolean; readonly column: number }
  /** `.loc FILE LINE [COLUMN]`: the following instructions come from this source line. */
  | { readonly kind: 'loc'; readonly line: number; readonly sourceColumn: number; readonly column: number }
  /** `.file "name.c"`: the source file the line table refers to. */
  | { readonly kind: 'file'; readonly name: string; readonly column: number }

export interface ParsedLine {
  readonly label?: { readonly name: string; readonly column: number }
  readonly statement?: Statement
}

// Maps, not object literals: a name such as `constructor` must not find Object.prototype's.
const DATA_UNITS = new Map<string, 1 | 2 | 4 | 8>(Object.entries({ db: 1, dw: 2, dd: 4, dq: 8, '.byte': 1, '.word': 2, '.short': 2, '.value': 2, '.long': 4, '.int': 4, '.quad': 8 } as const))
const RESERVE_UNITS = new Map<string, 1 | 2 | 4 | 8>(Object.entries({ resb: 1, resw: 2, resd: 4, resq: 8 } as const))
const PREFIXES = new Set(['lock', 'rep', 'repe', 'repz', 'repne', 'repnz'])
const DIRECTIVES = new Set(['section', 'segment', 'global', 'globl', '.globl', '.global', 'extern', '.extern', 'align', '.align', 'default', 'bits', 'times', '.text', '.data', '.bss', '.rodata', '.section', '.string', '.asciz', '.ascii', '.zero', '.skip', '.intel_syntax', '.loc', '.file'])

const KEYWORDS = new Set([...DATA_UNITS.keys(), ...RESERVE_UNITS.keys(), ...DIRECTIVES, 'equ'])

function isKeyword(name: string): boolean {
  return KEYWORDS.has(name.toLowerCase())
}

/** Parse one line. Throws AsmSyntaxError with a column. */
export function parseLine(line: string): ParsedLine {
  const cursor = new TokenCursor(tokenize(line), line.length)
  if (cursor.atEnd()) return {}
  let label: ParsedLine['label']
  const first = cursor.peek()
  // `name:` is always a label; `name db ...` / `name equ ...` / `name resb` is a label without colon
  // (NASM). A `$name` that starts a line is a label with or without the colon: it cannot be an
  // instruction.
  const named = first?.kind === 'ident' ? first : undefined
  const forcedSymbol = named?.symbol === true
  if (named !== undefined && (forcedSymbol || !isKeyword(named.text)) && cursor.isIdent('equ', 1)) {
    cursor.next()
    cursor.next()
    const value = cursor.parseExpression()
    expectEnd(cursor)
    return { statement: { kind: 'equ', name: named.text, value, column: named.column } }
  }
  if (named !== undefined && cursor.isPunct(':', 1) && (forcedSymbol || registerByName(named.text) === undefined)) {
    label = { name: named.text, column: named.column }
    cursor.next()
    cursor.next()
  } else if (named !== undefined && forcedSymbol) {
    label = { name: named.text, column: named.column }
    cursor.next()
  } else if (named !== undefined && !isKeyword(named.text)) {
    const second = cursor.peek(1)
    const word = second?.kind === 'ident' && second.symbol !== true ? second.text.toLowerCase() : ''
    if (DATA_UNITS.has(word) || RESERVE_UNITS.has(word) || word === 'times') {
      label = { name: named.text, column: named.column }
      cursor.next()
    }
  }
  if (cursor.atEnd()) return label === undefined ? {} : { label }
  const statement = parseStatement(cursor)
  expectEnd(cursor)
  return label === undefined ? { statement } : { label, statement }
}

function expectEnd(cursor: TokenCursor): void {
  if (!cursor.atEnd()) throw new AsmSyntaxError('unexpected text after the statement', cursor.column())
}

function parseStatement(cursor: TokenCursor): Statement {
  const head = cursor.next()
  if (head?.kind !== 'ident' || head.symbol === true) throw new AsmSyntaxError('expected an instruction or directive', head?.column ?? 1)
  const word = head.text.toLowerCase()
  const column = head.column
  const dataUnit = DATA_UNITS.get(word)
  if (dataUnit !== undefined) return { kind: 'data', unit: dataUnit, items: parseDataItems(cursor), column }
  const reserveUnit = RESERVE_UNITS.get(word)
  if (reserveUnit !== undefined) return { kind: 'reserve', unit: reserveUnit, count: cursor.parseExpression(), column }
  switch (word) {
    case 'times': {
      const count = cursor.parseExpression()
      return { kind: 'times', count, body: parseStatement(cursor), column }
    }
    case 'section':
    case 'segment':
    case '.section': {
      const name = cursor.next()
      if (name?.kind !== 'ident') throw new AsmSyntaxError('expected a section name', name?.column ?? column)
      // A section name runs to the next blank or comma: `.note.GNU-stack` lexes as `.note.GNU`, `-`, `stack`.
      let fullName = name.text
      let end = name.column + name.text.length + (name.symbol === true ? 1 : 0)
      for (let token = cursor.peek(); token !== undefined && token.column === end && (token.kind === 'ident' || (token.kind === 'punct' && token.text !== ',')); token = cursor.peek()) {
        fullName += token.text
        end += token.text.length
        cursor.next()
      }
      const flags: string[] = []
      let gasFlags = ''
      while (!cursor.atEnd()) {
        const token = cursor.next() as Token
        if (token.kind === 'ident') flags.push(token.text.toLowerCase())
        else if (token.kind === 'string') gasFlags += new TextDecoder().decode(token.bytes)
      }
      return { kind: 'section', name: fullName, flags, gasFlags, column }
    }
    case '.text':
    case '.data':
    case '.bss':
    case '.rodata':
      return { kind: 'section', name: word, flags: [], gasFlags: '', column }
    case 'global':
    case 'globl':
    case '.globl':
    case '.global':
    case 'extern':
    case '.extern':
      return { kind: word.includes('extern') ? 'extern' : 'global', names: parseNameList(cursor), column }
    case 'align':
    case '.align':
      return { kind: 'align', value: cursor.parseExpression(), column }
    case 'default': {
      const mode = cursor.next()
      if (mode?.kind !== 'ident' || !['rel', 'abs'].includes(mode.text.toLowerCase())) throw new AsmSyntaxError("expected 'rel' or 'abs'", mode?.column ?? column)
      return { kind: 'default', relative: mode.text.toLowerCase() === 'rel', column }
    }
    case 'bits': {
      const bits = cursor.next()
      if (bits?.kind !== 'number' || bits.value !== 64n) throw new AsmSyntaxError('only 64-bit code is supported', bits?.column ?? column)
      return { kind: 'default', relative: false, column }
    }
    case '.loc': {
      const numbers: number[] = []
      while (!cursor.atEnd()) {
        const token = cursor.next() as Token
        if (token.kind !== 'number') throw new AsmSyntaxError('.loc takes numbers: file line [column]', token.column)
        numbers.push(Number(token.value))
      }
      if (numbers.length < 2) throw new AsmSyntaxError('.loc needs a file number and a line', column)
      return { kind: 'loc', line: numbers[1] as number, sourceColumn: numbers[2] ?? 0, column }
    }
    case '.file': {
      const name = cursor.next()
      if (name?.kind !== 'string') throw new AsmSyntaxError('.file needs a quoted file name', name?.column ?? column)
      return { kind: 'file', name: new TextDecoder().decode(name.bytes), column }
    }
    case '.intel_syntax':
      while (!cursor.atEnd()) cursor.next()
      return { kind: 'data', unit: 1, items: [], column }
    case '.string':
    case '.asciz':
    case '.ascii': {
      const items = parseDataItems(cursor)
      return { kind: 'data', unit: 1, items: word === '.ascii' ? items : [...items, { kind: 'bytes', bytes: new Uint8Array(1) }], column }
    }
    case '.zero':
    case '.skip':
      return { kind: 'times', count: cursor.parseExpression(), body: { kind: 'data', unit: 1, items: [{ kind: 'bytes', bytes: new Uint8Array(1) }], column }, column }
  }
  // An instruction, possibly with prefixes.
  const prefixes: string[] = []
  let mnemonic = word
  let mnemonicColumn = column
  while (PREFIXES.has(mnemonic)) {
    prefixes.push(mnemonic)
    const next = cursor.peek()
    if (next?.kind !== 'ident') break
    cursor.next()
    mnemonic = next.text.toLowerCase()
    mnemonicColumn = next.column
  }
  if (PREFIXES.has(mnemonic)) {
    // A lone prefix (e.g. `rep` on its own line) is encoded as the prefix byte by the caller.
    return { kind: 'instruction', mnemonic: prefixes.pop() as string, prefixes, operands: [], column: mnemonicColumn }
  }
  const operands: Operand[] = []
  if (!cursor.atEnd()) {
    for (;;) {
      operands.push(parseOperand(cursor))
      if (!cursor.isPunct(',')) break
      cursor.next()
    }
  }
  return { kind: 'instruction', mnemonic, prefixes, operands, column: mnemonicColumn }
}

function parseNameList(cursor: TokenCursor): { name: string; type?: 'function' | 'data' }[] {
  const names: { name: string; type?: 'function' | 'data' }[] = []
  for (;;) {
    const token = cursor.next()
    if (token?.kind !== 'ident') throw new AsmSyntaxError('expected a symbol name', token?.column ?? cursor.column())
    let type: 'function' | 'data' | undefined
    if (cursor.isPunct(':')) {
      cursor.next()
      const kind = cursor.next()
      if (kind?.kind !== 'ident' || !['function', 'data', 'object'].includes(kind.text.toLowerCase())) {
        throw new AsmSyntaxError("expected 'function' or 'data'", kind?.column ?? cursor.column())
      }
      type = kind.text.toLowerCase() === 'function' ? 'function' : 'data'
    }
    names.push(type === undefined ? { name: token.text } : { name: token.text, type })
    if (!cursor.isPunct(',')) return names
    cursor.next()
  }
}

function parseDataItems(cursor: TokenCursor): DataItem[] {
  const items: DataItem[] = []
  if (cursor.atEnd()) throw new AsmSyntaxError('expected data values', cursor.column())
  for (;;) {
    const token = cursor.peek()
    const after = cursor.peek(1)
    // A string on its own is a byte sequence; inside an expression it is a character constant.
    if (token?.kind === 'string' && (after === undefined || (after.kind === 'punct' && after.text === ','))) {
      cursor.next()
      items.push({ kind: 'bytes', bytes: token.bytes })
    } else {
      items.push({ kind: 'expr', expr: cursor.parseExpression() })
    }
    if (!cursor.isPunct(',')) return items
    cursor.next()
  }
}

function parseOperand(cursor: TokenCursor): Operand {
  const column = cursor.column()
  let size = 0
  let branchHint: 'short' | 'near' | undefined
  for (;;) {
    const token = cursor.peek()
    if (token?.kind !== 'ident' || token.symbol === true) break
    const lower = token.text.toLowerCase()
    const keywordSize = SIZE_KEYWORDS.get(lower)
    if (keywordSize !== undefined) {
      size = keywordSize
      cursor.next()
      if (cursor.isIdent('ptr')) cursor.next()
      continue
    }
    if (lower === 'short' || lower === 'near') {
      branchHint = lower
      cursor.next()
      continue
    }
    if (lower === 'strict' || lower === 'offset' || lower === 'flat') {
      cursor.next()
      if (cursor.isPunct(':')) cursor.next()
      continue
    }
    break
  }
  // Segment override outside brackets: `fs:[0x28]` or gcc's `QWORD PTR fs:40`.
  let segment: RegisterInfo | undefined
  const maybeSegment = cursor.peek()
  if (maybeSegment?.kind === 'ident' && maybeSegment.symbol !== true && cursor.isPunct(':', 1)) {
    const register = registerByName(maybeSegment.text)
    if (register?.kind === 'segment') {
      segment = register
      cursor.next()
      cursor.next()
      if (!cursor.isPunct('[')) {
        // `fs:40` without brackets is a memory operand (gcc's spelling).
        return { kind: 'memory', size, segment, address: cursor.parseExpression(), column }
      }
    }
  }
  if (cursor.isPunct('[') || looksLikeGasMemory(cursor)) {
    let displacementPrefix: ExprNode | undefined
    if (!cursor.isPunct('[')) displacementPrefix = cursor.parseExpression()
    cursor.expectPunct('[')
    let relative: boolean | undefined
    if (cursor.isIdent('rel') || cursor.isIdent('abs')) {
      relative = (cursor.next() as { text: string }).text.toLowerCase() === 'rel'
    }
    const inner = cursor.peek()
    if (inner?.kind === 'ident' && inner.symbol !== true && cursor.isPunct(':', 1)) {
      const register = registerByName(inner.text)
      if (register?.kind === 'segment') {
        segment = register
        cursor.next()
        cursor.next()
      }
    }
    let address = cursor.parseExpression()
    cursor.expectPunct(']')
    if (displacementPrefix !== undefined) address = { kind: 'binary', op: '+', left: displacementPrefix, right: address, column }
    const memory: Operand = { kind: 'memory', size, address, column, ...(segment === undefined ? {} : { segment }), ...(relative === undefined ? {} : { relative }) }
    return memory
  }
  const token = cursor.peek()
  if (token?.kind === 'ident' && token.symbol !== true && !cursor.isPunct('+', 1) && !cursor.isPunct('-', 1)) {
    const register = registerByName(token.text)
    if (register !== undefined) {
      cursor.next()
      return { kind: 'register', register, column }
    }
  }
  const value = cursor.parseExpression()
  return branchHint === undefined ? { kind: 'immediate', size, value, column } : { kind: 'immediate', size, value, column, branchHint }
}

/** gcc's `-8[rbp]` / `.LC0[rip]` form: an expression directly followed by `[`. */
function looksLikeGasMemory(cursor: TokenCursor): boolean {
  for (let offset = 0; ; offset++) {
    const token = cursor.peek(offset)
    if (token === undefined) return false
    if (token.kind === 'punct' && token.text === '[') return offset > 0
    if (token.kind === 'punct' && token.text === ',') return false
  }
}
