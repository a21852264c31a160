// glibc 2.36 ptmalloc on x86-64: structure offsets, flag bits and the size-to-bin arithmetic,
// as malloc/malloc.c defines them (Memscape's libc copies the same layout). Every 64-bit
// quantity is a bigint: a corrupted field may hold any value, and it must print exactly.

export const SIZE_SZ = 8n
export const MALLOC_ALIGNMENT = 16n
export const MALLOC_ALIGN_MASK = MALLOC_ALIGNMENT - 1n
export const CHUNK_HDR_SZ = 2n * SIZE_SZ
export const MINSIZE = 0x20n

export const PREV_INUSE = 0x1n
export const IS_MMAPPED = 0x2n
export const NON_MAIN_ARENA = 0x4n
export const SIZE_BITS = PREV_INUSE | IS_MMAPPED | NON_MAIN_ARENA

/** struct malloc_chunk. */
export const CHUNK = { prevSize: 0n, size: 8n, fd: 0x10n, bk: 0x18n, fdNextsize: 0x20n, bkNextsize: 0x28n } as const

export const NBINS = 128
export const NFASTBINS = 10
export const NSMALLBINS = 64
export const BINMAPSIZE = 4
export const MIN_LARGE_SIZE = 0x400n
/** global_max_fast's default (DEFAULT_MXFAST rounded to a chunk size), if the symbol is missing. */
export const DEFAULT_MAX_FAST = 0x80n
export const FASTBIN_CONSOLIDATION_THRESHOLD = 65536n
/** HEAP_MAX_SIZE: a non-main arena's heap_info sits at the chunk's address rounded down to it. */
export const HEAP_MAX_SIZE = 64n * 1024n * 1024n

/** struct malloc_state (the arena). */
export const MALLOC_STATE = {
  mutex: 0n,
  flags: 4n,
  haveFastchunks: 8n,
  fastbinsY: 0x10n,
  top: 0x60n,
  lastRemainder: 0x68n,
  bins: 0x70n,
  binmap: 0x860n,
  next: 0x870n,
  nextFree: 0x878n,
  attachedThreads: 0x880n,
  systemMem: 0x888n,
  maxSystemMem: 0x890n,
  size: 0x898n,
} as const

/** malloc_state.flags: the heap is not one contiguous brk area. */
export const NONCONTIGUOUS_BIT = 2

/**
 * struct malloc_par (`mp_`). glibc 2.35 added three huge-page fields after arena_max when built
 * with tunables (Debian's is), which moves everything after them; Memscape's libc, like glibc
 * 2.26-2.34, has no such fields. The two are told apart by the symbol's size.
 */
export interface MallocParLayout {
  readonly size: bigint
  readonly trimThreshold: bigint
  readonly topPad: bigint
  readonly mmapThreshold: bigint
  readonly nMmaps: bigint
  readonly mmappedMem: bigint
  readonly noDynThreshold: bigint
  readonly sbrkBase: bigint
  readonly tcacheBins: bigint
  readonly tcacheCount: bigint
}

export const MALLOC_PAR_WITH_HUGE_PAGES: MallocParLayout = {
  size: 0x88n, trimThreshold: 0n, topPad: 8n, mmapThreshold: 0x10n, nMmaps: 0x3cn, noDynThreshold: 0x48n,
  mmappedMem: 0x50n, sbrkBase: 0x60n, tcacheBins: 0x68n, tcacheCount: 0x78n,
}

export const MALLOC_PAR_CLASSIC: MallocParLayout = {
  size: 0x70n, trimThreshold: 0n, topPad: 8n, mmapThreshold: 0x10n, nMmaps: 0x28n, noDynThreshold: 0x34n,
  mmappedMem: 0x38n, sbrkBase: 0x48n, tcacheBins: 0x50n, tcacheCount: 0x60n,
}

/** struct tcache_perthread_struct: uint16_t counts[64], then tcache_entry *entries[64]. */
export const TCACHE_MAX_BINS = 64
export const TCACHE_FILL_COUNT = 7
export const TCACHE = { counts: 0n, entries: 0x80n, size: 0x280n } as const
/** tcache_entry: `next` where a chunk's fd is, `key` where its bk is. */
export const TCACHE_ENTRY = { next: 0n, key: 8n } as const

export const DEFAULT_MMAP_THRESHOLD_MAX = 4n * 1024n * 1024n * 8n

export function chunkSize(sizeField: bigint): bigint {
  return sizeField & ~SIZE_BITS
}

/** csize2tidx. */
export function tcacheIndex(size: bigint): number {
  return Number((size - MINSIZE + MALLOC_ALIGNMENT - 1n) / MALLOC_ALIGNMENT)
}

export function tcacheBinSize(index: number): bigint {
  return BigInt(index) * MALLOC_ALIGNMENT + MINSIZE
}

export function fastbinIndex(size: bigint): number {
  return Number((size >> 4n) - 2n)
}

export function fastbinSize(index: number): bigint {
  return BigInt(index + 2) << 4n
}

export function inSmallbinRange(size: bigint): boolean {
  return size < MIN_LARGE_SIZE
}

function largebinIndex(size: bigint): number {
  if (size >> 6n <= 48n) return 48 + Number(size >> 6n)
  if (size >> 9n <= 20n) return 91 + Number(size >> 9n)
  if (size >> 12n <= 10n) return 110 + Number(size >> 12n)
  if (size >> 15n <= 4n) return 119 + Number(size >> 15n)
  if (size >> 18n <= 2n) return 124 + Number(size >> 18n)
  return 126
}

/** bin_index: 1 is the unsorted bin, 2..63 the small bins, 64..126 the large bins. */
export function binIndex(size: bigint): number {
  return inSmallbinRange(size) ? Number(size >> 4n) : largebinIndex(size)
}

/** The chunk sizes a regular bin holds, [low, high]; high is null for the last, open-ended bin. */
export function binSizeRange(index: number): { low: bigint; high: bigint | null } {
  if (index < NSMALLBINS) return { low: BigInt(index) << 4n, high: BigInt(index) << 4n }
  const low = smallestSizeInBinOrAbove(index)
  return { low, high: index >= NBINS - 2 ? null : smallestSizeInBinOrAbove(index + 1) - MALLOC_ALIGNMENT }
}

/** bin_index grows with the size: a binary search over the 16-byte size steps. */
function smallestSizeInBinOrAbove(index: number): bigint {
  let below = MIN_LARGE_SIZE / MALLOC_ALIGNMENT - 1n
  let atOrAbove = 1n << 40n
  while (atOrAbove - below > 1n) {
    const middle = (below + atOrAbove) / 2n
    if (binIndex(middle * MALLOC_ALIGNMENT) >= index) atOrAbove = middle
    else below = middle
  }
  return atOrAbove * MALLOC_ALIGNMENT
}

/** The address of regular bin `index`'s fake chunk (bin_at): its fd/bk overlay bins[2i-2..]. */
export function binHeadAddress(arena: bigint, index: number): bigint {
  return arena + MALLOC_STATE.bins + BigInt((index - 1) * 2) * 8n - CHUNK.fd
}

/** Safe-linking (glibc 2.32+): a stored list pointer is XORed with its own address >> 12. */
export function revealPointer(fieldAddress: bigint, stored: bigint): bigint {
  return (fieldAddress >> 12n) ^ stored
}

export function isAligned(value: bigint): boolean {
  return (value & MALLOC_ALIGN_MASK) === 0n
}
