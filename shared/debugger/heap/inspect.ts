// One structured picture of the main arena's heap at a stop: the arena, the tcache, every
// chunk and every bin, with what looks corrupted. The text commands and the UI both read it.

import { readArena, readMallocPar, readMaxFast, readTcacheKey, type Arena, type Found, type MallocPar } from './arena'
import { binMembership, readBins, type HeapBins, type HeapProblem } from './bins'
import { walkHeap, type HeapChunk } from './chunks'
import { chunkSize, CHUNK, MALLOC_ALIGN_MASK, MALLOC_STATE } from './layout'
import { HeapMemory, type HeapTarget } from './target'
import { readTcache, type Tcache } from './tcache'

export interface HeapSnapshot {
  arena: Arena
  /** mp_, or null when the symbol is missing (the heap then starts at the [heap] region). */
  par: MallocPar | null
  tcache: Tcache | null
  /** global_max_fast: the largest fastbin chunk size. */
  maxFast: bigint
  tcacheKey: bigint | null
  /** The main heap, [start, end): null before the first malloc. */
  heap: { start: bigint; end: bigint } | null
  chunks: HeapChunk[]
  bins: HeapBins
  /** Everything that looks corrupted: tcache, bins and the chunk walk. */
  problems: HeapProblem[]
}

/** The main heap's bounds: from mp_.sbrk_base (the [heap] region also holds a static program's TLS block before it). */
function heapBounds(memory: HeapMemory, arena: Arena, par: MallocPar | null): { start: bigint; end: bigint } | null {
  const region = memory.target.heapRegion()
  const start = par !== null && par.sbrkBase !== 0n ? (par.sbrkBase + MALLOC_ALIGN_MASK) & ~MALLOC_ALIGN_MASK : region === null ? null : BigInt(region.start)
  if (start === null) return null
  if (region !== null && start >= BigInt(region.start) && start < BigInt(region.end)) return { start, end: BigInt(region.end) }
  const topSize = memory.u64(arena.top + CHUNK.size)
  return topSize === null || arena.top < start ? null : { start, end: arena.top + chunkSize(topSize) }
}

export function inspectHeap(target: HeapTarget): Found<HeapSnapshot> {
  const memory = new HeapMemory(target)
  const arena = readArena(memory)
  if (!arena.ok) return arena
  const parRead = readMallocPar(memory)
  const par = parRead.ok ? parRead.value : null
  const heap = heapBounds(memory, arena.value, par)
  const problems: HeapProblem[] = []
  const tcacheRead = readTcache(memory, heap === null ? null : heap.start)
  if (!tcacheRead.ok) problems.push({ address: null, message: tcacheRead.message })
  const tcache = tcacheRead.ok ? tcacheRead.value : null
  const bins = readBins(memory, arena.value, tcache)
  for (const bin of [...bins.tcache, ...bins.fast, ...(bins.unsorted === null ? [] : [bins.unsorted]), ...bins.small, ...bins.large])
    for (const problem of bin.problems) problems.push({ address: problem.address, message: `${bin.bin.kind}[${bin.bin.label}]: ${problem.message}` })
  let chunks: HeapChunk[] = []
  if (heap !== null) {
    const walk = walkHeap(memory, heap.start, heap.end, arena.value.top, binMembership(bins))
    chunks = walk.chunks
    problems.push(...walk.problems)
  }
  return {
    ok: true,
    value: { arena: arena.value, par, tcache, maxFast: readMaxFast(memory), tcacheKey: readTcacheKey(memory), heap, chunks, bins, problems },
  }
}

/** "main_arena+96" for an address inside the arena, else the target's own name for it. */
export function describeAddress(memory: HeapMemory, arena: Arena, address: bigint): string | null {
  if (address >= arena.address && address < arena.address + MALLOC_STATE.size) {
    const offset = address - arena.address
    return offset === 0n ? 'main_arena' : `main_arena+${offset}`
  }
  return memory.symbolize(address)
}
