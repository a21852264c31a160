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
import type { CallArg, Expr, Stmt } from '../ir/types'

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
  const mention = (block: Block, object: number, def: boolean): void => {
    if (tracked.has(object)) block.events.push({ object, def })
  }
  const visit = (expr: Expr, block: Block): void => {
    switch (expr.kind) {
      case 'const':
      case 'symbolAddr':
      case 'frameAddr':
        return
      case 'load':
        if (expr.addr.kind === 'frameAddr') return mention(block, expr.addr.object, false)
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
        if (expr.addr.kind === 'frameAddr') return mention(block, expr.addr.object, true)
        return visit(expr.addr, block)
      case 'update':
        visit(expr.operand, block)
        if (expr.addr.kind !== 'frameAddr') return visit(expr.addr, block)
        mention(block, expr.addr.object, false)
        return mention(block, expr.addr.object, true)
      case 'comma':
        visit(expr.first, block)
        return visit(expr.then, block)
      case 'call':
        for (let index = expr.args.length - 1; index >= 0; index--) {
          const arg = expr.args[index] as CallArg
          visit(arg.kind === 'int' ? arg.value : arg.addr, block)
        }
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
  // Per-block facts live in typed arrays indexed by block number: every function is analysed on
  // every compile, and Maps and Sets of small numbers would be most of the work.
  const predecessors: number[][] = blocks.map(() => [])
  blocks.forEach((block, b) => {
    for (const s of block.successors) (predecessors[s] as number[]).push(b)
  })

  // Reverse post-order from the entry (successors in edge order).
  // (Iterative: generated functions can have thousands of blocks.)
  const postorder: number[] = []
  if (count > 0) {
    const seen = new Uint8Array(count)
    seen[0] = 1
    const stackBlocks = [0]
    const stackNext = [0]
    while (stackBlocks.length > 0) {
      const top = stackBlocks.length - 1
      const block = stackBlocks[top] as number
      const next = stackNext[top] as number
      const following = (blocks[block] as Block).successors[next]
      stackNext[top] = next + 1
      if (following === undefined) {
        postorder.push(block)
        stackBlocks.pop()
        stackNext.pop()
      } else if (seen[following] === 0) {
        seen[following] = 1
        stackBlocks.push(following)
        stackNext.push(0)
      }
    }
  }
  const rpo = postorder.reverse()
  /** Position of each block in `rpo`; -1 for blocks the entry does not reach. */
  const rpoIndex = new Int32Array(count).fill(-1)
  rpo.forEach((b, i) => (rpoIndex[b] = i))

  // Immediate dominators (Cooper, Harvey, Kennedy); -1 while unknown (and for unreachable blocks).
  const idom = new Int32Array(count).fill(-1)
  if (count > 0) idom[0] = 0
  const intersect = (a: number, b: number): number => {
    let x = a
    let y = b
    while (x !== y) {
      while ((rpoIndex[x] as number) > (rpoIndex[y] as number)) x = idom[x] as number
      while ((rpoIndex[y] as number) > (rpoIndex[x] as number)) y = idom[y] as number
    }
    return x
  }
  for (let changed = true; changed; ) {
    changed = false
    for (let i = 1; i < rpo.length; i++) {
      const b = rpo[i] as number
      let candidate = -1
      for (const p of predecessors[b] as number[]) {
        if (idom[p] === -1) continue
        candidate = candidate === -1 ? p : intersect(p, candidate)
      }
      if (candidate !== -1 && idom[b] !== candidate) {
        idom[b] = candidate
        changed = true
      }
    }
  }
  // Dominance frontiers.
  const frontier: number[][] = blocks.map(() => [])
  for (const b of rpo) {
    const preds = (predecessors[b] as number[]).filter((p) => idom[p] !== -1)
    if (preds.length < 2) continue
    for (const p of preds) {
      for (let runner = p; runner !== idom[b]; runner = idom[runner] as number) {
        const runnerFrontier = frontier[runner] as number[]
        if (!runnerFrontier.includes(b)) runnerFrontier.push(b)
        if (runner === 0) break
      }
    }
  }

  // Where each object is defined, and where it is used before any definition in the block
  // (blocks in increasing order, each once: a block's events are seen together).
  const defines = new Map<number, number[]>(declarationOrder.map((object) => [object, []]))
  const upward = new Map<number, number[]>(declarationOrder.map((object) => [object, []]))
  blocks.forEach((block, b) => {
    for (const event of block.events) {
      const defined = defines.get(event.object) as number[]
      if (event.def) {
        if (defined[defined.length - 1] !== b) defined.push(b)
      } else if (defined[defined.length - 1] !== b) {
        const exposed = upward.get(event.object) as number[]
        if (exposed[exposed.length - 1] !== b) exposed.push(b)
      }
    }
  })

  // Marks per block, reused for every object: a block is marked when it holds the current stamp.
  const definedMark = new Int32Array(count)
  const liveMark = new Int32Array(count)
  const iteratedMark = new Int32Array(count)
  let stamp = 0
  const needsPhi = (object: number): boolean => {
    stamp++
    const defined = (defines.get(object) as number[]).filter((b) => idom[b] !== -1)
    for (const b of defined) definedMark[b] = stamp
    // Blocks where the object is live on entry: from its upward-exposed uses back through
    // predecessors, stopping at blocks that define it.
    const work = [...(upward.get(object) as number[])]
    for (const b of work) liveMark[b] = stamp
    let live = work.length
    while (work.length > 0) {
      const b = work.pop() as number
      for (const p of predecessors[b] as number[]) {
        if (liveMark[p] === stamp || definedMark[p] === stamp) continue
        liveMark[p] = stamp
        live++
        work.push(p)
      }
    }
    if (live === 0) return false
    const pending = defined
    while (pending.length > 0) {
      const b = pending.pop() as number
      for (const d of frontier[b] as number[]) {
        if (iteratedMark[d] === stamp) continue
        if (liveMark[d] === stamp) return true
        iteratedMark[d] = stamp
        pending.push(d)
      }
    }
    return false
  }

  const order: number[] = declarationOrder.filter(needsPhi)
  const placed = new Set(order)
  // Renaming walk: dominator tree, children in reverse post-order.
  const children: number[][] = blocks.map(() => [])
  for (let i = 1; i < rpo.length; i++) {
    const b = rpo[i] as number
    ;(children[idom[b] as number] as number[]).push(b)
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
    const below = children[b] as number[]
    for (let i = below.length - 1; i >= 0; i--) pending.push(below[i] as number)
  }
  return new Map(order.map((object, rank) => [object, rank]))
}
