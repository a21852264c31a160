// `heap` and `malloc_chunk ADDR`: pwndbg's chunk block, e.g.
//   Free chunk (tcachebins) | PREV_INUSE
//   Addr: 0x4052c0
//   Size: 0x20 (with flag bits: 0x21)
//   fd: 0x4056e2 (revealed: 0x4052a0)
// followed by a blank line. A tcache or fastbin fd is safe-linked; the stored value is shown,
// then the pointer it stands for.

import { binMembership } from './bins'
import { readChunk, type ChunkState, type HeapChunk } from './chunks'
import type { HeapSnapshot } from './inspect'
import { CHUNK, revealPointer } from './layout'
import { HeapMemory, type HeapTarget } from './target'
import { hex, HeapTextBuilder, writeProblem, type HeapSegment } from './text'

function stateTitle(state: ChunkState): string {
  switch (state.kind) {
    case 'top':
      return 'Top chunk'
    case 'allocated':
      return 'Allocated chunk'
    case 'free':
      return state.bins.length === 0 ? 'Free chunk (in no bin)' : `Free chunk (${[...new Set(state.bins.map((bin) => bin.kind))].join(', ')})`
  }
}

function flagNames(chunk: HeapChunk): string[] {
  const names: string[] = []
  if (chunk.flags.prevInuse) names.push('PREV_INUSE')
  // pwndbg's spelling, which learners search for.
  if (chunk.flags.isMmapped) names.push('IS_MMAPED')
  if (chunk.flags.nonMainArena) names.push('NON_MAIN_ARENA')
  return names
}

type LinkField = 'fd' | 'bk' | 'fd_nextsize' | 'bk_nextsize'

/** The link fields the chunk's state gives meaning to (all of them when verbose). */
function shownFields(chunk: HeapChunk, verbose: boolean): LinkField[] {
  if (verbose) return ['fd', 'bk', 'fd_nextsize', 'bk_nextsize']
  if (chunk.state.kind !== 'free') return []
  const kinds = new Set(chunk.state.bins.map((bin) => bin.kind))
  if (kinds.has('largebins')) return ['fd', 'bk', 'fd_nextsize', 'bk_nextsize']
  if (kinds.has('unsortedbin') || kinds.has('smallbins') || chunk.state.bins.length === 0) return ['fd', 'bk']
  return ['fd']
}

function isSafeLinked(chunk: HeapChunk): boolean {
  return chunk.state.kind === 'free' && chunk.state.bins.some((bin) => bin.kind === 'tcachebins' || bin.kind === 'fastbins')
}

export function writeChunkBlock(out: HeapTextBuilder, chunk: HeapChunk, verbose: boolean): void {
  out.write(stateTitle(chunk.state), 'heading')
  for (const name of flagNames(chunk)) out.write(` | ${name}`, 'value')
  out.line()
  out.write('Addr: ').line(hex(chunk.address), 'address')
  if (verbose) out.write('prev_size: ').line(hex(chunk.prevSize), 'value')
  out.write('Size: ').write(hex(chunk.size), 'value').line(` (with flag bits: ${hex(chunk.sizeField)})`)
  const values: Record<LinkField, bigint | null> = { fd: chunk.fd, bk: chunk.bk, fd_nextsize: chunk.fdNextsize, bk_nextsize: chunk.bkNextsize }
  for (const field of shownFields(chunk, verbose)) {
    const value = values[field]
    out.write(`${field}: `)
    if (value === null) {
      out.line('<unreadable>', 'error')
      continue
    }
    out.write(hex(value), 'value')
    if (field === 'fd' && isSafeLinked(chunk)) out.write(` (revealed: ${hex(revealPointer(chunk.address + CHUNK.fd, value))})`, 'muted')
    out.line()
  }
  out.line()
}

/** `heap`: every chunk of the main heap, then what stopped the walk or looks corrupted. */
export function formatHeap(snapshot: HeapSnapshot, verbose = false): HeapSegment[] {
  const out = new HeapTextBuilder()
  if (snapshot.heap === null) return out.line('No heap yet: malloc has not been called.', 'muted').build()
  for (const chunk of snapshot.chunks) writeChunkBlock(out, chunk, verbose)
  for (const problem of snapshot.problems) writeProblem(out, problem.message)
  return out.build()
}

/** The chunk at `address` as the snapshot classifies it (a chunk off the heap walk is looked up in the bins). */
export function chunkAt(target: HeapTarget, snapshot: HeapSnapshot, address: bigint): HeapChunk | null {
  const walked = snapshot.chunks.find((chunk) => chunk.address === address)
  if (walked !== undefined) return walked
  const bins = binMembership(snapshot.bins).get(address)
  const state: ChunkState = address === snapshot.arena.top ? { kind: 'top' } : bins === undefined ? { kind: 'allocated' } : { kind: 'free', bins }
  return readChunk(new HeapMemory(target), address, state)
}

/** `malloc_chunk ADDR`: `address` is the chunk itself (pwndbg's default), not the user pointer. */
export function formatMallocChunk(target: HeapTarget, snapshot: HeapSnapshot, address: bigint, verbose = false): HeapSegment[] {
  const out = new HeapTextBuilder()
  const chunk = chunkAt(target, snapshot, address)
  if (chunk === null) return out.line(`Cannot access memory at address ${hex(address)}`, 'error').build()
  writeChunkBlock(out, chunk, verbose)
  return out.build()
}
