// A small, safe pwntools-like language for building stdin payloads, as a learner writes them in
// an exploit script: b"A"*72 + p64(0x401196). It has bytes and string literals, integers, lists,
// Python's operators on them, and p8..p64, u8..u64, flat, cyclic and len, with .ljust/.rjust.
// Strings are their UTF-8 bytes (pwntools encodes them so wherever it takes bytes).
//
// Nothing here can run away: every bytes or list result is sized before it is built (at most
// 16 MiB, 2**20 items), integers stay under 4096 bits, and the tree's depth is bounded; anything
// else is a PayloadError naming the column.

import { cyclic } from './cyclic'
import { PwnError } from './error'
import { MAX_PATTERN_BYTES } from './limits'
import { PayloadError } from './payload-error'
import { parsePayload, type Keyword, type PayloadNode } from './payload-parser'
import { packEitherSign, packUnsigned, unpackUnsigned, type PackWidth } from './packing'
import { floorDivide, floorModulo } from './python-format'

export { PayloadError }

type Value = bigint | Uint8Array | Value[]

export const MAX_PAYLOAD_LIST_ITEMS = 1 << 20
export const MAX_PAYLOAD_INTEGER_BITS = 4096

const PACK_WIDTHS: Record<string, PackWidth> = { p8: 8, p16: 16, p32: 32, p64: 64 }
const UNPACK_WIDTHS: Record<string, PackWidth> = { u8: 8, u16: 16, u32: 32, u64: 64 }
const FUNCTIONS = new Set([...Object.keys(PACK_WIDTHS), ...Object.keys(UNPACK_WIDTHS), 'flat', 'cyclic', 'len'])

function typeName(value: Value): string {
  return typeof value === 'bigint' ? 'int' : value instanceof Uint8Array ? 'bytes' : 'list'
}

function bitLength(value: bigint): number {
  return value === 0n ? 0 : (value < 0n ? -value : value).toString(2).length
}

function checkedInteger(value: bigint, column: number): bigint {
  if (bitLength(value) > MAX_PAYLOAD_INTEGER_BITS) {
    throw new PayloadError(`integer too large (more than ${MAX_PAYLOAD_INTEGER_BITS} bits)`, column)
  }
  return value
}

function checkByteLength(length: bigint | number, column: number): number {
  if (BigInt(length) > BigInt(MAX_PATTERN_BYTES)) {
    throw new PayloadError(`the result would be ${length} bytes, more than the ${MAX_PATTERN_BYTES} (16 MiB) a payload may have`, column)
  }
  return Number(length)
}

function checkListLength(length: bigint | number, column: number): number {
  if (BigInt(length) > BigInt(MAX_PAYLOAD_LIST_ITEMS)) {
    throw new PayloadError(`the list would have ${length} items, more than the ${MAX_PAYLOAD_LIST_ITEMS} a payload may have`, column)
  }
  return Number(length)
}

function concatBytes(parts: readonly Uint8Array[], column: number): Uint8Array {
  const total = parts.reduce((sum, part) => sum + part.length, 0)
  const out = new Uint8Array(checkByteLength(total, column))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.length
  }
  return out
}

function repeatBytes(bytes: Uint8Array, count: bigint, column: number): Uint8Array {
  const times = count < 0n ? 0n : count
  const out = new Uint8Array(checkByteLength(BigInt(bytes.length) * times, column))
  if (out.length === 0) return out
  out.set(bytes)
  // Doubling copies keep a long repetition to a few native copies.
  for (let filled = bytes.length; filled < out.length; filled *= 2) out.copyWithin(filled, 0, Math.min(filled, out.length - filled))
  return out
}

function repeatList(items: Value[], count: bigint, column: number): Value[] {
  const times = count < 0n ? 0n : count
  const length = checkListLength(BigInt(items.length) * times, column)
  const out: Value[] = new Array<Value>(length)
  for (let i = 0; i < length; i++) out[i] = items[i % items.length]!
  return out
}

function unsupported(operator: string, left: Value, right: Value, column: number): never {
  throw new PayloadError(`unsupported operand type(s) for ${operator}: '${typeName(left)}' and '${typeName(right)}'`, column)
}

function integerOperation(operator: string, a: bigint, b: bigint, column: number): bigint {
  switch (operator) {
    case '+':
      return checkedInteger(a + b, column)
    case '-':
      return checkedInteger(a - b, column)
    case '*':
      return checkedInteger(a * b, column)
    case '//':
    case '%':
      if (b === 0n) throw new PayloadError('integer division or modulo by zero', column)
      return operator === '//' ? floorDivide(a, b) : floorModulo(a, b)
    case '**':
      if (b < 0n) throw new PayloadError('a negative exponent gives a float; floats are not supported', column)
      // Sized before computing: 10**10**10 must be refused, not attempted.
      if (bitLength(a) > 1 && BigInt(bitLength(a) - 1) * b > BigInt(MAX_PAYLOAD_INTEGER_BITS)) {
        throw new PayloadError(`integer too large (more than ${MAX_PAYLOAD_INTEGER_BITS} bits)`, column)
      }
      return checkedInteger(a ** b, column)
    case '<<':
    case '>>':
      if (b < 0n) throw new PayloadError('negative shift count', column)
      if (operator === '>>') return a >> b
      if (a !== 0n && BigInt(bitLength(a)) + b > BigInt(MAX_PAYLOAD_INTEGER_BITS)) {
        throw new PayloadError(`integer too large (more than ${MAX_PAYLOAD_INTEGER_BITS} bits)`, column)
      }
      return a << b
    case '&':
      return a & b
    case '|':
      return a | b
    case '^':
      return a ^ b
  }
  throw new PayloadError(`unknown operator ${operator}`, column)
}

function binary(operator: string, left: Value, right: Value, column: number): Value {
  if (typeof left === 'bigint' && typeof right === 'bigint') return integerOperation(operator, left, right, column)
  if (operator === '+') {
    if (left instanceof Uint8Array && right instanceof Uint8Array) return concatBytes([left, right], column)
    if (Array.isArray(left) && Array.isArray(right)) {
      checkListLength(left.length + right.length, column)
      return [...left, ...right]
    }
    if (left instanceof Uint8Array) throw new PayloadError(`can't concat ${typeName(right)} to bytes`, column)
    if (Array.isArray(left)) throw new PayloadError(`can only concatenate list (not "${typeName(right)}") to list`, column)
  }
  if (operator === '*') {
    const [sequence, count] = typeof left === 'bigint' ? [right, left] : [left, right]
    if (typeof count === 'bigint') {
      if (sequence instanceof Uint8Array) return repeatBytes(sequence, count, column)
      if (Array.isArray(sequence)) return repeatList(sequence, count, column)
    }
    throw new PayloadError(`can't multiply sequence by non-int of type '${typeName(right)}'`, column)
  }
  return unsupported(operator, left, right, column)
}

function unary(operator: string, operand: Value, column: number): Value {
  if (typeof operand !== 'bigint') throw new PayloadError(`bad operand type for unary ${operator}: '${typeName(operand)}'`, column)
  return operator === '-' ? -operand : operator === '~' ? ~operand : operand
}

function flatten(values: readonly Value[], column: number): Uint8Array {
  const parts: Uint8Array[] = []
  let total = 0
  const visit = (value: Value): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item)
      return
    }
    const bytes = value instanceof Uint8Array ? value : packEitherSign(value, 64)
    total += bytes.length
    checkByteLength(total, column)
    parts.push(bytes)
  }
  for (const value of values) visit(value)
  return concatBytes(parts, column)
}

class Evaluator {
  evaluate(node: PayloadNode): Value {
    switch (node.kind) {
      case 'int':
        return checkedInteger(node.value, node.column)
      case 'bytes':
        return node.value
      case 'list':
        return node.items.map((item) => this.evaluate(item))
      case 'name':
        throw new PayloadError(
          FUNCTIONS.has(node.name) ? `${node.name} is a function: call it, as ${node.name}(...)` : `name '${node.name}' is not defined`,
          node.column,
        )
      case 'unary':
        return unary(node.operator, this.evaluate(node.operand), node.column)
      case 'binary':
        return binary(node.operator, this.evaluate(node.left), this.evaluate(node.right), node.column)
      case 'chain':
        return node.rest.reduce((left, link) => binary(link.operator, left, this.evaluate(link.operand), link.column), this.evaluate(node.first))
      case 'call':
        return this.call(node.name, node.args, node.keywords, node.column)
      case 'method':
        return this.method(this.evaluate(node.target), node.name, node.args, node.keywords, node.column)
    }
  }

  private integerArgument(node: PayloadNode, what: string): bigint {
    const value = this.evaluate(node)
    if (typeof value !== 'bigint') throw new PayloadError(`${what} must be an int, not '${typeName(value)}'`, node.column)
    return value
  }

  private bytesArgument(node: PayloadNode, what: string): Uint8Array {
    const value = this.evaluate(node)
    if (!(value instanceof Uint8Array)) throw new PayloadError(`${what} must be bytes, not '${typeName(value)}'`, node.column)
    return value
  }

  private call(name: string, args: PayloadNode[], keywords: Keyword[], column: number): Value {
    const packWidth = PACK_WIDTHS[name]
    const unpackWidth = UNPACK_WIDTHS[name]
    if (!FUNCTIONS.has(name)) throw new PayloadError(`name '${name}' is not defined`, column)
    if (name !== 'cyclic' && keywords.length > 0) {
      throw new PayloadError(`${name}() got an unexpected keyword argument '${keywords[0]!.name}'`, keywords[0]!.column)
    }
    const exactly = (count: number) => {
      if (args.length !== count) throw new PayloadError(`${name}() takes exactly ${count} argument${count === 1 ? '' : 's'} (${args.length} given)`, column)
    }
    const pwnCall = <T>(work: () => T): T => {
      try {
        return work()
      } catch (error) {
        if (error instanceof PwnError && !(error instanceof PayloadError)) throw new PayloadError(error.message, column)
        throw error
      }
    }
    if (packWidth !== undefined) {
      exactly(1)
      const value = this.integerArgument(args[0]!, `${name}() argument`)
      return pwnCall(() => packUnsigned(value, packWidth))
    }
    if (unpackWidth !== undefined) {
      exactly(1)
      const bytes = this.bytesArgument(args[0]!, `${name}() argument`)
      return pwnCall(() => unpackUnsigned(bytes, unpackWidth))
    }
    if (name === 'len') {
      exactly(1)
      const value = this.evaluate(args[0]!)
      if (typeof value === 'bigint') throw new PayloadError("object of type 'int' has no len()", args[0]!.column)
      return BigInt(value.length)
    }
    if (name === 'flat') {
      const values = args.map((arg) => this.evaluate(arg))
      return pwnCall(() => flatten(values, column))
    }
    return this.cyclic(args, keywords, column, pwnCall)
  }

  private cyclic(args: PayloadNode[], keywords: Keyword[], column: number, pwnCall: <T>(work: () => T) => T): Uint8Array {
    const unknown = keywords.find((keyword) => keyword.name !== 'n')
    if (unknown !== undefined) throw new PayloadError(`cyclic() got an unexpected keyword argument '${unknown.name}'`, unknown.column)
    // pwntools' second positional parameter is the alphabet, which is fixed here.
    if (args.length !== 1) throw new PayloadError(`cyclic() takes the length and optionally n=... (${args.length} positional arguments given)`, column)
    const length = this.integerArgument(args[0]!, 'cyclic() length')
    const orderNode = keywords[0]?.value
    const order = orderNode === undefined ? 4n : this.integerArgument(orderNode, 'cyclic() n')
    checkByteLength(length < 0n ? 0n : length, column)
    return pwnCall(() => cyclic(Number(length), Number(order)))
  }

  private method(target: Value, name: string, args: PayloadNode[], keywords: Keyword[], column: number): Value {
    if (!(target instanceof Uint8Array) || (name !== 'ljust' && name !== 'rjust')) {
      throw new PayloadError(`'${typeName(target)}' object has no attribute '${name}'`, column)
    }
    if (keywords.length > 0) throw new PayloadError(`${name}() takes no keyword arguments`, keywords[0]!.column)
    if (args.length < 1 || args.length > 2) throw new PayloadError(`${name}() takes 1 or 2 arguments (${args.length} given)`, column)
    const width = this.integerArgument(args[0]!, `${name}() width`)
    const fill = args[1] === undefined ? Uint8Array.of(0x20) : this.bytesArgument(args[1], `${name}() argument 2`)
    if (fill.length !== 1) throw new PayloadError(`${name}() argument 2 must be a byte string of length 1, not of length ${fill.length}`, args[1]!.column)
    if (width <= BigInt(target.length)) return target
    const out = new Uint8Array(checkByteLength(width, column)).fill(fill[0]!)
    out.set(target, name === 'ljust' ? 0 : out.length - target.length)
    return out
  }
}

/** Parses and evaluates a payload expression to the bytes it denotes; throws only PayloadError. */
export function evaluatePayload(source: string): Uint8Array {
  try {
    const tree = parsePayload(source)
    const value = new Evaluator().evaluate(tree)
    if (value instanceof Uint8Array) return value
    throw new PayloadError(
      typeof value === 'bigint'
        ? 'the expression is an int, not bytes: pack it with p64(...) or p32(...)'
        : 'the expression is a list, not bytes: join it with flat(...)',
      tree.column,
    )
  } catch (error) {
    if (error instanceof PayloadError) throw error
    // A fault in this code must still reach the learner as a payload error, never as a crash.
    throw new PayloadError(`cannot evaluate (${error instanceof Error ? error.message : String(error)})`, 1)
  }
}
