// `try_free ADDR`: what glibc 2.36's free() would do with this pointer, without doing it.
// __libc_free and _int_free's checks are walked in glibc's order; the first that fails names
// the abort and its exact message, a read of unmapped memory is the SIGSEGV glibc would take,
// and otherwise the result is where the chunk would go.

import type { BinRef } from './bins'
import { tcacheLabel } from './bins'
import type { HeapSnapshot } from './inspect'
import {
  binHeadAddress, chunkSize, CHUNK, CHUNK_HDR_SZ, DEFAULT_MMAP_THRESHOLD_MAX, FASTBIN_CONSOLIDATION_THRESHOLD, fastbinIndex,
  fastbinSize, HEAP_MAX_SIZE, inSmallbinRange, isAligned, IS_MMAPPED, MALLOC_ALIGN_MASK, MINSIZE, NON_MAIN_ARENA,
  NONCONTIGUOUS_BIT, PREV_INUSE, revealPointer, TCACHE_ENTRY, TCACHE_FILL_COUNT, TCACHE_MAX_BINS, tcacheIndex,
} from './layout'
import { HeapMemory, type HeapTarget } from './target'
import { hex } from './text'

export type TryFreeSection = 'General checks' | 'munmap_chunk checks' | 'Tcache checks' | 'Fastbin checks' | 'Consolidation checks'

export interface TryFreeCheck {
  section: TryFreeSection
  /** glibc's message for this check, printed if it fails. */
  message: string
  passed: boolean
  /** Why it passes or fails, with the values involved. */
  detail: string
}

export type TryFreeOutcome =
  | { kind: 'nothing' }
  | { kind: 'abort'; message: string }
  /** glibc would read unmapped memory: SIGSEGV, no message. */
  | { kind: 'crash'; address: bigint; reading: string }
  | { kind: 'tcache'; bin: BinRef; countAfter: number }
  | { kind: 'fastbin'; bin: BinRef }
  /** Into the unsorted bin, as `chunk` of `size` after consolidating with free neighbours. */
  | { kind: 'unsorted'; chunk: bigint; size: bigint }
  /** Merged into the top chunk, which then starts at `chunk` with `size`. */
  | { kind: 'top'; chunk: bigint; size: bigint }
  | { kind: 'munmap'; address: bigint; length: bigint }
  /** A thread arena's chunk: try_free follows main_arena only. */
  | { kind: 'other-arena'; heapInfo: bigint }

export interface TryFreeResult {
  pointer: bigint
  chunk: bigint
  /** The size field, when readable. */
  sizeField: bigint | null
  checks: TryFreeCheck[]
  /** What free() would also do on the way (consolidation, clearing a P bit, trimming). */
  notes: string[]
  outcome: TryFreeOutcome
}

const PAGE_SIZE = 4096n
const U64 = 1n << 64n

class Unreadable {
  constructor(readonly address: bigint, readonly reading: string) {}
}

class Stop {
  constructor(readonly outcome: TryFreeOutcome) {}
}

class Walk {
  readonly checks: TryFreeCheck[] = []
  readonly notes: string[] = []

  constructor(private readonly memory: HeapMemory) {}

  u64(address: bigint, reading: string): bigint {
    const value = this.memory.u64(address)
    if (value === null) throw new Unreadable(address, reading)
    return value
  }

  check(section: TryFreeSection, message: string, fails: boolean, detail: string): void {
    this.checks.push({ section, message, passed: !fails, detail })
    if (fails) throw new Stop({ kind: 'abort', message })
  }

  /** A check made many times over (once per list entry): recorded only if it fails. */
  failIf(section: TryFreeSection, message: string, fails: boolean, detail: string): void {
    if (fails) this.check(section, message, true, detail)
  }
}

/** glibc's unlink_chunk, for a free neighbour taken out of its bin to merge. */
function unlinkChunk(walk: Walk, chunk: bigint, role: string): void {
  const sizeField = walk.u64(chunk + CHUNK.size, `the ${role}'s size`)
  const size = chunkSize(sizeField)
  const nextPrevSize = walk.u64(chunk + size + CHUNK.prevSize, `the prev_size after the ${role}`)
  walk.check('Consolidation checks', 'corrupted size vs. prev_size', size !== nextPrevSize,
    `the ${role} ${hex(chunk)} has size ${hex(size)}; the prev_size after it is ${hex(nextPrevSize)}`)
  const fd = walk.u64(chunk + CHUNK.fd, `the ${role}'s fd`)
  const bk = walk.u64(chunk + CHUNK.bk, `the ${role}'s bk`)
  const fdBk = walk.u64(fd + CHUNK.bk, `fd->bk of the ${role}`)
  const bkFd = walk.u64(bk + CHUNK.fd, `bk->fd of the ${role}`)
  walk.check('Consolidation checks', 'corrupted double-linked list', fdBk !== chunk || bkFd !== chunk,
    `the ${role} ${hex(chunk)}: fd ${hex(fd)} has bk ${hex(fdBk)}, bk ${hex(bk)} has fd ${hex(bkFd)}`)
  if (inSmallbinRange(sizeField)) return
  const fdNextsize = walk.u64(chunk + CHUNK.fdNextsize, `the ${role}'s fd_nextsize`)
  if (fdNextsize === 0n) return
  const bkNextsize = walk.u64(chunk + CHUNK.bkNextsize, `the ${role}'s bk_nextsize`)
  const back = walk.u64(fdNextsize + CHUNK.bkNextsize, `fd_nextsize->bk_nextsize of the ${role}`)
  const forth = walk.u64(bkNextsize + CHUNK.fdNextsize, `bk_nextsize->fd_nextsize of the ${role}`)
  walk.check('Consolidation checks', 'corrupted double-linked list (not small)', back !== chunk || forth !== chunk,
    `the ${role} ${hex(chunk)}: fd_nextsize->bk_nextsize is ${hex(back)}, bk_nextsize->fd_nextsize is ${hex(forth)}`)
}

function munmapChunk(walk: Walk, snapshot: HeapSnapshot, chunk: bigint, size: bigint): never {
  const prevSize = walk.u64(chunk + CHUNK.prevSize, "the chunk's prev_size")
  const block = (chunk - prevSize + U64) % U64
  const total = (prevSize + size) % U64
  const offsetInPage = (chunk + CHUNK_HDR_SZ) & (PAGE_SIZE - 1n)
  const powerOfTwo = (offsetInPage & (offsetInPage - 1n)) === 0n
  walk.check('munmap_chunk checks', 'munmap_chunk(): invalid pointer', ((block | total) & (PAGE_SIZE - 1n)) !== 0n || !powerOfTwo,
    `the mapping would be ${hex(block)}, ${hex(total)} bytes (both must be page-aligned), and the pointer is at page offset ${hex(offsetInPage)}`)
  const par = snapshot.par
  if (par !== null && par.noDynThreshold === 0 && size > par.mmapThreshold && size <= DEFAULT_MMAP_THRESHOLD_MAX)
    walk.notes.push(`mp_.mmap_threshold grows from ${hex(par.mmapThreshold)} to ${hex(size)} (and trim_threshold to ${hex(2n * size)}): later requests of this size come from the heap`)
  throw new Stop({ kind: 'munmap', address: block, length: total })
}

function tcacheStep(walk: Walk, memory: HeapMemory, snapshot: HeapSnapshot, pointer: bigint, size: bigint): void {
  const index = tcacheIndex(size)
  const tcacheBins = snapshot.par?.tcacheBins ?? BigInt(TCACHE_MAX_BINS)
  if (BigInt(index) >= tcacheBins) return
  const bin: BinRef = { kind: 'tcachebins', index, label: tcacheLabel(index) }
  const tcache = snapshot.tcache
  if (tcache === null) {
    walk.notes.push('the tcache does not exist yet: free() creates it (a 0x290 chunk) first')
    throw new Stop({ kind: 'tcache', bin, countAfter: 1 })
  }
  const capacity = snapshot.par?.tcacheCount ?? BigInt(TCACHE_FILL_COUNT)
  const key = walk.u64(pointer + TCACHE_ENTRY.key, "the chunk's tcache key (bk)")
  if (snapshot.tcacheKey === null || key !== snapshot.tcacheKey) {
    walk.checks.push({ section: 'Tcache checks', message: 'free(): double free detected in tcache 2', passed: true,
      detail: snapshot.tcacheKey === null ? 'tcache_key is unreadable: glibc scans the bin only when e->key == tcache_key' : `e->key is ${hex(key)}, not tcache_key: glibc does not look for it in the bin` })
  } else {
    let entry = tcache.entries[index]!
    let position = 0n
    for (; entry !== 0n; position++) {
      walk.failIf('Tcache checks', 'free(): too many chunks detected in tcache', position >= capacity,
        `e->key is tcache_key, so glibc walks tcachebins[${bin.label}], which holds more than ${capacity} entries`)
      walk.failIf('Tcache checks', 'free(): unaligned chunk detected in tcache 2', !isAligned(entry), `entry ${position} of tcachebins[${bin.label}] is ${hex(entry)}`)
      walk.failIf('Tcache checks', 'free(): double free detected in tcache 2', entry === pointer,
        `e->key is tcache_key and entry ${position} of tcachebins[${bin.label}] is ${hex(entry)}: the chunk is already in the tcache`)
      entry = revealPointer(entry + TCACHE_ENTRY.next, walk.u64(entry + TCACHE_ENTRY.next, `the next pointer of tcachebins[${bin.label}] entry ${position}`))
    }
    walk.checks.push({ section: 'Tcache checks', message: 'free(): double free detected in tcache 2', passed: true,
      detail: `e->key is tcache_key (the chunk was in the tcache once), but none of the ${position} entries of tcachebins[${bin.label}] is ${hex(pointer)}` })
  }
  const count = tcache.counts[index]!
  if (BigInt(count) < capacity) throw new Stop({ kind: 'tcache', bin, countAfter: count + 1 })
  walk.notes.push(`tcachebins[${bin.label}] is full (${count}): the chunk goes past the tcache`)
}

function fastbinStep(walk: Walk, snapshot: HeapSnapshot, chunk: bigint, size: bigint): never {
  const next = chunk + size
  const nextSizeField = walk.u64(next + CHUNK.size, "the next chunk's size")
  walk.check('Fastbin checks', 'free(): invalid next size (fast)', nextSizeField <= CHUNK_HDR_SZ || chunkSize(nextSizeField) >= snapshot.arena.systemMem,
    `the next chunk ${hex(next)} has size field ${hex(nextSizeField)}; it must be above 0x10 and below system_mem ${hex(snapshot.arena.systemMem)}`)
  const index = fastbinIndex(size)
  const head = snapshot.arena.fastbins[index]!
  walk.check('Fastbin checks', 'double free or corruption (fasttop)', head === chunk,
    `fastbins[${hex(fastbinSize(index))}] starts with ${head === 0n ? 'nothing' : hex(head)}`)
  throw new Stop({ kind: 'fastbin', bin: { kind: 'fastbins', index, label: hex(fastbinSize(index)) } })
}

function mergeStep(walk: Walk, snapshot: HeapSnapshot, chunk: bigint, sizeField: bigint): never {
  const arena = snapshot.arena
  let size = chunkSize(sizeField)
  const next = chunk + size
  walk.check('Consolidation checks', 'double free or corruption (top)', chunk === arena.top, `the top chunk is ${hex(arena.top)}`)
  const topSize = chunkSize(walk.u64(arena.top + CHUNK.size, "the top chunk's size"))
  const heapEnd = arena.top + topSize
  walk.check('Consolidation checks', 'double free or corruption (out)', (arena.flags & NONCONTIGUOUS_BIT) === 0 && next >= heapEnd,
    `the next chunk ${hex(next)} must lie before the heap's end ${hex(heapEnd)}`)
  const nextSizeField = walk.u64(next + CHUNK.size, "the next chunk's size")
  walk.check('Consolidation checks', 'double free or corruption (!prev)', (nextSizeField & PREV_INUSE) === 0n,
    `the next chunk ${hex(next)} has size field ${hex(nextSizeField)}: PREV_INUSE ${(nextSizeField & PREV_INUSE) === 0n ? 'is clear, so this chunk is already free' : 'is set'}`)
  const nextSize = chunkSize(nextSizeField)
  walk.check('Consolidation checks', 'free(): invalid next size (normal)', nextSizeField <= CHUNK_HDR_SZ || nextSize >= arena.systemMem,
    `the next chunk's size field ${hex(nextSizeField)} must be above 0x10 and its size below system_mem ${hex(arena.systemMem)}`)
  let start = chunk
  if ((sizeField & PREV_INUSE) === 0n) {
    const prevSize = walk.u64(chunk + CHUNK.prevSize, "the chunk's prev_size")
    start = chunk - prevSize
    const previousSize = chunkSize(walk.u64(start + CHUNK.size, "the previous chunk's size"))
    walk.check('Consolidation checks', 'corrupted size vs. prev_size while consolidating', previousSize !== prevSize,
      `PREV_INUSE is clear: prev_size ${hex(prevSize)} leads to ${hex(start)}, whose size is ${hex(previousSize)}`)
    unlinkChunk(walk, start, 'previous chunk')
    size += prevSize
    walk.notes.push(`merges backward with the free chunk ${hex(start)}`)
  }
  if (next === arena.top) {
    size += nextSize
    walk.notes.push(`merges with the top chunk ${hex(arena.top)}`)
    finishLargeFree(walk, snapshot, size, size)
    throw new Stop({ kind: 'top', chunk: start, size })
  }
  const afterNext = walk.u64(next + nextSize + CHUNK.size, "the size of the chunk after the next one")
  if ((afterNext & PREV_INUSE) === 0n) {
    unlinkChunk(walk, next, 'next chunk')
    size += nextSize
    walk.notes.push(`merges forward with the free chunk ${hex(next)}`)
  } else {
    walk.notes.push(`clears PREV_INUSE in the next chunk ${hex(next)}`)
  }
  const unsorted = binHeadAddress(arena.address, 1)
  const first = arena.bins[0]!
  const firstBk = walk.u64(first + CHUNK.bk, "the first unsorted chunk's bk")
  walk.check('Consolidation checks', 'free(): corrupted unsorted chunks', firstBk !== unsorted,
    `the unsorted bin's first chunk ${hex(first)} has bk ${hex(firstBk)}; it must be the bin itself ${hex(unsorted)}`)
  finishLargeFree(walk, snapshot, size, topSize)
  throw new Stop({ kind: 'unsorted', chunk: start, size })
}

/** Past FASTBIN_CONSOLIDATION_THRESHOLD, free() also consolidates the fastbins and may trim the top. */
function finishLargeFree(walk: Walk, snapshot: HeapSnapshot, size: bigint, topSizeAfter: bigint): void {
  if (size < FASTBIN_CONSOLIDATION_THRESHOLD) return
  if (snapshot.arena.haveFastchunks !== 0) walk.notes.push(`the merged chunk is ${hex(size)} (at least 64 KiB): malloc_consolidate() empties the fastbins`)
  const trim = snapshot.par?.trimThreshold
  if (trim !== undefined && topSizeAfter >= trim) walk.notes.push(`the top chunk (${hex(topSizeAfter)}) reaches trim_threshold ${hex(trim)}: systrim() gives memory back with brk`)
}

function freeSteps(walk: Walk, memory: HeapMemory, snapshot: HeapSnapshot, pointer: bigint): never {
  if (pointer === 0n) throw new Stop({ kind: 'nothing' })
  const chunk = pointer - CHUNK_HDR_SZ
  const sizeField = walk.u64(chunk + CHUNK.size, "the chunk's size")
  const size = chunkSize(sizeField)
  if ((sizeField & IS_MMAPPED) !== 0n) munmapChunk(walk, snapshot, chunk, size)
  if ((sizeField & NON_MAIN_ARENA) !== 0n) {
    const heapInfo = chunk & ~(HEAP_MAX_SIZE - 1n)
    walk.notes.push(`NON_MAIN_ARENA is set in the size field ${hex(sizeField)}: free() looks for the chunk's arena in the heap_info at ${hex(heapInfo)}`)
    walk.u64(heapInfo, "the thread arena's heap_info")
    throw new Stop({ kind: 'other-arena', heapInfo })
  }
  walk.check('General checks', 'free(): invalid pointer', chunk > (U64 - size) % U64 || (pointer & MALLOC_ALIGN_MASK) !== 0n,
    `the chunk ${hex(chunk)} must be 16-byte aligned (user pointer) and chunk + size must not wrap around`)
  walk.check('General checks', 'free(): invalid size', size < MINSIZE || !isAligned(size), `the size ${hex(size)} must be at least 0x20 and a multiple of 16`)
  tcacheStep(walk, memory, snapshot, pointer, size)
  if (size <= snapshot.maxFast) fastbinStep(walk, snapshot, chunk, size)
  mergeStep(walk, snapshot, chunk, sizeField)
}

/** `pointer` is what the program would pass to free(): the user pointer, chunk + 0x10. */
export function tryFree(target: HeapTarget, snapshot: HeapSnapshot, pointer: bigint): TryFreeResult {
  const memory = new HeapMemory(target)
  const walk = new Walk(memory)
  const chunk = pointer - CHUNK_HDR_SZ
  let outcome: TryFreeOutcome
  try {
    freeSteps(walk, memory, snapshot, pointer)
  } catch (stop) {
    if (stop instanceof Stop) outcome = stop.outcome
    else if (stop instanceof Unreadable) outcome = { kind: 'crash', address: stop.address, reading: stop.reading }
    else throw stop
  }
  return { pointer, chunk, sizeField: memory.u64(chunk + CHUNK.size), checks: walk.checks, notes: walk.notes, outcome }
}
