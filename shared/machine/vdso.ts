// The vDSO the simulated kernel maps into every process: a real, well-formed ELF shared object
// of two pages, shaped like Linux's (linked at 0, one R+X PT_LOAD, a read-only PT_DYNAMIC with
// DT_HASH, DT_SYMTAB, DT_STRTAB, DT_VERSYM and DT_VERDEF, soname linux-vdso.so.1, every symbol
// versioned LINUX_2.6). glibc's start-up (setup_vdso, dl_vdso_vsym) finds its functions the way
// it finds Linux's. Each function is `mov eax, NR; syscall; ret`: where Linux would read the
// clock from [vvar] without entering the kernel, this one asks the simulated kernel, so time
// stays virtual and every call is visible.

import { VDSO_PAGES } from './layout'

export const VDSO_SIZE = VDSO_PAGES * 0x1000
export const VDSO_SONAME = 'linux-vdso.so.1'
export const VDSO_VERSION = 'LINUX_2.6'

/** The functions exported, with the system call each performs. */
export const VDSO_FUNCTIONS: readonly { name: string; alias: string; syscall: number }[] = [
  { name: '__vdso_clock_gettime', alias: 'clock_gettime', syscall: 228 },
  { name: '__vdso_gettimeofday', alias: 'gettimeofday', syscall: 96 },
  { name: '__vdso_time', alias: 'time', syscall: 201 },
  { name: '__vdso_getcpu', alias: 'getcpu', syscall: 309 },
  { name: '__vdso_clock_getres', alias: 'clock_getres', syscall: 229 },
]

/** The System V ABI ELF hash (DT_HASH buckets, vd_hash of version definitions). */
export function elfHash(name: string): number {
  let h = 0
  for (let i = 0; i < name.length; i++) {
    h = ((h << 4) + name.charCodeAt(i)) >>> 0
    const g = h & 0xf0000000
    if (g !== 0) h ^= g >>> 24
    h &= ~g >>> 0
  }
  return h >>> 0
}

const SHT_PROGBITS = 1
const SHT_STRTAB = 3
const SHT_HASH = 5
const SHT_DYNAMIC = 6
const SHT_DYNSYM = 11
const SHT_GNU_VERDEF = 0x6ffffffd
const SHT_GNU_VERSYM = 0x6fffffff
const SHF_WRITE = 1
const SHF_ALLOC = 2
const SHF_EXECINSTR = 4

const DT_NULL = 0
const DT_HASH = 4
const DT_STRTAB = 5
const DT_SYMTAB = 6
const DT_STRSZ = 10
const DT_SYMENT = 11
const DT_SONAME = 14
const DT_VERSYM = 0x6ffffff0
const DT_VERDEF = 0x6ffffffc
const DT_VERDEFNUM = 0x6ffffffd

const STB_GLOBAL = 1
const STB_WEAK = 2
const STT_OBJECT = 1
const STT_FUNC = 2
const SHN_ABS = 0xfff1

/** Appends NUL-terminated names and remembers their offsets. */
class StringTable {
  private readonly bytes: number[] = [0]
  private readonly offsets = new Map<string, number>()
  add(name: string): number {
    const known = this.offsets.get(name)
    if (known !== undefined) return known
    const at = this.bytes.length
    for (let i = 0; i < name.length; i++) this.bytes.push(name.charCodeAt(i))
    this.bytes.push(0)
    this.offsets.set(name, at)
    return at
  }
  get data(): Uint8Array {
    return Uint8Array.from(this.bytes)
  }
}

const align = (x: number, a: number): number => Math.ceil(x / a) * a

/** Builds the vDSO image (VDSO_SIZE bytes), identical on every call. */
export function buildVdso(): Uint8Array {
  const image = new Uint8Array(VDSO_SIZE)
  const view = new DataView(image.buffer)
  const u16 = (at: number, v: number) => view.setUint16(at, v, true)
  const u32 = (at: number, v: number) => view.setUint32(at, v, true)
  const u64 = (at: number, v: number) => view.setBigUint64(at, BigInt(v), true)

  // Symbols: the null symbol, each function and its weak alias, then the version symbol.
  const dynstr = new StringTable()
  const sonameAt = dynstr.add(VDSO_SONAME)
  const versionAt = dynstr.add(VDSO_VERSION)
  interface Sym { name: string; nameAt: number; info: number; shndx: number; value: number; size: number }
  const symbols: Sym[] = [{ name: '', nameAt: 0, info: 0, shndx: 0, value: 0, size: 0 }]
  const TEXT_SECTION = 7
  const FUNCTION_BYTES = 16 // mov eax, imm32 (5) + syscall (2) + ret (1), padded to 16 like compiled code

  // Section placement (offsets equal addresses: the image is linked at 0).
  const phnum = 2
  const hashAt = align(64 + phnum * 56, 8)
  const symCount = 1 + 2 * VDSO_FUNCTIONS.length + 1
  const nbucket = 3
  const hashSize = (2 + nbucket + symCount) * 4
  const dynsymAt = align(hashAt + hashSize, 8)
  const dynsymSize = symCount * 24

  // Functions are placed after the metadata; their addresses are needed for the symbols.
  for (const f of VDSO_FUNCTIONS) dynstr.add(f.name)
  for (const f of VDSO_FUNCTIONS) dynstr.add(f.alias)
  const dynstrBytes = dynstr.data
  const dynstrAt = dynsymAt + dynsymSize
  const versymAt = align(dynstrAt + dynstrBytes.length, 2)
  const versymSize = symCount * 2
  const verdefAt = align(versymAt + versymSize, 8)
  const verdefSize = 2 * 28
  const dynamicAt = align(verdefAt + verdefSize, 8)
  const dynamicEntries: [number, number][] = [
    [DT_SONAME, sonameAt],
    [DT_HASH, hashAt],
    [DT_STRTAB, dynstrAt],
    [DT_SYMTAB, dynsymAt],
    [DT_STRSZ, dynstrBytes.length],
    [DT_SYMENT, 24],
    [DT_VERDEF, verdefAt],
    [DT_VERDEFNUM, 2],
    [DT_VERSYM, versymAt],
    [DT_NULL, 0],
  ]
  const dynamicSize = dynamicEntries.length * 16
  const textAt = align(dynamicAt + dynamicSize, 16)
  const textSize = VDSO_FUNCTIONS.length * FUNCTION_BYTES

  VDSO_FUNCTIONS.forEach((f, i) => {
    const value = textAt + i * FUNCTION_BYTES
    symbols.push({ name: f.name, nameAt: dynstr.add(f.name), info: (STB_GLOBAL << 4) | STT_FUNC, shndx: TEXT_SECTION, value, size: 8 })
    symbols.push({ name: f.alias, nameAt: dynstr.add(f.alias), info: (STB_WEAK << 4) | STT_FUNC, shndx: TEXT_SECTION, value, size: 8 })
  })
  symbols.push({ name: VDSO_VERSION, nameAt: versionAt, info: (STB_GLOBAL << 4) | STT_OBJECT, shndx: SHN_ABS, value: 0, size: 0 })

  // Code.
  VDSO_FUNCTIONS.forEach((f, i) => {
    const at = textAt + i * FUNCTION_BYTES
    image[at] = 0xb8 // mov eax, imm32
    u32(at + 1, f.syscall)
    image.set([0x0f, 0x05, 0xc3], at + 5) // syscall; ret
    image.fill(0xcc, at + 8, at + FUNCTION_BYTES) // int3 padding
  })

  // .hash: buckets and chains over the symbol indexes.
  u32(hashAt, nbucket)
  u32(hashAt + 4, symCount)
  const bucketsAt = hashAt + 8
  const chainsAt = bucketsAt + nbucket * 4
  for (let i = 1; i < symCount; i++) {
    const b = elfHash(symbols[i]!.name) % nbucket
    // Append i to the end of bucket b's chain.
    let link = bucketsAt + b * 4
    while (view.getUint32(link, true) !== 0) link = chainsAt + view.getUint32(link, true) * 4
    u32(link, i)
  }

  // .dynsym
  symbols.forEach((s, i) => {
    const at = dynsymAt + i * 24
    u32(at, s.nameAt)
    image[at + 4] = s.info
    image[at + 5] = 0
    u16(at + 6, s.shndx)
    u64(at + 8, s.value)
    u64(at + 16, s.size)
  })
  image.set(dynstrBytes, dynstrAt)

  // .gnu.version: every defined symbol belongs to LINUX_2.6 (version index 2).
  for (let i = 1; i < symCount; i++) u16(versymAt + i * 2, 2)

  // .gnu.version_d: the base definition (the soname) and LINUX_2.6.
  const verdef = (at: number, flags: number, index: number, name: string, nameAt: number, last: boolean) => {
    u16(at, 1) // vd_version
    u16(at + 2, flags)
    u16(at + 4, index)
    u16(at + 6, 1) // vd_cnt
    u32(at + 8, elfHash(name))
    u32(at + 12, 20) // vd_aux: the Verdaux follows
    u32(at + 16, last ? 0 : 28) // vd_next
    u32(at + 20, nameAt) // vda_name
    u32(at + 24, 0) // vda_next
  }
  verdef(verdefAt, 1 /* VER_FLG_BASE */, 1, VDSO_SONAME, sonameAt, false)
  verdef(verdefAt + 28, 0, 2, VDSO_VERSION, versionAt, true)

  // .dynamic
  dynamicEntries.forEach(([tag, value], i) => {
    u64(dynamicAt + i * 16, tag)
    u64(dynamicAt + i * 16 + 8, value)
  })

  // Section names and headers, after the loaded part (like Linux's image).
  const loadEnd = textAt + textSize
  const shstr = new StringTable()
  const sections = [
    { name: '', type: 0, flags: 0, addr: 0, size: 0, link: 0, info: 0, align: 0, entsize: 0 },
    { name: '.hash', type: SHT_HASH, flags: SHF_ALLOC, addr: hashAt, size: hashSize, link: 2, info: 0, align: 8, entsize: 4 },
    { name: '.dynsym', type: SHT_DYNSYM, flags: SHF_ALLOC, addr: dynsymAt, size: dynsymSize, link: 3, info: 1, align: 8, entsize: 24 },
    { name: '.dynstr', type: SHT_STRTAB, flags: SHF_ALLOC, addr: dynstrAt, size: dynstrBytes.length, link: 0, info: 0, align: 1, entsize: 0 },
    { name: '.gnu.version', type: SHT_GNU_VERSYM, flags: SHF_ALLOC, addr: versymAt, size: versymSize, link: 2, info: 0, align: 2, entsize: 2 },
    { name: '.gnu.version_d', type: SHT_GNU_VERDEF, flags: SHF_ALLOC, addr: verdefAt, size: verdefSize, link: 3, info: 2, align: 8, entsize: 0 },
    { name: '.dynamic', type: SHT_DYNAMIC, flags: SHF_ALLOC | SHF_WRITE, addr: dynamicAt, size: dynamicSize, link: 3, info: 0, align: 8, entsize: 16 },
    { name: '.text', type: SHT_PROGBITS, flags: SHF_ALLOC | SHF_EXECINSTR, addr: textAt, size: textSize, link: 0, info: 0, align: 16, entsize: 0 },
    { name: '.shstrtab', type: SHT_STRTAB, flags: 0, addr: 0, size: 0, link: 0, info: 0, align: 1, entsize: 0 },
  ]
  if (sections[TEXT_SECTION]!.name !== '.text') throw new Error('vDSO section order changed')
  const nameOffsets = sections.map((s) => shstr.add(s.name))
  const shstrBytes = shstr.data
  const shstrAt = loadEnd
  image.set(shstrBytes, shstrAt)
  const shoff = align(shstrAt + shstrBytes.length, 8)
  sections[sections.length - 1]!.size = shstrBytes.length
  sections.forEach((s, i) => {
    const at = shoff + i * 64
    u32(at, nameOffsets[i]!)
    u32(at + 4, s.type)
    u64(at + 8, s.flags)
    u64(at + 16, s.addr)
    u64(at + 24, s.name === '.shstrtab' ? shstrAt : s.addr)
    u64(at + 32, s.size)
    u32(at + 40, s.link)
    u32(at + 44, s.info)
    u64(at + 48, s.align)
    u64(at + 56, s.entsize)
  })
  if (shoff + sections.length * 64 > VDSO_SIZE) throw new Error('vDSO image outgrew its pages')

  // ELF header: ET_DYN, x86-64, entry 0 like Linux's.
  image.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0)
  u16(16, 3) // ET_DYN
  u16(18, 62) // EM_X86_64
  u32(20, 1)
  u64(24, 0)
  u64(32, 64) // e_phoff
  u64(40, shoff)
  u32(48, 0)
  u16(52, 64)
  u16(54, 56)
  u16(56, phnum)
  u16(58, 64)
  u16(60, sections.length)
  u16(62, sections.length - 1)

  // Program headers: one R+X PT_LOAD of the loaded part, and a read-only PT_DYNAMIC.
  const phdr = (at: number, type: number, flags: number, offset: number, size: number, alignment: number) => {
    u32(at, type)
    u32(at + 4, flags)
    u64(at + 8, offset)
    u64(at + 16, offset)
    u64(at + 24, offset)
    u64(at + 32, size)
    u64(at + 40, size)
    u64(at + 48, alignment)
  }
  phdr(64, 1 /* PT_LOAD */, 4 | 1 /* R E */, 0, loadEnd, 0x1000)
  phdr(64 + 56, 2 /* PT_DYNAMIC */, 4 /* R */, dynamicAt, dynamicSize, 8)
  return image
}
