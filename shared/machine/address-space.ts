// The process's virtual memory areas, kept the way the Linux kernel keeps them (mm/mmap.c,
// mm/mprotect.c, mm/mremap.c, mm/vma.c), over the page table in ./memory. Every system call
// here returns what the kernel returns: an address, 0, or -errno. Pages are backed by guest
// frames when their area becomes accessible; PROT_NONE reservations take no frames, so a
// guest can reserve far more address space than RAM, as on Linux. Running out of guest RAM
// is -ENOMEM, never a host exception.

import { PROT_EXEC, PROT_NONE, PROT_READ, PROT_WRITE, type Memory } from './memory'
import type { Access } from './fault'
import {
  PAGE_SIZE,
  PMD_SIZE,
  STACK_GUARD_GAP,
  TASK_SIZE,
  VSYSCALL_END,
  VSYSCALL_START,
  pageAlignDown,
  pageAlignUp,
  randomizePage,
  randomizes,
  type ProcessLayout,
} from './layout'
import { MMAP_MIN_ADDR } from './elf'
import type { Random } from './random'

export const MAP_SHARED = 0x01
export const MAP_PRIVATE = 0x02
export const MAP_SHARED_VALIDATE = 0x03
export const MAP_TYPE = 0x0f
export const MAP_FIXED = 0x10
export const MAP_ANONYMOUS = 0x20
export const MAP_GROWSDOWN = 0x100
export const MAP_DENYWRITE = 0x800
export const MAP_EXECUTABLE = 0x1000
export const MAP_LOCKED = 0x2000
export const MAP_NORESERVE = 0x4000
export const MAP_POPULATE = 0x8000
export const MAP_NONBLOCK = 0x10000
export const MAP_STACK = 0x20000
export const MAP_HUGETLB = 0x40000
export const MAP_SYNC = 0x80000
export const MAP_FIXED_NOREPLACE = 0x100000
/** x86-64 only: place the mapping in the first 2 GiB (bottom-up from 1 GiB). */
export const MAP_32BIT = 0x40
/** Flags mmap understands without MAP_SHARED_VALIDATE (include/linux/mman.h LEGACY_MAP_MASK). */
const LEGACY_MAP_MASK =
  MAP_SHARED | MAP_PRIVATE | MAP_FIXED | MAP_ANONYMOUS | MAP_DENYWRITE | MAP_EXECUTABLE | 0x4000000 /* MAP_UNINITIALIZED */ |
  MAP_GROWSDOWN | MAP_LOCKED | MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK | MAP_HUGETLB

export const MREMAP_MAYMOVE = 1
export const MREMAP_FIXED = 2
export const MREMAP_DONTUNMAP = 4

export const PROT_SEM = 0x8
export const PROT_GROWSDOWN = 0x01000000
export const PROT_GROWSUP = 0x02000000

const EPERM = 1
const ENOMEM = 12
const EACCES = 13
const EFAULT = 14
const EEXIST = 17
const EINVAL = 22
const EOVERFLOW = 75
const EOPNOTSUPP = 95

/**
 * mmap_min_addr as the kernel uses it for hints: the larger of vm.mmap_min_addr (4096) and
 * CONFIG_LSM_MMAP_MIN_ADDR (65536). A hint below it is raised to it (round_hint_to_min()).
 * MAP_FIXED below vm.mmap_min_addr itself is refused with EPERM for an unprivileged process.
 */
export const HINT_MIN_ADDR = 0x10000

/** DEFAULT_MAX_MAP_COUNT (vm.max_map_count): more areas than this and mmap/mprotect fail. */
export const MAX_MAP_COUNT = 65530

/** What a file-backed mapping maps: the file's identity (for /proc/self/maps) and its bytes. */
export interface MappedFile {
  path: string
  device: { major: number; minor: number }
  inode: number
  bytes: Uint8Array
  /** False when the file was opened read-only: a shared mapping then may never become writable. */
  writable?: boolean
}

/** The kernel's special mappings; they never merge and keep their name. */
export type SpecialMapping = '[vdso]' | '[vvar]' | '[vvar_vclock]'

/** One virtual memory area (struct vm_area_struct), [start, end) page aligned. */
export interface Vma {
  start: number
  end: number
  prot: number
  /** VM_MAYSHARE: MAP_SHARED ('s' in maps) rather than private copy-on-write ('p'). */
  shared: boolean
  /** VM_GROWSDOWN: the stack, which grows on faults below it. */
  growsDown: boolean
  file: MappedFile | null
  /** File offset of `start` (0 for anonymous memory). */
  offset: number
  special: SpecialMapping | null
  /** VM_MAYWRITE: whether mprotect may add PROT_WRITE (shared mappings of read-only files). */
  mayWrite: boolean
  /**
   * VM_ACCOUNT: private memory charged against overcommit (mapped writable, or made writable
   * later). Invisible in maps, but areas differing in it never merge.
   */
  account: boolean
  /** VM_NORESERVE (MAP_NORESERVE): likewise invisible, likewise blocks merging. */
  noReserve: boolean
  /** Some pages may hold frames. False for never-accessible reservations, so huge ones cost nothing. */
  populated: boolean
}

/** A region as the UI and the Machine facade show it (bigint: [vsyscall] lies above 2^53). */
export interface Region {
  start: bigint
  end: bigint
  perms: string
  offset: number
  device: string
  inode: number
  name: string
}

export interface AddressSpaceSnapshot {
  readonly areas: readonly Vma[]
  readonly startBrk: number
  readonly brkEnd: number
  readonly startStack: number
  readonly nextShmemInode: number
}

export type StackGrowth = 'grown' | 'not-below-stack' | 'rlimit' | 'guard-gap' | 'no-memory'

/** How the kernel's page-fault handler sees a user access that faulted. */
export interface FaultClassification {
  /** SEGV_MAPERR (no area) or SEGV_ACCERR (area without the permission). */
  code: 'maperr' | 'accerr'
  /** x86 page-fault error code as the kernel logs it (bit 0 present, 1 write, 2 user, 4 fetch). */
  errorCode: number
  vma: Vma | null
}

const hex = (n: number | bigint, width: number): string => n.toString(16).padStart(width, '0')

export class AddressSpace {
  private readonly list: Vma[] = []
  /** mm->start_brk and mm->brk. */
  startBrk = 0
  brkEnd = 0
  /** mm->start_stack: the address of argc; the area holding it is named [stack]. */
  startStack = 0
  /** Inode numbers of the shmem files behind shared anonymous mappings (per process: runs repeat exactly). */
  private nextShmemInode = 1024
  /**
   * The resource limits the memory calls obey, in bytes (Infinity: unlimited). The kernel's
   * prlimit64 updates them: RLIMIT_STACK bounds stack growth, RLIMIT_AS all mappings,
   * RLIMIT_DATA private writable memory and the break.
   */
  readonly limits: { stack: number; addressSpace: number; data: number }
  /** mm->start_data and mm->end_data (the loader sets them): brk's RLIMIT_DATA check counts them. */
  dataStart = 0
  dataEnd = 0

  /** `random` is the process's generator: MAP_32BIT placement draws from it, as on Linux. */
  constructor(
    readonly memory: Memory,
    readonly layout: ProcessLayout,
    private readonly random: Random,
  ) {
    this.limits = { stack: layout.stackRlimit, addressSpace: Infinity, data: Infinity }
  }

  // --- lookup ---------------------------------------------------------------------------------

  /** Areas in address order (copies). */
  vmas(): Vma[] {
    return this.list.map((v) => ({ ...v }))
  }

  /** Index of the first area with end > addr (find_vma), or list.length. */
  private indexAfter(addr: number): number {
    let lo = 0
    let hi = this.list.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (this.list[mid]!.end > addr) hi = mid
      else lo = mid + 1
    }
    return lo
  }

  /** The area containing addr, or null (read-only: areas change only through the system calls). */
  find(addr: number): Readonly<Vma> | null {
    return this.areaAt(addr)
  }

  private areaAt(addr: number): Vma | null {
    const v = this.list[this.indexAfter(addr)]
    return v && v.start <= addr ? v : null
  }

  private overlaps(start: number, end: number): boolean {
    const v = this.list[this.indexAfter(start)]
    return v !== undefined && v.start < end
  }

  /** Pages of all areas within [start, end) (count_vma_pages_range()). */
  private pagesIn(start: number, end: number): number {
    let pages = 0
    for (let i = this.indexAfter(start); i < this.list.length && this.list[i]!.start < end; i++) {
      const v = this.list[i]!
      pages += (Math.min(v.end, end) - Math.max(v.start, start)) / PAGE_SIZE
    }
    return pages
  }

  /** is_data_mapping(): private, writable and not a stack. */
  private static isData(prot: number, shared: boolean, growsDown: boolean): boolean {
    return (prot & PROT_WRITE) !== 0 && !shared && !growsDown
  }

  /** may_expand_vm(): whether `pages` more of this kind stay within RLIMIT_AS and RLIMIT_DATA. */
  private mayExpand(prot: number, shared: boolean, growsDown: boolean, pages: number): boolean {
    if (this.limits.addressSpace === Infinity && this.limits.data === Infinity) return true
    let total = 0
    let data = 0
    for (const v of this.list) {
      const n = (v.end - v.start) / PAGE_SIZE
      total += n
      if (AddressSpace.isData(v.prot, v.shared, v.growsDown)) data += n
    }
    if (total + pages > Math.floor(this.limits.addressSpace / PAGE_SIZE)) return false
    return !AddressSpace.isData(prot, shared, growsDown) || data + pages <= Math.floor(this.limits.data / PAGE_SIZE)
  }

  /**
   * The areas and the break, for checkpoints and undo (guest memory itself is saved separately,
   * from ./memory). Mapped files are shared, not copied: their bytes never change under a map.
   */
  snapshot(): AddressSpaceSnapshot {
    return {
      areas: this.vmas(),
      startBrk: this.startBrk,
      brkEnd: this.brkEnd,
      startStack: this.startStack,
      nextShmemInode: this.nextShmemInode,
    }
  }

  /** Puts the areas back as they were; the caller restores the page table and frames with them. */
  restore(snapshot: AddressSpaceSnapshot): void {
    this.list.length = 0
    for (const v of snapshot.areas) this.list.push({ ...v })
    this.startBrk = snapshot.startBrk
    this.brkEnd = snapshot.brkEnd
    this.startStack = snapshot.startStack
    this.nextShmemInode = snapshot.nextShmemInode
  }

  // --- naming and formatting ------------------------------------------------------------------

  /** The name /proc/self/maps prints (fs/proc/task_mmu.c get_vma_name). */
  nameOf(v: Vma): string {
    if (v.file) return v.file.path
    if (v.special) return v.special
    if (v.start < this.brkEnd && v.end > this.startBrk) return '[heap]'
    if (v.start <= this.startStack && v.end >= this.startStack) return '[stack]'
    return ''
  }

  private perms(v: Vma): string {
    return (
      ((v.prot & PROT_READ) !== 0 ? 'r' : '-') +
      ((v.prot & PROT_WRITE) !== 0 ? 'w' : '-') +
      ((v.prot & PROT_EXEC) !== 0 ? 'x' : '-') +
      (v.shared ? 's' : 'p')
    )
  }

  regions(): Region[] {
    const out: Region[] = this.list.map((v) => ({
      start: BigInt(v.start),
      end: BigInt(v.end),
      perms: this.perms(v),
      offset: v.file ? v.offset : 0,
      device: v.file ? `${hex(v.file.device.major, 2)}:${hex(v.file.device.minor, 2)}` : '00:00',
      inode: v.file ? v.file.inode : 0,
      name: this.nameOf(v),
    }))
    out.push({ start: VSYSCALL_START, end: VSYSCALL_END, perms: '--xp', offset: 0, device: '00:00', inode: 0, name: '[vsyscall]' })
    return out
  }

  /**
   * /proc/self/maps, byte for byte as show_map_vma() prints it: "%08lx-%08lx %s %08llx
   * %02x:%02x %lu ", then, when the area has a name, spaces up to column 73 and the name.
   */
  formatMaps(): string {
    let text = ''
    for (const r of this.regions()) {
      let line = `${hex(r.start, 8)}-${hex(r.end, 8)} ${r.perms} ${hex(r.offset, 8)} ${r.device} ${r.inode} `
      if (r.name !== '') line = line.padEnd(72, ' ') + ' ' + r.name
      text += line + '\n'
    }
    return text
  }

  // --- backing pages with frames --------------------------------------------------------------

  /** Frames [start, end) of v would need that it does not have yet: -ENOMEM if RAM cannot hold them. */
  private affordable(start: number, end: number, prot: number): boolean {
    if (prot === PROT_NONE) return true
    const pages = (end - start) / PAGE_SIZE
    if (pages > this.memory.freeFrames + this.memory.usedFrames) return false
    return this.memory.unmappedPages(start, end - start) <= this.memory.freeFrames
  }

  /** Gives [start, end) of v frames (file bytes or zeros) and v's protection. */
  private back(v: Vma, start: number, end: number): boolean {
    if (v.prot === PROT_NONE) {
      if (v.populated) this.memory.protect(start, end - start, PROT_NONE)
      return true
    }
    const fresh: number[] = []
    if (v.file) for (let a = start; a < end; a += PAGE_SIZE) if (!this.memory.isMapped(a)) fresh.push(a)
    try {
      this.memory.map(start, end - start, v.prot)
    } catch (error) {
      if (error instanceof RangeError) return false
      throw error
    }
    v.populated = true
    if (v.file) {
      for (const a of fresh) {
        const from = v.offset + (a - v.start)
        if (from >= v.file.bytes.length) continue
        this.memory.poke(a, v.file.bytes.subarray(from, Math.min(from + PAGE_SIZE, v.file.bytes.length)))
      }
    }
    return true
  }

  private release(v: Vma, start: number, end: number): void {
    if (v.populated) this.memory.unmap(start, end - start)
  }

  // --- splitting, inserting, merging ----------------------------------------------------------

  /** Splits the area containing addr so that an area boundary falls at addr. */
  private splitAt(addr: number): void {
    const i = this.indexAfter(addr)
    const v = this.list[i]
    if (!v || v.start >= addr) return
    const upper: Vma = { ...v, start: addr, offset: v.file ? v.offset + (addr - v.start) : 0 }
    v.end = addr
    this.list.splice(i + 1, 0, upper)
  }

  /** Areas that a change of [start, end) would leave: the count the kernel checks against max_map_count. */
  private splitsNeeded(start: number, end: number): number {
    let n = 0
    const a = this.areaAt(start)
    if (a && a.start < start) n++
    const b = this.areaAt(end - 1)
    if (b && b.end > end) n++
    return n
  }

  private mergeable(a: Vma, b: Vma): boolean {
    if (a.end !== b.start) return false
    if (a.prot !== b.prot || a.shared !== b.shared || a.mayWrite !== b.mayWrite) return false
    if (a.account !== b.account || a.noReserve !== b.noReserve) return false
    // Merging needs identical flags: two grows-down areas may merge, a grows-down one and a plain one not.
    if (a.growsDown !== b.growsDown || a.special || b.special) return false
    if (a.file === null || b.file === null) return a.file === b.file
    return (
      a.file.path === b.file.path &&
      a.file.inode === b.file.inode &&
      a.file.bytes === b.file.bytes &&
      a.offset + (a.end - a.start) === b.offset
    )
  }

  /** Merges the area at index i with compatible neighbours (vma_merge); returns its new index. */
  private mergeAround(i: number): number {
    let index = i
    const next = this.list[index + 1]
    const cur = this.list[index]!
    if (next && this.mergeable(cur, next)) {
      cur.end = next.end
      cur.populated ||= next.populated
      this.list.splice(index + 1, 1)
    }
    const prev = this.list[index - 1]
    if (prev && this.mergeable(prev, cur)) {
      prev.end = cur.end
      prev.populated ||= cur.populated
      this.list.splice(index, 1)
      index--
    }
    return index
  }

  private insert(v: Vma, merge: boolean): void {
    const i = this.indexAfter(v.start)
    this.list.splice(i, 0, v)
    if (merge) this.mergeAround(i)
  }

  /** Removes [start, end) from the areas and frees its frames (do_vmi_munmap). */
  private unmapRange(start: number, end: number): void {
    this.splitAt(start)
    this.splitAt(end)
    const i = this.indexAfter(start)
    while (i < this.list.length && this.list[i]!.start < end) {
      const v = this.list[i]!
      this.release(v, v.start, v.end)
      this.list.splice(i, 1)
    }
  }

  // --- address selection ----------------------------------------------------------------------

  /** vm_start_gap(): a grows-down area keeps stack_guard_gap free below it. */
  private startGap(v: Vma): number {
    return v.growsDown ? Math.max(0, v.start - STACK_GUARD_GAP) : v.start
  }

  private fitsAt(addr: number, length: number): boolean {
    if (addr < MMAP_MIN_ADDR || addr > TASK_SIZE - length) return false
    const i = this.indexAfter(addr)
    const next = this.list[i]
    const prev = this.list[i - 1]
    return (!next || addr + length <= this.startGap(next)) && (!prev || addr >= prev.end)
  }

  /** vm_unmapped_area() top-down: the highest free range of `length` in [lowLimit, highLimit). */
  private topDown(length: number, highLimit: number, lowLimit: number): number {
    for (let i = this.list.length; i >= 0; i--) {
      const next = this.list[i]
      const prev = this.list[i - 1]
      const gapEnd = Math.min(next ? this.startGap(next) : TASK_SIZE, highLimit)
      const gapStart = Math.max(prev ? prev.end : 0, lowLimit)
      if (gapEnd - gapStart >= length) return gapEnd - length
      if (prev && prev.end <= lowLimit) break
    }
    return -ENOMEM
  }

  /** vm_unmapped_area() bottom-up: the lowest free range of `length` at or above lowLimit. */
  private bottomUp(length: number, lowLimit: number): number {
    for (let i = 0; i <= this.list.length; i++) {
      const next = this.list[i]
      const prev = this.list[i - 1]
      const gapEnd = next ? this.startGap(next) : TASK_SIZE
      const gapStart = Math.max(prev ? prev.end : 0, lowLimit)
      if (gapEnd - gapStart >= length) return gapStart
    }
    return -ENOMEM
  }

  /** mm_get_unmapped_area() for a non-fixed request: the hint if free, else a search. */
  private searchArea(hint: number, length: number, flags: number): number {
    if ((flags & MAP_32BIT) !== 0) {
      // find_start_end(): MAP_32BIT searches bottom-up in [1 GiB, 2 GiB), the start slid by up
      // to 32 MiB on every call when randomising.
      const end = 0x80000000
      const begin = randomizes(this.layout.aslr) ? randomizePage(0x40000000, 0x02000000, this.random) : 0x40000000
      if (hint !== 0 && hint + length <= end && this.fitsAt(hint, length)) return hint
      const addr = this.bottomUp(length, begin)
      return addr >= 0 && addr + length <= end ? addr : -ENOMEM
    }
    if (hint !== 0 && this.fitsAt(hint, length)) return hint
    const addr = this.topDown(length, this.layout.mmapBase, PAGE_SIZE)
    if (addr >= 0) return addr
    return this.bottomUp(length, this.layout.mmapLegacyBase)
  }

  /**
   * get_unmapped_area(): a free page-aligned address for `length` bytes: the hint when it is
   * free, else top-down below mmap_base. Anonymous private mappings whose length is a multiple
   * of 2 MiB are aligned to 2 MiB (transparent huge pages, Linux 6.7+).
   */
  getUnmappedArea(hint: number, length: number, flags: number, file: MappedFile | null): number {
    if (length > TASK_SIZE) return -ENOMEM
    if ((flags & MAP_FIXED) !== 0) return hint > TASK_SIZE - length ? -ENOMEM : hint
    const h = pageAlignDown(hint)
    const anonymousPrivate = file === null && (flags & MAP_TYPE) === MAP_PRIVATE
    if (anonymousPrivate && h === 0 && length % PMD_SIZE === 0) {
      // thp_get_unmapped_area(): search for length + 2 MiB, then align inside it (an already
      // aligned result moves up by 2 MiB, since the mm is top-down).
      const padded = this.searchArea(0, length + PMD_SIZE, flags)
      if (padded >= 0) {
        const shift = (PMD_SIZE - (padded % PMD_SIZE)) % PMD_SIZE
        return shift === 0 ? padded + PMD_SIZE : padded + shift
      }
    }
    return this.searchArea(h, length, flags)
  }

  // --- system calls ---------------------------------------------------------------------------

  /** mmap(2). `file` is null for MAP_ANONYMOUS; offset is in bytes. */
  mmap(addr: number, length: number, prot: number, flags: number, file: MappedFile | null = null, offset = 0): number {
    const type = flags & MAP_TYPE
    if (type !== MAP_SHARED && type !== MAP_PRIVATE && type !== MAP_SHARED_VALIDATE) return -EINVAL
    const anonymous = (flags & MAP_ANONYMOUS) !== 0 || file === null
    if (type === MAP_SHARED_VALIDATE) {
      // Anonymous memory has no MAP_SHARED_VALIDATE (measured on 6.18); files validate their flags.
      if (anonymous) return -EINVAL
      if ((flags & ~(LEGACY_MAP_MASK | MAP_SYNC | MAP_FIXED_NOREPLACE)) !== 0) return -EOPNOTSUPP
    }
    if (!Number.isFinite(offset) || offset < 0 || offset % PAGE_SIZE !== 0) return -EINVAL
    if (length === 0) return -EINVAL
    const len = pageAlignUp(length)
    if (len > TASK_SIZE || len === 0) return -ENOMEM
    if ((offset + len) / PAGE_SIZE > 2 ** 52) return -EOVERFLOW
    if ((flags & MAP_HUGETLB) !== 0) return -ENOMEM // no huge pages are reserved (vm.nr_hugepages = 0)
    const fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) !== 0
    let hint = addr
    if (fixed) {
      if (addr % PAGE_SIZE !== 0) return -EINVAL
      if (addr < MMAP_MIN_ADDR) return -EPERM
      if (addr > TASK_SIZE - len) return -ENOMEM
    } else {
      hint = pageAlignDown(Math.min(addr, TASK_SIZE))
      if (hint !== 0 && hint < HINT_MIN_ADDR) hint = HINT_MIN_ADDR
    }
    const shared = type !== MAP_PRIVATE
    if (!anonymous && shared && (prot & PROT_WRITE) !== 0 && file !== null && file.writable === false) return -EACCES
    if ((flags & MAP_GROWSDOWN) !== 0 && shared && anonymous) return -EINVAL
    if ((flags & MAP_FIXED_NOREPLACE) !== 0 && this.overlaps(addr, addr + len)) return -EEXIST
    const start = this.getUnmappedArea(hint, len, fixed ? MAP_FIXED : flags, anonymous ? null : file)
    if (start < 0) return start
    const end = start + len
    const mappedFile: MappedFile | null = anonymous
      ? shared
        ? { path: '/dev/zero (deleted)', device: { major: 0, minor: 1 }, inode: this.nextShmemInode++, bytes: new Uint8Array(0) }
        : null
      : file
    const protBits = prot & (PROT_READ | PROT_WRITE | PROT_EXEC)
    const vma: Vma = {
      start,
      end,
      prot: protBits,
      shared,
      growsDown: (flags & MAP_GROWSDOWN) !== 0,
      file: mappedFile,
      offset: mappedFile ? (anonymous ? 0 : offset) : 0,
      special: null,
      mayWrite: !(shared && !anonymous && file?.writable === false),
      // accountable_mapping(): private, writable, without MAP_NORESERVE.
      account: !shared && (protBits & PROT_WRITE) !== 0 && (flags & MAP_NORESERVE) === 0,
      noReserve: (flags & MAP_NORESERVE) !== 0,
      populated: false,
    }
    if (!this.affordable(start, end, vma.prot)) return -ENOMEM
    const replaced = this.overlaps(start, end)
    if (this.list.length + 1 + (replaced ? this.splitsNeeded(start, end) : 0) > MAX_MAP_COUNT) return -ENOMEM
    // __mmap_setup(): the areas under the new one are split off first, then the limits are
    // checked without them; a refusal leaves the splits in place, as on Linux.
    if (replaced) {
      this.splitAt(start)
      this.splitAt(end)
    }
    if (!this.mayExpand(vma.prot, shared, vma.growsDown, len / PAGE_SIZE - this.pagesIn(start, end))) return -ENOMEM
    if (replaced) this.unmapRange(start, end)
    if (!this.back(vma, start, end)) return -ENOMEM
    this.insert(vma, true)
    return start
  }

  /** Maps one of the kernel's special pages ([vdso], [vvar], [vvar_vclock]) at a fixed place. */
  mapSpecial(start: number, end: number, prot: number, special: SpecialMapping, contents?: Uint8Array): number {
    if (!this.affordable(start, end, prot) || this.overlaps(start, end)) return -ENOMEM
    const vma: Vma = { start, end, prot, shared: false, growsDown: false, file: null, offset: 0, special, mayWrite: false, account: false, noReserve: false, populated: false }
    if (!this.back(vma, start, end)) return -ENOMEM
    if (contents) this.memory.poke(start, contents)
    this.insert(vma, false)
    return start
  }

  /**
   * The initial stack area (fs/exec.c setup_arg_pages): rw-, grows down, executable only when
   * PT_GNU_STACK asks for it. Returns -ENOMEM when it cannot be placed or backed.
   */
  mapStack(start: number, end: number, executable: boolean): number {
    const prot = PROT_READ | PROT_WRITE | (executable ? PROT_EXEC : 0)
    if (!this.affordable(start, end, prot) || this.overlaps(start, end)) return -ENOMEM
    const vma: Vma = { start, end, prot, shared: false, growsDown: true, file: null, offset: 0, special: null, mayWrite: true, account: true, noReserve: false, populated: false }
    if (!this.back(vma, start, end)) return -ENOMEM
    this.insert(vma, false)
    return start
  }

  /**
   * Anonymous zero pages at a fixed place that never merge with what lies below (vm_brk_flags:
   * the .bss pages past the file, and the brk area).
   */
  mapBrkArea(start: number, end: number, executable: boolean): number {
    const prot = PROT_READ | PROT_WRITE | (executable ? PROT_EXEC : 0)
    if (end <= start) return start
    if (!this.affordable(start, end, prot)) return -ENOMEM
    if (this.overlaps(start, end)) this.unmapRange(start, end)
    const vma: Vma = { start, end, prot, shared: false, growsDown: false, file: null, offset: 0, special: null, mayWrite: true, account: true, noReserve: false, populated: false }
    if (!this.back(vma, start, end)) return -ENOMEM
    this.insert(vma, false)
    return start
  }

  /** munmap(2). */
  munmap(addr: number, length: number): number {
    if (addr % PAGE_SIZE !== 0 || length === 0) return -EINVAL
    const len = pageAlignUp(length)
    if (len > TASK_SIZE || addr > TASK_SIZE - len) return -EINVAL
    const end = addr + len
    if (!this.overlaps(addr, end)) return 0
    if (this.list.length + this.splitsNeeded(addr, end) > MAX_MAP_COUNT + 1) return -ENOMEM
    this.unmapRange(addr, end)
    return 0
  }

  /** mprotect(2): applies to the areas from addr up to the first hole, then -ENOMEM at the hole. */
  mprotect(addr: number, length: number, prot: number): number {
    // The checks in do_mprotect_pkey()'s order: a zero length succeeds before prot is validated.
    if ((prot & PROT_GROWSDOWN) !== 0 && (prot & PROT_GROWSUP) !== 0) return -EINVAL
    if (addr % PAGE_SIZE !== 0) return -EINVAL
    if (length === 0) return 0
    const len = pageAlignUp(length)
    const end = addr + len
    if (end > TASK_SIZE) return -ENOMEM
    if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC | PROT_SEM | PROT_GROWSDOWN | PROT_GROWSUP)) !== 0) return -EINVAL
    const wanted = prot & (PROT_READ | PROT_WRITE | PROT_EXEC)
    const first = this.areaAt(addr)
    if (!first) return -ENOMEM
    let start = addr
    if ((prot & PROT_GROWSDOWN) !== 0) {
      if (!first.growsDown) return -EINVAL
      start = first.start
    }
    let cursor = start
    while (cursor < end) {
      const v = this.areaAt(cursor)
      if (!v || v.start > cursor) return -ENOMEM
      if ((wanted & PROT_WRITE) !== 0 && !v.mayWrite) return -EACCES
      const pieceEnd = Math.min(v.end, end)
      if (v.prot !== wanted) {
        // Turning into data must fit RLIMIT_DATA (mprotect_fixup()).
        const piecePages = (pieceEnd - cursor) / PAGE_SIZE
        if (!this.mayExpand(wanted, v.shared, v.growsDown, piecePages) && this.mayExpand(v.prot, v.shared, v.growsDown, piecePages)) return -ENOMEM
        if (!this.affordable(cursor, pieceEnd, wanted)) return -ENOMEM
        if (this.list.length + this.splitsNeeded(cursor, pieceEnd) > MAX_MAP_COUNT) return -ENOMEM
        const account = this.accountAfterProtect(v, wanted)
        this.splitAt(cursor)
        this.splitAt(pieceEnd)
        const i = this.indexAfter(cursor)
        const piece = this.list[i]!
        piece.prot = wanted
        piece.account = account
        if (!this.back(piece, piece.start, piece.end)) return -ENOMEM
        this.mergeAround(i)
      }
      cursor = pieceEnd
    }
    return 0
  }

  /**
   * mprotect_fixup()'s VM_ACCOUNT rule: a private area becoming writable is charged; an
   * anonymous one becoming read-only is uncharged if no page of it was ever written (it has
   * no anon_vma yet, which a non-zero byte in any of its pages reveals).
   */
  private accountAfterProtect(v: Vma, prot: number): boolean {
    if ((prot & PROT_WRITE) !== 0) {
      const charge = !v.account && (v.prot & PROT_WRITE) === 0 && !v.shared && !v.noReserve
      return charge || v.account
    }
    if (v.account && v.file === null && !this.written(v)) return false
    return v.account
  }

  /** Whether any page of v holds a non-zero byte: the guest wrote to it. */
  private written(v: Vma): boolean {
    if (!v.populated) return false
    const bytes = this.memory.bytes
    for (let a = v.start; a < v.end; a += PAGE_SIZE) {
      const p = this.memory.physical(a)
      if (p < 0) continue
      for (let i = p; i < p + PAGE_SIZE; i += 8) {
        if ((bytes[i]! | bytes[i + 1]! | bytes[i + 2]! | bytes[i + 3]! | bytes[i + 4]! | bytes[i + 5]! | bytes[i + 6]! | bytes[i + 7]!) !== 0) return true
      }
    }
    return false
  }

  /** Sets up the brk area: mm->start_brk = mm->brk = start. No pages until the first brk() grows it. */
  initBrk(start: number): void {
    this.startBrk = start
    this.brkEnd = start
  }

  /** brk(2), mm/mmap.c: returns the new break, or the old one when the request cannot be met. */
  brk(requested: number): number {
    const old = this.brkEnd
    if (requested < this.startBrk) return old
    // check_data_rlimit(): the heap plus the initialised data must fit RLIMIT_DATA.
    if (requested - this.startBrk + (this.dataEnd - this.dataStart) > this.limits.data) return old
    const newEnd = pageAlignUp(requested)
    const oldEnd = pageAlignUp(old)
    if (newEnd === oldEnd) {
      this.brkEnd = requested
      return requested
    }
    if (requested <= old) {
      // Shrinking always works, unless something other than the heap sits in the way.
      const v = this.list[this.indexAfter(newEnd)]
      if (!v || v.start >= oldEnd) return old
      this.brkEnd = requested
      this.unmapRange(newEnd, oldEnd)
      return requested
    }
    if (newEnd > TASK_SIZE) return old
    // The heap must stay a page (plus the guard gap before a stack) away from the next area.
    const next = this.list[this.indexAfter(oldEnd)]
    if (next && newEnd + PAGE_SIZE > this.startGap(next)) return old
    if (!this.mayExpand(PROT_READ | PROT_WRITE, false, false, (newEnd - oldEnd) / PAGE_SIZE)) return old
    if (!this.affordable(oldEnd, newEnd, PROT_READ | PROT_WRITE)) return old
    const i = this.indexAfter(oldEnd - 1)
    const prev = this.list[i]
    if (
      prev &&
      prev.end === oldEnd &&
      prev.start >= this.startBrk &&
      !prev.file &&
      !prev.special &&
      prev.prot === (PROT_READ | PROT_WRITE) &&
      !prev.growsDown &&
      prev.account &&
      !prev.noReserve
    ) {
      if (!this.back(prev, oldEnd, newEnd)) return old
      prev.end = newEnd
    } else {
      const vma: Vma = {
        start: oldEnd,
        end: newEnd,
        prot: PROT_READ | PROT_WRITE,
        shared: false,
        growsDown: false,
        file: null,
        offset: 0,
        special: null,
        mayWrite: true,
        account: true,
        noReserve: false,
        populated: false,
      }
      if (this.list.length + 1 > MAX_MAP_COUNT) return old
      if (!this.back(vma, oldEnd, newEnd)) return old
      this.insert(vma, false)
    }
    this.brkEnd = requested
    return requested
  }

  /**
   * mremap(2), with do_mremap()'s order of checks (Linux 6.18, checked against it): the
   * parameters, then the area at oldAddr (EFAULT when there is none, or when a move or growth
   * would take more than it), then shrink, grow in place, or move.
   */
  mremap(oldAddr: number, oldLength: number, newLength: number, flags: number, newAddr = 0): number {
    if ((flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP)) !== 0) return -EINVAL
    if ((flags & MREMAP_FIXED) !== 0 && (flags & MREMAP_MAYMOVE) === 0) return -EINVAL
    if ((flags & MREMAP_DONTUNMAP) !== 0 && ((flags & MREMAP_MAYMOVE) === 0 || oldLength !== newLength)) return -EINVAL
    if (oldAddr % PAGE_SIZE !== 0) return -EINVAL
    const oldLen = pageAlignUp(oldLength)
    const newLen = pageAlignUp(newLength)
    if (newLen === 0 || newLen > TASK_SIZE) return -EINVAL
    const fixed = (flags & MREMAP_FIXED) !== 0
    if (fixed) {
      if (newAddr % PAGE_SIZE !== 0) return -EINVAL
      if (newAddr > TASK_SIZE - newLen) return -EINVAL
      if (newAddr < oldAddr + oldLen && oldAddr < newAddr + newLen) return -EINVAL
    }
    const v = this.areaAt(oldAddr)
    if (!v) return -EFAULT
    const spansAreas = Math.min(oldLen, newLen) > v.end - oldAddr
    if (fixed) {
      // Linux 6.17+ moves a range of several areas (gaps kept) when it is not resized;
      // otherwise what is kept after unmapping a shrink's tail must lie in one area.
      const multiple = spansAreas && oldLen === newLen && (flags & MREMAP_DONTUNMAP) === 0
      if (spansAreas && !multiple) return -EFAULT
      if (newLen > oldLen && v.special) return -EFAULT
      if (newLen > oldLen && !this.mayExpand(v.prot, v.shared, v.growsDown, (newLen - oldLen) / PAGE_SIZE)) return -ENOMEM
      if (multiple) return this.moveAreas(oldAddr, oldLen, newAddr)
      if (this.overlaps(newAddr, newAddr + newLen)) this.unmapRange(newAddr, newAddr + newLen)
      if (oldLen > newLen) this.unmapRange(oldAddr + newLen, oldAddr + oldLen)
      return this.moveArea(oldAddr, Math.min(oldLen, newLen), newLen, newAddr, (flags & MREMAP_DONTUNMAP) !== 0)
    }
    // A shrink in place may span several areas (it only unmaps the tail); a growth may not.
    if (spansAreas && newLen > oldLen) return -EFAULT
    if (oldLen >= newLen) {
      if (oldLen > newLen) this.unmapRange(oldAddr + newLen, oldAddr + oldLen)
      return oldAddr
    }
    if (v.special) return -EFAULT
    // Grow in place when the area ends where the old range ends and the space above is free.
    // (vma_expandable(): only overlap counts here, not a stack's guard gap.)
    if (v.end === oldAddr + oldLen && oldAddr + newLen <= TASK_SIZE && !this.overlaps(v.end, oldAddr + newLen)) {
      const growEnd = oldAddr + newLen
      if (!this.mayExpand(v.prot, v.shared, v.growsDown, (newLen - oldLen) / PAGE_SIZE)) return -ENOMEM
      if (!this.affordable(v.end, growEnd, v.prot)) return -ENOMEM
      if (!this.back(v, v.end, growEnd)) return -ENOMEM
      v.end = growEnd
      this.mergeAround(this.indexAfter(v.start))
      return oldAddr
    }
    if (!this.mayExpand(v.prot, v.shared, v.growsDown, (newLen - oldLen) / PAGE_SIZE)) return -ENOMEM
    if ((flags & MREMAP_MAYMOVE) === 0) return -ENOMEM
    const target = this.getUnmappedArea(0, newLen, v.shared ? MAP_SHARED : MAP_PRIVATE, v.file)
    if (target < 0) return target
    return this.moveArea(oldAddr, oldLen, newLen, target, (flags & MREMAP_DONTUNMAP) !== 0)
  }

  /**
   * Moves every area of [oldAddr, oldAddr+length) by (target - oldAddr), keeping the gaps:
   * each area replaces only what lies under its own destination (measured on 6.18).
   */
  private moveAreas(oldAddr: number, length: number, target: number): number {
    this.splitAt(oldAddr)
    this.splitAt(oldAddr + length)
    const first = this.indexAfter(oldAddr)
    let count = 0
    while (first + count < this.list.length && this.list[first + count]!.start < oldAddr + length) count++
    const moving = this.list.splice(first, count)
    for (const area of moving) {
      const to = target + (area.start - oldAddr)
      const size = area.end - area.start
      if (this.overlaps(to, to + size)) this.unmapRange(to, to + size)
      if (area.populated) this.memory.move(area.start, to, size)
      this.insert({ ...area, start: to, end: to + size }, true)
    }
    return target
  }

  /** move_vma(): the pages of [oldAddr, oldAddr+oldLen) go to target, grown to newLen there. */
  private moveArea(oldAddr: number, oldLen: number, newLen: number, target: number, keepOld: boolean): number {
    const v = this.areaAt(oldAddr)
    if (!v) return -EFAULT
    if (!this.affordable(target + oldLen, target + newLen, v.prot)) return -ENOMEM
    if (keepOld && !this.affordable(oldAddr, oldAddr + oldLen, v.prot)) return -ENOMEM
    this.splitAt(oldAddr)
    this.splitAt(oldAddr + oldLen)
    const i = this.indexAfter(oldAddr)
    const source = this.list[i]!
    const moved: Vma = { ...source, start: target, end: target + newLen }
    this.list.splice(i, 1)
    if (source.populated) this.memory.move(oldAddr, target, oldLen)
    if (!this.back(moved, target + oldLen, target + newLen) && moved.prot !== PROT_NONE) {
      // Undo the move so nothing is lost, then report the shortage.
      if (source.populated) this.memory.move(target, oldAddr, oldLen)
      this.insert(source, false)
      return -ENOMEM
    }
    this.insert(moved, true)
    if (keepOld) {
      const fresh: Vma = { ...source, populated: false }
      this.back(fresh, fresh.start, fresh.end)
      this.insert(fresh, false)
    }
    return target
  }

  /**
   * A fault at `address` below a grows-down area: expand it down to the fault's page when the
   * stack stays within RLIMIT_STACK and a guard gap away from the area below (expand_downwards).
   * 'grown': retry the access. Anything else: SIGSEGV; 'rlimit' and 'guard-gap' mean stack
   * exhaustion, 'not-below-stack' an ordinary bad address, 'no-memory' guest RAM ran out.
   */
  growStack(address: number): StackGrowth {
    const i = this.indexAfter(address)
    const v = this.list[i]
    if (!v || !v.growsDown || v.start <= address) return 'not-below-stack'
    const newStart = pageAlignDown(address)
    if (newStart < MMAP_MIN_ADDR) return 'guard-gap'
    if (v.end - newStart > this.limits.stack || !this.mayExpand(v.prot, v.shared, true, (v.start - newStart) / PAGE_SIZE)) {
      // Linux refuses both the same way (SIGSEGV, SEGV_MAPERR); only faults a plausible stack
      // overflow away (a deep recursion, a huge local array) are called one, not wild pointers.
      const plausible = Math.max(16 * Math.min(this.limits.stack, this.layout.stackRlimit), 256 * 1024 * 1024)
      return v.end - newStart <= plausible ? 'rlimit' : 'not-below-stack'
    }
    const prev = this.list[i - 1]
    if (prev && !prev.growsDown && prev.prot !== PROT_NONE && newStart - prev.end < STACK_GUARD_GAP) return 'guard-gap'
    if (prev && prev.end > newStart) return 'guard-gap'
    if (!this.affordable(newStart, v.start, v.prot)) return 'no-memory'
    if (!this.back(v, newStart, v.start)) return 'no-memory'
    v.start = newStart
    return 'grown'
  }

  /** What the page-fault handler concludes about a user access at address that the MMU refused. */
  classifyFault(address: number, access: Access): FaultClassification {
    const user = 4
    const kind = access === 'write' ? 2 : access === 'exec' ? 0x10 : 0
    // At or above TASK_SIZE_MAX (the last user page included) the kernel reports a protection
    // fault whatever the page tables say, so as not to reveal the kernel's layout.
    if (address >= TASK_SIZE) return { code: 'maperr', errorCode: 1 | user | kind, vma: null }
    const v = this.areaAt(address)
    if (!v) return { code: 'maperr', errorCode: user | kind, vma: null }
    // A PROT_NONE page has no present PTE: the error code says "not present", as on Linux.
    const present = v.prot !== PROT_NONE && this.memory.isMapped(address) ? 1 : 0
    return { code: 'accerr', errorCode: present | user | kind, vma: { ...v } }
  }
}
