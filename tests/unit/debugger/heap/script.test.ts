// heap-script.c in the Machine, built against glibc 2.36 (gcc -static) and against Memscape's
// libc (Memscape's toolchain): at each checkpoint the parsed heap must be what glibc's rules
// give — tcache LIFO up to 7 per size, then fastbins up to 0x80, the unsorted bin for larger
// chunks, malloc_consolidate on a large request, sorting into small and large bins, merging
// into the top — and the pwndbg-style text must show it.

import { readFileSync } from 'node:fs'
import { beforeAll, describe, expect, it } from 'vitest'
import {
  formatArena, formatBins, formatHeap, formatMallocChunk, formatTryFree, formatVisHeapChunks, inspectHeap, segmentsText, tryFree,
  visHeapChunks, type HeapSegment, type HeapSnapshot, type HeapTarget,
} from '../../../../shared/debugger/heap'
import { buildWithGlibc, buildWithMemscape, CheckpointRunner, scriptPointers } from './harness'

const hex = (value: bigint): string => `0x${value.toString(16)}`
const chunkOf = (pointer: bigint): bigint => pointer - 0x10n

function snapshotOf(target: HeapTarget): HeapSnapshot {
  const inspection = inspectHeap(target)
  if (!inspection.ok) throw new Error(inspection.message)
  return inspection.value
}

const builds = [
  { name: 'gcc -static (glibc 2.36)', image: () => new Uint8Array(readFileSync(buildWithGlibc())), tcacheSource: 'tls' },
  { name: "Memscape's toolchain and libc", image: () => buildWithMemscape(), tcacheSource: 'global' },
] as const

for (const build of builds) {
  describe(`heap-script.c built by ${build.name}`, () => {
    let runner: CheckpointRunner
    let target: HeapTarget
    let ptr: bigint[]
    let snapshot: HeapSnapshot
    const stop = (stage: number): void => {
      runner.runTo(stage)
      target = runner.target()
      ptr = scriptPointers(target)
      snapshot = snapshotOf(target)
    }
    const chunk = (pointer: bigint) => snapshot.chunks.find((candidate) => candidate.address === chunkOf(pointer))
    const text = (segments: HeapSegment[]): string => segmentsText(segments)

    beforeAll(() => {
      runner = new CheckpointRunner(build.image())
    })

    it('1: the tcache is LIFO, per size', () => {
      stop(1)
      expect(snapshot.problems).toEqual([])
      expect(snapshot.tcache?.source).toBe(build.tcacheSource)
      // tcache_init's chunk is the heap's first.
      expect(snapshot.heap?.start).toBe(snapshot.tcache!.address - 0x10n)
      expect(snapshot.chunks[0]).toMatchObject({ address: snapshot.heap!.start, sizeField: 0x291n, state: { kind: 'allocated' } })
      expect(snapshot.bins.tcache.map((bin) => [bin.bin.label, bin.count, bin.chain])).toEqual([
        ['0x20', 2, [ptr[1], ptr[0]]],
        ['0x30', 1, [ptr[2]]],
      ])
      expect([snapshot.bins.fast, snapshot.bins.unsorted, snapshot.bins.small, snapshot.bins.large]).toEqual([[], null, [], []])
      expect([chunk(ptr[0]!)?.sizeField, chunk(ptr[1]!)?.sizeField, chunk(ptr[2]!)?.sizeField]).toEqual([0x21n, 0x21n, 0x31n])
      expect(chunk(ptr[0]!)?.state).toEqual({ kind: 'free', bins: [{ kind: 'tcachebins', index: 0, label: '0x20' }] })
      expect(chunk(ptr[0]!)).toMatchObject({ userStart: ptr[0], userEnd: ptr[0]! + 0x18n, flags: { prevInuse: true, isMmapped: false, nonMainArena: false } })
      const last = snapshot.chunks[snapshot.chunks.length - 1]!
      expect(last).toMatchObject({ address: chunkOf(ptr[2]!) + 0x30n, state: { kind: 'top' } })
      expect(last.address).toBe(snapshot.arena.top)

      expect(text(formatBins(target, snapshot, ['tcachebins', 'fastbins', 'unsortedbin']))).toBe(
        `tcachebins\n0x20 [  2]: ${hex(ptr[1]!)} —▸ ${hex(ptr[0]!)} ◂— 0\n0x30 [  1]: ${hex(ptr[2]!)} ◂— 0\nfastbins\nempty\nunsortedbin\nempty\n`,
      )
      const heapText = text(formatHeap(snapshot))
      expect(heapText.startsWith(`Allocated chunk | PREV_INUSE\nAddr: ${hex(snapshot.heap!.start)}\nSize: 0x290 (with flag bits: 0x291)\n\n`)).toBe(true)
      expect(heapText).toContain(`Free chunk (tcachebins) | PREV_INUSE\nAddr: ${hex(chunkOf(ptr[1]!))}\nSize: 0x20 (with flag bits: 0x21)\nfd: `)
      expect(heapText).toContain(`(revealed: ${hex(ptr[0]!)})\n\n`)
      expect(heapText.endsWith(`Top chunk | PREV_INUSE\nAddr: ${hex(last.address)}\nSize: ${hex(last.size)} (with flag bits: ${hex(last.sizeField)})\n\n`)).toBe(true)
      // A 0x20 chunk's bk_nextsize is the next chunk's size field.
      expect(text(formatMallocChunk(target, snapshot, chunkOf(ptr[0]!), true))).toBe(
        `Free chunk (tcachebins) | PREV_INUSE\nAddr: ${hex(chunkOf(ptr[0]!))}\nprev_size: 0x0\nSize: 0x20 (with flag bits: 0x21)\n` +
          `fd: ${hex(ptr[0]! >> 12n)} (revealed: 0x0)\nbk: ${hex(snapshot.tcacheKey!)}\nfd_nextsize: 0x0\nbk_nextsize: 0x21\n\n`,
      )

      const freeAgain = tryFree(target, snapshot, ptr[0]!)
      expect(freeAgain.outcome).toEqual({ kind: 'abort', message: 'free(): double free detected in tcache 2' })
      const report = text(formatTryFree(freeAgain)).split('\n')
      const expectedStarts = [
        `free(${hex(ptr[0]!)}): chunk ${hex(chunkOf(ptr[0]!))}, size 0x20 (with flag bits: 0x21)`,
        'General checks',
        '  ✓ free(): invalid pointer: ',
        '  ✓ free(): invalid size: ',
        'Tcache checks',
        `  ✗ free(): double free detected in tcache 2: e->key is tcache_key and entry 1 of tcachebins[0x20] is ${hex(ptr[0]!)}`,
        'free() would abort: free(): double free detected in tcache 2',
        '',
      ]
      expect(report.map((line, index) => line.startsWith(expectedStarts[index] ?? '\0'))).toEqual(expectedStarts.map(() => true))
      expect(tryFree(target, snapshot, 0n).outcome).toEqual({ kind: 'nothing' })
      expect(tryFree(target, snapshot, 0x10n).outcome).toEqual({ kind: 'crash', address: 0x8n, reading: "the chunk's size" })
    })

    it('2: past seven, 0x40 chunks go to the fastbin', () => {
      stop(2)
      expect(snapshot.problems).toEqual([])
      const bin40 = snapshot.bins.tcache.find((bin) => bin.bin.label === '0x40')
      expect([bin40?.count, bin40?.chain]).toEqual([7, [ptr[9], ptr[8], ptr[7], ptr[6], ptr[5], ptr[4], ptr[3]]])
      expect(snapshot.bins.fast.map((bin) => [bin.bin.label, bin.chain])).toEqual([['0x40', [chunkOf(ptr[11]!), chunkOf(ptr[10]!)]]])
      // Fastbin chunks stay "in use": the next chunk's PREV_INUSE is still set.
      expect(chunk(ptr[12]!)).toMatchObject({ sizeField: 0x51n, state: { kind: 'allocated' } })
      expect(snapshot.arena.haveFastchunks).toBe(1)
      expect(text(formatBins(target, snapshot, ['fastbins']))).toBe(`fastbins\n0x40: ${hex(chunkOf(ptr[11]!))} —▸ ${hex(chunkOf(ptr[10]!))} ◂— 0\n`)
      expect(text(formatArena(target, snapshot))).toContain(`  fastbinsY = {0x0, 0x0, ${hex(chunkOf(ptr[11]!))}, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0, 0x0},\n`)

      expect(tryFree(target, snapshot, ptr[11]!).outcome).toEqual({ kind: 'abort', message: 'double free or corruption (fasttop)' })
      // Only the fastbin's head is checked: freeing the second chunk again is the fastbin dup.
      expect(tryFree(target, snapshot, ptr[10]!).outcome).toEqual({ kind: 'fastbin', bin: { kind: 'fastbins', index: 2, label: '0x40' } })
      expect(tryFree(target, snapshot, ptr[12]!).outcome).toEqual({ kind: 'tcache', bin: { kind: 'tcachebins', index: 3, label: '0x50' }, countAfter: 1 })
      // A fake chunk whose size field (the user data before it) is 0: -0 is 0, so glibc's first test fails.
      expect(tryFree(target, snapshot, ptr[12]! + 8n).outcome).toEqual({ kind: 'abort', message: 'free(): invalid pointer' })

      const vis = visHeapChunks(target, snapshot, 3, chunkOf(ptr[9]!))
      expect(vis.chunks).toEqual([chunkOf(ptr[9]!), chunkOf(ptr[10]!), chunkOf(ptr[11]!)])
      const visText = text(formatVisHeapChunks(vis)).split('\n')
      expect(visText[0]).toBe(`${hex(chunkOf(ptr[9]!))}\t0x0000000000000000\t0x0000000000000041\t........A.......`)
      expect(visText[1]).toMatch(new RegExp(`^${hex(ptr[9]!)}\\t0x[0-9a-f]{16}\\t0x[0-9a-f]{16}\\t.{16}\\t <-- tcachebins\\[0x40\\]\\[0/7\\]$`))
      expect(visText[4]).toBe(`${hex(chunkOf(ptr[10]!))}\t0x0000000000000000\t0x0000000000000041\t........A.......\t <-- fastbins[0x40][1]`)
      expect(visText[8]).toContain('\t <-- fastbins[0x40][0]')
      expect(visText).toHaveLength(13)
      expect(new Set(vis.lines.map((line) => line.chunk))).toEqual(new Set([0, 1, 2]))
    })

    it('3: a large request consolidates the fastbins; large and untcached chunks go to the unsorted bin', () => {
      stop(3)
      expect(snapshot.problems).toEqual([])
      expect(snapshot.bins.fast).toEqual([])
      expect(snapshot.arena.haveFastchunks).toBe(0)
      expect(snapshot.bins.tcache.find((bin) => bin.bin.label === '0x90')?.chain).toEqual([21, 20, 19, 18, 17, 16, 15].map((index) => ptr[index]))
      // The two 0x40 fastbin chunks merged into one 0x80 chunk, filed in its small bin.
      expect(snapshot.bins.small.map((bin) => [bin.bin.label, bin.forward])).toEqual([['0x80', [chunkOf(ptr[10]!)]]])
      expect(chunk(ptr[10]!)).toMatchObject({ sizeField: 0x81n, state: { kind: 'free', bins: [{ kind: 'smallbins', label: '0x80' }] } })
      expect(chunk(ptr[12]!)).toMatchObject({ prevSize: 0x80n, sizeField: 0x50n })
      // Freed last, the 0x90 chunk is first in the unsorted bin.
      expect(snapshot.bins.unsorted).toMatchObject({ forward: [chunkOf(ptr[22]!), chunkOf(ptr[13]!)], backward: [chunkOf(ptr[13]!), chunkOf(ptr[22]!)], corrupted: false })
      expect(chunk(ptr[14]!)).toMatchObject({ prevSize: 0x420n, sizeField: 0xa0n })
      const unsortedHead = snapshot.arena.address + 96n
      expect(text(formatBins(target, snapshot, ['unsortedbin', 'smallbins']))).toBe(
        `unsortedbin\nall: ${hex(chunkOf(ptr[22]!))} —▸ ${hex(chunkOf(ptr[13]!))} —▸ ${hex(unsortedHead)} (main_arena+96) ◂— ${hex(chunkOf(ptr[22]!))}\n` +
          `smallbins\n0x80: ${hex(chunkOf(ptr[10]!))} —▸ ${hex(snapshot.arena.address + 208n)} (main_arena+208) ◂— ${hex(chunkOf(ptr[10]!))}\n`,
      )
      expect(text(formatMallocChunk(target, snapshot, chunkOf(ptr[13]!)))).toBe(
        `Free chunk (unsortedbin) | PREV_INUSE\nAddr: ${hex(chunkOf(ptr[13]!))}\nSize: 0x420 (with flag bits: 0x421)\nfd: ${hex(unsortedHead)}\nbk: ${hex(chunkOf(ptr[22]!))}\n\n`,
      )
      expect(text(formatArena(target, snapshot))).toContain(`  bins = {${hex(chunkOf(ptr[22]!))}, ${hex(chunkOf(ptr[13]!))}, ${hex(unsortedHead + 16n)} <main_arena+112>, `)

      expect(tryFree(target, snapshot, ptr[13]!).outcome).toEqual({ kind: 'abort', message: 'double free or corruption (!prev)' })
      expect(tryFree(target, snapshot, ptr[22]!).outcome).toEqual({ kind: 'abort', message: 'double free or corruption (!prev)' })
    })

    it('4: the unsorted bin is sorted into small and large bins', () => {
      stop(4)
      expect(snapshot.problems).toEqual([])
      expect(snapshot.bins.unsorted).toBeNull()
      expect(snapshot.bins.small.map((bin) => [bin.bin.label, bin.forward])).toEqual([['0x80', [chunkOf(ptr[10]!)]], ['0x90', [chunkOf(ptr[22]!)]]])
      expect(snapshot.bins.large.map((bin) => [bin.bin.label, bin.forward])).toEqual([['0x400-0x430', [chunkOf(ptr[13]!)]]])
      expect(chunk(ptr[31]!)).toMatchObject({ sizeField: 0x511n, state: { kind: 'allocated' } })
      expect(snapshot.arena.top).toBe(chunkOf(ptr[31]!) + 0x510n)
      const largeText = text(formatMallocChunk(target, snapshot, chunkOf(ptr[13]!)))
      expect(largeText).toContain('Free chunk (largebins) | PREV_INUSE\n')
      expect(largeText).toMatch(/fd_nextsize: 0x[0-9a-f]+\nbk_nextsize: 0x[0-9a-f]+\n\n$/)
      expect(text(formatBins(target, snapshot, ['largebins']))).toMatch(/^largebins\n0x400-0x430: 0x[0-9a-f]+ —▸ 0x[0-9a-f]+ \(main_arena\+1104\) ◂— 0x[0-9a-f]+\n$/)

      const topSize = snapshot.chunks[snapshot.chunks.length - 1]!.size
      expect(tryFree(target, snapshot, ptr[31]!).outcome).toEqual({ kind: 'top', chunk: chunkOf(ptr[31]!), size: 0x510n + topSize })
      expect(tryFree(target, snapshot, snapshot.arena.top + 0x10n).outcome).toEqual({ kind: 'abort', message: 'double free or corruption (top)' })
    })

    it('5: a chunk next to the top merges into it', () => {
      const before = snapshot.chunks.map((candidate) => [candidate.address, candidate.sizeField])
      stop(5)
      expect(snapshot.chunks.map((candidate) => [candidate.address, candidate.sizeField])).toEqual(before)
    })
  })
}
