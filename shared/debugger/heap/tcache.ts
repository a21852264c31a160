// The thread's tcache_perthread_struct. glibc keeps the pointer to it in a thread-local
// variable `tcache` (STT_TLS in a static binary: an offset in the TLS block, which ends at the
// thread pointer); Memscape's libc, single-threaded, keeps it in a plain global of that name.
// Without either symbol the struct is found where tcache_init puts it, the heap's first chunk,
// as pwndbg does.

import { chunkSize, CHUNK, CHUNK_HDR_SZ, MALLOC_ALIGNMENT, TCACHE, TCACHE_MAX_BINS } from './layout'
import type { Found } from './arena'
import { hex } from './text'
import type { HeapMemory } from './target'

export interface Tcache {
  /** The tcache_perthread_struct (a chunk's user data: the chunk is 0x10 below). */
  address: bigint
  /** Where the address came from. */
  source: 'tls' | 'global' | 'first-chunk'
  counts: number[]
  /** entries[]: user pointers, not safe-linked in the struct itself. */
  entries: bigint[]
}

/** The tcache chunk: the 0x280-byte struct rounded to a chunk, with PREV_INUSE. */
const TCACHE_CHUNK_SIZE = (TCACHE.size + CHUNK_HDR_SZ + MALLOC_ALIGNMENT - 1n) & ~(MALLOC_ALIGNMENT - 1n)

function tcachePointerAddress(memory: HeapMemory): { address: bigint; source: 'tls' | 'global' } | null {
  const target = memory.target
  const offset = target.tlsSymbol('tcache')
  const blockSize = target.tlsBlockSize()
  if (offset !== null && blockSize !== null) return { address: BigInt(target.threadPointer()) - BigInt(blockSize) + BigInt(offset), source: 'tls' }
  const global = memory.symbol('tcache')
  return global === null ? null : { address: global, source: 'global' }
}

/**
 * `heapStart` is the main heap's first chunk, for the fallback. Null (not an error) when the
 * tcache does not exist yet: before the first malloc, the pointer is NULL.
 */
export function readTcache(memory: HeapMemory, heapStart: bigint | null): Found<Tcache | null> {
  let address: bigint
  let source: Tcache['source']
  const pointer = tcachePointerAddress(memory)
  if (pointer !== null) {
    const value = memory.u64(pointer.address)
    if (value === null) return { ok: false, message: `Cannot read the tcache pointer at ${hex(pointer.address)}.` }
    if (value === 0n) return { ok: true, value: null }
    address = value
    source = pointer.source
  } else {
    if (heapStart === null) return { ok: true, value: null }
    const sizeField = memory.u64(heapStart + CHUNK.size)
    if (sizeField === null || chunkSize(sizeField) !== TCACHE_CHUNK_SIZE) return { ok: true, value: null }
    address = heapStart + CHUNK_HDR_SZ
    source = 'first-chunk'
  }
  const data = memory.bytes(address, Number(TCACHE.size))
  if (data === null) return { ok: false, message: `Cannot read tcache_perthread_struct at ${hex(address)}.` }
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  return {
    ok: true,
    value: {
      address,
      source,
      counts: Array.from({ length: TCACHE_MAX_BINS }, (_, index) => view.getUint16(Number(TCACHE.counts) + index * 2, true)),
      entries: Array.from({ length: TCACHE_MAX_BINS }, (_, index) => view.getBigUint64(Number(TCACHE.entries) + index * 8, true)),
    },
  }
}
