// The heap pane's pure logic: how the chunk strip is drawn to scale (the top chunk folded),
// the bins' and chunks' names as a learner reads them, which chunks changed at a stop, and the
// heap's history over the run's stops.

import type { BinKind } from '../../../shared/debugger/heap'
import type { SnapshotBin, SnapshotChunk, SnapshotHeap } from '../../../shared/debugger/snapshot'
import { hexAddress } from './memory-roles'

/** The strip's scale: a 0x20-byte chunk (the smallest) is this wide, enough for its size and bin. */
export const PIXELS_PER_BYTE = 1.75
/** How wide the top chunk is drawn, whatever its size: it usually dwarfs everything else. */
export const TOP_CHUNK_WIDTH = 120
/** The widest any other chunk is drawn: glibc's own 0x290 and 0x4e0 chunks would fill rows. */
export const FOLDED_CHUNK_WIDTH = 160
/** prev_size and size: the part of every chunk drawn as its header. */
export const CHUNK_HEADER_BYTES = 16

export interface StripCell {
  chunk: SnapshotChunk
  /** Pixels: the chunk to scale, or folded to fit a row (the top chunk always). */
  width: number
  headerWidth: number
  /** Drawn smaller than its scale: the box says so and writes the full size. */
  folded: boolean
}

/** The chunks in address order at PIXELS_PER_BYTE; a chunk wider than FOLDED_CHUNK_WIDTH (or than
 *  a row, when rows are narrower) is folded to it, and the top chunk to TOP_CHUNK_WIDTH. */
export function stripCells(chunks: readonly SnapshotChunk[], rowWidth: number): StripCell[] {
  const widest = Math.max(PIXELS_PER_BYTE * 0x20, Math.min(FOLDED_CHUNK_WIDTH, rowWidth))
  return chunks.map((chunk) => {
    const scaled = chunk.size * PIXELS_PER_BYTE
    const width = Math.min(scaled, chunk.state === 'top' ? TOP_CHUNK_WIDTH : widest)
    return { chunk, width, headerWidth: Math.min(width / 2, CHUNK_HEADER_BYTES * PIXELS_PER_BYTE), folded: width < scaled }
  })
}

export const BIN_NAMES: Record<BinKind, string> = {
  tcachebins: 'tcache',
  fastbins: 'fast',
  unsortedbin: 'unsorted',
  smallbins: 'small',
  largebins: 'large',
}

/** "tcache 0x20 [2]", "fast 0x30", "unsorted", "small 0x90", "large 0x400-0x430". */
export function binTitle(bin: SnapshotBin): string {
  const words = [BIN_NAMES[bin.kind]]
  if (bin.label !== 'all') words.push(bin.label)
  if (bin.count !== null) words.push(`[${bin.count}]`)
  return words.join(' ')
}

/** A chunk's bin references ("tcachebins 0x20", as the snapshot gives them) in the bins' words. */
export function chunkBinNames(chunk: SnapshotChunk): string[] {
  return chunk.bins.map((reference) => {
    const [kind = '', label = ''] = reference.split(' ')
    const name = BIN_NAMES[kind as BinKind] ?? kind
    return label === 'all' || label === '' ? name : `${name} ${label}`
  })
}

/** The word under a chunk's size in the strip. */
export function chunkStateWord(chunk: SnapshotChunk): string {
  if (chunk.state === 'top') return 'top'
  if (chunk.state === 'allocated') return chunk.note === 'tcache_perthread_struct' ? 'tcache struct' : 'in use'
  const [first] = chunk.bins
  return first === undefined ? 'free' : (BIN_NAMES[first.split(' ')[0] as BinKind] ?? 'free')
}

/** One sentence for a chunk's tooltip, accessible name and hex-dump selection. */
export function describeChunk(chunk: SnapshotChunk): string {
  const size = hexAddress(chunk.size)
  const where = `chunk ${chunk.address}, ${size} bytes`
  if (chunk.state === 'top') return `${where}: the top chunk, the heap's unused end that malloc splits new chunks from`
  if (chunk.state === 'allocated') return chunk.note === null ? `${where}: in use` : `${where}: in use by malloc itself (${chunk.note})`
  const bins = chunkBinNames(chunk)
  return bins.length === 0 ? `${where}: free, in no bin (glibc would merge it with a neighbour)` : `${where}: free, in ${bins.join(' and ')}`
}

export function chunkContains(chunk: SnapshotChunk, start: bigint, length: number): boolean {
  const from = BigInt(chunk.address)
  const to = from + BigInt(chunk.size)
  return start < to && start + BigInt(Math.max(length, 1)) > from
}

/** Chunks that appeared, changed size or state, or had bytes written since the previous stop. */
export function changedChunks(previous: SnapshotHeap | null, current: SnapshotHeap, written: readonly { start: bigint; end: bigint }[]): Set<string> {
  const before = new Map((previous?.chunks ?? []).map((chunk) => [chunk.address, chunk]))
  const changed = new Set<string>()
  for (const chunk of current.chunks) {
    const old = before.get(chunk.address)
    const reshaped = old === undefined || old.size !== chunk.size || old.state !== chunk.state || old.bins.join() !== chunk.bins.join()
    // The top chunk's bytes change whenever it is split; its new size already says so.
    const touched = chunk.state !== 'top' && written.some((range) => chunkContains(chunk, range.start, Number(range.end - range.start)))
    if (previous !== null && (reshaped || touched)) changed.add(chunk.address)
  }
  return changed
}

/** Bytes in chunks the program holds (allocated, malloc's own tcache struct included). */
export function bytesInUse(heap: SnapshotHeap): number {
  return heap.chunks.reduce((sum, chunk) => (chunk.state === 'allocated' ? sum + chunk.size : sum), 0)
}

/** Bytes in free chunks, waiting in the bins for a malloc of their size (the top chunk aside). */
export function bytesFree(heap: SnapshotHeap): number {
  return heap.chunks.reduce((sum, chunk) => (chunk.state === 'free' ? sum + chunk.size : sum), 0)
}

/**
 * What a bin's list holds at this entry, as pwndbg prints it: the tcache links user data (0x10
 * past the chunk), every other bin links chunks.
 */
export function binEntryAddress(bin: SnapshotBin, chunkAddress: string): string {
  return bin.kind === 'tcachebins' ? hexAddress(BigInt(chunkAddress) + BigInt(CHUNK_HEADER_BYTES)) : chunkAddress
}

/** A byte count as the history's axis reads it: "96 B", "4.9 KiB". */
export function formatBytes(bytes: number): string {
  return bytes < 1024 ? `${Math.round(bytes)} B` : `${(bytes / 1024).toFixed(1)} KiB`
}

/** The heap at one stop the workspace saw. */
export interface HeapMoment {
  instructionCount: number
  heap: SnapshotHeap
}

/**
 * The history with a new stop added. Going back in instruction count (reverse execution, or a
 * new run) drops the moments at or after the new one: they belong to a future that is no longer
 * this run's. A moment at the same count (a command that did not run the program) replaces it.
 */
export function recordMoment(history: readonly HeapMoment[], moment: HeapMoment): HeapMoment[] {
  const kept = history.filter((past) => past.instructionCount < moment.instructionCount)
  return [...kept, moment]
}

/** uPlot's data: instruction counts, bytes in use, bytes free in the bins. */
export function historySeries(history: readonly HeapMoment[]): [number[], number[], number[]] {
  return [history.map((m) => m.instructionCount), history.map((m) => bytesInUse(m.heap)), history.map((m) => bytesFree(m.heap))]
}
