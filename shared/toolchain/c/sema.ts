/**
 * Semantic rules for expressions: typing, C's implicit conversions made explicit, constraint
 * checks with gcc's wording, and constant folding (gcc folds constant arithmetic even at -O0).
 * The parser calls these builders as it recognises each construct.
 */
import type { ArithOp, CompareOp, Expr, VarSymbol } from './ast'
import { CompileAbort, type DiagnosticSink, type SourceLocation } from './diagnostics'
import {
  INT,
  LONG,
  PTRDIFF_T,
  ULONG,
  VOID,
  compatible,
  intKindOf,
  intSize,
  isInteger,
  isScalar,
  isSignedKind,
  pointerTo,
  promote,
  sizeOf,
  typeToString,
  unqualified,
  usualArithmetic,
  wrapToKind,
  findMember,
  type CType,
} from './types'

export type AssignContext = 'assignment' | 'initialization' | 'return' | 'argument'

const ARITH_OPS: Readonly<Record<string, ArithOp>> = {
  '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '%': 'rem', '&': 'and', '|': 'or', '^': 'xor', '<<': 'shl', '>>': 'shr',
}
const COMPARE_OPS: Readonly<Record<string, CompareOp>> = { '==': 'eq', '!=': 'ne', '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge' }

/** A type in quotes, with gcc's `{aka '...'}` when typedef names hide the underlying type. */
function q(t: CType): string {
  const written = typeToString(t)
  const expanded = typeToString(t, '', true)
  return written === expanded ? `'${written}'` : `'${written}' {aka '${expanded}'}`
}

export class Sema {
  constructor(private readonly diags: DiagnosticSink) {}

  error(loc: SourceLocation, message: string): never {
    this.diags.error(loc, message)
    throw new CompileAbort()
  }

  warn(loc: SourceLocation, message: string): void {
    this.diags.warning(loc, message)
  }

  // ---- basic nodes ---------------------------------------------------------------------------

  num(value: bigint, type: CType, loc: SourceLocation): Expr {
    const ik = intKindOf(type)
    return { k: 'num', value: ik ? wrapToKind(value, ik) : value, type, loc }
  }

  isLvalue(e: Expr): boolean {
    switch (e.k) {
      case 'var':
        return e.type.kind !== 'function'
      case 'deref':
      case 'str':
      case 'compound':
        return true
      case 'member':
        return this.isLvalue(e.base)
      default:
        return false
    }
  }

  /** Array-to-pointer and function-to-pointer conversion (C17 6.3.2.1); everything else as is. */
  decay(e: Expr): Expr {
    if (e.type.kind === 'array') return { k: 'addr', operand: e, type: pointerTo(e.type.of), loc: e.loc }
    if (e.type.kind === 'function') return { k: 'addr', operand: e, type: pointerTo(e.type), loc: e.loc }
    return e
  }

  /** An operand's value: decayed, with qualifiers dropped from its type (lvalue conversion). */
  rvalue(e: Expr): Expr {
    // A bit-field narrower than int promotes to int whatever its declared type (gcc, C17 6.3.1.1p2).
    if (e.k === 'member' && e.bitField && e.bitField.width < 32) return this.convert({ ...e, type: unqualified(e.type) }, INT)
    const d = this.decay(e)
    if (d.type.kind === 'void') return d
    if (d.type.isConst || d.type.isVolatile) return { ...d, type: unqualified(d.type) } as Expr
    return d
  }

  /** Conversion to `to` as a node (folded for constants). */
  convert(e: Expr, to: CType, implicit = true): Expr {
    const target = unqualified(to)
    if (sameRepresentation(e.type, target)) return e.type === target ? e : ({ ...e, type: target } as Expr)
    if (e.k === 'num' && isScalar(target)) {
      const ik = intKindOf(target)
      return { k: 'num', value: ik ? wrapToKind(e.value, ik) : BigInt.asUintN(64, e.value), type: target, loc: e.loc }
    }
    return { k: 'cast', operand: e, implicit, type: target, loc: e.loc }
  }

  /** Value used as a condition (if/while/&&/!): must be scalar. */
  condition(e: Expr): Expr {
    const v = this.rvalue(e)
    if (!isScalar(v.type)) this.error(e.loc, `used ${typeToString(v.type).startsWith('struct') || v.type.kind === 'record' ? 'struct' : typeToString(v.type)} type value where scalar is required`)
    return v
  }

  // ---- operators -----------------------------------------------------------------------------

  binary(op: string, l0: Expr, r0: Expr, loc: SourceLocation): Expr {
    if (op === '&&' || op === '||') {
      const l = this.condition(l0)
      const r = this.condition(r0)
      if (l.k === 'num' && r.k === 'num') {
        const v = op === '&&' ? l.value !== 0n && r.value !== 0n : l.value !== 0n || r.value !== 0n
        return this.num(v ? 1n : 0n, INT, loc)
      }
      return { k: 'logical', op: op === '&&' ? 'and' : 'or', left: l, right: r, type: INT, loc }
    }
    const l = this.rvalue(l0)
    const r = this.rvalue(r0)
    const cmp = COMPARE_OPS[op]
    if (cmp) return this.compare(cmp, op, l, r, loc)
    const arith = ARITH_OPS[op] as ArithOp
    if (op === '+' || op === '-') {
      if (l.type.kind === 'pointer' && isInteger(r.type)) return this.pointerAdd(l, r, op === '-', loc)
      if (op === '+' && isInteger(l.type) && r.type.kind === 'pointer') return this.pointerAdd(r, l, false, loc)
      if (op === '-' && l.type.kind === 'pointer' && r.type.kind === 'pointer') {
        if (!compatible(unqualified(l.type.to), unqualified(r.type.to), true)) {
          this.error(loc, `invalid operands to binary - (have ${q(l.type)} and ${q(r.type)})`)
        }
        const scale = this.pointeeSize(l.type.to, loc)
        return { k: 'ptrdiff', left: l, right: r, scale, type: PTRDIFF_T, loc }
      }
    }
    if (!isInteger(l.type) || !isInteger(r.type)) {
      this.error(loc, `invalid operands to binary ${op} (have ${q(l.type)} and ${q(r.type)})`)
    }
    if (arith === 'shl' || arith === 'shr') {
      const lt = promote(l.type)
      const left = this.convert(l, lt)
      const right = this.convert(r, promote(r.type))
      if (right.k === 'num') {
        const width = BigInt((sizeOf(lt) as number) * 8)
        if (right.value < 0n) this.warn(loc, `${arith === 'shl' ? 'left' : 'right'} shift count is negative [-Wshift-count-negative]`)
        else if (right.value >= width) this.warn(loc, `${arith === 'shl' ? 'left' : 'right'} shift count >= width of type [-Wshift-count-overflow]`)
      }
      return this.fold({ k: 'binary', op: arith, left, right, type: lt, loc })
    }
    const common = usualArithmetic(l.type, r.type)
    const left = this.convert(l, common)
    const right = this.convert(r, common)
    if ((arith === 'div' || arith === 'rem') && right.k === 'num' && right.value === 0n) this.warn(loc, 'division by zero [-Wdiv-by-zero]')
    return this.fold({ k: 'binary', op: arith, left, right, type: common, loc })
  }

  private compare(op: CompareOp, spelling: string, l: Expr, r: Expr, loc: SourceLocation): Expr {
    if (isInteger(l.type) && isInteger(r.type)) {
      const common = usualArithmetic(l.type, r.type)
      const left = this.convert(l, common)
      const right = this.convert(r, common)
      if (left.k === 'num' && right.k === 'num') return this.num(compareValues(op, left.value, right.value) ? 1n : 0n, INT, loc)
      return { k: 'compare', op, left, right, type: INT, loc }
    }
    const lp = l.type.kind === 'pointer'
    const rp = r.type.kind === 'pointer'
    if (lp && rp) {
      const lt = (l.type as CType & { kind: 'pointer' }).to
      const rt = (r.type as CType & { kind: 'pointer' }).to
      if (!compatible(unqualified(lt), unqualified(rt), true) && lt.kind !== 'void' && rt.kind !== 'void') {
        this.warn(loc, `comparison of distinct pointer types lacks a cast`)
      }
      return { k: 'compare', op, left: l, right: this.convert(r, l.type), type: INT, loc }
    }
    if ((lp && isInteger(r.type)) || (rp && isInteger(l.type))) {
      const intSide = lp ? r : l
      const isNull = intSide.k === 'num' && intSide.value === 0n
      if (!isNull) this.warn(loc, 'comparison between pointer and integer')
      const ptrType = lp ? l.type : r.type
      return { k: 'compare', op, left: this.convert(l, ptrType), right: this.convert(r, ptrType), type: INT, loc }
    }
    return this.error(loc, `invalid operands to binary ${spelling} (have ${q(l.type)} and ${q(r.type)})`)
  }

  private pointeeSize(t: CType, loc: SourceLocation): number {
    if (t.kind === 'void' || t.kind === 'function') return 1 // GNU: arithmetic on void* and function pointers steps by 1
    const s = sizeOf(t)
    if (s === undefined) this.error(loc, `invalid use of undefined type ${q(t)}`)
    return s
  }

  pointerAdd(ptr: Expr, index: Expr, subtract: boolean, loc: SourceLocation): Expr {
    const to = (ptr.type as CType & { kind: 'pointer' }).to
    const scale = this.pointeeSize(to, loc)
    return { k: 'ptradd', ptr, index: this.convert(index, LONG), scale, subtract, type: ptr.type, loc }
  }

  unary(op: string, e0: Expr, loc: SourceLocation): Expr {
    switch (op) {
      case '&':
        return this.addressOf(e0, loc)
      case '*':
        return this.deref(e0, loc)
      case '!': {
        const e = this.condition(e0)
        if (e.k === 'num') return this.num(e.value === 0n ? 1n : 0n, INT, loc)
        return { k: 'unary', op: 'lnot', operand: e, type: INT, loc }
      }
    }
    const e = this.rvalue(e0)
    if (!isInteger(e.type)) this.error(loc, `wrong type argument to ${op === '~' ? 'bit-complement' : 'unary ' + (op === '-' ? 'minus' : 'plus')}`)
    const t = promote(e.type)
    const operand = this.convert(e, t)
    if (op === '+') return operand
    return this.fold({ k: 'unary', op: op === '-' ? 'neg' : 'not', operand, type: t, loc })
  }

  addressOf(e: Expr, loc: SourceLocation): Expr {
    if (e.k === 'var' && e.type.kind === 'function') return { k: 'addr', operand: e, type: pointerTo(e.type), loc }
    if (e.k === 'deref') return this.rvalueOf(e.pointer, loc)
    if (!this.isLvalue(e)) this.error(loc, 'lvalue required as unary \'&\' operand')
    if (e.k === 'member' && e.bitField) this.error(loc, `cannot take address of bit-field '${e.name}'`)
    if (e.k === 'var') {
      if (e.sym.storage !== 'global' && e.sym.addressTaken === false) e.sym.addressTaken = true
    }
    markAddressTaken(e)
    return { k: 'addr', operand: e, type: pointerTo(e.type), loc }
  }

  private rvalueOf(p: Expr, loc: SourceLocation): Expr {
    // &*p is p (C17 6.5.3.2p3), but still not an lvalue.
    void loc
    return this.rvalue(p)
  }

  deref(e0: Expr, loc: SourceLocation): Expr {
    const e = this.rvalue(e0)
    if (e.type.kind !== 'pointer') this.error(loc, `invalid type argument of unary '*' (have ${q(e.type)})`)
    const to = e.type.to
    if (to.kind === 'function') return e // *fp is the function designator, which decays right back
    return { k: 'deref', pointer: e, type: to, loc }
  }

  index(a0: Expr, b0: Expr, loc: SourceLocation): Expr {
    const a = this.rvalue(a0)
    const b = this.rvalue(b0)
    let sum: Expr
    if (a.type.kind === 'pointer' && isInteger(b.type)) sum = this.pointerAdd(a, b, false, loc)
    else if (b.type.kind === 'pointer' && isInteger(a.type)) sum = this.pointerAdd(b, a, false, loc)
    else return this.error(loc, 'subscripted value is neither array nor pointer')
    const to = (sum.type as CType & { kind: 'pointer' }).to
    if (to.kind === 'void') this.error(loc, 'dereferencing \'void *\' pointer')
    return { k: 'deref', pointer: sum, type: to, loc }
  }

  member(base0: Expr, name: string, arrow: boolean, loc: SourceLocation): Expr {
    let base = base0
    if (arrow) {
      const p = this.rvalue(base0)
      if (p.type.kind !== 'pointer' || p.type.to.kind !== 'record') {
        this.error(loc, `invalid type argument of '->' (have ${q(p.type)})`)
      }
      base = { k: 'deref', pointer: p, type: p.type.to, loc }
    }
    const t = base.type
    if (t.kind !== 'record') {
      this.error(loc, `request for member '${name}' in something not a structure or union`)
    }
    if (!t.info.complete) this.error(loc, `invalid use of undefined type ${q(t)}`)
    const found = findMember(t.info, name)
    if (!found) this.error(loc, `${q(t)} has no member named '${name}'`)
    // Members of a const object are const.
    const type = t.isConst || t.isVolatile ? { ...found.type, isConst: found.type.isConst || t.isConst, isVolatile: found.type.isVolatile || t.isVolatile } : found.type
    if (found.bitField) return { k: 'member', base, offset: found.offset, name, type: type as CType, loc, bitField: found.bitField }
    return { k: 'member', base, offset: found.offset, name, type: type as CType, loc }
  }

  cast(to: CType, e0: Expr, loc: SourceLocation): Expr {
    if (to.kind === 'void') return { k: 'cast', operand: this.rvalue(e0), implicit: false, type: VOID, loc }
    const e = this.rvalue(e0)
    if (!isScalar(to)) this.error(loc, 'conversion to non-scalar type requested')
    if (!isScalar(e.type)) this.error(loc, e.type.kind === 'void' ? 'void value not ignored as it ought to be' : `aggregate value used where an integer was expected`)
    const c = this.convert(e, to, false)
    if (c.k === 'num' || c.k === 'cast') return { ...c, loc }
    // A conversion that changes no bits (to the same type, one pointer type to another) still
    // yields a cast: its result is a value, not an lvalue (`(char *)p = q` is an error in gcc).
    return { k: 'cast', operand: e, implicit: false, type: unqualified(to), loc }
  }

  /** Checks and converts a value for assignment-like contexts (C17 6.5.16.1), warning like gcc. */
  assignConvert(e0: Expr, to: CType, ctx: AssignContext, loc: SourceLocation): Expr {
    const e = this.rvalue(e0)
    const target = unqualified(to)
    const from = e.type
    // Spelled only when a diagnostic needs it: type names are costly to build for every assignment.
    const what = (): string =>
      ctx === 'assignment' ? `assignment to ${q(target)} from ${q(from)}` : ctx === 'initialization' ? `initialization of ${q(target)} from ${q(from)}` : ctx === 'return' ? `returning ${q(from)} from a function with return type ${q(target)}` : `passing argument`
    if (from.kind === 'void') this.error(loc, 'void value not ignored as it ought to be')
    if (target.kind === 'record') {
      if (from.kind === 'record' && from.info === target.info) return e
      return this.error(loc, ctx === 'initialization' ? `invalid initializer` : `incompatible types when ${ctx === 'return' ? 'returning' : ctx === 'argument' ? 'passing' : 'assigning to'} type ${q(target)} from type ${q(from)}`)
    }
    if (from.kind === 'record') {
      return this.error(loc, `incompatible types when ${ctx === 'return' ? 'returning' : ctx === 'initialization' ? 'initializing' : 'assigning to'} type ${q(ctx === 'return' ? from : target)} ${ctx === 'return' ? `but ${q(target)} was expected` : `using type ${q(from)}`}`)
    }
    if (target.kind === 'pointer') {
      if (isInteger(from)) {
        if (!(e.k === 'num' && e.value === 0n)) this.warn(loc, `${what()} makes pointer from integer without a cast [-Wint-conversion]`)
      } else if (from.kind === 'pointer') {
        const a = target.to
        const b = from.to
        if (a.kind !== 'void' && b.kind !== 'void' && !compatible(unqualified(a), unqualified(b), true)) {
          this.warn(loc, `${what().replace(/ from .*/, '')} from incompatible pointer type ${q(from)} [-Wincompatible-pointer-types]`)
        } else if (b.isConst && !a.isConst) {
          this.warn(loc, `${ctx === 'initialization' ? 'initialization' : ctx === 'return' ? 'return' : 'assignment'} discards 'const' qualifier from pointer target type [-Wdiscarded-qualifiers]`)
        }
      }
    } else if (isInteger(target) && from.kind === 'pointer') {
      if (target.kind === 'int' && target.ik === 'bool') return this.convert(e, target)
      this.warn(loc, `${what()} makes integer from pointer without a cast [-Wint-conversion]`)
    }
    if (target.kind === 'int' && target.ik === 'bool' && e.k === 'num') return this.num(e.value !== 0n ? 1n : 0n, target, e.loc)
    this.warnConstantOverflow(e, target)
    return this.convert(e, target)
  }

  /**
   * gcc's -Woverflow for an implicit conversion of a constant: it warns when the value fits
   * neither the signed nor the unsigned type of the target's width (so `char c = 200` is quiet).
   */
  private warnConstantOverflow(e: Expr, target: CType): void {
    const ik = intKindOf(target)
    if (e.k !== 'num' || !ik || ik === 'bool' || !isInteger(e.type)) return
    const range = QUIET_RANGES[intSize(ik)] as readonly [bigint, bigint]
    if (e.value >= range[0] && e.value < range[1]) return
    const converted = wrapToKind(e.value, ik)
    const kind = isSignedKind(ik) ? 'overflow in conversion' : 'unsigned conversion'
    this.warn(e.loc, `${kind} from ${q(e.type)} to ${q(target)} changes value from '${e.value}' to '${converted}' [-Woverflow]`)
  }

  checkModifiable(e: Expr, loc: SourceLocation, what: string): void {
    if (!this.isLvalue(e)) this.error(loc, `lvalue required as ${what}`)
    if (e.type.kind === 'array') this.error(loc, `assignment to expression with array type`)
    if (e.type.isConst) {
      const name = e.k === 'var' ? `variable '${e.sym.name}'` : e.k === 'member' ? `member '${e.name}'` : 'read-only location'
      this.error(loc, `${what.includes('increment') || what.includes('decrement') ? what.replace(' operand', '') : 'assignment'} of read-only ${name}`.replace('read-only read-only', 'read-only'))
    }
  }

  assign(op: string, target: Expr, value0: Expr, loc: SourceLocation): Expr {
    this.checkModifiable(target, loc, 'left operand of assignment')
    if (op === '=') {
      const value = this.assignConvert(value0, target.type, 'assignment', loc)
      return { k: 'assign', target, value, type: unqualified(target.type), loc }
    }
    const binop = op.slice(0, -1)
    const value = this.rvalue(value0)
    const tt = unqualified(target.type)
    if (tt.kind === 'pointer' && (binop === '+' || binop === '-') && isInteger(value.type)) {
      const scale = this.pointeeSize(tt.to, loc)
      const operand = this.scaledOffset(value, scale)
      return { k: 'update', op: binop === '+' ? 'add' : 'sub', target, operand, opType: tt, postfix: false, type: tt, loc }
    }
    if (!isInteger(tt) || !isInteger(value.type)) {
      this.error(loc, `invalid operands to binary ${binop} (have ${q(tt)} and ${q(value.type)})`)
    }
    const arith = ARITH_OPS[binop] as ArithOp
    const opType = arith === 'shl' || arith === 'shr' ? promote(tt) : usualArithmetic(tt, value.type)
    const operand = this.convert(value, arith === 'shl' || arith === 'shr' ? promote(value.type) : opType)
    return { k: 'update', op: arith, target, operand, opType, postfix: false, type: tt, loc }
  }

  private scaledOffset(index: Expr, scale: number): Expr {
    const i = this.convert(index, LONG)
    if (scale === 1) return i
    return this.fold({ k: 'binary', op: 'mul', left: i, right: this.num(BigInt(scale), LONG, i.loc), type: LONG, loc: i.loc })
  }

  incDec(target: Expr, increment: boolean, postfix: boolean, loc: SourceLocation): Expr {
    this.checkModifiable(target, loc, `${increment ? 'increment' : 'decrement'} operand`)
    const tt = unqualified(target.type)
    if (tt.kind === 'pointer') {
      const scale = this.pointeeSize(tt.to, loc)
      return { k: 'update', op: increment ? 'add' : 'sub', target, operand: this.num(BigInt(scale), LONG, loc), opType: tt, postfix, type: tt, loc }
    }
    if (!isInteger(tt)) this.error(loc, `wrong type argument to ${increment ? 'increment' : 'decrement'}`)
    const opType = promote(tt)
    return { k: 'update', op: increment ? 'add' : 'sub', target, operand: this.num(1n, opType, loc), opType, postfix, type: tt, loc }
  }

  conditional(c0: Expr, a0: Expr, b0: Expr, loc: SourceLocation, colonLoc: SourceLocation = loc): Expr {
    const cond = this.condition(c0)
    const a = this.rvalue(a0)
    const b = this.rvalue(b0)
    let type: CType
    if (isInteger(a.type) && isInteger(b.type)) type = usualArithmetic(a.type, b.type)
    else if (a.type.kind === 'void' || b.type.kind === 'void') type = VOID
    else if (a.type.kind === 'record' && b.type.kind === 'record' && a.type.info === b.type.info) type = a.type
    else if (a.type.kind === 'pointer' && b.type.kind === 'pointer') {
      if (a.type.to.kind === 'void') type = a.type
      else if (b.type.to.kind === 'void') type = b.type
      else {
        if (!compatible(unqualified(a.type.to), unqualified(b.type.to), true)) this.warn(colonLoc, 'pointer type mismatch in conditional expression')
        type = a.type
      }
    } else if (a.type.kind === 'pointer' && isInteger(b.type)) {
      if (!(b.k === 'num' && b.value === 0n)) this.warn(colonLoc, 'pointer/integer type mismatch in conditional expression')
      type = a.type
    } else if (b.type.kind === 'pointer' && isInteger(a.type)) {
      if (!(a.k === 'num' && a.value === 0n)) this.warn(colonLoc, 'pointer/integer type mismatch in conditional expression')
      type = b.type
    } else {
      return this.error(loc, 'type mismatch in conditional expression')
    }
    const then = type.kind === 'void' || type.kind === 'record' ? a : this.convert(a, type)
    const otherwise = type.kind === 'void' || type.kind === 'record' ? b : this.convert(b, type)
    if (cond.k === 'num' && then.k === 'num' && otherwise.k === 'num') return cond.value !== 0n ? then : otherwise
    return { k: 'cond', cond, then, otherwise, type, loc }
  }

  comma(a: Expr, b0: Expr, loc: SourceLocation): Expr {
    const b = this.rvalue(b0)
    return { k: 'comma', first: a, then: b, type: b.type, loc }
  }

  call(callee0: Expr, args0: readonly Expr[], loc: SourceLocation): Expr {
    const callee = this.rvalue(callee0)
    const ct = callee.type
    if (ct.kind !== 'pointer' || ct.to.kind !== 'function') {
      return this.error(loc, callee0.k === 'var' ? `called object '${callee0.sym.name}' is not a function or function pointer` : 'called object is not a function or function pointer')
    }
    const fn = ct.to
    const name = callee0.k === 'var' ? callee0.sym.name : undefined
    if (fn.prototyped) {
      if (args0.length < fn.params.length || (!fn.variadic && args0.length > fn.params.length)) {
        this.diags.error(loc, `too ${args0.length < fn.params.length ? 'few' : 'many'} arguments to function${name ? ` '${name}'` : ''}`)
        if (callee0.k === 'var') this.diags.note(callee0.sym.loc, 'declared here')
        throw new CompileAbort()
      }
    }
    const args = args0.map((a, i) => {
      const p = fn.prototyped ? fn.params[i] : undefined
      if (p) return this.argumentConvert(a, p, i + 1, name)
      const v = this.rvalue(a)
      if (v.type.kind === 'void') this.error(a.loc, 'invalid use of void expression')
      return isInteger(v.type) ? this.convert(v, promote(v.type)) : v // default argument promotions
    })
    const returns = unqualified(fn.returns)
    if (returns.kind === 'record' && !returns.info.complete) this.error(loc, `invalid use of undefined type ${q(returns)}`)
    return { k: 'call', callee, args, fnType: fn, type: returns, loc }
  }

  private argumentConvert(a: Expr, param: CType, position: number, fnName: string | undefined): Expr {
    const v = this.rvalue(a)
    const target = unqualified(param)
    const label = `passing argument ${position} of '${fnName ?? 'function'}'`
    if (v.type.kind === 'void') this.error(a.loc, 'invalid use of void expression')
    if (target.kind === 'record' || v.type.kind === 'record') {
      if (target.kind === 'record' && v.type.kind === 'record' && target.info === v.type.info) return v
      return this.error(a.loc, `incompatible type for argument ${position} of '${fnName ?? 'function'}'`)
    }
    if (target.kind === 'pointer' && isInteger(v.type) && !(v.k === 'num' && v.value === 0n)) {
      this.warn(a.loc, `${label} makes pointer from integer without a cast [-Wint-conversion]`)
    } else if (isInteger(target) && v.type.kind === 'pointer' && !(target.kind === 'int' && target.ik === 'bool')) {
      this.warn(a.loc, `${label} makes integer from pointer without a cast [-Wint-conversion]`)
    } else if (target.kind === 'pointer' && v.type.kind === 'pointer') {
      const x = target.to
      const y = v.type.to
      if (x.kind !== 'void' && y.kind !== 'void' && !compatible(unqualified(x), unqualified(y), true)) {
        this.warn(a.loc, `${label} from incompatible pointer type [-Wincompatible-pointer-types]`)
      } else if (y.isConst && !x.isConst) {
        this.warn(a.loc, `${label} discards 'const' qualifier from pointer target type [-Wdiscarded-qualifiers]`)
      }
    }
    this.warnConstantOverflow(v, target)
    return this.convert(v, target)
  }

  sizeofType(t: CType, loc: SourceLocation): Expr {
    if (t.kind === 'function') {
      this.warn(loc, "invalid application of 'sizeof' to a function type")
      return this.num(1n, ULONG, loc)
    }
    if (t.kind === 'void') return this.num(1n, ULONG, loc) // GNU extension, as gcc
    const s = sizeOf(t)
    if (s === undefined) this.error(loc, `invalid application of 'sizeof' to incomplete type ${q(t)}`)
    return this.num(BigInt(s), ULONG, loc)
  }

  // ---- constants -----------------------------------------------------------------------------

  /** Folds arithmetic whose operands are constants, wrapping to the result type like gcc. */
  fold(e: Expr): Expr {
    if (e.k === 'binary' && e.left.k === 'num' && e.right.k === 'num') {
      const ik = intKindOf(e.type)
      if (!ik) return e
      const v = evalArith(e.op, e.left.value, e.right.value, ik)
      if (v === undefined) return e
      const exact = e.op === 'add' ? e.left.value + e.right.value : e.op === 'sub' ? e.left.value - e.right.value : e.op === 'mul' ? e.left.value * e.right.value : v
      if (isSignedKind(ik) && exact !== v) this.warn(e.loc, `integer overflow in expression of type ${q(e.type)} results in '${v}' [-Woverflow]`)
      return this.num(v, e.type, e.loc)
    }
    if (e.k === 'unary' && e.operand.k === 'num') {
      const exact = e.op === 'neg' ? -e.operand.value : e.op === 'not' ? ~e.operand.value : e.operand.value === 0n ? 1n : 0n
      const folded = this.num(exact, e.type, e.loc)
      const ik = intKindOf(e.type)
      if (e.op === 'neg' && ik && isSignedKind(ik) && folded.k === 'num' && folded.value !== exact) {
        this.warn(e.loc, `integer overflow in expression '${folded.value}' of type ${q(e.type)} results in '${folded.value}' [-Woverflow]`)
      }
      return folded
    }
    return e
  }

  /** Value of an integer constant expression, or an error at `loc`. */
  constInt(e: Expr, what: string): bigint {
    const v = evalConstInt(e)
    if (v === undefined) this.error(e.loc, `${what} is not an integer constant`)
    return v
  }

  varRef(sym: VarSymbol, loc: SourceLocation): Expr {
    sym.used = true
    return { k: 'var', sym, type: sym.type, loc }
  }
}

function sameRepresentation(a: CType, b: CType): boolean {
  if (a.kind === 'pointer' && b.kind === 'pointer') return true
  const x = intKindOf(a)
  const y = intKindOf(b)
  if (x !== undefined && y !== undefined) {
    if (x === y) return true
    // char and signed char behave identically; bool does not match uchar (conversion to bool tests != 0).
    return (x === 'char' && y === 'schar') || (x === 'schar' && y === 'char')
  }
  return a.kind === b.kind && (a.kind === 'void' || a.kind === 'record')
}

function markAddressTaken(e: Expr): void {
  if (e.k === 'var') e.sym.addressTaken = true
  else if (e.k === 'member') markAddressTaken(e.base)
}

function compareValues(op: CompareOp, a: bigint, b: bigint): boolean {
  switch (op) {
    case 'eq': return a === b
    case 'ne': return a !== b
    case 'lt': return a < b
    case 'le': return a <= b
    case 'gt': return a > b
    case 'ge': return a >= b
  }
}

/** Integer arithmetic of the given kind (operands already of that kind); undefined for x/0. */
export function evalArith(op: ArithOp, a: bigint, b: bigint, ik: ReturnType<typeof intKindOf> & string): bigint | undefined {
  const bits = BigInt(intSize(ik) * 8)
  switch (op) {
    case 'add': return wrapToKind(a + b, ik)
    case 'sub': return wrapToKind(a - b, ik)
    case 'mul': return wrapToKind(a * b, ik)
    case 'div': return b === 0n ? undefined : wrapToKind(a / b, ik)
    case 'rem': return b === 0n ? undefined : wrapToKind(a % b, ik)
    case 'and': return wrapToKind(a & b, ik)
    case 'or': return wrapToKind(a | b, ik)
    case 'xor': return wrapToKind(a ^ b, ik)
    case 'shl': return b < 0n || b >= bits ? undefined : wrapToKind(a << b, ik)
    case 'shr': return b < 0n || b >= bits ? undefined : wrapToKind((isSignedKind(ik) ? a : BigInt.asUintN(Number(bits), a)) >> b, ik)
  }
}

/**
 * By integer size in bytes: the values a constant converted to that size may have without
 * -Woverflow, from the signed minimum up to (excluding) one past the unsigned maximum.
 */
const QUIET_RANGES: Readonly<Record<number, readonly [bigint, bigint]>> = {
  1: [-(1n << 7n), 1n << 8n],
  2: [-(1n << 15n), 1n << 16n],
  4: [-(1n << 31n), 1n << 32n],
  8: [-(1n << 63n), 1n << 64n],
}

/** Evaluates an integer constant expression tree (after folding most are already 'num'). */
export function evalConstInt(e: Expr): bigint | undefined {
  switch (e.k) {
    case 'num':
      return e.value
    case 'cast': {
      const v = evalConstInt(e.operand)
      const ik = intKindOf(e.type)
      if (v === undefined || !ik) return undefined
      return wrapToKind(v, ik)
    }
    case 'binary': {
      const a = evalConstInt(e.left)
      const b = evalConstInt(e.right)
      const ik = intKindOf(e.type)
      if (a === undefined || b === undefined || !ik) return undefined
      return evalArith(e.op, a, b, ik)
    }
    case 'unary': {
      const v = evalConstInt(e.operand)
      const ik = intKindOf(e.type)
      if (v === undefined || !ik) return undefined
      return wrapToKind(e.op === 'neg' ? -v : e.op === 'not' ? ~v : v === 0n ? 1n : 0n, ik)
    }
    case 'compare': {
      const a = evalConstInt(e.left)
      const b = evalConstInt(e.right)
      if (a === undefined || b === undefined) return undefined
      return compareValues(e.op, a, b) ? 1n : 0n
    }
    case 'logical': {
      const a = evalConstInt(e.left)
      if (a === undefined) return undefined
      if (e.op === 'and' && a === 0n) return 0n
      if (e.op === 'or' && a !== 0n) return 1n
      const b = evalConstInt(e.right)
      return b === undefined ? undefined : b !== 0n ? 1n : 0n
    }
    case 'cond': {
      const c = evalConstInt(e.cond)
      if (c === undefined) return undefined
      return evalConstInt(c !== 0n ? e.then : e.otherwise)
    }
    default:
      return undefined
  }
}

