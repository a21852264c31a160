// Payload expressions to a syntax tree, with Python's operator precedence (lowest first):
//   |   ^   &   << >>   + -   * // %   unary - + ~   **   calls and .methods()
// The whole expression is read before anything is evaluated, so a syntax error is reported as
// such even after a part that would fail to evaluate.

import { PayloadError } from './payload-error'
import { tokenize, type Token } from './payload-lexer'

export interface Keyword {
  name: string
  value: PayloadNode
  column: number
}

export interface ChainLink {
  operator: string
  operand: PayloadNode
  column: number
}

export type PayloadNode =
  | { kind: 'int'; value: bigint; column: number }
  | { kind: 'bytes'; value: Uint8Array; column: number }
  | { kind: 'name'; name: string; column: number }
  | { kind: 'list'; items: PayloadNode[]; column: number }
  | { kind: 'unary'; operator: string; operand: PayloadNode; column: number }
  | { kind: 'binary'; operator: string; left: PayloadNode; right: PayloadNode; column: number }
  /** A run of left-associative operators of one precedence, a + b - c, kept flat so that a long
   *  run costs no depth. */
  | { kind: 'chain'; first: PayloadNode; rest: ChainLink[]; column: number }
  | { kind: 'call'; name: string; args: PayloadNode[]; keywords: Keyword[]; column: number }
  | { kind: 'method'; target: PayloadNode; name: string; args: PayloadNode[]; keywords: Keyword[]; column: number }

/** Deeper nesting is refused: reading and evaluating recurse into it (a browser worker's stack is
 *  small), and no payload needs this many levels. */
export const MAX_PAYLOAD_DEPTH = 100

const BINARY_LEVELS: readonly (readonly string[])[] = [['|'], ['^'], ['&'], ['<<', '>>'], ['+', '-'], ['*', '//', '%', '/']]

function describe(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'end of expression'
    case 'int':
      return 'integer'
    case 'bytes':
      return 'string'
    case 'name':
      return `name '${token.text}'`
    case 'operator':
      return `'${token.text}'`
  }
}

class Parser {
  private position = 0
  private readonly depths = new WeakMap<PayloadNode, number>()
  /** How many brackets, calls and unary operators the reader is inside: it recurses into each. */
  private nesting = 0

  constructor(private readonly tokens: Token[]) {}

  parse(): PayloadNode {
    if (this.peek().kind === 'end') throw new PayloadError('expected an expression', this.peek().column)
    const node = this.expression()
    const rest = this.peek()
    if (rest.kind !== 'end') throw new PayloadError(`unexpected ${describe(rest)}`, rest.column)
    return node
  }

  private peek(): Token {
    return this.tokens[this.position]!
  }

  private next(): Token {
    const token = this.tokens[this.position]!
    if (token.kind !== 'end') this.position++
    return token
  }

  private isOperator(text: string): boolean {
    const token = this.peek()
    return token.kind === 'operator' && token.text === text
  }

  private expect(text: string): Token {
    const token = this.peek()
    if (token.kind !== 'operator' || token.text !== text) throw new PayloadError(`expected '${text}'`, token.column)
    return this.next()
  }

  /** Records the node's depth and refuses it past the limit, before anything recurses over it. */
  private made<T extends PayloadNode>(node: T, children: readonly PayloadNode[]): T {
    const depth = 1 + Math.max(0, ...children.map((child) => this.depths.get(child) ?? 1))
    if (depth > MAX_PAYLOAD_DEPTH) throw new PayloadError(`expression nested too deeply (more than ${MAX_PAYLOAD_DEPTH} levels)`, node.column)
    this.depths.set(node, depth)
    return node
  }

  private expression(): PayloadNode {
    return this.binary(0)
  }

  private nested<T>(column: number, read: () => T): T {
    if (++this.nesting > MAX_PAYLOAD_DEPTH) throw new PayloadError(`expression nested too deeply (more than ${MAX_PAYLOAD_DEPTH} levels)`, column)
    try {
      return read()
    } finally {
      this.nesting--
    }
  }

  private binary(level: number): PayloadNode {
    const operators = BINARY_LEVELS[level]
    if (operators === undefined) return this.unary()
    const first = this.binary(level + 1)
    const rest: ChainLink[] = []
    for (;;) {
      const token = this.peek()
      if (token.kind !== 'operator' || !operators.includes(token.text)) break
      this.next()
      if (token.text === '/') throw new PayloadError("'/' gives a float in Python; use '//' for integer division", token.column)
      rest.push({ operator: token.text, operand: this.binary(level + 1), column: token.column })
    }
    if (rest.length === 0) return first
    return this.made({ kind: 'chain', first, rest, column: first.column }, [first, ...rest.map((link) => link.operand)])
  }

  private unary(): PayloadNode {
    const token = this.peek()
    if (token.kind === 'operator' && (token.text === '-' || token.text === '+' || token.text === '~')) {
      this.next()
      const operand = this.nested(token.column, () => this.unary())
      return this.made({ kind: 'unary', operator: token.text, operand, column: token.column }, [operand])
    }
    return this.power()
  }

  private power(): PayloadNode {
    const base = this.postfix()
    if (!this.isOperator('**')) return base
    const token = this.next()
    // Right-associative, and binds tighter than a unary minus on its left: -2**2 is -4.
    const exponent = this.nested(token.column, () => this.unary())
    return this.made({ kind: 'binary', operator: '**', left: base, right: exponent, column: token.column }, [base, exponent])
  }

  private postfix(): PayloadNode {
    let node = this.atom()
    while (this.isOperator('.')) {
      this.next()
      const name = this.next()
      if (name.kind !== 'name') throw new PayloadError('expected a method name after \'.\'', name.column)
      if (!this.isOperator('(')) throw new PayloadError(`expected '(' after .${name.text}`, this.peek().column)
      const { args, keywords } = this.arguments()
      node = this.made({ kind: 'method', target: node, name: name.text, args, keywords, column: name.column }, [node, ...args, ...keywords.map((k) => k.value)])
    }
    return node
  }

  private arguments(): { args: PayloadNode[]; keywords: Keyword[] } {
    const open = this.expect('(')
    return this.nested(open.column, () => this.argumentList())
  }

  private argumentList(): { args: PayloadNode[]; keywords: Keyword[] } {
    const args: PayloadNode[] = []
    const keywords: Keyword[] = []
    while (!this.isOperator(')')) {
      const token = this.peek()
      const following = this.tokens[this.position + 1]
      if (token.kind === 'name' && following?.kind === 'operator' && following.text === '=') {
        this.position += 2
        keywords.push({ name: token.text, value: this.expression(), column: token.column })
      } else {
        if (keywords.length > 0) throw new PayloadError('positional argument follows keyword argument', token.column)
        args.push(this.expression())
      }
      if (!this.isOperator(',')) break
      this.next()
    }
    this.expect(')')
    return { args, keywords }
  }

  private listItems(): PayloadNode[] {
    const items: PayloadNode[] = []
    while (!this.isOperator(']')) {
      items.push(this.expression())
      if (!this.isOperator(',')) break
      this.next()
    }
    return items
  }

  private atom(): PayloadNode {
    const token = this.peek()
    switch (token.kind) {
      case 'int':
        this.next()
        return { kind: 'int', value: token.value, column: token.column }
      case 'bytes':
        this.next()
        return { kind: 'bytes', value: token.value, column: token.column }
      case 'name': {
        this.next()
        if (!this.isOperator('(')) return { kind: 'name', name: token.text, column: token.column }
        const { args, keywords } = this.arguments()
        return this.made({ kind: 'call', name: token.text, args, keywords, column: token.column }, [...args, ...keywords.map((k) => k.value)])
      }
      case 'operator':
        if (token.text === '(') {
          this.next()
          if (this.isOperator(')')) throw new PayloadError('empty parentheses: tuples are not supported', this.peek().column)
          const inner = this.nested(token.column, () => this.expression())
          this.expect(')')
          return this.made({ ...inner }, [inner])
        }
        if (token.text === '[') {
          this.next()
          const items = this.nested(token.column, () => this.listItems())
          this.expect(']')
          return this.made({ kind: 'list', items, column: token.column }, items)
        }
        throw new PayloadError(`expected an expression, not ${describe(token)}`, token.column)
      case 'end':
        throw new PayloadError('expected an expression', token.column)
    }
  }
}

export function parsePayload(source: string): PayloadNode {
  return new Parser(tokenize(source)).parse()
}
