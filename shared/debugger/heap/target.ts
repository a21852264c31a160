// What the heap view reads from the debugged process, and typed little-endian reads over it
// that never throw: an unreadable or impossible address gives null.

export interface HeapTarget {
  /** Guest memory; null when any byte is unmapped. */
  read(address: number, length: number): Uint8Array | null
  /**
   * Runtime address of an ELF symbol (load bias applied), or null. Null too for a thread-local
   * (STT_TLS) symbol, whose value is not an address: see tlsSymbol.
   */
  symbol(name: string): number | null
  /** The symbol's st_size, or null. Tells glibc's `mp_` layout from Memscape's libc's. */
  symbolSize(name: string): number | null
  /** A thread-local (STT_TLS) symbol's st_value, its offset in the TLS block; null otherwise. */
  tlsSymbol(name: string): number | null
  /**
   * The executable's PT_TLS p_memsz rounded up to its p_align, or null without PT_TLS. On x86-64
   * (TLS variant II) the block ends at the thread pointer, so a TLS symbol lives at
   * threadPointer - tlsBlockSize + st_value (glibc's csu/libc-tls.c for static programs).
   */
  tlsBlockSize(): number | null
  /** The thread pointer (fs base), for TLS variables such as glibc's `tcache`. */
  threadPointer(): number
  /** The [heap] region (brk area) bounds, or null before the first malloc. */
  heapRegion(): { start: number; end: number } | null
  /** "main+38"-style name for an address, or null. */
  symbolize?(address: number): string | null
}

/** Addresses a guest can have: user space is below 2^47, and a double holds that exactly. */
const ADDRESS_LIMIT = 1n << 47n

export class HeapMemory {
  constructor(readonly target: HeapTarget) {}

  bytes(address: bigint, length: number): Uint8Array | null {
    if (address < 0n || address + BigInt(length) > ADDRESS_LIMIT) return null
    const data = this.target.read(Number(address), length)
    return data !== null && data.length === length ? data : null
  }

  u64(address: bigint): bigint | null {
    const data = this.bytes(address, 8)
    return data === null ? null : new DataView(data.buffer, data.byteOffset, 8).getBigUint64(0, true)
  }

  u32(address: bigint): number | null {
    const data = this.bytes(address, 4)
    return data === null ? null : new DataView(data.buffer, data.byteOffset, 4).getUint32(0, true)
  }

  u16(address: bigint): number | null {
    const data = this.bytes(address, 2)
    return data === null ? null : new DataView(data.buffer, data.byteOffset, 2).getUint16(0, true)
  }

  symbol(name: string): bigint | null {
    const address = this.target.symbol(name)
    return address === null ? null : BigInt(address)
  }

  /** "main_arena+96"-style name, or null. */
  symbolize(address: bigint): string | null {
    if (address <= 0n || address >= ADDRESS_LIMIT || this.target.symbolize === undefined) return null
    return this.target.symbolize(Number(address))
  }
}
