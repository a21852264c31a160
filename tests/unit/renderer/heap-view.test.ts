// The heap pane's logic: the strip to scale with the top chunk folded, bins and chunks named as
// pwndbg names them, changed chunks found, and the history cut when the run goes back.

import { describe, expect, test } from 'vitest'
import type { SnapshotBin, SnapshotChunk, SnapshotHeap } from '../../../shared/debugger/snapshot'
import {
  binEntryAddress, binTitle, bytesFree, formatBytes, bytesInUse, changedChunks, chunkBinNames, chunkContains, chunkStateWord, describeChunk, FOLDED_CHUNK_WIDTH,
  historySeries, PIXELS_PER_BYTE, recordMoment, stripCells, TOP_CHUNK_WIDTH,
} from '../../../renderer/src/lib/heap-view'

const chunk = (address: number, size: number, state: SnapshotChunk['state'] = 'allocated', bins: string[] = [], note: string | null = null): SnapshotChunk => ({
  address: `0x${address.toString(16)}`, size, state, bins, flags: 'P', note,
})
const tcacheBin = (chunks: string[]): SnapshotBin => ({ kind: 'tcachebins', label: '0x20', count: chunks.length, chunks, end: { kind: 'null', address: null }, problems: [] })
const heapOf = (chunks: SnapshotChunk[], bins: SnapshotBin[] = []): SnapshotHeap => ({ chunks, bins, problems: [] })

const TCACHE_STRUCT = chunk(0x405000, 0x290, 'allocated', [], 'tcache_perthread_struct')
const A = chunk(0x405290, 0x20)
const B = chunk(0x4052b0, 0x30)
const TOP = chunk(0x4052e0, 0x20d20, 'top')

describe('the strip', () => {
  test('chunks are drawn to scale, glibc-sized ones and the top chunk folded with the fact recorded', () => {
    const [tcache, a, b, top] = stripCells([TCACHE_STRUCT, A, B, TOP], 400)
    expect(a).toMatchObject({ width: 0x20 * PIXELS_PER_BYTE, folded: false, headerWidth: 16 * PIXELS_PER_BYTE })
    expect(b!.width / a!.width).toBe(1.5)
    expect(tcache).toMatchObject({ width: FOLDED_CHUNK_WIDTH, folded: true })
    expect(top).toMatchObject({ width: TOP_CHUNK_WIDTH, folded: true })
  })

  test('a narrow pane folds to its width, never below the smallest chunk', () => {
    expect(stripCells([B], 40)[0]).toMatchObject({ width: 0x20 * PIXELS_PER_BYTE, folded: true })
    // The header never takes more than half a box.
    expect(stripCells([chunk(0x405000, 0x10)], 400)[0]!.headerWidth).toBe(0x10 * PIXELS_PER_BYTE / 2)
  })

  test('a chunk says what it is in words', () => {
    const freed = chunk(0x405290, 0x20, 'free', ['tcachebins 0x20'])
    expect(chunkStateWord(TCACHE_STRUCT)).toBe('tcache struct')
    expect(chunkStateWord(A)).toBe('in use')
    expect(chunkStateWord(freed)).toBe('tcache')
    expect(chunkStateWord(chunk(0x405290, 0x90, 'free', ['unsortedbin all']))).toBe('unsorted')
    expect(chunkStateWord(chunk(0x405290, 0x90, 'free'))).toBe('free')
    expect(chunkStateWord(TOP)).toBe('top')
    expect(chunkBinNames(chunk(0x405290, 0x90, 'free', ['unsortedbin all', 'smallbins 0x90']))).toEqual(['unsorted', 'small 0x90'])
    expect(describeChunk(freed)).toBe('chunk 0x405290, 0x20 bytes: free, in tcache 0x20')
    expect(describeChunk(TCACHE_STRUCT)).toBe('chunk 0x405000, 0x290 bytes: in use by malloc itself (tcache_perthread_struct)')
  })

  test('a selection inside a chunk, or across its edge, lights it; one beside it does not', () => {
    expect(chunkContains(A, 0x4052a0n, 8)).toBe(true)
    expect(chunkContains(A, 0x405280n, 0x11)).toBe(true)
    expect(chunkContains(A, 0x405280n, 0x10)).toBe(false)
    expect(chunkContains(A, 0x4052b0n, 1)).toBe(false)
  })
})

describe('the bins', () => {
  test('titles read as pwndbg labels them, the tcache with its count', () => {
    expect(binTitle(tcacheBin(['0x405290', '0x4052b0']))).toBe('tcache 0x20 [2]')
    expect(binTitle({ ...tcacheBin([]), kind: 'fastbins', label: '0x30', count: null })).toBe('fast 0x30')
    expect(binTitle({ ...tcacheBin([]), kind: 'unsortedbin', label: 'all', count: null })).toBe('unsorted')
    expect(binTitle({ ...tcacheBin([]), kind: 'largebins', label: '0x400-0x430', count: null })).toBe('large 0x400-0x430')
  })

  test('a tcache list shows the user pointers it holds; other bins their chunks', () => {
    expect(binEntryAddress(tcacheBin([]), '0x405290')).toBe('0x4052a0')
    expect(binEntryAddress({ ...tcacheBin([]), kind: 'fastbins' }, '0x405290')).toBe('0x405290')
  })
})

describe('changes and history', () => {
  test('new, reshaped, re-binned and written chunks change; the top chunk only by its size', () => {
    const before = heapOf([TCACHE_STRUCT, A, B, TOP])
    const freedA = chunk(0x405290, 0x20, 'free', ['tcachebins 0x20'])
    const grown = chunk(0x4052e0, 0x20, 'allocated')
    const after = heapOf([TCACHE_STRUCT, freedA, B, grown, chunk(0x405300, 0x20d00, 'top')])
    const written = [{ start: 0x4052c0n, end: 0x4052c8n }, { start: 0x405310n, end: 0x405318n }]
    expect([...changedChunks(before, after, written)].sort()).toEqual(['0x405290', '0x4052b0', '0x4052e0', '0x405300'])
    expect(changedChunks(before, before, [{ start: 0x405310n, end: 0x405318n }]).size).toBe(0)
    // The first heap seen has nothing to compare with.
    expect(changedChunks(null, after, written).size).toBe(0)
  })

  test('bytes in use and free are counted from the chunks', () => {
    const heap = heapOf([TCACHE_STRUCT, chunk(0x405290, 0x20, 'free', ['tcachebins 0x20']), B, TOP])
    expect(bytesInUse(heap)).toBe(0x290 + 0x30)
    expect(bytesFree(heap)).toBe(0x20)
    expect([formatBytes(96), formatBytes(1023), formatBytes(5000)]).toEqual(['96 B', '1023 B', '4.9 KiB'])
  })

  test('stops add up; going back in the run cuts the future, the same count replaces its moment', () => {
    const one = heapOf([TCACHE_STRUCT, TOP])
    const two = heapOf([TCACHE_STRUCT, A, TOP])
    let history = recordMoment([], { instructionCount: 100, heap: one })
    history = recordMoment(history, { instructionCount: 200, heap: two })
    history = recordMoment(history, { instructionCount: 300, heap: two })
    expect(history.map((m) => m.instructionCount)).toEqual([100, 200, 300])
    expect(recordMoment(history, { instructionCount: 300, heap: one }).map((m) => m.heap)).toEqual([one, two, one])
    expect(recordMoment(history, { instructionCount: 150, heap: one }).map((m) => m.instructionCount)).toEqual([100, 150])
    expect(recordMoment(history, { instructionCount: 50, heap: one }).map((m) => m.instructionCount)).toEqual([50])
    expect(historySeries(history)).toEqual([[100, 200, 300], [0x290, 0x2b0, 0x2b0], [0, 0, 0]])
  })
})
