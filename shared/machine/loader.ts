// execve() of a static x86-64 ELF into a fresh address space, as fs/binfmt_elf.c
// load_elf_binary() and fs/exec.c do it on Linux 6.x: choose the layout, build the stack area
// with the strings, map the PT_LOAD segments (file pages, zeroed .bss tail, anonymous pages
// beyond the file), map [vvar]/[vvar_vclock]/[vdso], write argc/argv/envp/auxv, and place brk.

import {
  ET_DYN,
  PF_X,
  PT_GNU_STACK,
  PT_LOAD,
  PT_TLS,
  parseExecutable,
  segmentProtection,
  type ElfFile,
  type ProgramHeader,
} from './elf'
import { PROT_EXEC, PROT_READ, PROT_WRITE, type Memory } from './memory'
import type { Random } from './random'
import {
  AddressSpace,
  MAP_FIXED,
  MAP_FIXED_NOREPLACE,
  MAP_PRIVATE,
  type MappedFile,
} from './address-space'
import {
  DEFAULT_STACK_RLIMIT,
  INITIAL_STACK_EXPAND,
  PAGE_SIZE,
  VDSO_PAGES,
  VVAR_PAGES,
  VVAR_VCLOCK_PAGES,
  brkStart,
  chooseLayout,
  pageAlignDown,
  pageAlignUp,
  type ProcessLayout,
  type RandomizeVaSpace,
} from './layout'
import {
  BASELINE_CPU_AUX,
  placeStrings,
  writeInitialStack,
  type AuxEntry,
  type CpuAuxValues,
  type Credentials,
  type InitialStack,
} from './initial-stack'
import { buildVdso } from './vdso'

/** execve() failed after the ELF was accepted: the message says why (and which errno Linux gives). */
export class LoadError extends Error {
  override name = 'LoadError'
}

export interface LoadOptions {
  argv: string[]
  env: string[]
  /** The path execve() was given: AT_EXECFN, the string at the top of the stack, the maps name. */
  execPath: string
  random: Random
  aslr: RandomizeVaSpace
  /** Device and inode /proc/self/maps shows for the executable (default fe:00, an inode derived from the path). */
  fileIdentity?: { device: { major: number; minor: number }; inode: number }
  credentials?: Credentials
  cpu?: CpuAuxValues
  stackRlimit?: number
}

export interface LoadedProcess {
  elf: ElfFile
  addressSpace: AddressSpace
  layout: ProcessLayout
  /** Where execution starts (e_entry plus the load bias). */
  entry: number
  /** rsp at the entry point: the address of argc. All other registers start at 0 (rdx = 0: no exit handler). */
  rsp: number
  /** mm->start_brk. */
  brkStart: number
  /** 0 for ET_EXEC; where a static PIE was placed otherwise. */
  loadBias: number
  /** Lowest and highest address of the image (page aligned), after the load bias. */
  imageStart: number
  imageEnd: number
  vdsoBase: number
  /** The PT_TLS template (already relocated by the load bias); glibc and musl set TLS up themselves. */
  tls: { address: number; fileSize: number; memorySize: number; align: number } | null
  executableStack: boolean
  auxv: AuxEntry[]
  stack: InitialStack
}

/** Linux's default for a user: what getuid() should also return. */
export const DEFAULT_CREDENTIALS: Credentials = { uid: 1000, euid: 1000, gid: 1000, egid: 1000 }
/** The device of the root file system on the reference machine (a virtio disk, 254:0). */
export const DEFAULT_DEVICE = { major: 0xfe, minor: 0 }

/** A stable inode number for a path, so maps lines do not change between runs. */
export function inodeForPath(path: string): number {
  let h = 0x811c9dc5
  for (let i = 0; i < path.length; i++) h = Math.imul(h ^ path.charCodeAt(i), 0x01000193) >>> 0
  return 1_000_000 + (h % 3_000_000)
}

const hex = (n: number): string => `0x${n.toString(16)}`

function totalMappingSize(loads: ProgramHeader[]): number {
  const first = loads[0]!
  const last = loads[loads.length - 1]!
  return last.vaddr + last.memsz - pageAlignDown(first.vaddr)
}

/** maximum_alignment(): the largest power-of-two p_align of the PT_LOADs, at least a page. */
function maximumAlignment(loads: ProgramHeader[]): number {
  let alignment = 0
  for (const p of loads) {
    const a = p.align
    if (a > 0 && Number.isInteger(Math.log2(a))) alignment = Math.max(alignment, a)
  }
  return pageAlignUp(alignment)
}

/**
 * fs/exec.c bprm_stack_limits(): the strings may take a quarter of the stack rlimit (at most
 * 6 MiB, at least 128 KiB), less the argv and envp pointers that will point at them.
 */
export function argumentLimit(stackRlimit: number, argc: number, envc: number): number {
  const limit = Math.max(Math.min(6 * 1024 * 1024, Math.floor(stackRlimit / 4)), 32 * PAGE_SIZE)
  return limit - (Math.max(argc, 1) + envc) * 8
}

function check(result: number, what: string): number {
  if (result < 0) {
    const reason = result === -12 ? 'ENOMEM: guest memory is exhausted' : result === -17 ? 'EEXIST: the range is already mapped' : `errno ${-result}`
    throw new LoadError(`execve failed while ${what} (${reason})`)
  }
  return result
}

/**
 * Loads `image` into `memory` (which must be empty) and returns the process ready to run:
 * set rip = entry, rsp = rsp, every other register 0.
 * Throws ElfError for a file that is not a loadable static x86-64 executable and LoadError
 * when execve would fail (arguments too long, guest memory too small).
 */
export function loadElf(memory: Memory, image: Uint8Array, options: LoadOptions): LoadedProcess {
  const elf = parseExecutable(image)
  const { header, programHeaders } = elf
  const loads = programHeaders.filter((p) => p.type === PT_LOAD)
  const stackHeader = programHeaders.find((p) => p.type === PT_GNU_STACK)
  const executableStack = stackHeader !== undefined && (stackHeader.flags & PF_X) !== 0
  const stackRlimit = options.stackRlimit ?? DEFAULT_STACK_RLIMIT
  const random = options.random

  // setup_new_exec() + setup_arg_pages(): the layout, then the stack area holding the strings.
  const layout = chooseLayout(options.aslr, random, stackRlimit)
  const space = new AddressSpace(memory, layout, random)
  // fs/exec.c: an empty argv gets one empty string as argv[0], so that argc is never 0.
  const argv = options.argv.length > 0 ? options.argv : ['']
  let strings
  try {
    strings = placeStrings(layout.stackTop, argv, options.env, options.execPath)
  } catch (error) {
    throw new LoadError(`execve failed: ${error instanceof Error ? error.message : String(error)}`)
  }
  const stringBytes = layout.stackTop - 8 - strings.argStart
  const limit = argumentLimit(stackRlimit, argv.length, options.env.length)
  if (stringBytes > limit) {
    throw new LoadError(
      `execve failed: argument list too long (E2BIG): the arguments, environment and path take ${stringBytes} bytes, the limit is ${limit} (a quarter of the stack rlimit, less the pointers to them)`,
    )
  }
  const stackSize = layout.stackTop - pageAlignDown(strings.argStart)
  const stackExpand = Math.min(pageAlignDown(stackRlimit), stackSize + INITIAL_STACK_EXPAND)
  check(space.mapStack(layout.stackTop - stackExpand, layout.stackTop, executableStack), 'mapping the stack')

  // The PT_LOAD segments.
  const identity = options.fileIdentity ?? { device: DEFAULT_DEVICE, inode: inodeForPath(options.execPath) }
  const file: MappedFile = { path: options.execPath, device: identity.device, inode: identity.inode, bytes: image, writable: false }
  const staticPie = header.type === ET_DYN
  let loadBias = 0
  let elfBrk = 0
  let phdrAddress = 0
  loads.forEach((p, index) => {
    const prot = segmentProtection(p.flags)
    const pageOffset = p.vaddr % PAGE_SIZE
    let flags = MAP_PRIVATE | (index === 0 ? MAP_FIXED_NOREPLACE : MAP_FIXED)
    if (index === 0 && staticPie) {
      if (p.filesz === 0) throw new LoadError('execve failed: the first PT_LOAD segment of this static PIE has no file bytes (EINVAL)')
      const total = pageAlignUp(totalMappingSize(loads))
      const alignment = maximumAlignment(loads)
      // load_bias 0 and no MAP_FIXED: the image goes top-down into the mmap area like any file
      // mapping; an alignment above a page rounds that address down and maps it there.
      const at = check(space.getUnmappedArea(0, total, MAP_PRIVATE, file), 'placing the program')
      loadBias = pageAlignDown((alignment > PAGE_SIZE ? at - (at % alignment) : at) - pageAlignDown(p.vaddr))
      flags = MAP_PRIVATE | (alignment > PAGE_SIZE ? MAP_FIXED_NOREPLACE : MAP_FIXED)
    }
    const address = loadBias + p.vaddr
    const mapStart = pageAlignDown(address)
    let zeroStart: number
    const zeroEnd = address + p.memsz
    if (p.filesz > 0) {
      const size = pageAlignUp(p.filesz + pageOffset)
      check(space.mmap(mapStart, size, prot, flags, file, p.offset - pageOffset), `mapping PT_LOAD segment ${p.index} at ${hex(mapStart)}`)
      zeroStart = address + p.filesz
      // padzero(): the rest of the last file page is cleared, but only if the segment is writable.
      if (p.memsz > p.filesz && (prot & PROT_WRITE) !== 0 && zeroStart % PAGE_SIZE !== 0) {
        const clear = Math.min(pageAlignUp(zeroStart), mapStart + size) - zeroStart
        memory.poke(zeroStart, new Uint8Array(clear))
      }
    } else {
      zeroStart = mapStart
    }
    if (p.memsz > p.filesz) {
      // vm_brk_flags(): anonymous read-write pages (executable if the segment is) for the rest.
      const from = pageAlignUp(zeroStart)
      const to = pageAlignUp(zeroEnd)
      check(space.mapBrkArea(from, to, (prot & PROT_EXEC) !== 0), `mapping the .bss of PT_LOAD segment ${p.index}`)
    }
    if (p.offset <= header.phoff && header.phoff < p.offset + p.filesz) phdrAddress = header.phoff - p.offset + p.vaddr
    elfBrk = Math.max(elfBrk, p.vaddr + p.memsz)
  })
  phdrAddress += loadBias
  elfBrk += loadBias
  // mm->start_data: the highest segment's start; mm->end_data: the end of the file-backed part.
  space.dataStart = Math.max(...loads.map((p) => p.vaddr)) + loadBias
  space.dataEnd = Math.max(...loads.map((p) => p.vaddr + p.filesz)) + loadBias
  const entry = header.entry + loadBias
  const imageStart = pageAlignDown(loads[0]!.vaddr + loadBias)
  const imageEnd = pageAlignUp(elfBrk)

  // arch_setup_additional_pages(): [vvar], [vvar_vclock], [vdso], top-down like any mapping (6.9+).
  const vvarBytes = (VVAR_PAGES + VVAR_VCLOCK_PAGES) * PAGE_SIZE
  const vdsoStart = check(space.getUnmappedArea(0, vvarBytes + VDSO_PAGES * PAGE_SIZE, MAP_PRIVATE, null), 'placing the vDSO')
  check(space.mapSpecial(vdsoStart, vdsoStart + VVAR_PAGES * PAGE_SIZE, PROT_READ, '[vvar]'), 'mapping [vvar]')
  check(space.mapSpecial(vdsoStart + VVAR_PAGES * PAGE_SIZE, vdsoStart + vvarBytes, PROT_READ, '[vvar_vclock]'), 'mapping [vvar_vclock]')
  const vdsoBase = vdsoStart + vvarBytes
  check(space.mapSpecial(vdsoBase, vdsoBase + VDSO_PAGES * PAGE_SIZE, PROT_READ | PROT_EXEC, '[vdso]', buildVdso()), 'mapping [vdso]')

  // create_elf_tables()
  const stack = writeInitialStack(
    memory,
    strings,
    {
      aslr: options.aslr,
      random,
      phdr: phdrAddress,
      phnum: header.phnum,
      entry,
      vdsoBase,
      cpu: options.cpu ?? BASELINE_CPU_AUX,
      credentials: options.credentials ?? DEFAULT_CREDENTIALS,
    },
    (lowest) => {
      const stackArea = space.find(layout.stackTop - 1)
      if (stackArea && lowest < stackArea.start && space.growStack(lowest) !== 'grown') {
        throw new LoadError('execve failed: the argument tables do not fit the stack (E2BIG)')
      }
    },
  )
  space.startStack = stack.rsp

  // The brk area: mm->start_brk = mm->brk, no pages until the program asks.
  const start = brkStart(elfBrk, staticPie, options.aslr, random)
  space.initBrk(start)

  const tlsHeader = programHeaders.find((p) => p.type === PT_TLS)
  const tls = tlsHeader
    ? { address: tlsHeader.vaddr + loadBias, fileSize: tlsHeader.filesz, memorySize: tlsHeader.memsz, align: tlsHeader.align }
    : null

  return {
    elf,
    addressSpace: space,
    layout,
    entry,
    rsp: stack.rsp,
    brkStart: start,
    loadBias,
    imageStart,
    imageEnd,
    vdsoBase,
    tls,
    executableStack,
    auxv: stack.auxv,
    stack,
  }
}
