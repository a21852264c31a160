/**
 * Stack frame layout with gcc 12 -O0's rules, measured on this machine (gcc -O0 -g, DWARF
 * locations; see tests/unit/toolchain/backend/frame.test.ts):
 *
 * - Variadic functions first reserve the 176-byte register save area (rbp-176 .. rbp).
 * - With a canary, it comes next (rbp-8 in ordinary functions).
 * - Without -fstack-protector*: scalars whose address is never taken (gcc's SSA "registers")
 *   first, in SSA partition order (those needing a PHI node first: ssa-order.ts); then the other locals in block order (outer block first,
 *   declaration order within a block); then objects of inner blocks of 32 bytes or more, sorted
 *   like gcc's stack_var_cmp and sharing a slot when their blocks are disjoint.
 * - With any -fstack-protector* flag, every local is deferred and sorted (size decreasing,
 *   alignment increasing, scalars before memory objects, later ones first); when the function is
 *   protected, character arrays are placed first (right below the canary), then (strong/all)
 *   other arrays, then the rest.
 * - Parameters received in registers are spilled below the locals, starting at a 16-byte
 *   boundary, chars and shorts in 4-byte slots, each slot in the first padding hole left by an
 *   earlier one where it fits (gcc's assign_stack_local); stack-passed parameters stay at rbp+16, rbp+24, ... (with a canary they are
 *   copied below the locals too).
 * - Aggregates (arrays, structs) of 16 bytes or more are 16-byte aligned (x86-64 ABI), va_list
 *   excepted.
 * - `sub rsp, N`: N = frame size rounded up to 16; leaf functions (no calls, no canary) use the
 *   128-byte red zone and allocate only what exceeds 120 bytes.
 * - An object in memory aligned beyond the 16 bytes rsp guarantees (`_Alignas(32)`) makes gcc
 *   realign the frame: `and rsp, -A` after the pushes, the objects laid out as usual below that
 *   boundary and addressed through rsp, N rounded up to A. A scalar kept like a register ignores
 *   its requested alignment (gcc gives its pseudo the mode's alignment).
 *
 * Known difference: gcc lets objects share a slot when their live ranges (from first use to end
 * of block) do not overlap; we only share between disjoint blocks, which is always safe.
 */
import type { CallArg, Expr, FrameObject, IrFunction, ParamType, Stmt } from '../ir/types'
import { ssaOrder } from './ssa-order'

export type StackProtector = 'none' | 'default' | 'strong' | 'all'

export const REGISTER_SAVE_AREA_SIZE = 176

export interface ParamLocation {
  readonly object: number
  /** Integer registers carrying the parameter (index into rdi, rsi, rdx, rcx, r8, r9), empty
   *  when passed on the stack. */
  readonly registers: readonly number[]
  /** rbp-relative position of a stack-passed parameter (rbp+16, ...). */
  readonly stackOffset?: number
  readonly type: ParamType
}

export interface FrameLayout {
  readonly functionName: string
  /** Callee-saved registers pushed after rbp (their slots are rbp-8, rbp-16, ...). */
  readonly calleeSaved: readonly string[]
  /** rbp-relative offset of each frame object with a slot (stack-passed parameters: positive). */
  readonly offsets: ReadonlyMap<number, number>
  readonly canaryOffset?: number
  /** Start of the variadic register save area (rbp-relative). */
  readonly registerSaveArea?: number
  /** Slot holding the hidden struct-return pointer. */
  readonly structReturnSlot?: number
  readonly params: readonly ParamLocation[]
  /** Integer registers used by named parameters (for va_start). */
  readonly namedRegisterCount: number
  /** Bytes of named parameters passed on the stack (for va_start's overflow area). */
  readonly namedStackBytes: number
  /** Set when the frame is realigned (`and rsp, -realignment` after the pushes): negative offsets
   *  are then from that aligned boundary, which is rsp + stackAllocation once the prologue is
   *  done; positive ones (stack-passed parameters) stay rbp-relative. */
  readonly realignment?: number
  /** Bytes below rbp (a realigned frame: below its aligned boundary) the frame uses. */
  readonly frameSize: number
  /** N in `sub rsp, N`. */
  readonly stackAllocation: number
  readonly leaf: boolean
  /** Set by the code generator: the labels around each lexical block's code, in the order the
   *  blocks begin, for debug info's DW_TAG_lexical_block ranges. */
  readonly blocks?: readonly BlockLabels[]
}

export interface BlockLabels {
  /** The IR's block number (`FrameObject.scope`). */
  readonly scope: number
  /** The innermost block with labels around this one (none: the function body). */
  readonly parent?: number
  readonly begin: string
  readonly end: string
}

/** What the body says about frame objects: which are used, in which order they first appear,
 *  and whether the function calls anything. */
export interface BodyFacts {
  readonly firstMention: ReadonlyMap<number, number>
  readonly hasCalls: boolean
  /** Callee-saved registers (rbx, r12, ...) the body needs to keep values across calls. */
  readonly calleeSaved: number
}

/** Callee-saved registers in gcc's order of use. */
export const CALLEE_SAVED = ['rbx', 'r12', 'r13', 'r14', 'r15'] as const

export function containsCall(expr: Expr): boolean {
  switch (expr.kind) {
    case 'const':
    case 'symbolAddr':
    case 'frameAddr':
      return false
    case 'call':
      return true
    case 'load':
      return containsCall(expr.addr)
    case 'convert':
    case 'unary':
      return containsCall(expr.value)
    case 'binary':
    case 'compare':
    case 'logical':
      return containsCall(expr.left) || containsCall(expr.right)
    case 'select':
      return containsCall(expr.cond) || containsCall(expr.then) || containsCall(expr.otherwise)
    case 'assign':
      return containsCall(expr.addr) || containsCall(expr.value)
    case 'update':
      return containsCall(expr.addr) || containsCall(expr.operand)
    case 'comma':
      return containsCall(expr.first) || containsCall(expr.then)
    case 'vaArg':
      return containsCall(expr.list)
  }
}

/**
 * How many values an expression holds in callee-saved registers at once: gcc keeps the left
 * operand of `f(a) + f(b)` in rbx while the right one calls (and pushes rbx in the prologue,
 * which moves every local down).
 */
export function calleeSavedNeeded(expr: Expr): number {
  switch (expr.kind) {
    case 'const':
    case 'symbolAddr':
    case 'frameAddr':
      return 0
    case 'binary':
    case 'compare': {
      const left = calleeSavedNeeded(expr.left)
      const right = calleeSavedNeeded(expr.right)
      return containsCall(expr.right) && expr.left.kind !== 'const' ? Math.max(left, 1 + right) : Math.max(left, right)
    }
    case 'load':
      return calleeSavedNeeded(expr.addr)
    case 'convert':
    case 'unary':
      return calleeSavedNeeded(expr.value)
    case 'logical':
      return Math.max(calleeSavedNeeded(expr.left), calleeSavedNeeded(expr.right))
    case 'select':
      return Math.max(calleeSavedNeeded(expr.cond), calleeSavedNeeded(expr.then), calleeSavedNeeded(expr.otherwise))
    case 'assign':
      return Math.max(calleeSavedNeeded(expr.addr), calleeSavedNeeded(expr.value))
    case 'update':
      return Math.max(calleeSavedNeeded(expr.addr), calleeSavedNeeded(expr.operand))
    case 'comma':
      return Math.max(calleeSavedNeeded(expr.first), calleeSavedNeeded(expr.then))
    case 'call': {
      // Arguments are evaluated last to first; values already computed wait across later calls.
      let need = expr.callee.kind === 'indirect' ? calleeSavedNeeded(expr.callee.address) : 0
      let waiting = 0
      for (let index = expr.args.length - 1; index >= 0; index--) {
        const arg = expr.args[index] as CallArg
        const value = arg.kind === 'int' ? arg.value : arg.addr
        need = Math.max(need, (containsCall(value) ? waiting : 0) + calleeSavedNeeded(value))
        if (arg.kind === 'int') waiting++
      }
      return need
    }
    case 'vaArg':
      return calleeSavedNeeded(expr.list)
  }
}

export function analyzeBody(body: readonly Stmt[]): BodyFacts {
  const firstMention = new Map<number, number>()
  let counter = 0
  let hasCalls = false
  let calleeSaved = 0
  const mention = (id: number): void => {
    if (!firstMention.has(id)) firstMention.set(id, counter++)
  }
  const visitExpr = (expr: Expr): void => {
    switch (expr.kind) {
      case 'const':
      case 'symbolAddr':
        return
      case 'frameAddr':
        return mention(expr.object)
      case 'load':
        return visitExpr(expr.addr)
      case 'convert':
      case 'unary':
        return visitExpr(expr.value)
      case 'binary':
      case 'compare':
      case 'logical':
        visitExpr(expr.left)
        return visitExpr(expr.right)
      case 'select':
        visitExpr(expr.cond)
        visitExpr(expr.then)
        return visitExpr(expr.otherwise)
      case 'assign':
        // The value is computed before the store defines the target.
        visitExpr(expr.value)
        return visitExpr(expr.addr)
      case 'update':
        visitExpr(expr.operand)
        return visitExpr(expr.addr)
      case 'comma':
        visitExpr(expr.first)
        return visitExpr(expr.then)
      case 'call':
        hasCalls = true
        for (const arg of expr.args) visitExpr(arg.kind === 'int' ? arg.value : arg.addr)
        if (expr.callee.kind === 'indirect') visitExpr(expr.callee.address)
        if (expr.resultAddr !== undefined) visitExpr(expr.resultAddr)
        return
      case 'vaArg':
        return visitExpr(expr.list)
    }
  }
  const need = (expr: Expr): void => {
    calleeSaved = Math.max(calleeSaved, calleeSavedNeeded(expr))
  }
  for (const stmt of body) {
    switch (stmt.kind) {
      case 'eval':
        need(stmt.expr)
        visitExpr(stmt.expr)
        break
      case 'store':
        need(stmt.value)
        visitExpr(stmt.value)
        visitExpr(stmt.addr)
        break
      case 'copy':
        visitExpr(stmt.src)
        visitExpr(stmt.dst)
        break
      case 'zero':
        visitExpr(stmt.dst)
        break
      case 'branch':
        need(stmt.cond)
        visitExpr(stmt.cond)
        break
      case 'switch':
        need(stmt.value)
        visitExpr(stmt.value)
        break
      case 'return':
        if (stmt.value !== undefined) {
          need(stmt.value)
          visitExpr(stmt.value)
        }
        break
      case 'vaStart':
        visitExpr(stmt.list)
        break
      case 'label':
      case 'jump':
      case 'scopeBegin':
      case 'scopeEnd':
        break
    }
  }
  return { firstMention, hasCalls, calleeSaved: Math.min(calleeSaved, CALLEE_SAVED.length) }
}

/** `count` consecutive numbers from `first` (the argument registers of a parameter). */
export function consecutive(first: number, count: number): number[] {
  const numbers: number[] = []
  for (let i = 0; i < count; i++) numbers.push(first + i)
  return numbers
}

/** System V classification of the parameters (integer class only). */
export function classifyParams(fn: IrFunction): { params: ParamLocation[]; namedRegisterCount: number; namedStackBytes: number } {
  let nextRegister = fn.returns.kind === 'aggregate' && fn.returns.size > 16 ? 1 : 0
  let stackBytes = 0
  const params = fn.params.map((param): ParamLocation => {
    const words = param.type.kind === 'int' ? 1 : Math.ceil(param.type.size / 8)
    const inRegisters = (param.type.kind === 'int' || param.type.size <= 16) && nextRegister + words <= 6
    if (inRegisters) {
      const registers = consecutive(nextRegister, words)
      nextRegister += words
      return { object: param.object, registers, type: param.type }
    }
    const stackOffset = 16 + stackBytes
    stackBytes += words * 8
    return { object: param.object, registers: [], stackOffset, type: param.type }
  })
  return { params, namedRegisterCount: nextRegister, namedStackBytes: stackBytes }
}

function effectiveAlign(object: FrameObject): number {
  if (isRegisterLike(object)) return Math.max(object.size, 1)
  if (!object.scalar && object.size >= 16 && object.vaList !== true) return Math.max(object.align, 16)
  return Math.max(object.align, 1)
}

/** The stack boundary rsp keeps (System V): stricter alignments need a realigned frame. */
const STACK_BOUNDARY = 16

function isRegisterLike(object: FrameObject): boolean {
  return object.scalar && !object.addressTaken
}

function protectorPhase(object: FrameObject, mode: StackProtector): number {
  const p = object.protector
  if (mode === 'strong' || mode === 'all') {
    if ((p.smallCharArray || p.largeCharArray) && !p.aggregate) return 1
    return p.array ? 2 : 0
  }
  if (mode === 'default') return p.largeCharArray ? 1 : 0
  return 0
}

export function needsCanary(fn: IrFunction, mode: StackProtector, facts: BodyFacts): boolean {
  const locals = fn.frame.filter((object) => object.kind !== 'param' && facts.firstMention.has(object.id))
  switch (mode) {
    case 'none':
      return false
    case 'all':
      return true
    case 'strong':
      return locals.some((object) => object.protector.array || object.addressTaken)
    case 'default':
      return locals.some((object) => object.protector.largeCharArray)
  }
}

export function layoutFrame(fn: IrFunction, mode: StackProtector, facts: BodyFacts = analyzeBody(fn.body)): FrameLayout {
  const calleeSaved = CALLEE_SAVED.slice(0, facts.calleeSaved)
  const inMemory = fn.frame.filter((object) => object.kind === 'param' || facts.firstMention.has(object.id))
  const strictest = Math.max(STACK_BOUNDARY, ...inMemory.map(effectiveAlign))
  const realignment = strictest > STACK_BOUNDARY ? strictest : undefined
  // Pushed callee-saved registers come first; locals start at the next 16-byte boundary (in a
  // realigned frame, at the aligned boundary below the pushes).
  let offset = realignment === undefined ? -alignUp(8 * calleeSaved.length, 16) : 0
  const allocate = (size: number, align: number): number => {
    offset = -alignUp(-offset + size, align)
    return offset
  }
  const offsets = new Map<number, number>()
  const declarationIndex = new Map<number, number>()
  fn.frame.forEach((object, index) => declarationIndex.set(object.id, index))
  const parents = new Map<number, number | undefined>()
  for (const object of fn.frame) if (!parents.has(object.scope)) parents.set(object.scope, object.parentScope)

  const registerSaveArea = fn.variadic ? allocate(REGISTER_SAVE_AREA_SIZE, 16) : undefined
  const canary = needsCanary(fn, mode, facts)
  const canaryOffset = canary ? allocate(8, 8) : undefined

  const locals = fn.frame.filter((object) => object.kind === 'local' && facts.firstMention.has(object.id))
  // Register-like scalars are SSA names in gcc: their slots follow the partition order.
  const registerOrder = ssaOrder(fn.body, locals.filter(isRegisterLike).map((object) => object.id))
  const mentionOrder = (object: FrameObject): number => registerOrder.get(object.id) ?? Number.MAX_SAFE_INTEGER
  // gcc's stack_var_cmp: size decreasing, alignment increasing, registers-like first, later first.
  const compare = (a: FrameObject, b: FrameObject): number => {
    if (a.size !== b.size) return b.size - a.size
    const alignA = effectiveAlign(a)
    const alignB = effectiveAlign(b)
    if (alignA !== alignB) return alignA - alignB
    const registerA = isRegisterLike(a)
    const registerB = isRegisterLike(b)
    if (registerA !== registerB) return registerA ? -1 : 1
    const keyA = registerA ? mentionOrder(a) : (declarationIndex.get(a.id) ?? 0)
    const keyB = registerB ? mentionOrder(b) : (declarationIndex.get(b.id) ?? 0)
    return keyB - keyA
  }
  const isAncestorOrSelf = (ancestor: number, scope: number): boolean => {
    const seen = new Set<number>()
    for (let current: number | undefined = scope; current !== undefined && !seen.has(current); current = parents.get(current)) {
      if (current === ancestor) return true
      seen.add(current)
    }
    return false
  }
  const conflict = (a: FrameObject, b: FrameObject): boolean => isAncestorOrSelf(a.scope, b.scope) || isAncestorOrSelf(b.scope, a.scope)
  /** Sort, merge non-conflicting memory objects into partitions, allocate per phase. */
  const allocateDeferred = (objects: FrameObject[], phased: boolean): void => {
    const sorted = [...objects].sort(compare)
    const partitions: { members: FrameObject[]; align: number }[] = []
    const assigned = new Set<number>()
    for (const [i, representative] of sorted.entries()) {
      if (assigned.has(representative.id)) continue
      assigned.add(representative.id)
      const partition = { members: [representative], align: effectiveAlign(representative) }
      if (!isRegisterLike(representative)) {
        for (const candidate of sorted.slice(i + 1)) {
          if (assigned.has(candidate.id) || isRegisterLike(candidate)) continue
          if (partition.members.some((member) => conflict(member, candidate))) continue
          partition.members.push(candidate)
          partition.align = Math.max(partition.align, effectiveAlign(candidate))
          assigned.add(candidate.id)
        }
      }
      partitions.push(partition)
    }
    const place = (partition: { members: FrameObject[]; align: number }): void => {
      const slot = allocate((partition.members[0] as FrameObject).size, partition.align)
      for (const member of partition.members) offsets.set(member.id, slot)
    }
    if (phased) {
      const phaseOf = (partition: { members: FrameObject[] }): number => protectorPhase(partition.members[0] as FrameObject, mode)
      partitions.filter((partition) => phaseOf(partition) === 1).forEach(place)
      if (mode === 'strong' || mode === 'all') partitions.filter((partition) => phaseOf(partition) === 2).forEach(place)
      partitions.filter((partition) => !offsets.has((partition.members[0] as FrameObject).id)).forEach(place)
    } else {
      partitions.forEach(place)
    }
  }

  if (mode !== 'none') {
    const protectedDecls = locals.some((object) => protectorPhase(object, mode) > 0)
    allocateDeferred(locals, canary && protectedDecls)
  } else {
    const registerLike = locals.filter(isRegisterLike).sort((a, b) => mentionOrder(a) - mentionOrder(b))
    for (const object of registerLike) offsets.set(object.id, allocate(object.size, effectiveAlign(object)))
    const memory = locals.filter((object) => !isRegisterLike(object))
    const deferred = memory.filter((object) => object.scopeDepth > 0 && object.size >= 32)
    const immediate = memory
      .filter((object) => !deferred.includes(object))
      .sort((a, b) => a.scope - b.scope || (declarationIndex.get(a.id) ?? 0) - (declarationIndex.get(b.id) ?? 0))
    for (const object of immediate) offsets.set(object.id, allocate(object.size, effectiveAlign(object)))
    allocateDeferred(deferred, false)
  }

  // Parameters: spilled from registers below the locals, from a 16-byte boundary, by gcc's
  // assign_stack_local: the padding an aligned slot leaves above it is remembered, and a later
  // slot that fits goes there (newest hole first), so `int a, long b, int c` puts c next to a.
  offset = -alignUp(-offset, 16)
  const holes: { start: number; end: number }[] = []
  const allocateParameter = (size: number, align: number): number => {
    for (const [index, hole] of holes.entries()) {
      const slot = alignDown(hole.end - size, align)
      if (slot < hole.start) continue
      holes.splice(index, 1)
      if (slot > hole.start) holes.unshift({ start: hole.start, end: slot })
      if (slot + size < hole.end) holes.unshift({ start: slot + size, end: hole.end })
      return slot
    }
    const previous = offset
    offset = alignDown(offset - size, align)
    if (offset + size < previous) holes.unshift({ start: offset + size, end: previous })
    return offset
  }
  const structReturnSlot = fn.returns.kind === 'aggregate' && fn.returns.size > 16 ? allocateParameter(8, 8) : undefined
  const { params, namedRegisterCount, namedStackBytes } = classifyParams(fn)
  const objectsById = new Map(fn.frame.map((object) => [object.id, object]))
  for (const param of params) {
    const object = objectsById.get(param.object)
    if (object === undefined) continue
    // Stack-passed parameters stay where the caller put them, except (measured): a char or short
    // one (it arrives as an int, the variable is narrower); under -fstack-protector-all every
    // one, and under the other modes a pointer when there is a canary (below it, an overflow
    // cannot reach them).
    const narrow = param.type.kind === 'int' && object.size < 4
    const guarded = mode === 'all' || (canary && param.type.kind === 'int' && param.type.type === 'ptr')
    if (param.registers.length > 0 || guarded || narrow) {
      offsets.set(object.id, allocateParameter(parameterSlotSize(param.type, object.size), param.type.kind === 'int' ? parameterSlotSize(param.type, object.size) : effectiveAlign(object)))
    } else offsets.set(object.id, param.stackOffset as number)
  }
  // Compiler temporaries come last (gcc creates them while expanding statements).
  for (const object of fn.frame) {
    if (object.kind === 'temp' && facts.firstMention.has(object.id)) offsets.set(object.id, allocate(object.size, effectiveAlign(object)))
  }

  const frameSize = -offset
  const leaf = !facts.hasCalls && !canary
  const rounded = alignUp(frameSize, realignment ?? 16)
  const pushedBelowLocals = realignment === undefined ? 8 * calleeSaved.length : 0
  const stackAllocation = leaf ? Math.max(0, rounded - 120) : rounded - pushedBelowLocals
  return {
    functionName: fn.name,
    calleeSaved,
    offsets,
    ...(canaryOffset === undefined ? {} : { canaryOffset }),
    ...(registerSaveArea === undefined ? {} : { registerSaveArea }),
    ...(structReturnSlot === undefined ? {} : { structReturnSlot }),
    params,
    namedRegisterCount,
    namedStackBytes,
    ...(realignment === undefined ? {} : { realignment }),
    frameSize,
    stackAllocation,
    leaf,
  }
}

/**
 * Bytes gcc stores a parameter in: a char or short arrives promoted to int (x86-64's
 * promote_function_mode), an aggregate of 1, 2, 4, 8 or 16 bytes in its integer mode, any other
 * aggregate in whole eightbytes (the registers it came in).
 */
function parameterSlotSize(type: ParamType, size: number): number {
  if (type.kind === 'int') return Math.max(size, 4)
  return [1, 2, 4, 8, 16].includes(size) ? size : alignUp(size, 8)
}

function alignDown(value: number, alignment: number): number {
  return alignment <= 1 ? value : Math.floor(value / alignment) * alignment
}

function alignUp(value: number, alignment: number): number {
  return alignment <= 1 ? value : Math.ceil(value / alignment) * alignment
}
