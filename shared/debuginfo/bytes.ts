// Bounds-checked little-endian reading and writing for DWARF sections. Every read past the end of
// a section raises a DwarfError naming the section and offset, so malformed input never escapes
// as a RangeError or a silently wrong value.

export class DwarfError extends Error {
  override name = 'DwarfError'
}

const hex = (n: number): string => `0x${n.toString(16)}`
const decoder = new TextDecoder('utf-8', { fatal: false })
const encoder = new TextEncoder()

export class ByteReader {
  private readonly view: DataView
  offset: number

  constructor(
    readonly bytes: Uint8Array,
    readonly section: string,
    start = 0,
    /** Reads stop here (the end of a unit, or of the section). */
    readonly end = bytes.length,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    this.offset = start
    if (end > bytes.length || start > end || start < 0) {
      throw new DwarfError(`${section}: range ${hex(start)}..${hex(end)} lies outside the section (${bytes.length} bytes)`)
    }
  }

  get atEnd(): boolean {
    return this.offset >= this.end
  }

  private need(size: number, what: string): number {
    const at = this.offset
    if (at + size > this.end) {
      throw new DwarfError(`${this.section}: ${what} at offset ${hex(at)} runs past the end (${hex(this.end)})`)
    }
    this.offset = at + size
    return at
  }

  u8(what = 'byte'): number {
    return this.view.getUint8(this.need(1, what))
  }
  u16(what = 'u16'): number {
    return this.view.getUint16(this.need(2, what), true)
  }
  u24(what = 'u24'): number {
    const at = this.need(3, what)
    return this.view.getUint16(at, true) | (this.view.getUint8(at + 2) << 16)
  }
  u32(what = 'u32'): number {
    return this.view.getUint32(this.need(4, what), true)
  }
  u64(what = 'u64'): number {
    return Number(this.u64Big(what))
  }
  u64Big(what = 'u64'): bigint {
    return this.view.getBigUint64(this.need(8, what), true)
  }
  s8(what = 's8'): number {
    return this.view.getInt8(this.need(1, what))
  }
  s16(what = 's16'): number {
    return this.view.getInt16(this.need(2, what), true)
  }
  s32(what = 's32'): number {
    return this.view.getInt32(this.need(4, what), true)
  }
  s64Big(what = 's64'): bigint {
    return this.view.getBigInt64(this.need(8, what), true)
  }

  /** A value of `size` bytes (1, 2, 4 or 8), as used for offsets and addresses. */
  uSized(size: number, what: string): number {
    switch (size) {
      case 1:
        return this.u8(what)
      case 2:
        return this.u16(what)
      case 4:
        return this.u32(what)
      case 8:
        return this.u64(what)
      default:
        throw new DwarfError(`${this.section}: unsupported ${size}-byte ${what} at offset ${hex(this.offset)}`)
    }
  }

  uleb(what = 'ULEB128'): number {
    // Number arithmetic while the value stays exact; BigInt only for the rare long encodings.
    const start = this.offset
    let result = 0
    let scale = 1
    for (let i = 0; i < 7; i++) {
      const b = this.u8(what)
      result += (b & 0x7f) * scale
      if ((b & 0x80) === 0) return result
      scale *= 128
    }
    this.offset = start
    const v = this.ulebBig(what)
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new DwarfError(`${this.section}: ${what} at offset ${hex(this.offset)} is too large (${v})`)
    return Number(v)
  }

  ulebBig(what = 'ULEB128'): bigint {
    let result = 0n
    let shift = 0n
    for (;;) {
      const b = this.u8(what)
      if (shift < 64n) result |= BigInt(b & 0x7f) << shift
      shift += 7n
      if ((b & 0x80) === 0) return BigInt.asUintN(64, result)
    }
  }

  sleb(what = 'SLEB128'): number {
    const start = this.offset
    let result = 0
    let scale = 1
    for (let i = 0; i < 7; i++) {
      const b = this.u8(what)
      result += (b & 0x7f) * scale
      scale *= 128
      if ((b & 0x80) === 0) return b & 0x40 ? result - scale : result
    }
    this.offset = start
    const v = this.slebBig(what)
    if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
      throw new DwarfError(`${this.section}: ${what} at offset ${hex(this.offset)} is out of range (${v})`)
    }
    return Number(v)
  }

  slebBig(what = 'SLEB128'): bigint {
    let result = 0n
    let shift = 0n
    let b: number
    do {
      b = this.u8(what)
      if (shift < 64n) result |= BigInt(b & 0x7f) << shift
      shift += 7n
    } while (b & 0x80)
    if (shift < 64n && b & 0x40) result -= 1n << shift
    return BigInt.asIntN(64, result)
  }

  bytesOf(length: number, what: string): Uint8Array {
    if (length < 0) throw new DwarfError(`${this.section}: negative length for ${what}`)
    const at = this.need(length, what)
    return this.bytes.subarray(at, at + length)
  }

  cstring(what = 'string'): string {
    const start = this.offset
    const i = this.bytes.indexOf(0, start)
    if (i < 0 || i >= this.end) throw new DwarfError(`${this.section}: ${what} at offset ${hex(start)} has no terminating NUL`)
    this.offset = i + 1
    return decoder.decode(this.bytes.subarray(start, i))
  }
}

/** A NUL-terminated string at `offset` of a string section (.debug_str, .debug_line_str). */
export function stringAt(section: Uint8Array | undefined, name: string, offset: number): string {
  if (!section) throw new DwarfError(`a string refers to ${name}, which the file does not have`)
  if (offset < 0 || offset >= section.length) throw new DwarfError(`${name}: string offset ${hex(offset)} lies past the end (${section.length} bytes)`)
  const end = section.indexOf(0, offset)
  if (end < 0) throw new DwarfError(`${name}: string at offset ${hex(offset)} has no terminating NUL`)
  return decoder.decode(section.subarray(offset, end))
}

/** Growable little-endian output buffer. */
export class ByteWriter {
  private buf: Uint8Array
  private view: DataView
  length = 0

  constructor(capacity = 256) {
    this.buf = new Uint8Array(capacity)
    this.view = new DataView(this.buf.buffer)
  }

  /** Reserves `size` bytes and returns where they start; callers must read `buf`/`view` after. */
  private grow(size: number): number {
    const at = this.length
    if (at + size > this.buf.length) {
      const bigger = new Uint8Array(Math.max(this.buf.length * 2, at + size))
      bigger.set(this.buf)
      this.buf = bigger
      this.view = new DataView(bigger.buffer)
    }
    this.length = at + size
    return at
  }

  u8(v: number): void {
    const at = this.grow(1)
    this.view.setUint8(at, v)
  }
  u16(v: number): void {
    const at = this.grow(2)
    this.view.setUint16(at, v, true)
  }
  u32(v: number): void {
    const at = this.grow(4)
    this.view.setUint32(at, v >>> 0, true)
  }
  u64(v: number | bigint): void {
    const at = this.grow(8)
    this.view.setBigUint64(at, BigInt.asUintN(64, BigInt(v)), true)
  }
  s64(v: bigint): void {
    const at = this.grow(8)
    this.view.setBigInt64(at, v, true)
  }
  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v >>> 0, true)
  }
  uleb(v: number | bigint): void {
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) {
      let x = v
      while (x >= 0x80) {
        this.u8((x % 0x80) | 0x80)
        x = Math.floor(x / 0x80)
      }
      this.u8(x)
      return
    }
    let x = BigInt.asUintN(64, BigInt(v))
    do {
      let b = Number(x & 0x7fn)
      x >>= 7n
      if (x !== 0n) b |= 0x80
      this.u8(b)
    } while (x !== 0n)
  }
  sleb(v: number | bigint): void {
    if (typeof v === 'number' && v >= -0x40000000 && v < 0x40000000 && Number.isInteger(v)) {
      let x = v
      for (;;) {
        const b = x & 0x7f
        x >>= 7
        const done = (x === 0 && (b & 0x40) === 0) || (x === -1 && (b & 0x40) !== 0)
        this.u8(done ? b : b | 0x80)
        if (done) return
      }
    }
    let x = BigInt(v)
    for (;;) {
      const b = Number(x & 0x7fn)
      x >>= 7n
      const done = (x === 0n && (b & 0x40) === 0) || (x === -1n && (b & 0x40) !== 0)
      this.u8(done ? b : b | 0x80)
      if (done) return
    }
  }
  bytes(b: Uint8Array): void {
    const at = this.grow(b.length)
    this.buf.set(b, at)
  }
  cstring(s: string): void {
    this.bytes(encoder.encode(s))
    this.u8(0)
  }
  result(): Uint8Array {
    return this.buf.slice(0, this.length)
  }
}
