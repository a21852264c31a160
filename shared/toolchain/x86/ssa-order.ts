/**
 * The order in which gcc -O0 gives stack slots to scalars whose address is never taken.
 *
 * gcc puts such variables in SSA form even at -O0, and lays out their homes in the order of
 * their SSA partitions, which is the order of the lowest SSA version of each variable:
 *  1. variables that need a PHI node come first, in declaration order (into-SSA inserts every
 *     PHI, in DECL_UID order, before it renames anything). A variable needs one when it is
 *     assigned in a block whose iterated dominance frontier holds a block where it is live
 *     (a loop counter, a sum updated in a loop, a value set on both arms of an `if`);
 *  2. the others in the order the renaming walk meets them: the dominator tree from the entry,
 *     children in reverse post-order, statements in order (a use before any assignment
 *     creates the default definition there).
 * Measured with gcc 12 -O0 -g (tests/unit/toolchain/backend/frame.test.ts).
 */
import type { Expr, Stmt } from '../ir/types'

interface Block {
  /** Mentions of the tracked objects, in evaluation order. */
  readonly events: { readonly object: number; readonly def: boolean }[]
  readonly successors: number[]
}

/** Splits the body into basic blocks with their successors (a branch's taken-when-true edge first, as in gcc's GIMPLE_COND). */
function basicBlocks(body: readonly Stmt[], tracked: ReadonlySet<number>): Block[] {
  const blocks: Block[] = []
  const labelBlock = new Map<string, number>()
  const pendingTargets: { block: number; targets: readonly string[]; fallThrough: 'before' | 'after' | 'none' }[] = []
  let current: Block | undefined
  const open = (): Block => {
    if (current === undefined) {
      current = { events: [], successors: [] }
      blocks.push(current)
    }
    return current
  }
  const end = (targets: readonly string[], fallThrough: 'before' | 'after' | 'none'): void => {
    open()
    pendingTargets.push({ block: blocks.length - 1, targets, fallThrough })
    current = undefined
  }
  const visit = (expr: Expr, block: Block): void => {
    const mention = (object: number, def: boolean): void => {
      if (tracked.has(object)) block.events.push({ object, def })
    }
    switch (expr.kind) {
      case 'const':
      case 'symbolAddr':
      case 'frameAddr':
        return
      case 'load':
        if (expr.addr.kind === 'frameAddr') return mention(expr.addr.object, false)
        return visit(expr.addr, block)
      case 'convert':
      case 'unary':
        return visit(expr.value, block)
      case 'binary':
      case 'compare':
      case 'logical':
        visit(expr.left, block)
        return visit(expr.right, block)
      case 'select':
        visit(expr.cond, block)
        visit(expr.then, block)
        return visit(expr.otherwise, block)
      case 'assign':
        visit(expr.value, block)
        if (expr.addr.kind === 'frameAddr') return mention(expr.addr.object, true)
        return visit(expr.addr, block)
      case 'update':
        visit(expr.operand, block)
        if (expr.addr.kind !== 'frameAddr') return visit(expr.addr, block)
        mention(expr.addr.object, false)
        return mention(expr.addr.object, true)
      case 'comma':
        visit(expr.first, block)
        return visit(expr.then, block)
      case 'call':
        for (const arg of [...expr.args].reverse()) visit(arg.kind === 'int' ? arg.value : arg.addr, block)
        if (expr.callee.kind === 'indirect') visit(expr.callee.address, block)
        return
      case 'vaArg':
        return visit(expr.list, block)
    }
  }
  for (const stmt of body) {
    switch (stmt.kind) {
      case 'label':
        if (current !== undefined) end([], 'after')
        labelBlock.set(stmt.label, blocks.length)
        open()
        break
      case 'eval':
        visit(stmt.expr, open())
        break
      case 'store': {
        const block = open()
        visit(stmt.value, block)
        if (stmt.addr.kind === 'frameAddr') {
          if (tracked.has(stmt.addr.object)) block.events.push({ object: stmt.addr.object, def: true })
        } else visit(stmt.addr, block)
        break
      }
      case 'copy':
        visit(stmt.src, open())
        visit(stmt.dst, open())
        break
      case 'zero':
        visit(stmt.dst, open())
        break
      case 'vaStart':
        visit(stmt.list, open())
        break
      case 'jump':
        end([stmt.target], 'none')
        break
      case 'branch':
        visit(stmt.cond, open())
        end([stmt.target], stmt.when ? 'after' : 'before')
        break
      case 'switch':
        visit(stmt.value, open())
        end([...stmt.cases.map((entry) => entry.target), stmt.defaultTarget], 'none')
        break
      case 'return':
        if (stmt.value !== undefined) visit(stmt.value, open())
        end([], 'none')
        break
      case 'scopeBegin':
      case 'scopeEnd':
        break
    }
  }
  if (current !== undefined) end([], 'none')
  for (const { block, targets, fallThrough } of pendingTargets) {
    const successors = (blocks[block] as Block).successors
    const next = block + 1 < blocks.length ? [block + 1] : []
    const jumps = targets.map((label) => labelBlock.get(label)).filter((index): index is number => index !== undefined)
    if (fallThrough === 'before') successors.push(...next, ...jumps)
    else if (fallThrough === 'after') successors.push(...jumps, ...next)
    else successors.push(...jumps)
  }
  return blocks
}

/** Rank (0 = first) of each tracked object in gcc's SSA partition order. */
export function ssaOrder(body: readonly Stmt[], declarationOrder: readonly number[]): Map<number, number> {
  if (declarationOrder.length === 0) return new Map()
  const tracked = new Set(declarationOrder)
  const blocks = basicBlocks(body, tracked)
  const count = blocks.length
  const successors = (b: number): number[] => (blocks[b] as Block).successors
  const predecessors: number[][] = blocks.map(() => [])
  blocks.forEach((block, b) => block.successors.forEach((s) => (predecessors[s] as number[]).push(b)))

  // Reverse post-order from the entry (successors in edge order).
  // (Iterative: generated functions can have thousands of blocks.)
  const postorder: number[] = []
  const seen = new Set<number>()
  if (count > 0) {
    seen.add(0)
    const stack: { block: number; next: number }[] = [{ block: 0, next: 0 }]
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { block: number; next: number }
      const following = successors(top.block)[top.next++]
      if (following === undefined) {
        postorder.push(top.block)
        stack.pop()
      } else if (!seen.has(following)) {
        seen.add(following)
        stack.push({ block: following, next: 0 })
      }
    }
  }
  const rpo = [...postorder].reverse()
  const rpoIndex = new Map(rpo.map((b, i) => [b, i]))

  // Immediate dominators (Cooper, Harvey, Kennedy).
  const idom = new Map<number, number>([[0, 0]])
  const intersect = (a: number, b: number): number => {
    let x = a
    let y = b
    while (x !== y) {
      while ((rpoIndex.get(x) as number) > (rpoIndex.get(y) as number)) x = idom.get(x) as number
      while ((rpoIndex.get(y) as number) > (rpoIndex.get(x) as number)) y = idom.get(y) as number
    }
    return x
  }
  for (let changed = true; changed; ) {
    changed = false
    for (const b of rpo.slice(1)) {
      const processed = (predecessors[b] as number[]).filter((p) => idom.has(p))
      if (processed.length === 0) continue
      const candidate = processed.slice(1).reduce(intersect, processed[0] as number)
      if (idom.get(b) !== candidate) {
        idom.set(b, candidate)
        changed = true
      }
    }
  }
  // Dominance frontiers.
  const frontier: Set<number>[] = blocks.map(() => new Set())
  for (const b of rpo) {
    const preds = (predecessors[b] as number[]).filter((p) => idom.has(p))
    if (preds.length < 2) continue
    for (const p of preds) {
      for (let runner = p; runner !== idom.get(b); runner = idom.get(runner) as number) {
        ;(frontier[runner] as Set<number>).add(b)
        if (runner === 0) break
      }
    }
  }

  // Where each object is defined, and where it is used before any definition in the block.
  const defines = new Map<number, Set<number>>(declarationOrder.map((object) => [object, new Set()]))
  const upward = new Map<number, Set<number>>(declarationOrder.map((object) => [object, new Set()]))
  blocks.forEach((block, b) => {
    for (const event of block.events) {
      const defined = defines.get(event.object) as Set<number>
      if (event.def) defined.add(b)
      else if (!defined.has(b)) (upward.get(event.object) as Set<number>).add(b)
    }
  })

  const needsPhi = (object: number): boolean => {
    const defined = new Set([...(defines.get(object) as Set<number>)].filter((b) => idom.has(b)))
    // Blocks where the object is live on entry: from its upward-exposed uses back through
    // predecessors, stopping at blocks that define it.
    const live = new Set(upward.get(object))
    const work = [...live]
    while (work.length > 0) {
      const b = work.pop() as number
      for (const p of predecessors[b] as number[]) {
        if (live.has(p) || defined.has(p)) continue
        live.add(p)
        work.push(p)
      }
    }
    if (live.size === 0) return false
    const iterated = new Set<number>()
    const pending = [...defined]
    while (pending.length > 0) {
      const b = pending.pop() as number
      for (const d of frontier[b] as Set<number>) {
        if (iterated.has(d)) continue
        if (live.has(d)) return true
        iterated.add(d)
        pending.push(d)
      }
    }
    return false
  }

  const order: number[] = declarationOrder.filter(needsPhi)
  const placed = new Set(order)
  // Renaming walk: dominator tree, children in reverse post-order.
  const children = new Map<number, number[]>()
  for (const b of rpo.slice(1)) {
    const parent = idom.get(b) as number
    const siblings = children.get(parent)
    if (siblings === undefined) children.set(parent, [b])
    else siblings.push(b)
  }
  const pending = count > 0 ? [0] : []
  while (pending.length > 0) {
    const b = pending.pop() as number
    for (const event of (blocks[b] as Block).events) {
      if (!placed.has(event.object)) {
        placed.add(event.object)
        order.push(event.object)
      }
    }
    pending.push(...[...(children.get(b) ?? [])].reverse())
  }
  return new Map(order.map((object, rank) => [object, rank]))
}
