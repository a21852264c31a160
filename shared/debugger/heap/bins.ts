// Every bin with its chain, walked defensively: a corrupted pointer, an unmapped address, a
// loop or a chunk of the wrong size ends the walk with a message, never an exception or a hang.

import type { Arena } from './arena'
import { hex } from './text'
import {
  binHeadAddress, binIndex, binSizeRange, chunkSize, CHUNK, CHUNK_HDR_SZ, fastbinIndex, fastbinSize, isAligned, NBINS,
  NFASTBINS, NSMALLBINS, revealPointer, tcacheBinSize, TCACHE_ENTRY, TCACHE_MAX_BINS,
} from './layout'
import type { HeapMemory } from './target'
import type { Tcache } from './tcache'

/** Longest chain walked: far more than a real bin holds in a learner's program. */
export const MAX_CHAIN_LENGTH = 4096

export type BinKind = 'tcachebins' | 'fastbins' | 'unsortedbin' | 'smallbins' | 'largebins'

/** Which bin, as pwndbg names it: `tcachebins[0x20]`, `largebins[0x400-0x430]`, `unsortedbin[all]`. */
export interface BinRef {
  kind: BinKind
  /** tcache: tidx; fastbins: fastbin_index; regular bins: bin_index (1 = unsorted). */
  index: number
  /** The label pwndbg prints: "0x20", "0x400-0x430", "all". */
  label: string
}

/** How a chain ended. */
export type ChainEnd =
  | { kind: 'null' }
  /** Back at the bin's head in main_arena: the normal end of a doubly linked bin. */
  | { kind: 'head' }
  | { kind: 'loop'; address: bigint }
  | { kind: 'unreadable'; address: bigint }
  | { kind: 'misaligned'; address: bigint }
  | { kind: 'too-long' }

export interface HeapProblem {
  /** The chunk or pointer concerned, when there is one. */
  address: bigint | null
  message: string
}

export interface SinglyLinkedBin {
  bin: BinRef
  /** The chunk size the bin holds. */
  size: bigint
  /** tcache only: counts[tidx]. */
  count: number | null
  /** What the list points to, in order, safe-linking undone: tcache user pointers, fastbin chunks. */
  chain: bigint[]
  /** The value after the last entry of `chain` (0 for a well-formed list). */
  terminal: bigint
  end: ChainEnd
  problems: HeapProblem[]
}

export interface DoublyLinkedBin {
  bin: BinRef
  /** The bin's fake chunk in main_arena (bin_at): where the fd chain ends. */
  head: bigint
  /** Chunks from the head's fd onwards, until the head comes back. */
  forward: bigint[]
  forwardEnd: ChainEnd
  /** Chunks from the head's bk onwards: the forward chain reversed, unless corrupted. */
  backward: bigint[]
  backwardEnd: ChainEnd
  /** The forward and backward walks disagree (pwndbg prints such a bin as "[corrupted]"). */
  corrupted: boolean
  problems: HeapProblem[]
}

export interface HeapBins {
  /** Non-empty bins only (and inconsistent ones: a count without entries or the reverse). */
  tcache: SinglyLinkedBin[]
  fast: SinglyLinkedBin[]
  unsorted: DoublyLinkedBin | null
  small: DoublyLinkedBin[]
  large: DoublyLinkedBin[]
}

export function tcacheLabel(index: number): string {
  return hex(tcacheBinSize(index))
}

export function regularBinRef(index: number): BinRef {
  if (index === 1) return { kind: 'unsortedbin', index, label: 'all' }
  const { low, high } = binSizeRange(index)
  if (index < NSMALLBINS) return { kind: 'smallbins', index, label: hex(low) }
  return { kind: 'largebins', index, label: `${hex(low)}-${high === null ? '∞' : hex(high)}` }
}

/** A chunk's size field, or null when unreadable. */
function sizeAt(memory: HeapMemory, chunk: bigint): bigint | null {
  const field = memory.u64(chunk + CHUNK.size)
  return field === null ? null : chunkSize(field)
}

function walkTcacheBin(memory: HeapMemory, tcache: Tcache, index: number): SinglyLinkedBin {
  const size = tcacheBinSize(index)
  const bin: BinRef = { kind: 'tcachebins', index, label: tcacheLabel(index) }
  const chain: bigint[] = []
  const problems: HeapProblem[] = []
  const seen = new Set<bigint>()
  let entry = tcache.entries[index]!
  let end: ChainEnd = { kind: 'null' }
  while (entry !== 0n) {
    if (seen.has(entry)) {
      end = { kind: 'loop', address: entry }
      problems.push({ address: entry, message: `the list loops: ${hex(entry)} comes back after ${chain.length} entries` })
      break
    }
    if (chain.length >= MAX_CHAIN_LENGTH) {
      end = { kind: 'too-long' }
      problems.push({ address: null, message: `the list goes on past ${MAX_CHAIN_LENGTH} entries` })
      break
    }
    if (!isAligned(entry)) {
      end = { kind: 'misaligned', address: entry }
      problems.push({ address: entry, message: `${hex(entry)} is not 16-byte aligned: malloc() would abort with "malloc(): unaligned tcache chunk detected"` })
      break
    }
    const next = memory.u64(entry + TCACHE_ENTRY.next)
    if (next === null) {
      end = { kind: 'unreadable', address: entry }
      problems.push({ address: entry, message: `${hex(entry)} is not mapped: the list is corrupted` })
      break
    }
    chain.push(entry)
    seen.add(entry)
    const chunkSizeHere = sizeAt(memory, entry - CHUNK_HDR_SZ)
    if (chunkSizeHere !== null && chunkSizeHere !== size)
      problems.push({ address: entry - CHUNK_HDR_SZ, message: `the chunk at ${hex(entry - CHUNK_HDR_SZ)} has size ${hex(chunkSizeHere)}, not ${hex(size)}: malloc() would hand out a chunk of the wrong size` })
    entry = revealPointer(entry + TCACHE_ENTRY.next, next)
  }
  const count = tcache.counts[index]!
  if (end.kind === 'null' && count !== chain.length)
    problems.push({ address: null, message: `counts[${index}] is ${count} but the list holds ${chain.length} ${chain.length === 1 ? 'entry' : 'entries'}` })
  return { bin, size, count, chain, terminal: end.kind === 'null' ? 0n : entry, end, problems }
}

function walkFastbin(memory: HeapMemory, arena: Arena, index: number): SinglyLinkedBin {
  const size = fastbinSize(index)
  const bin: BinRef = { kind: 'fastbins', index, label: hex(size) }
  const chain: bigint[] = []
  const problems: HeapProblem[] = []
  const seen = new Set<bigint>()
  // The head in main_arena is stored plainly; each chunk's fd is safe-linked.
  let chunk = arena.fastbins[index]!
  let end: ChainEnd = { kind: 'null' }
  while (chunk !== 0n) {
    if (seen.has(chunk)) {
      end = { kind: 'loop', address: chunk }
      problems.push({ address: chunk, message: `the list loops: ${hex(chunk)} comes back after ${chain.length} chunks` })
      break
    }
    if (chain.length >= MAX_CHAIN_LENGTH) {
      end = { kind: 'too-long' }
      problems.push({ address: null, message: `the list goes on past ${MAX_CHAIN_LENGTH} chunks` })
      break
    }
    if (!isAligned(chunk + CHUNK_HDR_SZ)) {
      end = { kind: 'misaligned', address: chunk }
      problems.push({ address: chunk, message: `${hex(chunk)} is not 16-byte aligned: malloc() would abort with "malloc(): unaligned fastbin chunk detected"` })
      break
    }
    const sizeField = memory.u64(chunk + CHUNK.size)
    const fd = memory.u64(chunk + CHUNK.fd)
    if (sizeField === null || fd === null) {
      end = { kind: 'unreadable', address: chunk }
      problems.push({ address: chunk, message: `${hex(chunk)} is not mapped: the list is corrupted` })
      break
    }
    chain.push(chunk)
    seen.add(chunk)
    if (fastbinIndex(chunkSize(sizeField)) !== index)
      problems.push({ address: chunk, message: `the chunk at ${hex(chunk)} has size ${hex(chunkSize(sizeField))}, not ${hex(size)}: malloc() would abort with "malloc(): memory corruption (fast)"` })
    chunk = revealPointer(chunk + CHUNK.fd, fd)
  }
  return { bin, size, count: null, chain, terminal: end.kind === 'null' ? 0n : chunk, end, problems }
}

function walkLinks(memory: HeapMemory, head: bigint, first: bigint, offset: bigint): { chain: bigint[]; end: ChainEnd } {
  const chain: bigint[] = []
  const seen = new Set<bigint>()
  let chunk = first
  while (chunk !== head) {
    if (seen.has(chunk)) return { chain, end: { kind: 'loop', address: chunk } }
    if (chain.length >= MAX_CHAIN_LENGTH) return { chain, end: { kind: 'too-long' } }
    const next = memory.u64(chunk + offset)
    if (next === null) return { chain, end: { kind: 'unreadable', address: chunk } }
    chain.push(chunk)
    seen.add(chunk)
    chunk = next
  }
  return { chain, end: { kind: 'head' } }
}

function describeEnd(end: ChainEnd, direction: 'fd' | 'bk', length: number): HeapProblem | null {
  switch (end.kind) {
    case 'head':
    case 'null':
      return null
    case 'loop':
      return { address: end.address, message: `the ${direction} chain loops: ${hex(end.address)} comes back after ${length} chunks without reaching the bin's head` }
    case 'unreadable':
      return { address: end.address, message: `the ${direction} chain reaches ${hex(end.address)}, which is not mapped` }
    case 'misaligned':
      return { address: end.address, message: `the ${direction} chain reaches ${hex(end.address)}, which is not 16-byte aligned` }
    case 'too-long':
      return { address: null, message: `the ${direction} chain goes on past ${MAX_CHAIN_LENGTH} chunks` }
  }
}

function walkRegularBin(memory: HeapMemory, arena: Arena, index: number): DoublyLinkedBin | null {
  const head = binHeadAddress(arena.address, index)
  const fd = arena.bins[(index - 1) * 2]!
  const bk = arena.bins[(index - 1) * 2 + 1]!
  if (fd === head && bk === head) return null
  const bin = regularBinRef(index)
  const forward = walkLinks(memory, head, fd, CHUNK.fd)
  const backward = walkLinks(memory, head, bk, CHUNK.bk)
  const problems: HeapProblem[] = []
  for (const problem of [describeEnd(forward.end, 'fd', forward.chain.length), describeEnd(backward.end, 'bk', backward.chain.length)])
    if (problem !== null) problems.push(problem)
  const reversed = [...backward.chain].reverse()
  const consistent = forward.end.kind === 'head' && backward.end.kind === 'head' &&
    reversed.length === forward.chain.length && reversed.every((chunk, position) => chunk === forward.chain[position])
  if (!consistent && forward.end.kind === 'head') {
    // Name the first link glibc's unlink or bin checks would trip over.
    let previous = head
    for (const chunk of forward.chain) {
      const back = memory.u64(chunk + CHUNK.bk)
      if (back !== previous) {
        problems.push({ address: chunk, message: `${hex(chunk)}->bk is ${back === null ? 'unreadable' : hex(back)}, not ${hex(previous)} (the chunk before it): the fd and bk chains disagree` })
        break
      }
      previous = chunk
    }
    if (problems.length === 0) problems.push({ address: null, message: `the fd chain and the bk chain of ${bin.kind}[${bin.label}] disagree` })
  }
  for (const chunk of forward.chain) {
    const size = sizeAt(memory, chunk)
    if (size === null) continue
    if (index === 1) {
      if (size <= CHUNK_HDR_SZ || size > arena.systemMem)
        problems.push({ address: chunk, message: `the chunk at ${hex(chunk)} has size ${hex(size)}: malloc() would abort with "malloc(): invalid size (unsorted)"` })
    } else if (binIndex(size) !== index) {
      problems.push({ address: chunk, message: `the chunk at ${hex(chunk)} has size ${hex(size)}, which does not belong in ${bin.kind}[${bin.label}]` })
    }
  }
  return { bin, head, forward: forward.chain, forwardEnd: forward.end, backward: backward.chain, backwardEnd: backward.end, corrupted: !consistent, problems }
}

export function readBins(memory: HeapMemory, arena: Arena, tcache: Tcache | null): HeapBins {
  const tcacheBins: SinglyLinkedBin[] = []
  if (tcache !== null)
    for (let index = 0; index < TCACHE_MAX_BINS; index++)
      if (tcache.counts[index] !== 0 || tcache.entries[index] !== 0n) tcacheBins.push(walkTcacheBin(memory, tcache, index))
  const fast: SinglyLinkedBin[] = []
  for (let index = 0; index < NFASTBINS; index++) if (arena.fastbins[index] !== 0n) fast.push(walkFastbin(memory, arena, index))
  const small: DoublyLinkedBin[] = []
  const large: DoublyLinkedBin[] = []
  for (let index = 2; index < NBINS; index++) {
    const bin = walkRegularBin(memory, arena, index)
    if (bin !== null) (index < NSMALLBINS ? small : large).push(bin)
  }
  return { tcache: tcacheBins, fast, unsorted: walkRegularBin(memory, arena, 1), small, large }
}

/** The chunks each bin holds, by chunk address: how `heap` tells free chunks from allocated ones. */
export function binMembership(bins: HeapBins): Map<bigint, BinRef[]> {
  const membership = new Map<bigint, BinRef[]>()
  const add = (chunk: bigint, bin: BinRef): void => {
    const list = membership.get(chunk)
    if (list === undefined) membership.set(chunk, [bin])
    else if (!list.includes(bin)) list.push(bin)
  }
  for (const bin of bins.tcache) for (const entry of bin.chain) add(entry - CHUNK_HDR_SZ, bin.bin)
  for (const bin of bins.fast) for (const chunk of bin.chain) add(chunk, bin.bin)
  for (const bin of [...(bins.unsorted === null ? [] : [bins.unsorted]), ...bins.small, ...bins.large])
    for (const chunk of [...bin.forward, ...bin.backward]) add(chunk, bin.bin)
  return membership
}
