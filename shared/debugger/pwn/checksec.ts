// pwntools' checksec for the static x86-64 executables Memscape runs: the same verdicts, by the
// same rules, in the same words and layout (pwntools 4.14's ELF.checksec; README.md says why each
// rule is what it is).

import { ElfError, ET_DYN, ET_EXEC, parseElf, PF_W, PF_X, PT_GNU_RELRO, PT_GNU_STACK, PT_INTERP, PT_LOAD, PT_NOTE, SHT_SYMTAB, type ElfFile } from '../../machine/elf'
import { PwnError } from './error'
import { pythonStringRepr } from './python-format'

export type Relro = 'Full' | 'Partial' | 'None'
/** How pwntools colours a verdict: green, yellow or red. */
export type ChecksecTone = 'good' | 'warning' | 'bad'

export interface ChecksecLine {
  key: string
  value: string
  tone?: ChecksecTone
}

export interface Checksec {
  /** pwntools' `arch-bits-endian`, always amd64-64-little here. */
  arch: string
  relro: Relro
  canary: boolean
  /** Unknown (undefined) where the kernel's choice depends on its version: an x86-64 executable
   *  whose PT_GNU_STACK is executable or missing. */
  nx: boolean | undefined
  pie: boolean
  /** The lowest PT_LOAD address of a non-PIE executable (0 for PIE): `No PIE (0x400000)`. */
  address: number
  executableStack: boolean
  rwxSegments: boolean
  packedWithUpx: boolean
  asan: boolean
  msan: boolean
  ubsan: boolean
  shadowStack: boolean
  indirectBranchTracking: boolean
  stripped: boolean
  debugInfo: boolean
  /** The lines of ELF.checksec() after Arch, in its order. */
  lines: ChecksecLine[]
}

const DT_NULL = 0n
const DT_BIND_NOW = 24n
const DT_FLAGS = 30n
const DT_FLAGS_1 = 0x6ffffffbn
const DF_BIND_NOW = 8n
const DF_1_NOW = 1n

const NT_GNU_PROPERTY_TYPE_0 = 5
const GNU_PROPERTY_X86_FEATURE_1_AND = 0xc0000002
const GNU_PROPERTY_X86_FEATURE_1_IBT = 1
const GNU_PROPERTY_X86_FEATURE_1_SHSTK = 2

const KEY_WIDTH = 12

/** The .dynamic section's tags as (tag, value) pairs up to DT_NULL; pwntools finds it by name. */
function dynamicTags(elf: ElfFile, image: Uint8Array): [bigint, bigint][] {
  const dynamic = elf.sections.find((section) => section.name === '.dynamic')
  if (dynamic === undefined) return []
  const end = Math.min(image.length, dynamic.offset + dynamic.size)
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength)
  const tags: [bigint, bigint][] = []
  for (let at = dynamic.offset; at + 16 <= end; at += 16) {
    const tag = view.getBigInt64(at, true)
    if (tag === DT_NULL) break
    tags.push([tag, view.getBigUint64(at + 8, true)])
  }
  return tags
}

function relroOf(elf: ElfFile, image: Uint8Array): Relro {
  if (!elf.programHeaders.some((p) => p.type === PT_GNU_RELRO)) return 'None'
  const tags = dynamicTags(elf, image)
  // pwntools reads the first entry of each tag.
  const first = (tag: bigint) => tags.find(([t]) => t === tag)?.[1]
  if (first(DT_BIND_NOW) !== undefined) return 'Full'
  if (((first(DT_FLAGS) ?? 0n) & DF_BIND_NOW) !== 0n) return 'Full'
  if (((first(DT_FLAGS_1) ?? 0n) & DF_1_NOW) !== 0n) return 'Full'
  return 'Partial'
}

/** The x86 feature bits of the first GNU_PROPERTY_X86_FEATURE_1_AND property in the PT_NOTE segments. */
function x86Features(elf: ElfFile, image: Uint8Array): number {
  const view = new DataView(image.buffer, image.byteOffset, image.byteLength)
  const align4 = (n: number) => (n + 3) & ~3
  for (const segment of elf.programHeaders) {
    if (segment.type !== PT_NOTE) continue
    const end = Math.min(image.length, segment.offset + segment.filesz)
    for (let at = segment.offset; at + 12 <= end; ) {
      const nameSize = view.getUint32(at, true)
      const descSize = view.getUint32(at + 4, true)
      const type = view.getUint32(at + 8, true)
      const desc = at + 12 + align4(nameSize)
      const next = desc + align4(descSize)
      if (next > end || next <= at) break
      if (type === NT_GNU_PROPERTY_TYPE_0) {
        // Each property: pr_type, pr_datasz, then pr_data padded to 8 bytes in ELF64.
        for (let p = desc; p + 8 <= desc + descSize; ) {
          const propertyType = view.getUint32(p, true)
          const dataSize = view.getUint32(p + 4, true)
          if (propertyType === GNU_PROPERTY_X86_FEATURE_1_AND && dataSize >= 4 && p + 12 <= end) return view.getUint32(p + 8, true)
          p += 8 + ((dataSize + 7) & ~7)
        }
      }
      at = next
    }
  }
  return 0
}

function hasUpxMagic(image: Uint8Array): boolean {
  const head = image.subarray(0, 0xff)
  for (let i = 0; i + 4 <= head.length; i++) {
    if (head[i] === 0x55 && head[i + 1] === 0x50 && head[i + 2] === 0x58 && head[i + 3] === 0x21) return true
  }
  return false
}

const RELRO_TEXT: Record<Relro, [string, ChecksecTone]> = {
  Full: ['Full RELRO', 'good'],
  Partial: ['Partial RELRO', 'warning'],
  None: ['No RELRO', 'bad'],
}

/** Checks an executable image as pwntools' `ELF(path).checksec()` does. */
export function checksec(image: Uint8Array): Checksec {
  let elf: ElfFile
  try {
    elf = parseElf(image)
  } catch (error) {
    if (error instanceof ElfError) throw new PwnError(`checksec: ${error.message}`)
    throw error
  }
  const { header, programHeaders } = elf
  // pwntools calls an ELF an executable when it is ET_EXEC or names an interpreter, so a static
  // PIE (ET_DYN, no PT_INTERP) is judged as a library: NX enabled, stack never executable.
  const executable = header.type === ET_EXEC || programHeaders.some((p) => p.type === PT_INTERP)
  const stacks = programHeaders.filter((p) => p.type === PT_GNU_STACK)
  const lastStack = stacks[stacks.length - 1]
  const nx = !executable ? true : lastStack !== undefined && (lastStack.flags & PF_X) === 0 ? true : undefined
  const firstStack = stacks[0]
  const executableStack = executable && (firstStack === undefined || (firstStack.flags & PF_X) !== 0)
  const writable = programHeaders.filter((p) => (p.flags & PF_W) !== 0)
  const writableAndExecutable = programHeaders.filter((p) => (p.flags & (PF_W | PF_X)) === (PF_W | PF_X))
  const rwxSegments = nx === true ? writableAndExecutable.length > 0 : writable.length > 0

  const loads = programHeaders.filter((p) => p.type === PT_LOAD && p.vaddr !== 0)
  const pie = header.type === ET_DYN
  const address = pie ? 0 : Math.min(...loads.map((p) => p.vaddr), Infinity)

  // pwntools' symbol dictionary leaves out undefined (zero-valued) symbols.
  const names = new Set(elf.symbols.filter((symbol) => symbol.value !== 0).map((symbol) => symbol.name))
  const anyWithPrefix = (prefix: string) => [...names].some((name) => name.startsWith(prefix))
  const features = x86Features(elf, image)

  const result: Omit<Checksec, 'lines'> = {
    arch: 'amd64-64-little',
    relro: relroOf(elf, image),
    canary: names.has('__stack_chk_fail'),
    nx,
    pie,
    address: Number.isFinite(address) ? address : 0,
    executableStack,
    rwxSegments,
    packedWithUpx: hasUpxMagic(image),
    asan: anyWithPrefix('__asan_'),
    msan: anyWithPrefix('__msan_'),
    ubsan: anyWithPrefix('__ubsan_'),
    shadowStack: (features & GNU_PROPERTY_X86_FEATURE_1_SHSTK) !== 0,
    indirectBranchTracking: (features & GNU_PROPERTY_X86_FEATURE_1_IBT) !== 0,
    stripped: !elf.sections.some((section) => section.type === SHT_SYMTAB),
    debugInfo: elf.sections.some((section) => section.name === '.debug_info'),
  }
  return { ...result, lines: checksecLines(result) }
}

function checksecLines(c: Omit<Checksec, 'lines'>): ChecksecLine[] {
  const [relroText, relroTone] = RELRO_TEXT[c.relro]
  const lines: ChecksecLine[] = [
    { key: 'RELRO', value: relroText, tone: relroTone },
    c.canary ? { key: 'Stack', value: 'Canary found', tone: 'good' } : { key: 'Stack', value: 'No canary found', tone: 'bad' },
    c.nx === true
      ? { key: 'NX', value: 'NX enabled', tone: 'good' }
      : c.nx === false
        ? { key: 'NX', value: 'NX disabled', tone: 'bad' }
        : // pwntools' words, although on x86-64 the stack may be present but executable.
          { key: 'NX', value: 'NX unknown - GNU_STACK missing', tone: 'warning' },
    c.pie ? { key: 'PIE', value: 'PIE enabled', tone: 'good' } : { key: 'PIE', value: `No PIE (0x${c.address.toString(16)})`, tone: 'bad' },
  ]
  if (c.executableStack && c.nx !== false) lines.push({ key: 'Stack', value: 'Executable', tone: 'bad' })
  if (c.rwxSegments) lines.push({ key: 'RWX', value: 'Has RWX segments', tone: 'bad' })
  if (c.packedWithUpx) lines.push({ key: 'Packer', value: 'Packed with UPX', tone: 'bad' })
  if (c.asan) lines.push({ key: 'ASAN', value: 'Enabled', tone: 'good' })
  if (c.msan) lines.push({ key: 'MSAN', value: 'Enabled', tone: 'good' })
  if (c.ubsan) lines.push({ key: 'UBSAN', value: 'Enabled', tone: 'good' })
  if (c.shadowStack) lines.push({ key: 'SHSTK', value: 'Enabled', tone: 'good' })
  if (c.indirectBranchTracking) lines.push({ key: 'IBT', value: 'Enabled', tone: 'good' })
  if (!c.stripped) lines.push({ key: 'Stripped', value: 'No', tone: 'bad' })
  if (c.debugInfo) lines.push({ key: 'Debuginfo', value: 'Yes', tone: 'bad' })
  return lines
}

const keyed = (key: string, value: string) => `${key}:`.padEnd(KEY_WIDTH) + value

/**
 * What `pwn checksec FILE` prints: the file's repr after pwntools' `[*] `, then every line
 * indented by the width of that prefix (how pwntools' logger continues a message).
 */
export function pwntoolsChecksecText(result: Checksec, path: string): string {
  const body = [keyed('Arch', result.arch), ...result.lines.map((line) => keyed(line.key, line.value))]
  return [`[*] ${pythonStringRepr(path)}`, ...body.map((line) => `    ${line}`)].join('\n') + '\n'
}

/**
 * What pwndbg's `checksec` prints: its own File and Arch lines (keys padded to 10), then
 * pwntools' checksec() lines as they are (keys padded to 12).
 */
export function pwndbgChecksecText(result: Checksec, path: string): string {
  const head = ['File:'.padEnd(10) + path, 'Arch:'.padEnd(10) + result.arch.split('-')[0]]
  return [...head, ...result.lines.map((line) => keyed(line.key, line.value))].join('\n') + '\n'
}
