// Evaluation with gdb's C semantics: lvalues, promotions and the usual arithmetic conversions,
// pointer arithmetic, dereference, member access, assignment, and gdb's own `@`, `{T} addr`,
// registers, convenience variables and value history.

import type { DwarfMember, DwarfType } from '../../debuginfo'
import { ExpressionError, type ExpressionContext } from './environment'
import type { Expr } from './parser'
import { typeName } from './format-type'
import { registerType } from './registers'
import { arrayOf, BUILTIN, isFloat, isInteger, isScalar, isSigned, pointerTo, resolve, sameType, sizeOf, type ExprType } from './types'
import { bytesToUnsigned, integerBytes, Value } from './values'

/** Whether side effects happen: `sizeof`, `whatis` and `ptype` only want the type (gdb's EVAL_AVOID_SIDE_EFFECTS). */
export type EvaluationMode = 'normal' | 'types-only'

/** Marks symbols without debug info; their names are what gdb prints as their type. */
const TEXT_NO_DEBUG: DwarfType = {
  kind: 'typedef',
  name: '<text variable, no debug info>',
  type: { kind: 'function', returns: BUILTIN.int, params: [], variadic: false, prototyped: true },
}
const DATA_NO_DEBUG: DwarfType = { kind: 'typedef', name: '<data variable, no debug info>', type: BUILTIN.int }

export function evaluate(expr: Expr, context: ExpressionContext, mode: EvaluationMode = 'normal'): Value {
  return new Evaluator(context, mode).value(expr)
}

class Evaluator {
  constructor(
    private readonly context: ExpressionContext,
    private readonly mode: EvaluationMode,
  ) {}

  private get env() {
    return this.context.env
  }

  value(e: Expr): Value {
    const v = this.evaluate(e)
    if (v.type === DATA_NO_DEBUG) throw untypedSymbol(e)
    return v
  }

  private evaluate(e: Expr): Value {
    switch (e.kind) {
      case 'integer':
        return Value.fromInteger(e.type, e.value)
      case 'float':
        return Value.fromFloat(e.type, e.value)
      case 'string':
        return Value.fromBytes(arrayOf(BUILTIN.char, e.bytes.length + 1), Uint8Array.from([...e.bytes, 0]))
      case 'identifier':
        return this.identifier(e.name)
      case 'dollar':
        return this.dollar(e.name)
      case 'unary':
        return this.unary(e.op, e.operand)
      case 'increment':
        return this.increment(e)
      case 'binary':
        return this.binary(e.op, this.value(e.left), this.value(e.right))
      case 'logical': {
        const left = truth(this.value(e.left))
        if (e.op === '&&' ? !left : left) return Value.fromInteger(BUILTIN.int, left ? 1n : 0n)
        return Value.fromInteger(BUILTIN.int, truth(this.value(e.right)) ? 1n : 0n)
      }
      case 'assign': {
        const target = this.value(e.target)
        const value = e.op === '=' ? this.value(e.value) : this.binary(e.op, target, this.value(e.value))
        return this.assign(target, value)
      }
      case 'conditional':
        return truth(this.value(e.condition)) ? this.value(e.then) : this.value(e.otherwise)
      case 'comma':
        this.value(e.left)
        return this.value(e.right)
      case 'cast':
        return cast(this.evaluate(e.operand), e.type)
      case 'sizeof-type':
        return Value.fromInteger(BUILTIN.int, BigInt(sizeOf(e.type)))
      case 'sizeof':
        return Value.fromInteger(BUILTIN.int, BigInt(sizeOf(new Evaluator(this.context, 'types-only').value(e.operand).type)))
      case 'member':
        return this.member(this.value(e.object), e.name, e.arrow)
      case 'index':
        return this.index(this.value(e.array), this.value(e.index))
      case 'call':
        throw new ExpressionError('Calling functions in the program is not supported.')
      case 'repeat':
        return this.repeat(this.value(e.first), this.value(e.count))
      case 'memory':
        return Value.at(e.type, asAddress(this.value(e.address)), this.env)
    }
  }

  private identifier(name: string): Value {
    const variable = this.env.lookupVariable(name)
    if (variable) {
      if ('address' in variable) return Value.at(variable.type, variable.address, this.env)
      return this.register(variable.register, variable.type)
    }
    const enumerator = this.env.lookupEnumerator(name)
    if (enumerator) return Value.fromInteger(enumerator.type, enumerator.value)
    const fn = this.env.lookupFunction(name)
    if (fn) return Value.at(fn.type, fn.address, this.env)
    const symbol = this.env.lookupSymbol(name)
    if (symbol) return Value.at(symbol.kind === 'function' ? TEXT_NO_DEBUG : DATA_NO_DEBUG, symbol.address, this.env)
    throw new ExpressionError(`No symbol "${name}" in current context.`)
  }

  private register(name: string, type: ExprType): Value {
    const raw = this.env.readRegister(name)
    if (raw === undefined) throw new ExpressionError(`Invalid register \`${name}'`)
    return Value.fromInteger(type, raw, { kind: 'register', name })
  }

  private dollar(name: string): Value {
    const history = this.context.session.history
    const fromHistory = (v: Value | undefined): Value => v ?? Value.void()
    if (name === '') return fromHistory(history.relative(0))
    if (/^[0-9]+$/.test(name)) return fromHistory(history.absolute(Number(name)))
    if (name === '$') return fromHistory(history.relative(1))
    if (/^\$[0-9]+$/.test(name)) return fromHistory(history.relative(Number(name.slice(1))))
    const reg = registerType(name)
    if (reg && this.env.readRegister(reg.register) !== undefined) return this.register(reg.register, reg.type)
    const stored = this.context.session.convenience.get(name)
    const place = { kind: 'convenience', name } as const
    return stored ? stored.withType(stored.type, place) : Value.fromBytes(BUILTIN.void, new Uint8Array(0), place)
  }

  private unary(op: string, operand: Expr): Value {
    if (op === '&') return this.addressOf(this.evaluate(operand))
    const v = this.value(operand)
    if (op === '*') return this.dereference(v)
    const type = v.type
    if (op === '!') {
      if (!isScalar(type)) throw new ExpressionError('Argument to arithmetic operation not a number or boolean.')
      return Value.fromInteger(BUILTIN.int, truth(v) ? 0n : 1n)
    }
    if (op === '~') {
      if (!isInteger(type)) throw new ExpressionError('Argument to complement operation not an integer, boolean.')
      const t = promote(type)
      return Value.fromInteger(t, ~v.integer())
    }
    if (!isInteger(type) && !isFloat(type)) throw new ExpressionError('Argument to arithmetic operation not a number or boolean.')
    if (isFloat(type)) return Value.fromFloat(type, op === '-' ? -v.number() : v.number())
    const t = promote(type)
    return Value.fromInteger(t, op === '-' ? -v.integer() : v.integer())
  }

  private addressOf(v: Value): Value {
    if (v.type === DATA_NO_DEBUG || v.type === TEXT_NO_DEBUG) return Value.fromInteger(pointerTo(v.type), v.address as bigint)
    if (v.place.kind !== 'memory') throw new ExpressionError('Attempt to take address of value not located in memory.')
    return Value.fromInteger(pointerTo(v.type), v.place.address)
  }

  private dereference(v: Value): Value {
    const t = resolve(v.type)
    if (t.kind === 'pointer') {
      const target = resolve(t.to)
      if (target.kind === 'void') throw new ExpressionError('Attempt to take contents of a non-pointer value.')
      return Value.at(t.to, v.integer(), this.env)
    }
    if (t.kind === 'array') return this.index(v, Value.fromInteger(BUILTIN.int, 0n))
    if (t.kind === 'function') return v
    // gdb lets `*` turn any integer into an int in memory, to be cast to anything.
    if (isInteger(t)) return Value.at(BUILTIN.int, v.integer(), this.env)
    throw new ExpressionError('Attempt to take contents of a non-pointer value.')
  }

  private increment(e: Extract<Expr, { kind: 'increment' }>): Value {
    const target = this.value(e.operand)
    const updated = this.binary(e.op === '++' ? '+' : '-', target, Value.fromInteger(BUILTIN.int, 1n))
    if (e.prefix) return this.assign(target, updated)
    const old = Value.fromBytes(target.type, target.contents())
    this.assign(target, updated)
    return old
  }

  private assign(target: Value, value: Value): Value {
    const place = target.place
    if (place.kind === 'convenience') {
      if (this.mode === 'normal') this.context.session.convenience.set(place.name, value.withType(value.type, { kind: 'none' }))
      return value.withType(value.type, place)
    }
    if (place.kind === 'none') throw new ExpressionError('Left operand of assignment is not an lvalue.')
    const converted = sameType(target.type, value.type) ? value : cast(value, target.type)
    if (this.mode === 'types-only') return target
    const bytes = converted.contents()
    if (place.kind === 'register') {
      if (!this.env.writeRegister(place.name, bytesToUnsigned(bytes))) throw new ExpressionError(`Cannot write register $${place.name}.`)
      return Value.fromBytes(target.type, bytes, place)
    }
    const field = target.bitField
    if (field) {
      const unit = this.env.readMemory(place.address, field.unitSize)
      if (!unit) throw new ExpressionError(`Cannot access memory at address 0x${place.address.toString(16)}`)
      const mask = ((1n << BigInt(field.bitSize)) - 1n) << BigInt(field.bitOffset)
      const merged = (bytesToUnsigned(unit) & ~mask) | ((converted.integer() << BigInt(field.bitOffset)) & mask)
      this.write(place.address, integerBytes(merged, field.unitSize))
      return Value.bitField(target.type, place.address, field, this.env)
    }
    this.write(place.address, bytes)
    return Value.fromBytes(target.type, bytes, place)
  }

  private write(address: bigint, bytes: Uint8Array): void {
    if (!this.env.writeMemory(address, bytes)) throw new ExpressionError(`Cannot access memory at address 0x${address.toString(16)}`)
  }

  private member(object: Value, name: string, arrow: boolean): Value {
    let v = object
    let t = resolve(v.type)
    // gdb applies `.` and `->` to an array's first element (the array decays, the pointer is followed).
    if (t.kind === 'array') {
      v = this.index(v, Value.fromInteger(BUILTIN.int, 0n))
      t = resolve(v.type)
    }
    if (t.kind === 'pointer') {
      const target = resolve(t.to)
      if (target.kind !== 'struct' && target.kind !== 'union') {
        throw new ExpressionError(`Attempt to extract a component of a value that is not a structure${arrow ? ' pointer' : ''}.`)
      }
      v = this.dereference(v)
      t = target
    }
    if (t.kind !== 'struct' && t.kind !== 'union') {
      throw new ExpressionError(`Attempt to extract a component of a value that is not a structure${arrow ? ' pointer' : ''}.`)
    }
    const path = findMember(t.members, name)
    if (!path) throw new ExpressionError(`There is no member named ${name}.`)
    for (const m of path) v = memberValue(v, m, this.context)
    return v
  }

  private index(array: Value, index: Value): Value {
    const t = resolve(array.type)
    if (t.kind !== 'array' && t.kind !== 'pointer') throw new ExpressionError(`cannot subscript something of type \`${typeName(array.type)}'`)
    if (!isInteger(index.type)) throw new ExpressionError('Argument to arithmetic operation not a number or boolean.')
    const i = index.integer()
    if (t.kind === 'array' && array.place.kind !== 'memory') {
      const size = sizeOf(t.of)
      if (i < 0n || (t.count !== undefined && i >= BigInt(t.count))) throw new ExpressionError('no such vector element')
      const start = Number(i) * size
      return Value.fromBytes(t.of, array.contents().slice(start, start + size))
    }
    const element = t.kind === 'array' ? t.of : t.to
    if (resolve(element).kind === 'void') throw new ExpressionError('Attempt to take contents of a non-pointer value.')
    const base = t.kind === 'array' ? (array.address as bigint) : array.integer()
    return Value.at(element, base + i * BigInt(sizeOf(element)), this.env)
  }

  private repeat(first: Value, count: Value): Value {
    if (first.place.kind !== 'memory' || first.bitField) throw new ExpressionError("Only values in memory can be extended with '@'.")
    const n = count.integer()
    if (n <= 0n) throw new ExpressionError(`Invalid number ${n} of repetitions.`)
    return Value.at(arrayOf(first.type, Number(n)), first.place.address, this.env)
  }

  binary(op: string, a: Value, b: Value): Value {
    const left = decay(a)
    const right = decay(b)
    const lt = resolve(left.type)
    const rt = resolve(right.type)
    if (lt.kind === 'pointer' || rt.kind === 'pointer') return this.pointerBinary(op, left, right)
    if (!isArithmetic(lt) || !isArithmetic(rt)) throw new ExpressionError('Argument to arithmetic operation not a number or boolean.')
    if (['==', '!=', '<', '>', '<=', '>='].includes(op)) {
      const common = usualArithmetic(lt, rt)
      if (isFloat(common)) return Value.fromInteger(BUILTIN.int, compare(op, left.number(), right.number()) ? 1n : 0n)
      const x = cast(left, common).integer()
      const y = cast(right, common).integer()
      return Value.fromInteger(BUILTIN.int, compare(op, x, y) ? 1n : 0n)
    }
    if (op === '<<' || op === '>>') {
      if (isFloat(lt) || isFloat(rt)) throw new ExpressionError('Integer-only operation on floating point number.')
      const type = promote(lt)
      if (this.mode === 'types-only') return Value.fromInteger(type, 0n)
      const count = right.integer()
      const bits = BigInt(sizeOf(type) * 8)
      if (count < 0n || count >= bits) return Value.fromInteger(type, op === '>>' && left.integer() < 0n ? -1n : 0n)
      return Value.fromInteger(type, op === '<<' ? left.integer() << count : left.integer() >> count)
    }
    const type = usualArithmetic(lt, rt)
    if (this.mode === 'types-only') return Value.fromInteger(type, 0n)
    if (isFloat(type)) {
      if (['%', '&', '|', '^'].includes(op)) throw new ExpressionError('Integer-only operation on floating point number.')
      return Value.fromFloat(type, floatOp(op, left.number(), right.number()))
    }
    const signed = isSigned(type)
    const bits = sizeOf(type) * 8
    const norm = (n: bigint): bigint => (signed ? BigInt.asIntN(bits, n) : BigInt.asUintN(bits, n))
    return Value.fromInteger(type, integerOp(op, norm(left.integer()), norm(right.integer())))
  }

  private pointerBinary(op: string, left: Value, right: Value): Value {
    const lt = resolve(left.type)
    const rt = resolve(right.type)
    if (['==', '!=', '<', '>', '<=', '>='].includes(op)) {
      if (!isScalar(lt) || !isScalar(rt) || isFloat(lt) || isFloat(rt)) throw new ExpressionError('Argument to arithmetic operation not a number or boolean.')
      const x = BigInt.asUintN(64, left.integer())
      const y = BigInt.asUintN(64, right.integer())
      return Value.fromInteger(BUILTIN.int, compare(op, x, y) ? 1n : 0n)
    }
    if (op === '+' && lt.kind === 'pointer' && isInteger(rt)) return this.offset(left, lt, right.integer())
    if (op === '+' && rt.kind === 'pointer' && isInteger(lt)) return this.offset(right, rt, left.integer())
    if (op === '-' && lt.kind === 'pointer' && isInteger(rt)) return this.offset(left, lt, -right.integer())
    if (op === '-' && lt.kind === 'pointer' && rt.kind === 'pointer') {
      const size = sizeOf(lt.to)
      if (size !== sizeOf(rt.to)) {
        throw new ExpressionError("First argument of `-' is a pointer and second argument is neither\nan integer nor a pointer of the same type.")
      }
      return Value.fromInteger(BUILTIN.long, (left.integer() - right.integer()) / BigInt(size))
    }
    throw new ExpressionError('Argument to arithmetic operation not a number or boolean.')
  }

  private offset(pointer: Value, type: Extract<ExprType, { kind: 'pointer' }>, n: bigint): Value {
    return Value.fromInteger(pointer.type, pointer.integer() + n * BigInt(sizeOf(type.to)))
  }
}

function untypedSymbol(e: Expr): ExpressionError {
  const name = e.kind === 'identifier' ? e.name : ''
  return new ExpressionError(`'${name}' has unknown type; cast it to its declared type`)
}

/** Member `name` of a record, through anonymous struct/union members: the path of members to it. */
export function findMember(members: readonly DwarfMember[], name: string): DwarfMember[] | undefined {
  for (const m of members) if (m.name === name) return [m]
  for (const m of members) {
    const t = resolve(m.type)
    if (m.name === undefined && (t.kind === 'struct' || t.kind === 'union')) {
      const inner = findMember(t.members, name)
      if (inner) return [m, ...inner]
    }
  }
  return undefined
}

/** A member of a record value: in memory when the record is, else cut from its bytes. */
export function memberValue(record: Value, m: DwarfMember, context: ExpressionContext): Value {
  const unitSize = sizeOf(m.type)
  const field = m.bitSize !== undefined ? { bitOffset: m.bitOffset ?? 0, bitSize: m.bitSize, unitSize } : undefined
  if (record.place.kind === 'memory' && !record.bitField && record.lazy) {
    const address = record.place.address + BigInt(m.offset)
    return field ? Value.bitField(m.type, address, field, context.env) : Value.at(m.type, address, context.env)
  }
  const bytes = record.contents().slice(m.offset, m.offset + unitSize)
  const place = record.place.kind === 'memory' ? { kind: 'memory', address: record.place.address + BigInt(m.offset) } as const : record.place
  if (!field) return Value.fromBytes(m.type, bytes, place)
  const raw = (bytesToUnsigned(bytes) >> BigInt(field.bitOffset)) & ((1n << BigInt(field.bitSize)) - 1n)
  return Value.fromInteger(m.type, isSigned(m.type) ? BigInt.asIntN(field.bitSize, raw) : raw)
}

/** Arrays become pointers to their first element, functions pointers to themselves. */
export function decay(v: Value): Value {
  const t = resolve(v.type)
  if (t.kind === 'array') {
    if (v.place.kind !== 'memory') throw new ExpressionError('Attempt to take address of value not located in memory.')
    return Value.fromInteger(pointerTo(t.of), v.place.address)
  }
  if (t.kind === 'function' && v.place.kind === 'memory') return Value.fromInteger(pointerTo(v.type), v.place.address)
  return v
}

/** The value as an address: integers, pointers, arrays and functions. */
export function asAddress(v: Value): bigint {
  const d = decay(v)
  if (isFloat(d.type)) throw new ExpressionError('Invalid cast.')
  if (!isScalar(d.type)) throw new ExpressionError('Invalid cast.')
  return BigInt.asUintN(64, d.integer())
}

export function truth(v: Value): boolean {
  const d = decay(v)
  if (!isScalar(d.type)) throw new ExpressionError('Argument to arithmetic operation not a number or boolean.')
  return isFloat(d.type) ? d.number() !== 0 : d.integer() !== 0n
}

/** gdb's value_cast for C. */
export function cast(v: Value, to: ExprType): Value {
  const target = resolve(to)
  const from = resolve(v.type)
  if (target.kind === 'void') return Value.fromBytes(to, new Uint8Array(0))
  if (sameType(v.type, to) && (target.kind === 'struct' || target.kind === 'union' || target.kind === 'array')) return v.withType(to)
  if (target.kind === 'struct' || target.kind === 'union' || target.kind === 'array' || target.kind === 'function') {
    throw new ExpressionError('Invalid cast.')
  }
  const source = from.kind === 'array' || from.kind === 'function' ? decay(v) : v
  const sourceType = resolve(source.type)
  if (!isScalar(sourceType)) throw new ExpressionError('Invalid cast.')
  if (isFloat(target)) return Value.fromFloat(to, source.number())
  if (target.kind === 'pointer' && isFloat(sourceType)) throw new ExpressionError('Invalid cast.')
  if (target.kind === 'base' && target.encoding === 'boolean') {
    return Value.fromInteger(to, isFloat(sourceType) ? (source.number() !== 0 ? 1n : 0n) : source.integer() !== 0n ? 1n : 0n)
  }
  const n = isFloat(sourceType) ? BigInt(Math.trunc(source.number())) : source.integer()
  return Value.fromInteger(to, n)
}

function isArithmetic(t: ExprType): boolean {
  return isInteger(t) || isFloat(t)
}

/** The integer promotions: narrower than int becomes int. */
function promote(t: ExprType): ExprType {
  const size = sizeOf(t)
  if (size < 4) return BUILTIN.int
  const unsigned = !isSigned(t)
  if (size === 4) return unsigned ? BUILTIN.unsignedInt : BUILTIN.int
  return unsigned ? BUILTIN.unsignedLong : BUILTIN.long
}

/** The usual arithmetic conversions, with gdb's choice of result types. */
function usualArithmetic(a: ExprType, b: ExprType): ExprType {
  if (isFloat(a) || isFloat(b)) {
    if (!isFloat(b)) return a
    if (!isFloat(a)) return b
    return sizeOf(a) >= sizeOf(b) ? a : b
  }
  const pa = promote(a)
  const pb = promote(b)
  const sa = sizeOf(pa)
  const sb = sizeOf(pb)
  const unsigned = sa === sb ? !isSigned(pa) || !isSigned(pb) : sa > sb ? !isSigned(pa) : !isSigned(pb)
  if (Math.max(sa, sb) === 4) return unsigned ? BUILTIN.unsignedInt : BUILTIN.int
  return unsigned ? BUILTIN.unsignedLong : BUILTIN.long
}

function compare(op: string, x: bigint | number, y: bigint | number): boolean {
  switch (op) {
    case '==':
      return x === y
    case '!=':
      return x !== y
    case '<':
      return x < y
    case '>':
      return x > y
    case '<=':
      return x <= y
    default:
      return x >= y
  }
}

function integerOp(op: string, x: bigint, y: bigint): bigint {
  switch (op) {
    case '+':
      return x + y
    case '-':
      return x - y
    case '*':
      return x * y
    case '/':
      if (y === 0n) throw new ExpressionError('Division by zero')
      return x / y
    case '%':
      if (y === 0n) throw new ExpressionError('Division by zero')
      return x % y
    case '&':
      return x & y
    case '|':
      return x | y
    case '^':
      return x ^ y
  }
  throw new ExpressionError(`Unsupported operator ${op}.`)
}

function floatOp(op: string, x: number, y: number): number {
  switch (op) {
    case '+':
      return x + y
    case '-':
      return x - y
    case '*':
      return x * y
    case '/':
      return x / y
  }
  throw new ExpressionError(`Unsupported operator ${op}.`)
}
