/** Terse constructors for hand-written IR in back-end tests. */
import type { BinaryOp, CallArg, CompareOp, Expr, FrameObject, IntType, IrFunction, ProtectorClass, ReturnType, Stmt } from '../../../../shared/toolchain/ir/types'
import { NOT_PROTECTED } from '../../../../shared/toolchain/ir/types'

export const c = (value: number | bigint, type: IntType = 'i32'): Expr => ({ kind: 'const', type, value: BigInt(value) })
export const addr = (object: number, offset = 0): Expr => ({ kind: 'frameAddr', object, offset })
export const sym = (symbol: string, offset = 0): Expr => ({ kind: 'symbolAddr', symbol, offset })
export const load = (type: IntType, address: Expr): Expr => ({ kind: 'load', type, addr: address })
export const local = (type: IntType, object: number): Expr => load(type, addr(object))
export const conv = (type: IntType, value: Expr): Expr => ({ kind: 'convert', type, value })
export const bin = (op: BinaryOp, type: IntType, left: Expr, right: Expr): Expr => ({ kind: 'binary', op, type, left, right })
export const cmp = (op: CompareOp, left: Expr, right: Expr): Expr => ({ kind: 'compare', op, left, right })
export const call = (name: string, args: Expr[], type: IntType | 'void' = 'i32', variadic = false): Expr => ({
  kind: 'call',
  callee: { kind: 'direct', name },
  args: args.map((value): CallArg => ({ kind: 'int', value })),
  type,
  variadic,
})

export const store = (type: IntType, address: Expr, value: Expr): Stmt => ({ kind: 'store', type, addr: address, value })
export const set = (type: IntType, object: number, value: Expr): Stmt => store(type, addr(object), value)
export const run = (expr: Expr): Stmt => ({ kind: 'eval', expr })
export const label = (name: string): Stmt => ({ kind: 'label', label: name })
export const jump = (target: string): Stmt => ({ kind: 'jump', target })
export const branch = (cond: Expr, when: boolean, target: string): Stmt => ({ kind: 'branch', cond, when, target })
export const ret = (value?: Expr): Stmt => (value === undefined ? { kind: 'return' } : { kind: 'return', value })

/** print_int(value) then a separator character. */
export const printInt = (value: Expr): Stmt[] => [run(call('print_int', [conv('i64', value)], 'void')), run(call('print_char', [c(32)], 'void'))]

export interface ObjectSpec {
  readonly name: string
  readonly size: number
  readonly align?: number
  readonly kind?: FrameObject['kind']
  readonly scalar?: boolean
  readonly addressTaken?: boolean
  readonly protector?: Partial<ProtectorClass>
  readonly scope?: number
  readonly parentScope?: number
  readonly vaList?: boolean
}

export function frameObjects(specs: readonly ObjectSpec[]): FrameObject[] {
  return specs.map((spec, id) => {
    const scope = spec.scope ?? 0
    return {
      id,
      name: spec.name,
      kind: spec.kind ?? 'local',
      size: spec.size,
      align: spec.align ?? Math.min(spec.size, 8),
      scalar: spec.scalar ?? true,
      addressTaken: spec.addressTaken ?? false,
      protector: { ...NOT_PROTECTED, ...spec.protector },
      scopeDepth: scope === 0 ? 0 : 1,
      scope,
      ...(spec.parentScope === undefined ? (scope === 0 ? {} : { parentScope: 0 }) : { parentScope: spec.parentScope }),
      ...(spec.vaList === undefined ? {} : { vaList: spec.vaList }),
    }
  })
}

export const charArray = (name: string, length: number, scope = 0): ObjectSpec => ({
  name,
  size: length,
  align: length >= 16 ? 16 : 1,
  scalar: false,
  protector: { smallCharArray: length < 8, largeCharArray: length >= 8, array: true },
  scope,
})

export const intArray = (name: string, count: number, elementSize = 4, scope = 0): ObjectSpec => ({
  name,
  size: count * elementSize,
  align: elementSize,
  scalar: false,
  protector: { array: true },
  scope,
})

export function fn(
  name: string,
  specs: readonly ObjectSpec[],
  body: Stmt[],
  options: { returns?: ReturnType; variadic?: boolean; linkage?: 'global' | 'static'; paramTypes?: IntType[] } = {},
): IrFunction {
  const frame = frameObjects(specs)
  const params = frame
    .filter((object) => object.kind === 'param')
    .map((object, i) => ({ object: object.id, type: { kind: 'int' as const, type: options.paramTypes?.[i] ?? (object.size === 8 ? ('i64' as const) : ('i32' as const)) } }))
  return {
    name,
    linkage: options.linkage ?? 'global',
    params,
    returns: options.returns ?? { kind: 'int', type: 'i32' },
    variadic: options.variadic ?? false,
    frame,
    body,
  }
}
