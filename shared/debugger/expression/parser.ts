// gdb's C expression grammar: C's operators and precedence, plus gdb's `@` (an artificial
// array), `{TYPE} ADDR` (memory seen as a type) and `$` names. Type names are resolved while
// parsing, as in C, because `(t) - 1` is a cast or a subtraction depending on what `t` is.

import { ExpressionError, type EvalEnvironment } from './environment'
import { tokenize, type Token } from './lexer'
import { arrayOf, baseTypeFromWords, BUILTIN, pointerTo, type ExprType } from './types'
import type { DwarfType } from '../../debuginfo'

export type Expr =
  | { readonly kind: 'integer'; readonly value: bigint; readonly type: ExprType }
  | { readonly kind: 'float'; readonly value: number; readonly type: ExprType }
  | { readonly kind: 'string'; readonly bytes: Uint8Array }
  | { readonly kind: 'identifier'; readonly name: string }
  | { readonly kind: 'dollar'; readonly name: string }
  | { readonly kind: 'unary'; readonly op: '-' | '+' | '!' | '~' | '*' | '&'; readonly operand: Expr }
  | { readonly kind: 'increment'; readonly op: '++' | '--'; readonly prefix: boolean; readonly operand: Expr }
  | { readonly kind: 'binary'; readonly op: string; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'logical'; readonly op: '&&' | '||'; readonly left: Expr; readonly right: Expr }
  /** `op` is '=' or the arithmetic operator of a compound assignment ('+' for `+=`). */
  | { readonly kind: 'assign'; readonly op: string; readonly target: Expr; readonly value: Expr }
  | { readonly kind: 'conditional'; readonly condition: Expr; readonly then: Expr; readonly otherwise: Expr }
  | { readonly kind: 'comma'; readonly left: Expr; readonly right: Expr }
  | { readonly kind: 'cast'; readonly type: ExprType; readonly operand: Expr }
  | { readonly kind: 'sizeof-type'; readonly type: ExprType }
  | { readonly kind: 'sizeof'; readonly operand: Expr }
  | { readonly kind: 'member'; readonly object: Expr; readonly name: string; readonly arrow: boolean }
  | { readonly kind: 'index'; readonly array: Expr; readonly index: Expr }
  | { readonly kind: 'call'; readonly callee: Expr }
  | { readonly kind: 'repeat'; readonly first: Expr; readonly count: Expr }
  | { readonly kind: 'memory'; readonly type: ExprType; readonly address: Expr }

/** The operand of `whatis`/`ptype`/`sizeof`: a type name or an expression. */
export type TypeOrExpr = { readonly kind: 'type'; readonly type: ExprType } | { readonly kind: 'expression'; readonly expr: Expr }

const BINARY_LEVELS: readonly (readonly string[])[] = [
  ['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['@'], ['+', '-'], ['*', '/', '%'],
]
const ASSIGNMENTS = ['=', '+=', '-=', '*=', '/=', '%=', '<<=', '>>=', '&=', '|=', '^=']
const BASE_KEYWORDS = new Set(['int', 'char', 'short', 'long', 'unsigned', 'signed', 'float', 'double', 'void', '_Bool'])
const QUALIFIERS = new Set(['const', 'volatile'])
const TAGS = new Set(['struct', 'union', 'enum'])

export function parseExpression(text: string, env: EvalEnvironment): Expr {
  const parser = new Parser(text, env)
  const expr = parser.expression()
  parser.expectEnd()
  return expr
}

/** For whatis/ptype: the whole text as a type name when it is one, else as an expression. */
export function parseTypeOrExpression(text: string, env: EvalEnvironment): TypeOrExpr {
  const parser = new Parser(text, env)
  if (parser.startsTypeName()) {
    const type = parser.typeName()
    parser.expectEnd()
    return { kind: 'type', type }
  }
  const expr = parser.expression()
  parser.expectEnd()
  return { kind: 'expression', expr }
}

class Parser {
  private readonly tokens: Token[]
  private pos = 0
  private depth = 0

  constructor(
    private readonly text: string,
    private readonly env: EvalEnvironment,
  ) {
    this.tokens = tokenize(text)
  }

  private get token(): Token {
    return this.tokens[this.pos] as Token
  }

  private peek(offset = 1): Token {
    return this.tokens[Math.min(this.pos + offset, this.tokens.length - 1)] as Token
  }

  private isPunct(text: string, token = this.token): boolean {
    return token.kind === 'punct' && token.text === text
  }

  private isWord(name: string, token = this.token): boolean {
    return token.kind === 'identifier' && token.name === name
  }

  private take(text: string): boolean {
    if (!this.isPunct(text)) return false
    this.pos++
    return true
  }

  private expect(text: string): void {
    if (!this.take(text)) throw this.syntaxError()
  }

  private syntaxError(): ExpressionError {
    return new ExpressionError(`A syntax error in expression, near \`${this.text.slice(this.token.start)}'.`)
  }

  expectEnd(): void {
    if (this.token.kind === 'end') return
    // gdb's lexer ends the expression at a ')' it has no '(' for: the rest is junk, not a syntax error.
    if (this.isPunct(')') && this.depth === 0) throw new ExpressionError('Junk after end of expression.')
    throw this.syntaxError()
  }

  expression(): Expr {
    let left = this.assignment()
    while (this.take(',')) left = { kind: 'comma', left, right: this.assignment() }
    return left
  }

  private assignment(): Expr {
    const target = this.conditional()
    const t = this.token
    if (t.kind === 'punct' && ASSIGNMENTS.includes(t.text)) {
      this.pos++
      return { kind: 'assign', op: t.text === '=' ? '=' : t.text.slice(0, -1), target, value: this.assignment() }
    }
    return target
  }

  private conditional(): Expr {
    const condition = this.binary(0)
    if (!this.take('?')) return condition
    const then = this.expression()
    this.expect(':')
    return { kind: 'conditional', condition, then, otherwise: this.conditional() }
  }

  private binary(level: number): Expr {
    if (level === BINARY_LEVELS.length) return this.unary()
    const ops = BINARY_LEVELS[level] as readonly string[]
    let left = this.binary(level + 1)
    for (;;) {
      const t = this.token
      if (t.kind !== 'punct' || !ops.includes(t.text)) return left
      this.pos++
      const right = this.binary(level + 1)
      if (t.text === '&&' || t.text === '||') left = { kind: 'logical', op: t.text, left, right }
      else if (t.text === '@') left = { kind: 'repeat', first: left, count: right }
      else left = { kind: 'binary', op: t.text, left, right }
    }
  }

  private unary(): Expr {
    const t = this.token
    if (t.kind === 'punct') {
      if (['-', '+', '!', '~', '*', '&'].includes(t.text)) {
        this.pos++
        return { kind: 'unary', op: t.text as '-', operand: this.unary() }
      }
      if (t.text === '++' || t.text === '--') {
        this.pos++
        return { kind: 'increment', op: t.text, prefix: true, operand: this.unary() }
      }
      if (t.text === '(' && this.startsTypeName(this.peek())) {
        this.pos++
        const type = this.typeName()
        this.expect(')')
        return { kind: 'cast', type, operand: this.unary() }
      }
      if (t.text === '{') {
        this.pos++
        const type = this.typeName()
        this.expect('}')
        return { kind: 'memory', type, address: this.unary() }
      }
    }
    if (this.isWord('sizeof')) {
      this.pos++
      if (this.isPunct('(') && this.startsTypeName(this.peek())) {
        this.pos++
        const type = this.typeName()
        this.expect(')')
        return { kind: 'sizeof-type', type }
      }
      return { kind: 'sizeof', operand: this.unary() }
    }
    return this.postfix(this.primary())
  }

  private postfix(start: Expr): Expr {
    let e = start
    for (;;) {
      if (this.take('[')) {
        this.depth++
        const index = this.expression()
        this.depth--
        this.expect(']')
        e = { kind: 'index', array: e, index }
      } else if (this.isPunct('.') || this.isPunct('->')) {
        const arrow = this.isPunct('->')
        this.pos++
        const name = this.token
        if (name.kind !== 'identifier') throw this.syntaxError()
        this.pos++
        e = { kind: 'member', object: e, name: name.name, arrow }
      } else if (this.isPunct('++') || this.isPunct('--')) {
        e = { kind: 'increment', op: (this.token as { text: '++' }).text, prefix: false, operand: e }
        this.pos++
      } else if (this.take('(')) {
        this.depth++
        if (!this.isPunct(')')) this.expression()
        this.depth--
        this.expect(')')
        e = { kind: 'call', callee: e }
      } else return e
    }
  }

  private primary(): Expr {
    const t = this.token
    switch (t.kind) {
      case 'integer':
        this.pos++
        return { kind: 'integer', value: t.value, type: literalType(t) }
      case 'float':
        this.pos++
        return { kind: 'float', value: t.value, type: t.suffix === 'f' ? BUILTIN.float : t.suffix === 'l' ? BUILTIN.longDouble : BUILTIN.double }
      case 'char':
        this.pos++
        return { kind: 'integer', value: BigInt.asIntN(8, BigInt(t.value)), type: BUILTIN.char }
      case 'string': {
        let bytes = t.value
        this.pos++
        // Adjacent literals concatenate, as in C.
        while (this.token.kind === 'string') {
          bytes = Uint8Array.from([...bytes, ...this.token.value])
          this.pos++
        }
        return { kind: 'string', bytes }
      }
      case 'identifier':
        if (this.startsTypeName()) throw new ExpressionError('Attempt to use a type name as an expression')
        // gdb resolves names while parsing, so an unknown one is reported before any syntax error after it.
        if (!this.isKnownName(t.name)) throw new ExpressionError(`No symbol "${t.name}" in current context.`)
        this.pos++
        return { kind: 'identifier', name: t.name }
      case 'dollar':
        this.pos++
        return { kind: 'dollar', name: t.name }
      case 'punct':
        if (t.text === '(') {
          this.pos++
          this.depth++
          const inner = this.expression()
          this.depth--
          this.expect(')')
          return inner
        }
        throw this.syntaxError()
      case 'end':
        throw this.syntaxError()
    }
  }

  private isKnownName(name: string): boolean {
    const env = this.env
    return (
      env.lookupVariable(name) !== undefined || env.lookupEnumerator(name) !== undefined ||
      env.lookupFunction(name) !== undefined || env.lookupSymbol(name) !== undefined
    )
  }

  /** Whether `token` begins a type name: a type keyword, a struct/union/enum tag or a typedef name. */
  startsTypeName(token = this.token): boolean {
    if (token.kind !== 'identifier') return false
    const name = token.name
    if (BASE_KEYWORDS.has(name) || QUALIFIERS.has(name) || TAGS.has(name)) return true
    return this.env.lookupVariable(name) === undefined && this.env.lookupType(name, 'typedef') !== undefined
  }

  /** A type name as in a cast: specifiers, then an abstract declarator (`*`, `[N]`, `(*)(int)`). */
  typeName(): ExprType {
    const base = this.specifiers()
    return this.abstractDeclarator()(base)
  }

  private specifiers(): ExprType {
    const words: string[] = []
    let named: ExprType | undefined
    let isConst = false
    let isVolatile = false
    for (;;) {
      const t = this.token
      if (t.kind !== 'identifier') break
      if (t.name === 'const' || t.name === 'volatile') {
        if (t.name === 'const') isConst = true
        else isVolatile = true
        this.pos++
      } else if (BASE_KEYWORDS.has(t.name) && named === undefined) {
        words.push(t.name)
        this.pos++
      } else if (TAGS.has(t.name) && named === undefined && words.length === 0) {
        const tag = this.peek()
        if (tag.kind !== 'identifier') throw this.syntaxError()
        this.pos += 2
        const kind = t.name as 'struct' | 'union' | 'enum'
        named = this.env.lookupType(tag.name, kind)
        if (!named) throw new ExpressionError(`No ${kind} type named ${tag.name}.`)
      } else if (named === undefined && words.length === 0 && this.env.lookupVariable(t.name) === undefined) {
        named = this.env.lookupType(t.name, 'typedef')
        if (!named) break
        this.pos++
      } else break
    }
    const type = named ?? baseTypeFromWords(words)
    if (!type) throw this.syntaxError()
    return isConst || isVolatile ? ({ kind: 'qualified', isConst, isVolatile, type: type as DwarfType } as DwarfType) : type
  }

  /** The declarator as a function from the specifiers' type to the declared type. */
  private abstractDeclarator(): (t: ExprType) => ExprType {
    const pointers: { isConst: boolean; isVolatile: boolean }[] = []
    while (this.take('*')) {
      const qualifiers = { isConst: false, isVolatile: false }
      for (; this.isWord('const') || this.isWord('volatile'); this.pos++) {
        if (this.isWord('const')) qualifiers.isConst = true
        else qualifiers.isVolatile = true
      }
      pointers.push(qualifiers)
    }
    let inner: ((t: ExprType) => ExprType) | undefined
    if (this.isPunct('(') && (this.isPunct('*', this.peek()) || this.isPunct('(', this.peek()) || this.isPunct('[', this.peek()))) {
      this.pos++
      inner = this.abstractDeclarator()
      this.expect(')')
    }
    const suffixes: ((t: ExprType) => ExprType)[] = []
    for (;;) {
      if (this.take('[')) {
        const size = this.token
        if (size.kind !== 'integer') throw this.syntaxError()
        this.pos++
        this.expect(']')
        suffixes.push((t) => arrayOf(t, Number(size.value)))
      } else if (this.isPunct('(')) {
        this.pos++
        const params = this.parameterList()
        suffixes.push((t) => ({ kind: 'function', returns: t as DwarfType, ...params }))
      } else break
    }
    return (t) => {
      let r = t
      for (const q of pointers) {
        r = pointerTo(r)
        if (q.isConst || q.isVolatile) r = { kind: 'qualified', ...q, type: r as DwarfType }
      }
      // `int [2][3]`: the suffix nearest the name is the outermost type.
      for (let i = suffixes.length - 1; i >= 0; i--) r = (suffixes[i] as (t: ExprType) => ExprType)(r)
      return inner ? inner(r) : r
    }
  }

  private parameterList(): { params: DwarfType[]; variadic: boolean; prototyped: boolean } {
    const params: DwarfType[] = []
    let variadic = false
    if (this.take(')')) return { params, variadic, prototyped: false }
    for (;;) {
      if (this.isPunct('.') && this.isPunct('.', this.peek()) && this.isPunct('.', this.peek(2))) {
        this.pos += 3
        variadic = true
      } else params.push(this.typeName() as DwarfType)
      if (this.take(')')) break
      this.expect(',')
    }
    const onlyVoid = params.length === 1 && params[0]?.kind === 'void'
    return { params: onlyVoid ? [] : params, variadic, prototyped: true }
  }
}

function literalType(t: Extract<Token, { kind: 'integer' }>): ExprType {
  const fitsSigned = (bits: number): boolean => t.value < 1n << BigInt(bits - 1)
  const fitsUnsigned = (bits: number): boolean => t.value < 1n << BigInt(bits)
  // C's rules, as gdb applies them: decimal constants never become unsigned int.
  if (!t.long) {
    if (!t.unsigned && fitsSigned(32)) return BUILTIN.int
    if ((t.unsigned || !t.decimal) && fitsUnsigned(32)) return BUILTIN.unsignedInt
  }
  if (!t.unsigned && fitsSigned(64)) return BUILTIN.long
  return BUILTIN.unsignedLong
}
