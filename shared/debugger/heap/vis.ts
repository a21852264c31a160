// `vis_heap_chunks [COUNT] [ADDR]`: the heap as 16-byte rows (address, two quadwords, ASCII),
// one colour per chunk, and pwndbg's "<-- tcachebins[0x20][0/2]" marks where a bin points:
// the user pointer for the tcache, the chunk for the other bins.

import type { HeapProblem } from './bins'
import { chunkAt } from './format-chunks'
import type { HeapSnapshot } from './inspect'
import { CHUNK_HDR_SZ, MINSIZE } from './layout'
import { HeapMemory, type HeapTarget } from './target'
import { hex, HeapTextBuilder, type HeapSegment } from './text'

/** pwndbg's default-visualize-chunk-number. */
export const DEFAULT_VIS_COUNT = 10

export type VisLine =
  | {
      kind: 'row'
      address: bigint
      /** The two quadwords, or null when the row is not mapped. */
      words: [bigint, bigint] | null
      ascii: string
      /** Which displayed chunk the row belongs to, from 0: its colour. */
      chunk: number
      /** What points here: "tcachebins[0x20][0/2]", "Top chunk". */
      labels: string[]
    }
  /** Rows left out of a chunk larger than maxChunkBytes. */
  | { kind: 'elided'; chunk: number; bytes: bigint }

export interface VisHeapChunks {
  /** The chunk addresses shown, in order. */
  chunks: bigint[]
  lines: VisLine[]
  problems: HeapProblem[]
}

export interface VisOptions {
  /** Show at most this many bytes of a chunk (pwndbg's max-visualize-chunk-size); 0 shows all. */
  maxChunkBytes?: number
}

function binLabels(snapshot: HeapSnapshot): Map<bigint, string[]> {
  const labels = new Map<bigint, string[]>()
  const add = (address: bigint, label: string): void => {
    const list = labels.get(address)
    if (list === undefined) labels.set(address, [label])
    else list.push(label)
  }
  const bins = snapshot.bins
  for (const bin of bins.tcache) bin.chain.forEach((entry, position) => add(entry, `tcachebins[${bin.bin.label}][${position}/${bin.count}]`))
  for (const bin of bins.fast) bin.chain.forEach((chunk, position) => add(chunk, `fastbins[${bin.bin.label}][${position}]`))
  for (const bin of [...(bins.unsorted === null ? [] : [bins.unsorted]), ...bins.small, ...bins.large])
    bin.forward.forEach((chunk, position) => add(chunk, `${bin.bin.kind}[${bin.bin.label}][${position}]`))
  add(snapshot.arena.top, 'Top chunk')
  return labels
}

function ascii(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => (byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.')).join('')
}

export function visHeapChunks(target: HeapTarget, snapshot: HeapSnapshot, count = DEFAULT_VIS_COUNT, address?: bigint, options: VisOptions = {}): VisHeapChunks {
  const memory = new HeapMemory(target)
  const labels = binLabels(snapshot)
  const result: VisHeapChunks = { chunks: [], lines: [], problems: [] }
  const start = address ?? snapshot.heap?.start
  if (start === undefined) {
    result.problems.push({ address: null, message: 'No heap yet: malloc has not been called.' })
    return result
  }
  const limit = BigInt(options.maxChunkBytes ?? 0)
  const pushRows = (from: bigint, to: bigint, chunk: number): void => {
    for (let row = from; row < to; row += 16n) {
      const bytes = memory.bytes(row, 16)
      const view = bytes === null ? null : new DataView(bytes.buffer, bytes.byteOffset, 16)
      result.lines.push({
        kind: 'row',
        address: row,
        words: view === null ? null : [view.getBigUint64(0, true), view.getBigUint64(8, true)],
        ascii: bytes === null ? '' : ascii(bytes),
        chunk,
        labels: [...(labels.get(row) ?? []), ...(labels.get(row + 8n) ?? [])],
      })
    }
  }
  let at = start
  for (let index = 0; index < count; index++) {
    const chunk = chunkAt(target, snapshot, at)
    if (chunk === null) {
      result.problems.push({ address: at, message: `Cannot access memory at address ${hex(at)}` })
      break
    }
    result.chunks.push(at)
    // The top chunk shows its header only; a chunk too small to step over ends the walk there.
    if (chunk.state.kind === 'top' || chunk.size < MINSIZE) {
      pushRows(at, at + CHUNK_HDR_SZ, index)
      if (chunk.size < MINSIZE) result.problems.push({ address: at, message: `the chunk at ${hex(at)} has size ${hex(chunk.size)}: the walk cannot go on` })
      break
    }
    const shown = limit > 0n && chunk.size > limit ? limit : chunk.size
    pushRows(at, at + shown, index)
    if (shown < chunk.size) result.lines.push({ kind: 'elided', chunk: index, bytes: chunk.size - shown })
    at += chunk.size
  }
  return result
}

export function formatVisHeapChunks(vis: VisHeapChunks): HeapSegment[] {
  const out = new HeapTextBuilder()
  for (const line of vis.lines) {
    if (line.kind === 'elided') {
      out.write(`... (${hex(line.bytes)} more bytes)`, 'muted', line.chunk).line()
      continue
    }
    out.write(hex(line.address), 'address')
    if (line.words === null) out.write('\t<unreadable>', 'error')
    else out.write(`\t0x${line.words[0].toString(16).padStart(16, '0')}\t0x${line.words[1].toString(16).padStart(16, '0')}\t${line.ascii}`, 'plain', line.chunk)
    if (line.labels.length > 0) out.write(`\t <-- ${line.labels.join(', ')}`, 'muted')
    out.line()
  }
  for (const problem of vis.problems) out.line(problem.message, 'error')
  return out.build()
}
