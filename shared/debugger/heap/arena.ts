// main_arena (struct malloc_state) and mp_ (struct malloc_par), found by their symbols: glibc
// and Memscape's libc both keep them under these names, with symbols even in static binaries.

import {
  BINMAPSIZE, DEFAULT_MAX_FAST, MALLOC_PAR_CLASSIC, MALLOC_PAR_WITH_HUGE_PAGES, MALLOC_STATE, NBINS, NFASTBINS,
  type MallocParLayout,
} from './layout'
import type { HeapMemory } from './target'
import { hex } from './text'

export interface Arena {
  address: bigint
  mutex: number
  flags: number
  haveFastchunks: number
  /** fastbinsY: the raw (safe-linked) heads, as stored. */
  fastbins: bigint[]
  top: bigint
  lastRemainder: bigint
  /** bins[254]: fd and bk of regular bins 1..127, pairwise. */
  bins: bigint[]
  binmap: number[]
  next: bigint
  nextFree: bigint
  attachedThreads: bigint
  systemMem: bigint
  maxSystemMem: bigint
}

export interface MallocPar {
  address: bigint
  layout: MallocParLayout
  trimThreshold: bigint
  topPad: bigint
  mmapThreshold: bigint
  nMmaps: number
  noDynThreshold: number
  mmappedMem: bigint
  /** The first address malloc got from brk: the main heap starts here (16-aligned). */
  sbrkBase: bigint
  tcacheBins: bigint
  tcacheCount: bigint
}

export type Found<T> = { ok: true; value: T } | { ok: false; message: string }

export function readArena(memory: HeapMemory): Found<Arena> {
  const address = memory.symbol('main_arena')
  if (address === null) return { ok: false, message: 'No symbol "main_arena": this program\'s malloc is not ptmalloc, or its symbols are stripped.' }
  const data = memory.bytes(address, Number(MALLOC_STATE.size))
  if (data === null) return { ok: false, message: `Cannot read main_arena at ${hex(address)}.` }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const u64 = (offset: bigint): bigint => view.getBigUint64(Number(offset), true)
  const u32 = (offset: bigint): number => view.getUint32(Number(offset), true)
  const array = <T>(count: number, read: (index: number) => T): T[] => Array.from({ length: count }, (_, index) => read(index))
  return {
    ok: true,
    value: {
      address,
      mutex: u32(MALLOC_STATE.mutex),
      flags: u32(MALLOC_STATE.flags),
      haveFastchunks: u32(MALLOC_STATE.haveFastchunks),
      fastbins: array(NFASTBINS, (index) => u64(MALLOC_STATE.fastbinsY + BigInt(index * 8))),
      top: u64(MALLOC_STATE.top),
      lastRemainder: u64(MALLOC_STATE.lastRemainder),
      bins: array(NBINS * 2 - 2, (index) => u64(MALLOC_STATE.bins + BigInt(index * 8))),
      binmap: array(BINMAPSIZE, (index) => u32(MALLOC_STATE.binmap + BigInt(index * 4))),
      next: u64(MALLOC_STATE.next),
      nextFree: u64(MALLOC_STATE.nextFree),
      attachedThreads: u64(MALLOC_STATE.attachedThreads),
      systemMem: u64(MALLOC_STATE.systemMem),
      maxSystemMem: u64(MALLOC_STATE.maxSystemMem),
    },
  }
}

export function readMallocPar(memory: HeapMemory): Found<MallocPar> {
  const address = memory.symbol('mp_')
  if (address === null) return { ok: false, message: 'No symbol "mp_".' }
  const size = memory.target.symbolSize('mp_')
  const layout = size !== null && BigInt(size) >= MALLOC_PAR_WITH_HUGE_PAGES.size ? MALLOC_PAR_WITH_HUGE_PAGES : MALLOC_PAR_CLASSIC
  const data = memory.bytes(address, Number(layout.size))
  if (data === null) return { ok: false, message: `Cannot read mp_ at ${hex(address)}.` }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  const u64 = (offset: bigint): bigint => view.getBigUint64(Number(offset), true)
  const i32 = (offset: bigint): number => view.getInt32(Number(offset), true)
  return {
    ok: true,
    value: {
      address,
      layout,
      trimThreshold: u64(layout.trimThreshold),
      topPad: u64(layout.topPad),
      mmapThreshold: u64(layout.mmapThreshold),
      nMmaps: i32(layout.nMmaps),
      noDynThreshold: i32(layout.noDynThreshold),
      mmappedMem: u64(layout.mmappedMem),
      sbrkBase: u64(layout.sbrkBase),
      tcacheBins: u64(layout.tcacheBins),
      tcacheCount: u64(layout.tcacheCount),
    },
  }
}

/** global_max_fast (a static variable in both libcs), or its default when unreadable. */
export function readMaxFast(memory: HeapMemory): bigint {
  const address = memory.symbol('global_max_fast')
  return (address === null ? null : memory.u64(address)) ?? DEFAULT_MAX_FAST
}

/** The per-process random tcache_key (glibc 2.34+) that marks a chunk as being in the tcache. */
export function readTcacheKey(memory: HeapMemory): bigint | null {
  const address = memory.symbol('tcache_key')
  return address === null ? null : memory.u64(address)
}
