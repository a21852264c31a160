// Guest physical memory and the page table, both inside one SharedArrayBuffer so that the host
// can translate and read guest addresses (hex dumps) while the worker runs the guest.
//
// Layout of the buffer:
//   [header][L1 table][L2 pool][L3 pool][frames]
// Virtual addresses are JS numbers below 2^47 (user half). The 35-bit page number splits
// 12/12/11 bits into a three-level radix table; an L3 entry is ((frame + 1) << 4) | prot.

import { MemoryFault, type Access } from './fault'

export const PAGE_SHIFT = 12
export const PAGE_SIZE = 1 << PAGE_SHIFT
export const PAGE_MASK = PAGE_SIZE - 1
export const USER_LIMIT = 2 ** 47

export const PROT_NONE = 0
export const PROT_READ = 1
export const PROT_WRITE = 2
export const PROT_EXEC = 4

const L1_ENTRIES = 4096
const L2_ENTRIES = 4096
const L3_ENTRIES = 2048
const L2_TABLES = 64
const L3_TABLES = 8192

const HEADER_INTS = 16
const H_FRAMES_BUMP = 1
const H_L2_USED = 2
const H_L3_USED = 3
const H_FREE_TOP = 4

const L1_OFFSET = HEADER_INTS
const L2_OFFSET = L1_OFFSET + L1_ENTRIES
const L3_OFFSET = L2_OFFSET + L2_TABLES * L2_ENTRIES
const TABLE_INTS = L3_OFFSET + L3_TABLES * L3_ENTRIES

const TLB_SIZE = 256

/**
 * Learns which frames are about to change, so that a recorder can keep their old contents
 * (see ../recording). Only slow paths call it: the write TLB's miss path, poke, and frame
 * allocation and release; a recorder calls `forgetWriteTranslations()` to see the next write
 * to every page again, so the hot write path carries no check.
 */
export interface FrameObserver {
  /** The frame's contents may change from now on (a write, or reuse after release). */
  frameWillChange(frame: number): void
  /** A free frame became a page's backing: its earlier contents never matter again. */
  frameAllocated(frame: number): void
}

/**
 * The page table, the frame allocator's state and the free-frame stack at one moment: what
 * `restoreTables` needs to put every page back on the frame it had. Tables equal to those of
 * the image captured before are shared with it.
 */
export interface PageTableImage {
  readonly framesBump: number
  readonly l2Used: number
  readonly l3Used: number
  readonly l1: Int32Array
  readonly l2: readonly Int32Array[]
  readonly l3: readonly Int32Array[]
  readonly freeStack: Int32Array
  /** Bytes of tables this image does not share with the image it was captured against. */
  readonly ownBytes: number
}

export interface MemoryOptions {
  /** Upper bound on guest RAM; a guest that maps more gets ENOMEM. */
  maxBytes: number
}

export const DEFAULT_MAX_GUEST_BYTES = 512 * 1024 * 1024

/** Bytes a buffer for `maxBytes` of guest RAM needs: tables, free-frame stack, frames. */
export function memoryBufferBytes(maxBytes: number): number {
  const frames = Math.ceil(maxBytes / PAGE_SIZE)
  const ints = TABLE_INTS + frames
  const tableBytes = Math.ceil((ints * 4) / PAGE_SIZE) * PAGE_SIZE
  return tableBytes + frames * PAGE_SIZE
}

function splitIndexes(addr: number): [number, number, number] {
  const lo = addr >>> 0
  const hi = Math.floor(addr / 0x1_0000_0000)
  return [hi >>> 3, ((lo >>> 23) & 0x1ff) | ((hi & 7) << 9), (lo >>> 12) & 0x7ff]
}

function sameInts(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** The L3 entry an image holds for a page number, or 0. */
function imageEntry(image: PageTableImage, vpn: number): number {
  const l2 = image.l1[Math.floor(vpn / (L2_ENTRIES * L3_ENTRIES))]!
  if (l2 === 0) return 0
  const l3 = image.l2[l2 - 1]![Math.floor(vpn / L3_ENTRIES) % L2_ENTRIES]!
  if (l3 === 0) return 0
  return image.l3[l3 - 1]![vpn % L3_ENTRIES]!
}

function forEachImageEntry(image: PageTableImage, visit: (vpn: number, entry: number) => void): void {
  for (let i1 = 0; i1 < L1_ENTRIES; i1++) {
    const l2 = image.l1[i1]!
    if (l2 === 0) continue
    const l2Table = image.l2[l2 - 1]!
    for (let i2 = 0; i2 < L2_ENTRIES; i2++) {
      const l3 = l2Table[i2]!
      if (l3 === 0) continue
      const l3Table = image.l3[l3 - 1]!
      for (let i3 = 0; i3 < L3_ENTRIES; i3++) {
        const entry = l3Table[i3]!
        if (entry !== 0) visit((i1 * L2_ENTRIES + i2) * L3_ENTRIES + i3, entry)
      }
    }
  }
}

/**
 * Read-only view of guest memory over the shared buffer. The host uses this directly; the
 * worker uses the {@link Memory} subclass, the only writer.
 */
export class MemoryView {
  readonly buffer: SharedArrayBuffer
  protected readonly ints: Int32Array
  readonly bytes: Uint8Array
  protected readonly frameBase: number
  readonly frameCount: number

  constructor(buffer: SharedArrayBuffer) {
    this.buffer = buffer
    this.bytes = new Uint8Array(buffer)
    const frames = Math.floor(buffer.byteLength / PAGE_SIZE)
    // The table area is rounded up to whole pages; solve for the split the writer chose.
    let frameCount = frames
    while (Math.ceil(((TABLE_INTS + frameCount) * 4) / PAGE_SIZE) + frameCount > frames) frameCount--
    this.frameCount = frameCount
    this.frameBase = (frames - frameCount) * PAGE_SIZE
    this.ints = new Int32Array(buffer, 0, TABLE_INTS + frameCount)
  }

  /** The L3 entry for a page, or 0 when unmapped. */
  protected entry(addr: number): number {
    if (addr < 0 || addr >= USER_LIMIT) return 0
    const [i1, i2, i3] = splitIndexes(addr)
    const l2 = Atomics.load(this.ints, L1_OFFSET + i1)
    if (l2 === 0) return 0
    const l3 = Atomics.load(this.ints, L2_OFFSET + (l2 - 1) * L2_ENTRIES + i2)
    if (l3 === 0) return 0
    return Atomics.load(this.ints, L3_OFFSET + (l3 - 1) * L3_ENTRIES + i3)
  }

  /** Protection bits of the page holding addr, or -1 when it is not mapped. */
  protection(addr: number): number {
    const e = this.entry(addr)
    return e === 0 ? -1 : e & 7
  }

  isMapped(addr: number): boolean {
    return this.entry(addr) !== 0
  }

  /** Byte offset in the buffer of addr, or -1 when its page is not mapped. */
  physical(addr: number): number {
    const e = this.entry(addr)
    if (e === 0) return -1
    return this.frameBase + ((e >>> 4) - 1) * PAGE_SIZE + (addr & PAGE_MASK)
  }

  /**
   * Copies [addr, addr+length) regardless of protection (a debugger sees PROT_NONE pages too).
   * Unmapped bytes are reported in `mapped` as 0 and read as 0.
   */
  peek(addr: number, length: number): { data: Uint8Array; mapped: Uint8Array } {
    const data = new Uint8Array(length)
    const mapped = new Uint8Array(length)
    let done = 0
    while (done < length) {
      const a = addr + done
      const chunk = Math.min(length - done, PAGE_SIZE - (a & PAGE_MASK))
      const p = this.physical(a)
      if (p >= 0) {
        data.set(this.bytes.subarray(p, p + chunk), done)
        mapped.fill(1, done, done + chunk)
      }
      done += chunk
    }
    return { data, mapped }
  }

  /** Frames holding guest pages now. */
  get usedFrames(): number {
    return Atomics.load(this.ints, H_FRAMES_BUMP) - Atomics.load(this.ints, H_FREE_TOP)
  }
}

/**
 * The worker's writable memory: mapping, protection and fast guest accesses through per-access
 * TLBs. Guest accesses throw {@link MemoryFault}, which the CPU turns into a fault value.
 */
export class Memory extends MemoryView {
  private readonly view: DataView
  /** The whole buffer as 32-bit words, for aligned accesses (this machine and x86 are little-endian). */
  private readonly words: Int32Array
  private readonly freeStack: Int32Array
  /** Per-frame flag: the frame holds decoded code; writes to it must invalidate the cache. */
  readonly codeFrames: Uint8Array
  /** Called with a page address when a write hits a page with cached code. */
  onCodeWrite: (pageAddr: number) => void = () => {}
  /** Set by a recorder; null (no cost beyond one test on slow paths) otherwise. */
  frameObserver: FrameObserver | null = null
  /**
   * Pages (page addresses) a debugger watches: their reads and writes never enter the TLB, so
   * each one reaches onWatchedAccess. Null when nothing is watched: no cost beyond one test on
   * TLB misses. Set it through watchPages, which flushes the TLB.
   */
  private watchedPages: ReadonlySet<number> | null = null
  /** Called on every guest read or write of a watched page (and the kernel's writes to one). */
  onWatchedAccess: (address: number, access: 'read' | 'write') => void = () => {}

  // One TLB per access kind (read, write, exec): page number tags and frame buffer offsets.
  private readonly readTag = new Float64Array(TLB_SIZE)
  private readonly readBase = new Int32Array(TLB_SIZE)
  private readonly writeTag = new Float64Array(TLB_SIZE)
  private readonly writeBase = new Int32Array(TLB_SIZE)
  private readonly execTag = new Float64Array(TLB_SIZE)
  private readonly execBase = new Int32Array(TLB_SIZE)
  private readonly tlbTag = [this.readTag, this.writeTag, this.execTag]
  private readonly tlbBase = [this.readBase, this.writeBase, this.execBase]

  /** Creates memory over a fresh buffer sized for `maxBytes` of guest RAM. */
  static create(options: MemoryOptions = { maxBytes: DEFAULT_MAX_GUEST_BYTES }): Memory {
    const buffer = new SharedArrayBuffer(memoryBufferBytes(options.maxBytes))
    return new Memory(buffer)
  }

  private constructor(buffer: SharedArrayBuffer) {
    super(buffer)
    this.view = new DataView(buffer)
    this.words = new Int32Array(buffer, 0, buffer.byteLength >> 2)
    this.freeStack = new Int32Array(buffer, (L3_OFFSET + L3_TABLES * L3_ENTRIES) * 4, this.frameCount)
    this.codeFrames = new Uint8Array(this.frameCount)
    this.flushTlb()
  }

  /**
   * Bumped whenever mappings or protections change: caches derived from the page table (the
   * CPU's translated blocks) re-check their pages when it moves.
   */
  generation = 0

  flushTlb(): void {
    for (const tags of this.tlbTag) tags.fill(-1)
    this.generation++
  }

  /** Frames still free: what a guest can still map. */
  get freeFrames(): number {
    return this.frameCount - this.usedFrames
  }

  private allocFrame(): number {
    const top = this.ints[H_FREE_TOP]!
    let frame: number
    if (top > 0) {
      frame = this.freeStack[top - 1]!
      Atomics.store(this.ints, H_FREE_TOP, top - 1)
    } else {
      const bump = this.ints[H_FRAMES_BUMP]!
      if (bump >= this.frameCount) throw new RangeError('out of guest memory')
      frame = bump
      Atomics.store(this.ints, H_FRAMES_BUMP, bump + 1)
    }
    if (this.frameObserver !== null) this.frameObserver.frameAllocated(frame)
    const start = this.frameBase + frame * PAGE_SIZE
    this.bytes.fill(0, start, start + PAGE_SIZE)
    this.codeFrames[frame] = 0
    return frame
  }

  private releaseFrame(frame: number): void {
    // The next allocation zeroes the frame: an observer must see it before it is reused.
    if (this.frameObserver !== null) this.frameObserver.frameWillChange(frame)
    const top = this.ints[H_FREE_TOP]!
    this.freeStack[top] = frame
    Atomics.store(this.ints, H_FREE_TOP, top + 1)
  }

  private slot(addr: number, create: boolean): number {
    const [i1, i2, i3] = splitIndexes(addr)
    let l2 = this.ints[L1_OFFSET + i1]!
    if (l2 === 0) {
      if (!create) return -1
      const used = this.ints[H_L2_USED]!
      if (used >= L2_TABLES) throw new RangeError('address space too sparse for the page table')
      this.ints[H_L2_USED] = used + 1
      l2 = used + 1
      Atomics.store(this.ints, L1_OFFSET + i1, l2)
    }
    const l2Slot = L2_OFFSET + (l2 - 1) * L2_ENTRIES + i2
    let l3 = this.ints[l2Slot]!
    if (l3 === 0) {
      if (!create) return -1
      const used = this.ints[H_L3_USED]!
      if (used >= L3_TABLES) throw new RangeError('address space too sparse for the page table')
      this.ints[H_L3_USED] = used + 1
      l3 = used + 1
      Atomics.store(this.ints, l2Slot, l3)
    }
    return L3_OFFSET + (l3 - 1) * L3_ENTRIES + i3
  }

  /** Pages needed to map [addr, addr+length) that are not mapped yet. */
  unmappedPages(addr: number, length: number): number {
    let n = 0
    for (let a = addr; a < addr + length; a += PAGE_SIZE) if (!this.isMapped(a)) n++
    return n
  }

  /**
   * Maps [addr, addr+length) (page aligned) with fresh zeroed frames, keeping pages already
   * mapped (their contents stay, their protection becomes prot). Throws RangeError when guest
   * RAM is exhausted, before changing anything.
   */
  map(addr: number, length: number, prot: number): void {
    if (this.unmappedPages(addr, length) > this.freeFrames) throw new RangeError('out of guest memory')
    for (let a = addr; a < addr + length; a += PAGE_SIZE) {
      const s = this.slot(a, true)
      const e = this.ints[s]!
      const frame = e === 0 ? this.allocFrame() : (e >>> 4) - 1
      Atomics.store(this.ints, s, ((frame + 1) << 4) | prot)
    }
    this.flushTlb()
  }

  unmap(addr: number, length: number): void {
    for (let a = addr; a < addr + length; a += PAGE_SIZE) {
      const s = this.slot(a, false)
      if (s < 0) continue
      const e = this.ints[s]!
      if (e === 0) continue
      Atomics.store(this.ints, s, 0)
      const frame = (e >>> 4) - 1
      if (this.codeFrames[frame]) this.onCodeWrite(a & ~PAGE_MASK)
      this.releaseFrame(frame)
    }
    this.flushTlb()
  }

  protect(addr: number, length: number, prot: number): void {
    for (let a = addr; a < addr + length; a += PAGE_SIZE) {
      const s = this.slot(a, false)
      if (s < 0) continue
      const e = this.ints[s]!
      if (e !== 0) Atomics.store(this.ints, s, (e & ~7) | prot)
    }
    this.flushTlb()
  }

  /** Moves the frames of [from, from+length) to [to, to+length) (mremap); both page aligned. */
  move(from: number, to: number, length: number): void {
    const entries: number[] = []
    for (let a = from; a < from + length; a += PAGE_SIZE) {
      const s = this.slot(a, false)
      const e = s < 0 ? 0 : this.ints[s]!
      entries.push(e)
      if (e === 0) continue
      Atomics.store(this.ints, s, 0)
      // Blocks decoded at the old address must not outlive the move.
      if (this.codeFrames[(e >>> 4) - 1]) this.onCodeWrite(a)
    }
    entries.forEach((e, i) => {
      if (e !== 0) Atomics.store(this.ints, this.slot(to + i * PAGE_SIZE, true), e)
    })
    this.flushTlb()
  }

  /** Writes bytes regardless of protection (the loader, the kernel, the debugger). */
  poke(addr: number, data: Uint8Array): void {
    let done = 0
    while (done < data.length) {
      const a = addr + done
      const chunk = Math.min(data.length - done, PAGE_SIZE - (a & PAGE_MASK))
      const p = this.physical(a)
      if (p < 0) throw new MemoryFault(a, 'write', false)
      const frame = ((p - this.frameBase) / PAGE_SIZE) | 0
      if (this.frameObserver !== null) this.frameObserver.frameWillChange(frame)
      this.bytes.set(data.subarray(done, done + chunk), p)
      if (this.codeFrames[frame]) this.onCodeWrite(a - (a & PAGE_MASK))
      if (this.watchedPages !== null && this.watchedPages.has(a - (a & PAGE_MASK))) this.onWatchedAccess(a, 'write')
      done += chunk
    }
  }

  /** Watches these pages (page addresses), replacing the previous set; empty stops watching. */
  watchPages(pages: ReadonlySet<number>): void {
    this.watchedPages = pages.size === 0 ? null : new Set(pages)
    this.flushTlb()
  }

  /** Marks the page of addr as holding decoded code, so writes to it invalidate the cache. */
  markCode(addr: number): void {
    const p = this.physical(addr)
    if (p >= 0) this.codeFrames[((p - this.frameBase) / PAGE_SIZE) | 0] = 1
  }

  unmarkCode(addr: number): void {
    const p = this.physical(addr)
    if (p >= 0) this.codeFrames[((p - this.frameBase) / PAGE_SIZE) | 0] = 0
  }

  // --- recording support -----------------------------------------------------------------------

  /** Empties the write TLB only (the generation stays): the next write to each page misses. */
  forgetWriteTranslations(): void {
    this.writeTag.fill(-1)
  }

  /** Buffer offset of a frame's first byte. */
  frameOffset(frame: number): number {
    return this.frameBase + frame * PAGE_SIZE
  }

  /** The page table and frame allocator now, sharing unchanged tables with `previous`. */
  captureTables(previous: PageTableImage | null): PageTableImage {
    let ownBytes = 0
    const keep = (table: Int32Array, old: Int32Array | undefined): Int32Array => {
      if (old !== undefined && sameInts(table, old)) return old
      ownBytes += table.byteLength
      return table.slice()
    }
    const l2Used = this.ints[H_L2_USED]!
    const l3Used = this.ints[H_L3_USED]!
    const l1 = keep(this.ints.subarray(L1_OFFSET, L1_OFFSET + L1_ENTRIES), previous?.l1)
    const l2: Int32Array[] = []
    for (let t = 0; t < l2Used; t++) {
      const start = L2_OFFSET + t * L2_ENTRIES
      l2.push(keep(this.ints.subarray(start, start + L2_ENTRIES), previous?.l2[t]))
    }
    const l3: Int32Array[] = []
    for (let t = 0; t < l3Used; t++) {
      const start = L3_OFFSET + t * L3_ENTRIES
      l3.push(keep(this.ints.subarray(start, start + L3_ENTRIES), previous?.l3[t]))
    }
    const freeStack = keep(this.freeStack.subarray(0, this.ints[H_FREE_TOP]!), previous?.freeStack)
    return { framesBump: this.ints[H_FRAMES_BUMP]!, l2Used, l3Used, l1, l2, l3, freeStack, ownBytes }
  }

  /**
   * Puts the page table and frame allocator back as `image` recorded them, after the caller
   * rewrote the contents of `rewrittenFrames`. Cached code is dropped (through onCodeWrite)
   * for every page whose mapping changes or whose frame was rewritten, before or after.
   */
  restoreTables(image: PageTableImage, rewrittenFrames: ReadonlySet<number>): void {
    const stale = (entry: number, other: number): boolean =>
      entry !== other || rewrittenFrames.has((entry >>> 4) - 1)
    const dropCode: number[] = []
    this.forEachMapped((vpn, entry) => {
      if (stale(entry, imageEntry(image, vpn))) dropCode.push(vpn)
    })
    forEachImageEntry(image, (vpn, entry) => {
      if (stale(entry, this.entry(vpn * PAGE_SIZE))) dropCode.push(vpn)
    })
    for (const vpn of dropCode) this.onCodeWrite(vpn * PAGE_SIZE)

    const l2Now = this.ints[H_L2_USED]!
    const l3Now = this.ints[H_L3_USED]!
    this.ints.set(image.l1, L1_OFFSET)
    image.l2.forEach((table, t) => this.ints.set(table, L2_OFFSET + t * L2_ENTRIES))
    image.l3.forEach((table, t) => this.ints.set(table, L3_OFFSET + t * L3_ENTRIES))
    // Tables allocated after the image are free again, and a fresh table must read as zeros.
    this.ints.fill(0, L2_OFFSET + image.l2Used * L2_ENTRIES, L2_OFFSET + Math.max(l2Now, image.l2Used) * L2_ENTRIES)
    this.ints.fill(0, L3_OFFSET + image.l3Used * L3_ENTRIES, L3_OFFSET + Math.max(l3Now, image.l3Used) * L3_ENTRIES)
    this.freeStack.set(image.freeStack)
    this.ints[H_L2_USED] = image.l2Used
    this.ints[H_L3_USED] = image.l3Used
    Atomics.store(this.ints, H_FRAMES_BUMP, image.framesBump)
    Atomics.store(this.ints, H_FREE_TOP, image.freeStack.length)
    this.flushTlb()
  }

  /** Calls visit(vpn, entry) for every mapped page. */
  private forEachMapped(visit: (vpn: number, entry: number) => void): void {
    const ints = this.ints
    for (let i1 = 0; i1 < L1_ENTRIES; i1++) {
      const l2 = ints[L1_OFFSET + i1]!
      if (l2 === 0) continue
      const l2Base = L2_OFFSET + (l2 - 1) * L2_ENTRIES
      for (let i2 = 0; i2 < L2_ENTRIES; i2++) {
        const l3 = ints[l2Base + i2]!
        if (l3 === 0) continue
        const l3Base = L3_OFFSET + (l3 - 1) * L3_ENTRIES
        for (let i3 = 0; i3 < L3_ENTRIES; i3++) {
          const entry = ints[l3Base + i3]!
          if (entry !== 0) visit((i1 * L2_ENTRIES + i2) * L3_ENTRIES + i3, entry)
        }
      }
    }
  }

  // --- guest accesses -------------------------------------------------------------------------

  private static readonly ACCESS_PROT = [PROT_READ, PROT_WRITE, PROT_EXEC]
  private static readonly ACCESS_NAME: readonly Access[] = ['read', 'write', 'exec']

  /** Buffer offset of the page of addr for access kind k (0 read, 1 write, 2 exec), or throws. */
  private translate(addr: number, k: number): number {
    return k === 0 ? this.pageForRead(addr) : k === 1 ? this.pageForWrite(addr) : this.pageForExec(addr)
  }

  /** Buffer offset of the frame holding addr, checked for a guest read (throws MemoryFault). */
  pageForRead(addr: number): number {
    const vpn = Math.floor(addr / PAGE_SIZE)
    const i = vpn & (TLB_SIZE - 1)
    return this.readTag[i] === vpn ? this.readBase[i]! : this.fill(addr, 0)
  }

  /** Buffer offset of the frame holding addr, checked for a guest write (throws MemoryFault). */
  pageForWrite(addr: number): number {
    const vpn = Math.floor(addr / PAGE_SIZE)
    const i = vpn & (TLB_SIZE - 1)
    return this.writeTag[i] === vpn ? this.writeBase[i]! : this.fill(addr, 1)
  }

  private pageForExec(addr: number): number {
    const vpn = Math.floor(addr / PAGE_SIZE)
    const i = vpn & (TLB_SIZE - 1)
    return this.execTag[i] === vpn ? this.execBase[i]! : this.fill(addr, 2)
  }

  /** TLB miss: walks the page table, checks the protection, fills the TLB entry. */
  private fill(addr: number, k: number): number {
    const vpn = Math.floor(addr / PAGE_SIZE)
    const i = vpn & (TLB_SIZE - 1)
    const tags = this.tlbTag[k]!
    const e = this.entry(addr)
    if (e === 0 || (e & Memory.ACCESS_PROT[k]!) === 0) {
      throw new MemoryFault(addr, Memory.ACCESS_NAME[k]!, e !== 0)
    }
    const frame = (e >>> 4) - 1
    if (k === 1 && this.frameObserver !== null) this.frameObserver.frameWillChange(frame)
    if (k === 1 && this.codeFrames[frame]) this.onCodeWrite(vpn * PAGE_SIZE)
    const base = this.frameBase + frame * PAGE_SIZE
    if (k !== 2 && this.watchedPages !== null && this.watchedPages.has(vpn * PAGE_SIZE)) {
      this.onWatchedAccess(addr, k === 0 ? 'read' : 'write')
      return base
    }
    // Writable pages holding code stay out of the write TLB so every write re-checks them.
    if (k !== 1 || !this.codeFrames[frame]) {
      tags[i] = vpn
      this.tlbBase[k]![i] = base
    }
    return base
  }

  /** Drops cached translations of one page (after its code flag changes). */
  invalidatePage(addr: number): void {
    const vpn = Math.floor(addr / PAGE_SIZE)
    const i = vpn & (TLB_SIZE - 1)
    for (const tags of this.tlbTag) if (tags[i] === vpn) tags[i] = -1
  }

  read8(addr: number): number {
    return this.bytes[this.pageForRead(addr) + (addr & PAGE_MASK)]!
  }

  read16(addr: number): number {
    const off = addr & PAGE_MASK
    if (off > PAGE_SIZE - 2) return this.read8(addr) | (this.read8(addr + 1) << 8)
    return this.view.getUint16(this.pageForRead(addr) + off, true)
  }

  /** Signed 32-bit result (use `>>> 0` for unsigned). */
  read32(addr: number): number {
    const off = addr & PAGE_MASK
    if (off > PAGE_SIZE - 4) return this.read16(addr) | (this.read16(addr + 2) << 16)
    const at = this.pageForRead(addr) + off
    // Frames are page aligned, so an aligned address is an aligned buffer offset.
    return (at & 3) === 0 ? this.words[at >> 2]! : this.view.getInt32(at, true)
  }

  /**
   * Reads `words` little-endian 32-bit words (2 for 64 bits, 4 for 128) into out[at..]; checks
   * every page first, so nothing is read from a range that faults part-way.
   */
  readWords(addr: number, words: number, out: Int32Array, at: number): void {
    const off = addr & PAGE_MASK
    const bytes = words * 4
    if (off <= PAGE_SIZE - bytes) {
      const base = this.pageForRead(addr) + off
      for (let w = 0; w < words; w++) out[at + w] = this.view.getInt32(base + 4 * w, true)
      return
    }
    this.pageForRead(addr)
    this.pageForRead(addr + bytes - 1)
    for (let w = 0; w < words; w++) out[at + w] = this.read32(addr + 4 * w)
  }

  /** Fetch for execution: same as read8 but checks PROT_EXEC. */
  fetch8(addr: number): number {
    return this.bytes[this.translate(addr, 2) + (addr & PAGE_MASK)]!
  }

  /** Copies up to `length` executable bytes starting at addr; stops at the first page it may not execute. */
  fetchBytes(addr: number, length: number): Uint8Array {
    const out = new Uint8Array(length)
    let n = 0
    while (n < length) {
      const a = addr + n
      let base: number
      try {
        base = this.translate(a, 2)
      } catch (fault) {
        if (n === 0) throw fault
        break
      }
      const off = a & PAGE_MASK
      const chunk = Math.min(length - n, PAGE_SIZE - off)
      out.set(this.bytes.subarray(base + off, base + off + chunk), n)
      n += chunk
    }
    return n === length ? out : out.subarray(0, n)
  }

  write8(addr: number, value: number): void {
    this.bytes[this.pageForWrite(addr) + (addr & PAGE_MASK)] = value
  }

  /** Writes two 32-bit words (a 64-bit value); a write straddling pages checks both first. */
  write64(addr: number, lo: number, hi: number): void {
    const off = addr & PAGE_MASK
    if (off <= PAGE_SIZE - 8) {
      const base = this.pageForWrite(addr) + off
      this.view.setInt32(base, lo, true)
      this.view.setInt32(base + 4, hi, true)
      return
    }
    this.checkWritable(addr, 8)
    this.write32(addr, lo)
    this.write32(addr + 4, hi)
  }

  /** Writes four 32-bit words (128 bits); a write straddling pages checks both first. */
  write128(addr: number, w0: number, w1: number, w2: number, w3: number): void {
    const off = addr & PAGE_MASK
    if (off <= PAGE_SIZE - 16) {
      const base = this.pageForWrite(addr) + off
      this.view.setInt32(base, w0, true)
      this.view.setInt32(base + 4, w1, true)
      this.view.setInt32(base + 8, w2, true)
      this.view.setInt32(base + 12, w3, true)
      return
    }
    this.checkWritable(addr, 16)
    this.write32(addr, w0)
    this.write32(addr + 4, w1)
    this.write32(addr + 8, w2)
    this.write32(addr + 12, w3)
  }

  write16(addr: number, value: number): void {
    const off = addr & PAGE_MASK
    if (off > PAGE_SIZE - 2) {
      this.checkWritable(addr, 2)
      this.write8(addr, value & 0xff)
      this.write8(addr + 1, (value >>> 8) & 0xff)
      return
    }
    this.view.setUint16(this.pageForWrite(addr) + off, value, true)
  }

  write32(addr: number, value: number): void {
    const off = addr & PAGE_MASK
    if (off > PAGE_SIZE - 4) {
      this.checkWritable(addr, 4)
      this.write16(addr, value & 0xffff)
      this.write16(addr + 2, (value >>> 16) & 0xffff)
      return
    }
    const at = this.pageForWrite(addr) + off
    if ((at & 3) === 0) this.words[at >> 2] = value
    else this.view.setInt32(at, value, true)
  }

  /** Throws before any byte is written when a straddling write would fault on its second page. */
  checkWritable(addr: number, size: number): void {
    this.translate(addr, 1)
    this.translate(addr + size - 1, 1)
  }

  /** Reads NUL-terminated bytes (at most max) with guest read permission. */
  readCString(addr: number, max = 4096): Uint8Array {
    const out: number[] = []
    for (let i = 0; i < max; i++) {
      const b = this.read8(addr + i)
      if (b === 0) break
      out.push(b)
    }
    return Uint8Array.from(out)
  }

  /** Copies guest bytes with read permission (system calls reading user buffers). */
  readBytes(addr: number, length: number): Uint8Array {
    const out = new Uint8Array(length)
    let done = 0
    while (done < length) {
      const a = addr + done
      const off = a & PAGE_MASK
      const chunk = Math.min(length - done, PAGE_SIZE - off)
      const base = this.translate(a, 0)
      out.set(this.bytes.subarray(base + off, base + off + chunk), done)
      done += chunk
    }
    return out
  }

  /** Copies bytes into guest memory with write permission (system calls filling user buffers). */
  writeBytes(addr: number, data: Uint8Array): void {
    if (data.length === 0) return
    for (let a = addr - (addr & PAGE_MASK); a < addr + data.length; a += PAGE_SIZE) this.translate(Math.max(a, addr), 1)
    let done = 0
    while (done < data.length) {
      const a = addr + done
      const off = a & PAGE_MASK
      const chunk = Math.min(data.length - done, PAGE_SIZE - off)
      const base = this.translate(a, 1)
      this.bytes.set(data.subarray(done, done + chunk), base + off)
      done += chunk
    }
  }
}
