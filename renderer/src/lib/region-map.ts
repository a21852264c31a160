// The region map's model: the snapshot's regions (as /proc/self/maps lists them) low to high,
// the unmapped gaps between them folded to one labelled row each, the non-canonical hole and the
// kernel half, every region's height on a log scale of its size, its ASLR slide against the
// address Linux would give it without randomisation, and where rsp, rip and the break point.

import { DEFAULT_STACK_RLIMIT, ELF_ET_DYN_BASE, mmapBase, pageAlignUp, STACK_TOP } from '../../../shared/machine/layout'
import type { RegionKind, SnapshotRegion } from '../../../shared/debugger/snapshot'

/** The end of the lower canonical half (4-level paging) and the start of the kernel's. */
export const USER_END = 0x0000800000000000n
export const KERNEL_START = 0xffff800000000000n
export const ADDRESS_END = 1n << 64n

/** mmap_base with randomisation off: TASK_SIZE less the 128 MiB minimum gap (0x7ffff7fff000). */
export const NON_RANDOM_MMAP_BASE = BigInt(mmapBase(0, 0, DEFAULT_STACK_RLIMIT))
/** Where a static PIE's break starts without randomisation: ELF_ET_DYN_BASE, page aligned. */
export const NON_RANDOM_PIE_BRK = BigInt(pageAlignUp(ELF_ET_DYN_BASE))

export type MarkerName = 'rsp' | 'rip' | 'brk'

export interface Marker {
  name: MarkerName
  address: bigint
  /** Where in the region's row, 0 (start) to 1 (end). */
  fraction: number
}

/** How a region's place compares with its non-random place. */
export type Slide = { kind: 'fixed'; reason: string } | { kind: 'slid'; by: bigint; base: string } | { kind: 'unknown' }

export interface RegionRow {
  type: 'region'
  region: SnapshotRegion
  start: bigint
  end: bigint
  /** The file offset `info proc mappings` gives a file-backed region. */
  offset: bigint | null
  slide: Slide
  markers: Marker[]
  height: number
  /** Inside the kernel half (the vsyscall page). */
  kernel: boolean
}

export interface FoldRow {
  type: 'gap' | 'hole' | 'kernel'
  start: bigint
  end: bigint
  height: number
}

export type MapRow = RegionRow | FoldRow

export interface MapFacts {
  /** The program's own image: its path, and whether its ELF type is ET_DYN (a static PIE). */
  executable: { name: string; pie: boolean } | null
  offsets: ReadonlyMap<string, bigint>
  rsp: bigint | null
  rip: bigint | null
  /** The program break (end of the top chunk), when the heap is known. */
  brk: bigint | null
}

const PAGE = 4096
const MIN_HEIGHT = 22
const MAX_HEIGHT = 64
const FOLD_HEIGHT = 18

/** A region's height: 22 px for a page, 4 px more per doubling, at most 64 px. */
export function regionHeight(size: bigint): number {
  const pages = Math.max(1, Number(size) / PAGE)
  return Math.min(MAX_HEIGHT, Math.round(MIN_HEIGHT + 4 * Math.log2(pages)))
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB']

/** A size as a learner reads it: 4 KiB, 132 KiB, 127.9 TiB, 16 EiB. */
export function formatSize(size: bigint): string {
  let value = Number(size)
  let unit = 0
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024
    unit++
  }
  const shown = unit === 0 || Number.isInteger(value) ? Math.round(value).toString() : value.toFixed(1).replace(/\.0$/, '')
  return `${shown} ${UNITS[unit]}`
}

/** A signed distance in hex, as a slide reads: +0x1a2b000, −0x3fe000, 0. */
export function formatSlide(by: bigint): string {
  if (by === 0n) return '0'
  return `${by < 0n ? '−' : '+'}0x${(by < 0n ? -by : by).toString(16)}`
}

/** File offsets by region start, from `info proc mappings` (gdb's columns: start end size offset perms objfile). */
export function parseMappings(text: string): Map<string, bigint> {
  const offsets = new Map<string, bigint>()
  for (const line of text.split('\n')) {
    const match = /^\s*(0x[0-9a-f]+)\s+0x[0-9a-f]+\s+0x[0-9a-f]+\s+(0x[0-9a-f]+)\s+[-r][-w][-x][ps]/i.exec(line)
    if (match) offsets.set(match[1]!.toLowerCase(), BigInt(match[2]!))
  }
  return offsets
}

const isFile = (name: string): boolean => name !== '' && !name.startsWith('[')

/**
 * Which area a region belongs to, for its slide: the image (the executable's mappings and the
 * anonymous bss tail right after them), the heap, the stack, the vsyscall page, or else the
 * mmap area (vvar, vdso, anonymous and file mappings — and a static PIE's image).
 */
function slideOf(region: SnapshotRegion, start: bigint, regions: readonly SnapshotRegion[], facts: MapFacts, imageEnd: bigint | null): Slide {
  if (region.name === '[vsyscall]') return { kind: 'fixed', reason: 'fixed in the kernel half, never randomised' }
  if (region.name === '[stack]') return { kind: 'slid', by: BigInt(region.end) - BigInt(STACK_TOP), base: `stack top ${hexAddress(BigInt(STACK_TOP))}` }
  if (region.name === '[heap]') {
    if (!facts.executable) return { kind: 'unknown' }
    const base = facts.executable.pie ? NON_RANDOM_PIE_BRK : imageEnd
    if (base === null) return { kind: 'unknown' }
    return { kind: 'slid', by: start - base, base: facts.executable.pie ? `ELF_ET_DYN_BASE ${hexAddress(base)}` : `end of the image ${hexAddress(base)}` }
  }
  const inImage = facts.executable && !facts.executable.pie && imageEnd !== null && start < imageEnd
  if (inImage) return { kind: 'fixed', reason: 'not PIE: at its link address' }
  // The mmap area grows down from mmap_base: its highest end is where this run's base is.
  const mmapTop = regions
    .filter((other) => !['[stack]', '[heap]', '[vsyscall]'].includes(other.name) && BigInt(other.end) <= USER_END && (imageEnd === null || BigInt(other.start) >= imageEnd))
    .reduce((top, other) => (BigInt(other.end) > top ? BigInt(other.end) : top), 0n)
  if (mmapTop === 0n) return { kind: 'unknown' }
  return { kind: 'slid', by: mmapTop - NON_RANDOM_MMAP_BASE, base: `mmap base ${hexAddress(NON_RANDOM_MMAP_BASE)}` }
}

const hexAddress = (address: bigint): string => `0x${address.toString(16)}`

/** The end of a non-PIE image: its mappings and the anonymous bss tail that follows them. */
function imageEndOf(regions: readonly SnapshotRegion[], executable: MapFacts['executable']): bigint | null {
  if (!executable || executable.pie) return null
  const first = regions.findIndex((region) => region.name === executable.name)
  if (first < 0) return null
  let end = BigInt(regions[first]!.end)
  for (const region of regions.slice(first + 1)) {
    if (BigInt(region.start) !== end || !(region.name === executable.name || region.name === '')) break
    end = BigInt(region.end)
  }
  return end
}

function markersIn(start: bigint, end: bigint, facts: MapFacts, name: string): Marker[] {
  const markers: Marker[] = []
  const size = Number(end - start)
  for (const [markerName, address] of [
    ['rsp', facts.rsp],
    ['rip', facts.rip],
    ['brk', facts.brk],
  ] as const) {
    if (address === null) continue
    // The break is the end of the heap: it may sit exactly on [heap]'s last byte + 1.
    const inside = address >= start && (address < end || (markerName === 'brk' && address === end && name === '[heap]'))
    if (inside) markers.push({ name: markerName, address, fraction: Math.min(1, Number(address - start) / size) })
  }
  return markers
}

function fold(type: FoldRow['type'], start: bigint, end: bigint): FoldRow {
  return { type, start, end, height: type === 'kernel' ? 28 : FOLD_HEIGHT }
}

/** The map's rows, low addresses first, the way /proc/self/maps and vmmap list them. */
export function buildRegionMap(regions: readonly SnapshotRegion[], facts: MapFacts): MapRow[] {
  const sorted = [...regions].sort((a, b) => (BigInt(a.start) < BigInt(b.start) ? -1 : 1))
  const imageEnd = imageEndOf(sorted, facts.executable)
  const rows: MapRow[] = []
  let cursor = 0n
  const gapTo = (next: bigint): void => {
    // The non-canonical hole and the kernel half are folds of their own, whatever is mapped.
    if (cursor < USER_END && next > USER_END) {
      if (cursor < USER_END) rows.push(fold('gap', cursor, USER_END))
      cursor = USER_END
    }
    if (cursor === USER_END && next > USER_END) {
      rows.push(fold('hole', USER_END, KERNEL_START))
      rows.push(fold('kernel', KERNEL_START, ADDRESS_END))
      cursor = KERNEL_START
    }
    if (cursor < next && cursor < KERNEL_START) rows.push(fold('gap', cursor, next))
    cursor = next > cursor ? next : cursor
  }
  for (const region of sorted) {
    const start = BigInt(region.start)
    const end = BigInt(region.end)
    gapTo(start)
    rows.push({
      type: 'region',
      region,
      start,
      end,
      offset: isFile(region.name) ? (facts.offsets.get(region.start.toLowerCase()) ?? null) : null,
      slide: slideOf(region, start, sorted, facts, imageEnd),
      markers: markersIn(start, end, facts, region.name),
      height: regionHeight(end - start),
      kernel: start >= KERNEL_START,
    })
    cursor = end
  }
  gapTo(ADDRESS_END)
  return rows
}

/** The kinds in pwndbg's legend order (vmmap: STACK | HEAP | CODE | DATA | WX | RODATA). */
export const LEGEND_KINDS: readonly RegionKind[] = ['stack', 'heap', 'code', 'data', 'rwx', 'rodata', 'none']
