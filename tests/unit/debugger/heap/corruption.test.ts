// Corrupted heaps (quadwords overwritten over the Machine's real memory at a checkpoint): each
// corruption is reported in words, the walk ends, nothing throws and nothing loops forever;
// try_free names the check glibc would abort on.

import { beforeAll, describe, expect, it } from 'vitest'
import {
  formatBins, formatHeap, inspectHeap, segmentsText, tryFree, visHeapChunks, type HeapSnapshot, type HeapTarget,
} from '../../../../shared/debugger/heap'
import { buildWithMemscape, CheckpointRunner, corrupted, scriptPointers } from './harness'

const hex = (value: bigint): string => `0x${value.toString(16)}`
const chunkOf = (pointer: bigint): bigint => pointer - 0x10n
const protect = (field: bigint, pointer: bigint): bigint => (field >> 12n) ^ pointer

function inspect(target: HeapTarget): HeapSnapshot {
  const inspection = inspectHeap(target)
  if (!inspection.ok) throw new Error(inspection.message)
  return inspection.value
}

interface Stop {
  target: HeapTarget
  ptr: bigint[]
}

describe('corrupted heaps', () => {
  const stops = new Map<number, Stop>()
  const withPatches = (stage: number, patches: [bigint, bigint][]): { target: HeapTarget; snapshot: HeapSnapshot } => {
    const target = corrupted(stops.get(stage)!.target, new Map(patches))
    return { target, snapshot: inspect(target) }
  }
  const ptrAt = (stage: number): bigint[] => stops.get(stage)!.ptr

  beforeAll(() => {
    // Each stage gets its own machine: a target reads live memory, which later stages change.
    const image = buildWithMemscape()
    for (const stage of [1, 2, 3, 4]) {
      const runner = new CheckpointRunner(image)
      runner.runTo(stage)
      const target = runner.target()
      stops.set(stage, { target, ptr: scriptPointers(target) })
    }
  })

  it('a tcache next pointer overwritten with 0x4141414141414141', () => {
    const ptr = ptrAt(1)
    const { target, snapshot } = withPatches(1, [[ptr[1]!, 0x4141414141414141n]])
    const bin = snapshot.bins.tcache[0]!
    const revealed = protect(ptr[1]!, 0x4141414141414141n)
    expect(bin).toMatchObject({ chain: [ptr[1]], end: { kind: 'misaligned', address: revealed }, terminal: revealed })
    expect(bin.problems.map((problem) => problem.message)).toEqual([
      `${hex(revealed)} is not 16-byte aligned: malloc() would abort with "malloc(): unaligned tcache chunk detected"`,
    ])
    expect(segmentsText(formatBins(target, snapshot, ['tcachebins']))).toBe(
      `tcachebins\n0x20 [  2]: ${hex(ptr[1]!)} ◂— ${hex(revealed)}\n` +
        `    ⚠ ${hex(revealed)} is not 16-byte aligned: malloc() would abort with "malloc(): unaligned tcache chunk detected"\n` +
        '0x30 [  1]: ' + hex(ptr[2]!) + ' ◂— 0\n',
    )
    expect(snapshot.problems.map((problem) => problem.message)).toEqual([`tcachebins[0x20]: ${bin.problems[0]!.message}`])
  })

  it('a tcache next pointer aimed at an unmapped, aligned address', () => {
    const ptr = ptrAt(1)
    const { snapshot } = withPatches(1, [[ptr[1]!, protect(ptr[1]!, 0x7e0000000000n)]])
    expect(snapshot.bins.tcache[0]).toMatchObject({ chain: [ptr[1]], end: { kind: 'unreadable', address: 0x7e0000000000n } })
    expect(snapshot.bins.tcache[0]!.problems[0]!.message).toBe('0x7e0000000000 is not mapped: the list is corrupted')
  })

  it('a loop in a tcache bin', () => {
    const ptr = ptrAt(1)
    const { target, snapshot } = withPatches(1, [[ptr[0]!, protect(ptr[0]!, ptr[1]!)]])
    expect(snapshot.bins.tcache[0]).toMatchObject({ chain: [ptr[1], ptr[0]], end: { kind: 'loop', address: ptr[1] } })
    expect(snapshot.bins.tcache[0]!.problems[0]!.message).toBe(`the list loops: ${hex(ptr[1]!)} comes back after 2 entries`)
    expect(segmentsText(formatBins(target, snapshot, ['tcachebins']))).toContain(`0x20 [  2]: ${hex(ptr[1]!)} —▸ ${hex(ptr[0]!)} ◂— ${hex(ptr[1]!)}\n`)
    // glibc's double-free scan stops at tcache_count entries: the loop makes it abort on its own.
    const { target: looped, snapshot: loopedSnapshot } = withPatches(1, [[ptr[0]!, protect(ptr[0]!, ptr[1]!)], [ptr[2]! + 8n, 0n]])
    expect(tryFree(looped, loopedSnapshot, ptr[0]!).outcome).toEqual({ kind: 'abort', message: 'free(): double free detected in tcache 2' })
    expect(tryFree(target, snapshot, ptr[2]!).outcome).toEqual({ kind: 'abort', message: 'free(): double free detected in tcache 2' })
  })

  it('a tcache count that disagrees with its list', () => {
    const ptr = ptrAt(1)
    const tcache = inspect(stops.get(1)!.target).tcache!.address
    const { snapshot } = withPatches(1, [[tcache, 0x0001_0005n]])
    expect(snapshot.bins.tcache[0]!.problems.map((problem) => problem.message)).toEqual(['counts[0] is 5 but the list holds 2 entries'])
    expect(snapshot.bins.tcache[0]!.chain).toEqual([ptr[1], ptr[0]])
  })

  it('a loop in a fastbin', () => {
    const ptr = ptrAt(2)
    const { snapshot } = withPatches(2, [[ptr[10]!, protect(ptr[10]!, chunkOf(ptr[11]!))]])
    expect(snapshot.bins.fast[0]).toMatchObject({ chain: [chunkOf(ptr[11]!), chunkOf(ptr[10]!)], end: { kind: 'loop', address: chunkOf(ptr[11]!) } })
  })

  it('a fastbin chunk whose size no longer matches its bin', () => {
    const ptr = ptrAt(2)
    const { target, snapshot } = withPatches(2, [[chunkOf(ptr[10]!) + 8n, 0x61n]])
    expect(snapshot.bins.fast[0]!.problems[0]!.message).toBe(
      `the chunk at ${hex(chunkOf(ptr[10]!))} has size 0x60, not 0x40: malloc() would abort with "malloc(): memory corruption (fast)"`,
    )
    // The heap walk now steps over 0x60 bytes into the middle of the next chunk, and says where it lost its way.
    expect(snapshot.problems.some((problem) => problem.message.includes('cannot be walked further') || problem.message.includes('without meeting the top chunk'))).toBe(true)
    expect(() => segmentsText(formatHeap(snapshot))).not.toThrow()
    // The tcache bin before it is untouched: freeing its entry again is still caught there.
    expect(tryFree(target, snapshot, ptr[9]!).outcome).toEqual({ kind: 'abort', message: 'free(): double free detected in tcache 2' })
  })

  it('a size field overwritten with 0x10 stops the heap walk with a message', () => {
    const ptr = ptrAt(1)
    const { target, snapshot } = withPatches(1, [[chunkOf(ptr[1]!) + 8n, 0x10n]])
    expect(snapshot.chunks[snapshot.chunks.length - 1]!.address).toBe(chunkOf(ptr[1]!))
    expect(snapshot.problems.map((problem) => problem.message)).toContain(
      `the chunk at ${hex(chunkOf(ptr[1]!))} has size 0x10 (size field 0x10), less than the minimum 0x20: the heap is corrupted here and cannot be walked further`,
    )
    expect(snapshot.problems.map((problem) => problem.message)).toContain(
      `tcachebins[0x20]: the chunk at ${hex(chunkOf(ptr[1]!))} has size 0x10, not 0x20: malloc() would hand out a chunk of the wrong size`,
    )
    expect(segmentsText(formatHeap(snapshot))).toContain('    ⚠ the chunk at')
    expect(tryFree(target, snapshot, ptr[1]!).outcome).toEqual({ kind: 'abort', message: 'free(): invalid size' })
    const vis = visHeapChunks(target, snapshot, 10, chunkOf(ptr[1]!))
    expect(vis.chunks).toEqual([chunkOf(ptr[1]!)])
    expect(vis.problems[0]!.message).toBe(`the chunk at ${hex(chunkOf(ptr[1]!))} has size 0x10: the walk cannot go on`)
  })

  it('a size field that runs past the heap', () => {
    const ptr = ptrAt(4)
    const { target, snapshot } = withPatches(4, [[chunkOf(ptr[31]!) + 8n, 0x1000001n]])
    expect(snapshot.problems.map((problem) => problem.message)).toContain(
      `the chunk at ${hex(chunkOf(ptr[31]!))} has size 0x1000000, which runs past the end of the heap at ${hex(snapshot.heap!.end)}`,
    )
    expect(tryFree(target, snapshot, ptr[31]!).outcome).toEqual({ kind: 'abort', message: 'double free or corruption (out)' })
  })

  it("the next chunk's size corrupted under a fastbin-sized chunk", () => {
    const ptr = ptrAt(2)
    const { target, snapshot } = withPatches(2, [[chunkOf(ptr[11]!) + 8n, 0x1n]])
    expect(tryFree(target, snapshot, ptr[10]!).outcome).toEqual({ kind: 'abort', message: 'free(): invalid next size (fast)' })
  })

  it("the next chunk's size corrupted under a larger chunk", () => {
    const ptr = ptrAt(3)
    // With the 0xa0 tcache bin full, free(ptr[14]) goes on to the checks before consolidation.
    const tcache = inspect(stops.get(3)!.target).tcache!.address
    const { target, snapshot } = withPatches(3, [[tcache + 0x10n, 7n], [chunkOf(ptr[15]!) + 8n, 0x1n]])
    expect(tryFree(target, snapshot, ptr[14]!).outcome).toEqual({ kind: 'abort', message: 'free(): invalid next size (normal)' })
    // The top chunk's size is checked first, as the heap's end.
    const top = withPatches(4, [[chunkOf(ptrAt(4)[31]!) + 0x510n + 8n, 0x1n]])
    expect(tryFree(top.target, top.snapshot, ptrAt(4)[31]!).outcome).toEqual({ kind: 'abort', message: 'double free or corruption (out)' })
  })

  it('an unsorted chunk whose bk points elsewhere: the bin prints as corrupted', () => {
    const ptr = ptrAt(3)
    const { target, snapshot } = withPatches(3, [[chunkOf(ptr[13]!) + 0x18n, chunkOf(ptr[13]!)]])
    const unsorted = snapshot.bins.unsorted!
    expect(unsorted.corrupted).toBe(true)
    expect(unsorted.problems.map((problem) => problem.message)).toContain(
      `${hex(chunkOf(ptr[13]!))}->bk is ${hex(chunkOf(ptr[13]!))}, not ${hex(chunkOf(ptr[22]!))} (the chunk before it): the fd and bk chains disagree`,
    )
    const text = segmentsText(formatBins(target, snapshot, ['unsortedbin']))
    expect(text).toMatch(/^unsortedbin\nall \[corrupted\]\nFD: 0x[0-9a-f]+ —▸ 0x[0-9a-f]+ —▸ 0x[0-9a-f]+ \(main_arena\+96\) ◂— 0x[0-9a-f]+\nBK: /)
    // Freeing the chunk before it would unlink it and trip over the broken links.
    expect(tryFree(target, snapshot, ptr[14]!).outcome).toEqual({ kind: 'tcache', bin: { kind: 'tcachebins', index: 8, label: '0xa0' }, countAfter: 1 })
  })

  it('a loop and an unmapped pointer in the unsorted bin', () => {
    const ptr = ptrAt(3)
    const looped = withPatches(3, [[chunkOf(ptr[13]!) + 0x10n, chunkOf(ptr[22]!)]]).snapshot.bins.unsorted!
    expect(looped.forwardEnd).toEqual({ kind: 'loop', address: chunkOf(ptr[22]!) })
    expect(looped.problems[0]!.message).toBe(`the fd chain loops: ${hex(chunkOf(ptr[22]!))} comes back after 2 chunks without reaching the bin's head`)
    const broken = withPatches(3, [[chunkOf(ptr[22]!) + 0x10n, 0x4141414141414141n]]).snapshot.bins.unsorted!
    expect(broken.forwardEnd).toEqual({ kind: 'unreadable', address: 0x4141414141414141n })
  })

  it('consolidation checks: prev_size that does not match, and a broken neighbour in its bin', () => {
    const ptr = ptrAt(3)
    // ptr[14]'s chunk follows the free 0x420 chunk (PREV_INUSE clear); fill the 0xa0 tcache so free() goes on to merge.
    const tcache = inspect(stops.get(3)!.target).tcache!.address
    const full: [bigint, bigint] = [tcache + 0x10n, 7n]
    const mismatched = withPatches(3, [full, [chunkOf(ptr[14]!), 0x400n]])
    expect(tryFree(mismatched.target, mismatched.snapshot, ptr[14]!).outcome).toEqual({ kind: 'abort', message: 'corrupted size vs. prev_size while consolidating' })
    const unlinked = withPatches(3, [full, [chunkOf(ptr[13]!) + 0x18n, chunkOf(ptr[13]!)]])
    expect(tryFree(unlinked.target, unlinked.snapshot, ptr[14]!).outcome).toEqual({ kind: 'abort', message: 'corrupted double-linked list' })
    const clean = withPatches(3, [full])
    const result = tryFree(clean.target, clean.snapshot, ptr[14]!)
    expect(result.outcome).toEqual({ kind: 'unsorted', chunk: chunkOf(ptr[13]!), size: 0x4c0n })
    expect(result.notes).toContain(`merges backward with the free chunk ${hex(chunkOf(ptr[13]!))}`)
  })

  it('an mmapped-looking chunk: munmap_chunk checks', () => {
    const ptr = ptrAt(2)
    const { target, snapshot } = withPatches(2, [[chunkOf(ptr[12]!) + 8n, 0x52n]])
    expect(tryFree(target, snapshot, ptr[12]!).outcome).toEqual({ kind: 'abort', message: 'munmap_chunk(): invalid pointer' })
  })
})
