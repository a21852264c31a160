/**
 * One line of assembly to bytes, for the debugger (patching, shellcode). Branch targets and
 * memory addresses are absolute numbers: `jmp 0x401000` at `address` encodes the right
 * displacement, `[rel 0x404000]` / `[rip + 0x404000]` becomes RIP-relative.
 */
import { Register } from 'iced-x86'
import { AsmSyntaxError, parseLine, type ExprNode, type Operand } from './parse'
import { EncodeError, encodeInstruction, type ResolvedOperand, type Value } from './encode'

export class AssembleLineError extends Error {
  constructor(
    message: string,
    readonly column: number,
  ) {
    super(`${column}: ${message}`)
  }
}

export function assembleLine(text: string, address: bigint): Uint8Array {
  let parsed
  try {
    parsed = parseLine(text)
  } catch (error) {
    if (error instanceof AsmSyntaxError) throw new AssembleLineError(error.message, error.column)
    throw error
  }
  const statement = parsed.statement
  if (parsed.label !== undefined) throw new AssembleLineError('labels are not allowed in a single line', parsed.label.column)
  if (statement === undefined) return new Uint8Array(0)
  if (statement.kind === 'data' && statement.unit === 1) {
    const bytes: number[] = []
    for (const item of statement.items) {
      if (item.kind === 'bytes') bytes.push(...item.bytes)
      else bytes.push(Number(evaluate(item.expr, address) & 0xffn))
    }
    return Uint8Array.from(bytes)
  }
  if (statement.kind !== 'instruction') throw new AssembleLineError('only an instruction (or db) is allowed here', statement.column)
  try {
    const operands = statement.operands.map((operand) => resolve(operand, address))
    return encodeInstruction({
      mnemonic: statement.mnemonic,
      prefixes: statement.prefixes,
      operands,
      ip: address,
      section: '.text',
      forceLongBranch: false,
      absoluteTargets: true,
    }).bytes
  } catch (error) {
    if (error instanceof EncodeError) throw new AssembleLineError(error.message, error.column ?? statement.column)
    throw error
  }
}

function plain(value: bigint): Value {
  return { addend: value, unknown: false }
}

function resolve(operand: Operand, address: bigint): ResolvedOperand {
  switch (operand.kind) {
    case 'register':
      return { kind: 'register', info: operand.register, column: operand.column }
    case 'immediate':
      return {
        kind: 'immediate',
        size: operand.size,
        value: plain(evaluate(operand.value, address)),
        column: operand.column,
        ...(operand.branchHint === undefined ? {} : { branchHint: operand.branchHint }),
      }
    case 'memory': {
      const registers: { register: Register; scale: bigint }[] = []
      const displacement = linear(operand.address, address, registers, 1n)
      let base = Register.None
      let index = Register.None
      let scale = 1
      for (const entry of registers) {
        if (entry.scale === 1n && base === Register.None && entry.register !== Register.None) base = entry.register
        else if (index === Register.None && [1n, 2n, 4n, 8n].includes(entry.scale)) {
          index = entry.register
          scale = Number(entry.scale)
        } else throw new EncodeError('invalid memory operand', operand.column)
      }
      if (index === Register.RSP && scale === 1) [base, index] = [index, base]
      const ripTarget = operand.relative === true && base === Register.None && index === Register.None
      if (ripTarget) base = Register.RIP
      // RIP-relative operands take the absolute target; iced computes the displacement.
      return {
        kind: 'memory',
        size: operand.size,
        segment: operand.segment?.register ?? Register.None,
        base,
        index,
        scale,
        displacement: plain(displacement),
        ripTarget,
        column: operand.column,
      }
    }
  }
}

function linear(expr: ExprNode, address: bigint, registers: { register: Register; scale: bigint }[], sign: bigint): bigint {
  if (expr.kind === 'register') {
    registers.push({ register: expr.register.register, scale: sign })
    return 0n
  }
  if (expr.kind === 'binary' && (expr.op === '+' || expr.op === '-')) {
    const left = linear(expr.left, address, registers, sign)
    return left + linear(expr.right, address, registers, expr.op === '-' ? -sign : sign)
  }
  if (expr.kind === 'binary' && expr.op === '*') {
    const side = expr.left.kind === 'register' ? expr.left : expr.right.kind === 'register' ? expr.right : undefined
    if (side !== undefined) {
      const factor = evaluate(side === expr.left ? expr.right : expr.left, address)
      registers.push({ register: side.register.register, scale: factor * sign })
      return 0n
    }
  }
  return sign * evaluate(expr, address)
}

function evaluate(expr: ExprNode, address: bigint): bigint {
  switch (expr.kind) {
    case 'number':
      return expr.value
    case 'here':
    case 'sectionStart':
      return address
    case 'symbol':
      throw new EncodeError(`unknown symbol '${expr.name}' (use numeric addresses here)`, expr.column)
    case 'register':
      throw new EncodeError('registers are only allowed inside [ ]', expr.column)
    case 'unary': {
      const value = evaluate(expr.operand, address)
      return expr.op === '-' ? -value : expr.op === '~' ? ~value : value
    }
    case 'binary': {
      const a = evaluate(expr.left, address)
      const b = evaluate(expr.right, address)
      switch (expr.op) {
        case '+':
          return a + b
        case '-':
          return a - b
        case '*':
          return a * b
        case '/':
        case '%':
          if (b === 0n) throw new EncodeError('division by zero', expr.column)
          return expr.op === '/' ? a / b : a % b
        case '<<':
          return b < 0n || b > 64n ? 0n : a << b
        case '>>':
          return b < 0n || b > 64n ? 0n : a >> b
        case '&':
          return a & b
        case '|':
          return a | b
        case '^':
          return a ^ b
      }
      throw new EncodeError(`unknown operator '${expr.op}'`, expr.column)
    }
  }
}
