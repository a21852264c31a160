// The initial process stack exactly as Linux builds it (fs/exec.c copies the strings,
// fs/binfmt_elf.c create_elf_tables() builds the tables). From the top of [stack] down:
//   8 zero bytes | exec filename | env strings | argv strings          (fs/exec.c, copy_strings)
//   arch_align_stack() gap (up to 8 KiB, 16-aligned) | "x86_64" | 16 AT_RANDOM bytes
//   padding to 16 | auxv (type, value pairs, AT_NULL last) | NULL | envp[] | NULL | argv[] | argc <- rsp
// Measured on this machine in shared/research/realism.md §4 and tests/fixtures/layout.

import type { Memory } from './memory'
import type { Random } from './random'
import { archAlignStack, type RandomizeVaSpace } from './layout'
import { cpuidLeaf } from './cpu/cpuid'

export const AT_NULL = 0
export const AT_PHDR = 3
export const AT_PHENT = 4
export const AT_PHNUM = 5
export const AT_PAGESZ = 6
export const AT_BASE = 7
export const AT_FLAGS = 8
export const AT_ENTRY = 9
export const AT_UID = 11
export const AT_EUID = 12
export const AT_GID = 13
export const AT_EGID = 14
export const AT_PLATFORM = 15
export const AT_HWCAP = 16
export const AT_CLKTCK = 17
export const AT_SECURE = 23
export const AT_RANDOM = 25
export const AT_HWCAP2 = 26
export const AT_RSEQ_FEATURE_SIZE = 27
export const AT_RSEQ_ALIGN = 28
export const AT_EXECFN = 31
export const AT_SYSINFO_EHDR = 33
export const AT_MINSIGSTKSZ = 51

export const AUXV_NAMES: Readonly<Record<number, string>> = {
  [AT_NULL]: 'AT_NULL',
  [AT_PHDR]: 'AT_PHDR',
  [AT_PHENT]: 'AT_PHENT',
  [AT_PHNUM]: 'AT_PHNUM',
  [AT_PAGESZ]: 'AT_PAGESZ',
  [AT_BASE]: 'AT_BASE',
  [AT_FLAGS]: 'AT_FLAGS',
  [AT_ENTRY]: 'AT_ENTRY',
  [AT_UID]: 'AT_UID',
  [AT_EUID]: 'AT_EUID',
  [AT_GID]: 'AT_GID',
  [AT_EGID]: 'AT_EGID',
  [AT_PLATFORM]: 'AT_PLATFORM',
  [AT_HWCAP]: 'AT_HWCAP',
  [AT_CLKTCK]: 'AT_CLKTCK',
  [AT_SECURE]: 'AT_SECURE',
  [AT_RANDOM]: 'AT_RANDOM',
  [AT_HWCAP2]: 'AT_HWCAP2',
  [AT_RSEQ_FEATURE_SIZE]: 'AT_RSEQ_FEATURE_SIZE',
  [AT_RSEQ_ALIGN]: 'AT_RSEQ_ALIGN',
  [AT_EXECFN]: 'AT_EXECFN',
  [AT_SYSINFO_EHDR]: 'AT_SYSINFO_EHDR',
  [AT_MINSIGSTKSZ]: 'AT_MINSIGSTKSZ',
}

/** ELF_PLATFORM on x86-64: the string AT_PLATFORM points to. */
export const PLATFORM = 'x86_64'
/** MAX_ARG_STRLEN: no single argument or environment string may be longer (32 pages). */
export const MAX_ARG_STRLEN = 32 * 4096
/** offsetof(struct rseq, end) and __alignof__(struct rseq) in Linux 6.x. */
const RSEQ_FEATURE_SIZE = 0x1c
const RSEQ_ALIGN = 0x20

/** What the CPU and kernel report about the machine in the auxiliary vector. */
export interface CpuAuxValues {
  /** AT_HWCAP: CPUID.1:EDX of the CPU the program runs on. */
  hwcap: number
  /** AT_HWCAP2: kernel-enabled extras (bit 1: FSGSBASE). */
  hwcap2: number
  /** AT_MINSIGSTKSZ: the signal frame size the kernel computed for this CPU's register state. */
  minsigstksz: number
}

/**
 * The simulated CPU (./cpu/cpuid) is a plain x86-64 baseline processor: AT_HWCAP is its
 * CPUID.1:EDX; it has no FSGSBASE (AT_HWCAP2 0) and no XSAVE. AT_MINSIGSTKSZ is what
 * init_sigframe_size() (arch/x86/kernel/signal.c) computes for it on a kernel built like the
 * reference one (IA32 emulation on): sizeof(struct sigframe_ia32) 732 + MAX_FRAME_PADDING 15
 * + the FXSAVE area 512 + the legacy fsave header 112 + MAX_XSAVE_PADDING 63 = 1434, rounded
 * up to 16: 0x5a0. (The same formula with this machine's 2696-byte AVX-512 XSAVE area and its
 * 4-byte magic gives the measured 0xe30.)
 */
export const BASELINE_CPU_AUX: CpuAuxValues = { hwcap: cpuidLeaf(1, 0)[3] >>> 0, hwcap2: 0, minsigstksz: 0x5a0 }

export interface Credentials {
  uid: number
  euid: number
  gid: number
  egid: number
}

export interface AuxEntry {
  type: number
  name: string
  value: number
}

export type StackPartKind =
  | 'argc'
  | 'argv'
  | 'envp'
  | 'auxv'
  | 'padding'
  | 'random-bytes'
  | 'platform'
  | 'arg-strings'
  | 'env-strings'
  | 'execfn'
  | 'end-marker'

/** One labelled byte range of the initial stack, for the views. */
export interface StackPart {
  kind: StackPartKind
  start: number
  end: number
  label: string
}

const encoder = new TextEncoder()

/** Where fs/exec.c put the strings, top down from the stack top. */
export interface StringArea {
  top: number
  execfnAddress: number
  envAddresses: number[]
  argAddresses: number[]
  /** mm->arg_start: the lowest string byte (argv[0]). */
  argStart: number
  bytes: { execfn: Uint8Array; env: Uint8Array[]; argv: Uint8Array[] }
}

/** A NUL-terminated copy; rejects strings the kernel could not pass. */
export function cString(s: string, what: string): Uint8Array {
  const bytes = encoder.encode(s)
  if (bytes.includes(0)) throw new RangeError(`${what} contains a NUL byte: execve strings end at the first NUL`)
  if (bytes.length + 1 > MAX_ARG_STRLEN) throw new RangeError(`${what} is longer than MAX_ARG_STRLEN (${MAX_ARG_STRLEN} bytes): E2BIG`)
  const out = new Uint8Array(bytes.length + 1)
  out.set(bytes)
  return out
}

/**
 * bprm->p starts 8 bytes below the top (the end marker); copy_string_kernel() puts the exec
 * filename there, then copy_strings() the environment and the arguments, each list from its
 * last string to its first, so argv[0] ends up lowest.
 */
export function placeStrings(top: number, argv: string[], env: string[], execfn: string): StringArea {
  const bytes = {
    execfn: cString(execfn, 'the executable path'),
    env: env.map((s, i) => cString(s, `environment string ${i}`)),
    argv: argv.map((s, i) => cString(s, `argument ${i}`)),
  }
  let p = top - 8
  p -= bytes.execfn.length
  const execfnAddress = p
  const envAddresses = new Array<number>(env.length)
  for (let i = env.length - 1; i >= 0; i--) {
    p -= bytes.env[i]!.length
    envAddresses[i] = p
  }
  const argAddresses = new Array<number>(argv.length)
  for (let i = argv.length - 1; i >= 0; i--) {
    p -= bytes.argv[i]!.length
    argAddresses[i] = p
  }
  return { top, execfnAddress, envAddresses, argAddresses, argStart: p, bytes }
}

export interface TableInputs {
  aslr: RandomizeVaSpace
  random: Random
  phdr: number
  phnum: number
  entry: number
  vdsoBase: number | null
  cpu: CpuAuxValues
  credentials: Credentials
}

export interface InitialStack {
  rsp: number
  argc: number
  argvAddress: number
  envpAddress: number
  auxvAddress: number
  randomAddress: number
  platformAddress: number
  execfnAddress: number
  auxv: AuxEntry[]
  parts: StackPart[]
}

/** The bytes of the auxiliary vector entries, in create_elf_tables() order. */
function auxEntries(t: TableInputs, randomAddress: number, platformAddress: number, execfnAddress: number): AuxEntry[] {
  const list: [number, number][] = []
  // ARCH_DLINFO comes first: the vDSO (when mapped) and the minimum signal stack size.
  if (t.vdsoBase !== null) list.push([AT_SYSINFO_EHDR, t.vdsoBase])
  list.push(
    [AT_MINSIGSTKSZ, t.cpu.minsigstksz],
    [AT_HWCAP, t.cpu.hwcap],
    [AT_PAGESZ, 4096],
    [AT_CLKTCK, 100],
    [AT_PHDR, t.phdr],
    [AT_PHENT, 56],
    [AT_PHNUM, t.phnum],
    [AT_BASE, 0],
    [AT_FLAGS, 0],
    [AT_ENTRY, t.entry],
    [AT_UID, t.credentials.uid],
    [AT_EUID, t.credentials.euid],
    [AT_GID, t.credentials.gid],
    [AT_EGID, t.credentials.egid],
    [AT_SECURE, 0],
    [AT_RANDOM, randomAddress],
    [AT_HWCAP2, t.cpu.hwcap2],
    [AT_EXECFN, execfnAddress],
    [AT_PLATFORM, platformAddress],
    [AT_RSEQ_FEATURE_SIZE, RSEQ_FEATURE_SIZE],
    [AT_RSEQ_ALIGN, RSEQ_ALIGN],
    [AT_NULL, 0],
  )
  return list.map(([type, value]) => ({ type, name: AUXV_NAMES[type] ?? `AT_${type}`, value }))
}

/**
 * Writes the strings and tables into already-mapped stack memory and returns where everything
 * is. Randomness is drawn as create_elf_tables() draws it: arch_align_stack(), then the 16
 * AT_RANDOM bytes.
 */
export function writeInitialStack(
  memory: Memory,
  strings: StringArea,
  t: TableInputs,
  ensureMapped: (lowest: number) => void,
): InitialStack {
  const { bytes } = strings
  const parts: StackPart[] = []
  // fs/exec.c: the strings and the end marker.
  memory.poke(strings.top - 8, new Uint8Array(8))
  parts.push({ kind: 'end-marker', start: strings.top - 8, end: strings.top, label: 'end marker (8 zero bytes)' })
  memory.poke(strings.execfnAddress, bytes.execfn)
  parts.push({ kind: 'execfn', start: strings.execfnAddress, end: strings.execfnAddress + bytes.execfn.length, label: 'executable path (AT_EXECFN)' })
  bytes.env.forEach((b, i) => memory.poke(strings.envAddresses[i]!, b))
  if (bytes.env.length > 0) {
    parts.push({ kind: 'env-strings', start: strings.envAddresses[0]!, end: strings.execfnAddress, label: 'environment strings' })
  }
  bytes.argv.forEach((b, i) => memory.poke(strings.argAddresses[i]!, b))
  const envStart = bytes.env.length > 0 ? strings.envAddresses[0]! : strings.execfnAddress
  if (bytes.argv.length > 0) parts.push({ kind: 'arg-strings', start: strings.argStart, end: envStart, label: 'argument strings' })

  // create_elf_tables()
  let p = archAlignStack(strings.argStart, t.aslr, t.random)
  parts.push({ kind: 'padding', start: p, end: strings.argStart, label: 'arch_align_stack() padding' })
  const platform = encoder.encode(PLATFORM + '\0')
  p -= platform.length
  const platformAddress = p
  parts.push({ kind: 'platform', start: p, end: p + platform.length, label: 'platform string (AT_PLATFORM)' })
  const randomBytes = t.random.bytes(16)
  p -= 16
  const randomAddress = p
  parts.push({ kind: 'random-bytes', start: p, end: p + 16, label: '16 random bytes (AT_RANDOM): canary and pointer guard' })

  const auxv = auxEntries(t, randomAddress, platformAddress, strings.execfnAddress)
  const sp = p - auxv.length * 2 * 8
  const argc = bytes.argv.length
  const envc = bytes.env.length
  const items = argc + 1 + (envc + 1) + 1
  let rsp = sp - items * 8
  rsp -= ((rsp % 16) + 16) % 16

  const words: bigint[] = [BigInt(argc)]
  for (const a of strings.argAddresses) words.push(BigInt(a))
  words.push(0n)
  for (const e of strings.envAddresses) words.push(BigInt(e))
  words.push(0n)
  for (const entry of auxv) words.push(BigInt(entry.type), BigInt.asUintN(64, BigInt(entry.value)))
  const table = new Uint8Array(words.length * 8)
  const view = new DataView(table.buffer)
  words.forEach((w, i) => view.setBigUint64(i * 8, w, true))
  // find_extend_vma(): tables larger than the initial area's slack grow the stack first.
  ensureMapped(rsp)
  memory.poke(platformAddress, platform)
  memory.poke(randomAddress, randomBytes)
  memory.poke(rsp, table)

  const argvAddress = rsp + 8
  const envpAddress = argvAddress + (argc + 1) * 8
  const auxvAddress = envpAddress + (envc + 1) * 8
  const auxvEnd = auxvAddress + auxv.length * 16
  parts.push(
    { kind: 'argc', start: rsp, end: rsp + 8, label: 'argc' },
    { kind: 'argv', start: argvAddress, end: envpAddress, label: `argv[0..${argc}] (NULL-terminated)` },
    { kind: 'envp', start: envpAddress, end: auxvAddress, label: `envp[0..${envc}] (NULL-terminated)` },
    { kind: 'auxv', start: auxvAddress, end: auxvEnd, label: 'auxiliary vector (ends with AT_NULL)' },
  )
  if (auxvEnd < randomAddress) parts.push({ kind: 'padding', start: auxvEnd, end: randomAddress, label: 'alignment padding' })
  parts.sort((a, b) => a.start - b.start)
  return {
    rsp,
    argc,
    argvAddress,
    envpAddress,
    auxvAddress,
    randomAddress,
    platformAddress,
    execfnAddress: strings.execfnAddress,
    auxv,
    parts: parts.filter((part) => part.end > part.start),
  }
}
