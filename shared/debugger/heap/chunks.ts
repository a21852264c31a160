// Chunks: one read at a given address (malloc_chunk), and the main heap walked chunk by chunk
// from its start to the top chunk, following the size fields as glibc does.

import { hex } from './text'
import type { BinRef, HeapProblem } from './bins'
import { chunkSize, CHUNK, CHUNK_HDR_SZ, IS_MMAPPED, MINSIZE, NON_MAIN_ARENA, PREV_INUSE, SIZE_SZ } from './layout'
import type { HeapMemory } from './target'

/** Longest walk: a 1 MiB heap of minimum-size chunks. */
export const MAX_WALK_CHUNKS = 1 << 15

export interface ChunkFlags {
  /** P: the previous chunk is in use. */
  prevInuse: boolean
  /** M: the chunk was mmapped on its own. */
  isMmapped: boolean
  /** A: the chunk belongs to a thread arena. */
  nonMainArena: boolean
}

export type ChunkState =
  | { kind: 'allocated' }
  /** In these bins (tcache and fastbin chunks stay "in use" for glibc, yet are free). */
  | { kind: 'free'; bins: BinRef[] }
  | { kind: 'top' }

export interface HeapChunk {
  address: bigint
  prevSize: bigint
  /** The raw size field, flag bits included. */
  sizeField: bigint
  size: bigint
  flags: ChunkFlags
  state: ChunkState
  /** What malloc handed out: chunk+0x10 up to the next chunk's size field. */
  userStart: bigint
  userEnd: bigint
  /** Raw link fields (fd, bk, fd_nextsize, bk_nextsize): null where unreadable. */
  fd: bigint | null
  bk: bigint | null
  fdNextsize: bigint | null
  bkNextsize: bigint | null
}

export function chunkFlags(sizeField: bigint): ChunkFlags {
  return {
    prevInuse: (sizeField & PREV_INUSE) !== 0n,
    isMmapped: (sizeField & IS_MMAPPED) !== 0n,
    nonMainArena: (sizeField & NON_MAIN_ARENA) !== 0n,
  }
}

/** The chunk at `address`, or null when its header is unreadable. */
export function readChunk(memory: HeapMemory, address: bigint, state: ChunkState): HeapChunk | null {
  const prevSize = memory.u64(address + CHUNK.prevSize)
  const sizeField = memory.u64(address + CHUNK.size)
  if (prevSize === null || sizeField === null) return null
  const size = chunkSize(sizeField)
  return {
    address,
    prevSize,
    sizeField,
    size,
    flags: chunkFlags(sizeField),
    state,
    userStart: address + CHUNK_HDR_SZ,
    // The next chunk's prev_size belongs to this chunk while it is in use.
    userEnd: address + (size >= CHUNK_HDR_SZ ? size + SIZE_SZ : CHUNK_HDR_SZ),
    fd: memory.u64(address + CHUNK.fd),
    bk: memory.u64(address + CHUNK.bk),
    fdNextsize: memory.u64(address + CHUNK.fdNextsize),
    bkNextsize: memory.u64(address + CHUNK.bkNextsize),
  }
}

export interface HeapWalk {
  chunks: HeapChunk[]
  /** Why the walk stopped before the top chunk, if it did. */
  problems: HeapProblem[]
}

/**
 * Walks [start, end) chunk by chunk until the top chunk. A chunk that is in no bin but whose
 * successor has PREV_INUSE clear is reported free in no bin: glibc would consolidate with it.
 */
export function walkHeap(memory: HeapMemory, start: bigint, end: bigint, top: bigint, membership: Map<bigint, BinRef[]>): HeapWalk {
  const chunks: HeapChunk[] = []
  const problems: HeapProblem[] = []
  let address = start
  while (address < end) {
    if (chunks.length >= MAX_WALK_CHUNKS) {
      problems.push({ address, message: `the walk stopped after ${MAX_WALK_CHUNKS} chunks` })
      break
    }
    const isTop = address === top
    const bins = membership.get(address)
    const chunk = readChunk(memory, address, isTop ? { kind: 'top' } : bins === undefined ? { kind: 'allocated' } : { kind: 'free', bins })
    if (chunk === null) {
      problems.push({ address, message: `the chunk header at ${hex(address)} is not mapped` })
      break
    }
    chunks.push(chunk)
    if (isTop) break
    if (chunk.size < MINSIZE) {
      problems.push({ address, message: `the chunk at ${hex(address)} has size ${hex(chunk.size)} (size field ${hex(chunk.sizeField)}), less than the minimum 0x20: the heap is corrupted here and cannot be walked further` })
      break
    }
    const next = address + chunk.size
    if (next > end) {
      problems.push({ address, message: `the chunk at ${hex(address)} has size ${hex(chunk.size)}, which runs past the end of the heap at ${hex(end)}` })
      break
    }
    if (chunk.state.kind === 'allocated' && next < end) {
      const nextSizeField = memory.u64(next + CHUNK.size)
      if (nextSizeField !== null && (nextSizeField & PREV_INUSE) === 0n) chunk.state = { kind: 'free', bins: [] }
    }
    address = next
  }
  if (chunks.length > 0 && chunks[chunks.length - 1]!.state.kind !== 'top' && problems.length === 0)
    problems.push({ address: top, message: `the walk reached the end of the heap at ${hex(end)} without meeting the top chunk at ${hex(top)}` })
  return { chunks, problems }
}
