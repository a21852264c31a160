// The loader and the address space against this machine's Linux: the same static binaries,
// argv and (empty) environment, run natively with ASLR off, must show the same
// /proc/self/maps, the same initial rsp and the same initial stack bytes (except the 16
// AT_RANDOM bytes, which are random even with ASLR off), and then give the same results and
// maps for a sequence of mmap/munmap/mprotect/brk/mremap calls.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFileSync, writeFileSync } from 'node:fs'
import { Memory } from '../../../../shared/machine/memory'
import { Random } from '../../../../shared/machine/random'
import { loadElf, type LoadedProcess } from '../../../../shared/machine/loader'
import { AT_HWCAP, AT_HWCAP2, AT_MINSIGSTKSZ } from '../../../../shared/machine/initial-stack'
import type { MappedFile } from '../../../../shared/machine/address-space'
import { PT_GNU_STACK } from '../../../../shared/machine/elf'
import { compile, fileIdentity, nativeCredentials, type NativeLimits, parseProbe, type ProbeOutput, removeBuilds, runNative, runNativeStatus } from './native'

afterAll(removeBuilds)

const FREESTANDING = ['-nostdlib', '-fno-stack-protector', '-O1']
const variants = [
  { name: 'static', flags: ['-static', ...FREESTANDING] },
  { name: 'static-pie', flags: ['-static-pie', ...FREESTANDING] },
  // PT_GNU_STACK RWE: the stack is mapped rwxp.
  { name: 'static-execstack', flags: ['-static', '-z', 'execstack', ...FREESTANDING] },
  // Segments not separated by page: headers, code and data share pages and file offsets.
  { name: 'static-noseparate', flags: ['-static', '-z', 'noseparate-code', ...FREESTANDING] },
  // p_align 2 MiB: the kernel aligns the static PIE's load address (maximum_alignment()).
  { name: 'static-pie-2m', flags: ['-static-pie', '-z', 'max-page-size=0x200000', ...FREESTANDING] },
] as const
/** The variants the system-call sequence runs on. */
const syscallVariants = variants.slice(0, 2)
const binaries: Record<string, string> = {}

/** The static probe without its PT_GNU_STACK header (turned into PT_NULL), as old assemblers leave it. */
function withoutGnuStack(binary: string): string {
  const bytes = new Uint8Array(readFileSync(binary))
  const view = new DataView(bytes.buffer)
  const phoff = Number(view.getBigUint64(32, true))
  for (let i = 0; i < view.getUint16(56, true); i++) {
    if (view.getUint32(phoff + i * 56, true) === PT_GNU_STACK) view.setUint32(phoff + i * 56, 0, true)
  }
  const path = binary + '-no-gnu-stack'
  writeFileSync(path, bytes, { mode: 0o755 })
  return path
}

beforeAll(() => {
  for (const v of variants) binaries[v.name] = compile('startup.c', `startup-${v.name}`, [...v.flags])
  // No PT_GNU_STACK: on x86-64 the stack still is not executable (no READ_IMPLIES_EXEC for 64-bit).
  binaries['static-no-gnu-stack'] = withoutGnuStack(binaries.static!)
})

/** The auxiliary vector a native stack dump holds (argc, argv, NULL, envp, NULL, auxv). */
function nativeAuxv(stack: Uint8Array): Map<number, number> {
  const view = new DataView(stack.buffer, stack.byteOffset, stack.byteLength)
  const word = (i: number) => Number(view.getBigUint64(i * 8, true))
  let i = word(0) + 2
  while (word(i) !== 0) i++
  i++
  const aux = new Map<number, number>()
  for (; word(i) !== 0; i += 2) aux.set(word(i), word(i + 1))
  return aux
}

function load(binary: string, args: string[], native: ProbeOutput): { process: LoadedProcess; memory: Memory } {
  const memory = Memory.create({ maxBytes: 64 * 1024 * 1024 })
  const aux = nativeAuxv(native.stack)
  const process = loadElf(memory, readFileSync(binary), {
    argv: [binary, ...args],
    env: [],
    execPath: binary,
    random: new Random(7),
    aslr: 0,
    fileIdentity: fileIdentity(binary),
    credentials: nativeCredentials,
    // The host CPU's capability words, so that every stack byte can be compared.
    cpu: { hwcap: aux.get(AT_HWCAP)!, hwcap2: aux.get(AT_HWCAP2)!, minsigstksz: aux.get(AT_MINSIGSTKSZ)! },
  })
  return { process, memory }
}

const argumentSets: { label: string; args: string[] }[] = [
  { label: 'two short arguments', args: ['a', 'b'] },
  { label: 'no arguments', args: [] },
  { label: 'arguments spanning several pages', args: ['x'.repeat(5000), 'y'.repeat(3000), 'zz'] },
  { label: 'odd lengths', args: ['1', '22', '333', '4444', '55555', 'ünïcødé'] },
]

describe('with ASLR off the loader builds exactly what Linux builds', () => {
  for (const v of [...variants, { name: 'static-no-gnu-stack' }]) {
    for (const set of argumentSets) {
      it(`${v.name}, ${set.label}: same maps, rsp and initial stack`, () => {
        const binary = binaries[v.name]!
        const native = parseProbe(runNative(binary, set.args))
        const { process, memory } = load(binary, set.args, native)
        expect(process.addressSpace.formatMaps()).toBe(native.maps[0])
        expect(process.rsp.toString(16)).toBe(native.rsp.toString(16))
        const mine = memory.peek(process.rsp, native.stack.length).data
        const randomAt = process.stack.randomAddress - process.rsp
        const masked = (bytes: Uint8Array) => {
          const copy = bytes.slice()
          copy.fill(0, randomAt, randomAt + 16)
          return Array.from(copy)
        }
        expect(masked(mine)).toEqual(masked(native.stack))
      })
    }
  }
})

/**
 * System calls replayed on both sides. `$N` is the result of operation N, `BRK` the initial
 * break, `RSP` the initial stack pointer; `+hex`/`-hex` offsets them. Each template is resolved
 * with Memscape's own results, and the resolved list is what the native process executes.
 */
const operations = [
  'm 0 3000 3 22', // anonymous rw, top-down below the vDSO
  'm 0 1000 3 22', // directly below: merges with the previous one
  'm 0 200000 3 22', // 2 MiB: THP-aligned
  'm 0 201000 3 22', // not a multiple of 2 MiB: directly below
  'u $0+1000 1000', // a hole inside the merged area
  'm 0 1000 1 22', // read-only: top-down first fit
  'p $1 1000 1', // mprotect one page: split
  'p $1 5000 3', // across the hole: applied up to it, then ENOMEM
  'd',
  'm $1 2000 0 32', // MAP_FIXED replaces part of what is there
  'm 30000000 1000 3 100022', // MAP_FIXED_NOREPLACE on free space
  'm 30000000 1000 3 100022', // ... and on taken space: EEXIST
  'm 30000000 1000 3 22', // hint taken: top-down instead
  'm 30001000 1000 3 22', // hint free: used, and merged with its neighbour
  'm f000 1000 3 22', // hint below mmap_min_addr: raised to it
  'm 0 1000 3 32', // MAP_FIXED at 0: EPERM
  'm 0 0 3 22', // length 0: EINVAL
  'm 0 1000 3 20', // neither shared nor private: EINVAL
  'm 0 1000 3 23', // MAP_SHARED_VALIDATE anonymous: EINVAL
  'm 1001 1000 3 32', // unaligned MAP_FIXED: EINVAL
  'u 1001 1000', // unaligned munmap: EINVAL
  'u 40000000 0', // zero-length munmap: EINVAL
  'u 40000000 1000', // munmap of nothing: 0
  'p 1001 1000 3', // unaligned mprotect: EINVAL
  'p 50000000 1000 3', // mprotect of nothing: ENOMEM
  'p $10 1000 10', // unknown protection bit: EINVAL
  'm 0 5000 0 22', // PROT_NONE reservation
  'p $26+1000 2000 3', // its middle becomes rw: three areas
  'p $26 5000 0', // all none again: one area
  'b 0', // the break
  'b BRK+21000', // grow: [heap]
  'b BRK+22000', // grow the same area
  'b 100', // below the start: the old break
  'b BRK+800', // shrink
  'm BRK+24000 1000 3 100022', // something just above
  'b BRK+24000', // would touch it: refused
  'b BRK+23000', // a page below it: allowed
  'r $2 200000 400000 0', // grow in place if possible
  'r $2 200000 400000 1', // else move
  'r $38 400000 100000 0', // shrink in place
  'r $38 100000 200000 3 50000000', // move to a fixed address
  'f 0 2000 1 2 1000', // the executable, from offset 0x1000, read-only
  'f 0 1000 3 2 0', // the executable, private writable copy
  'f 0 1000 3 1 0', // shared writable mapping of a read-only file: EACCES
  'm 0 1000 3 21', // shared anonymous: /dev/zero (deleted)
  'm 0 1000 3 122', // MAP_GROWSDOWN
  'm 0 1000 3 62', // MAP_32BIT: bottom-up from 1 GiB
  'm 0 1000 3 62', // ... the next one above it
  'm 90000000 1000 3 62', // a hint above 2 GiB is ignored
  'm 0 200000 3 62', // 2 MiB and MAP_32BIT: THP-aligned inside the low window
  't RSP-30000', // touch 192 KiB below rsp: the stack grows
  'd',
]

const MAP_ANONYMOUS = 0x20

function resolve(template: string, results: number[], brk: number, rsp: number): string {
  return template.replace(/(\$(\d+)|BRK|RSP)([+-][0-9a-f]+)?/g, (_, base: string, index: string | undefined, offset: string | undefined) => {
    const value = index !== undefined ? results[Number(index)]! : base === 'BRK' ? brk : rsp
    return (value + (offset ? parseInt(offset, 16) : 0)).toString(16)
  })
}

/** Runs one operation on Memscape's address space: what the kernel's system calls will call. */
function apply(process: LoadedProcess, exe: MappedFile, line: string): number | null {
  const [op, ...rest] = line.split(' ')
  const a = rest.map((h) => parseInt(h, 16))
  const space = process.addressSpace
  switch (op) {
    case 'm':
      if ((a[3]! & MAP_ANONYMOUS) === 0) throw new Error('anonymous operations only')
      return space.mmap(a[0]!, a[1]!, a[2]!, a[3]!, null, 0)
    case 'f':
      return space.mmap(a[0]!, a[1]!, a[2]!, a[3]!, exe, a[4]!)
    case 'u':
      return space.munmap(a[0]!, a[1]!)
    case 'p':
      return space.mprotect(a[0]!, a[1]!, a[2]!)
    case 'b':
      return space.brk(a[0]!)
    case 'r':
      return space.mremap(a[0]!, a[1]!, a[2]!, a[3]!, a[4] ?? 0)
    case 't':
      if (!space.find(a[0]!)) expect(space.growStack(a[0]!)).toBe('grown')
      return 0
    default:
      return null
  }
}

/** Shared anonymous memory gets a fresh shmem inode number (and so padding) on each run. */
const maskShmemInodes = (maps: string) => maps.replace(/ 00:01 \d+ +\/dev\/zero/g, ' 00:01 N /dev/zero')

describe('memory system calls give what Linux gives', () => {
  for (const v of syscallVariants) {
    it(`${v.name}: results and /proc/self/maps after each step`, () => {
      const binary = binaries[v.name]!
      const first = parseProbe(runNative(binary, []))
      const { process } = load(binary, [], first)
      const exe: MappedFile = { path: binary, ...fileIdentity(binary), bytes: readFileSync(binary), writable: false }
      const results: number[] = []
      const lines: string[] = []
      const dumps: string[] = [process.addressSpace.formatMaps()]
      for (const template of operations) {
        const line = resolve(template, results, process.brkStart, process.rsp)
        lines.push(line)
        const result = apply(process, exe, line)
        if (result === null) dumps.push(process.addressSpace.formatMaps())
        results.push(result ?? Number.NaN)
      }
      dumps.push(process.addressSpace.formatMaps())
      const native = parseProbe(runNative(binary, [], lines.join('\n') + '\n'))
      const calls = lines.filter((l) => l !== 'd')
      const labelled = (values: number[]) => values.map((r, i) => `${calls[i]} = ${r < 0 ? '-' + (-r).toString(16) : r.toString(16)}`)
      expect(labelled(results.filter((r) => !Number.isNaN(r)))).toEqual(labelled(native.results.map((r) => r.value)))
      expect(dumps.map(maskShmemInodes)).toEqual(native.maps.map(maskShmemInodes))
    })
  }
})

describe('random system-call sequences give what Linux gives', () => {
  /** Random mmap/munmap/mprotect/mremap/brk calls around a small window, with every kind of flag. */
  function randomOperations(seed: number, count: number): string[] {
    const random = new Random(seed)
    const hex = (n: number) => n.toString(16)
    const window = 0x20000000
    const where = () => hex(window + random.below(96) * 0x1000)
    const length = () => hex((1 + random.below(12)) * 0x1000)
    const anonymousFlags = ['22', '22', '32', '100022', '21', '62', '122']
    const ops: string[] = []
    for (let i = 0; i < count; i++) {
      const prot = hex(random.below(8))
      switch (random.below(8)) {
        case 0:
          ops.push(`m 0 ${length()} ${prot} ${anonymousFlags[random.below(anonymousFlags.length)]}`)
          break
        case 1:
          ops.push(`m ${where()} ${length()} ${prot} ${anonymousFlags[random.below(anonymousFlags.length)]}`)
          break
        case 2:
          ops.push(`u ${where()} ${length()}`)
          break
        case 3:
          ops.push(`p ${where()} ${length()} ${prot}`)
          break
        case 4:
          ops.push(`r ${where()} ${length()} ${length()} ${hex(random.below(4))} ${where()}`)
          break
        case 5:
          ops.push(`b BRK+${hex(random.below(64) * 0x400)}`)
          break
        case 6:
          // The executable itself: private or shared, read-only file, at a hint or fixed.
          ops.push(`f ${random.below(2) ? where() : '0'} ${length()} ${hex(random.below(2) ? 1 : 5)} ${['2', '1', '12', '11'][random.below(4)]} ${hex(random.below(3) * 0x1000)}`)
          break
        default:
          ops.push('d')
      }
    }
    return ops
  }

  // Some runs under RLIMIT_DATA / RLIMIT_AS small enough for the calls to hit them.
  const limitSets: NativeLimits[] = [{}, { data: 0x60000 }, { addressSpace: 0x1400000 }, { data: 0x48000, addressSpace: 0x1000000 }]
  for (const seed of Array.from({ length: 24 }, (_, i) => i + 1)) {
    const limits = limitSets[seed % limitSets.length]!
    it(`seed ${seed}${limits.data ? `, RLIMIT_DATA ${limits.data.toString(16)}` : ''}${limits.addressSpace ? `, RLIMIT_AS ${limits.addressSpace.toString(16)}` : ''}`, () => {
      const binary = binaries.static!
      const first = parseProbe(runNative(binary, []))
      const { process } = load(binary, [], first)
      if (limits.data !== undefined) process.addressSpace.limits.data = limits.data
      if (limits.addressSpace !== undefined) process.addressSpace.limits.addressSpace = limits.addressSpace
      const exe: MappedFile = { path: binary, ...fileIdentity(binary), bytes: readFileSync(binary), writable: false }
      const lines = randomOperations(seed, 400).map((t) => resolve(t, [], process.brkStart, process.rsp))
      const results: number[] = []
      const dumps = [process.addressSpace.formatMaps()]
      for (const line of lines) {
        const result = apply(process, exe, line)
        if (result === null) dumps.push(process.addressSpace.formatMaps())
        else results.push(result)
      }
      dumps.push(process.addressSpace.formatMaps())
      const native = parseProbe(runNative(binary, [], lines.join('\n') + '\n', false, [], limits))
      const calls = lines.filter((l) => l !== 'd')
      const labelled = (values: number[]) => values.map((r, i) => `${i} ${calls[i]} = ${r < 0 ? '-' + (-r).toString(16) : r.toString(16)}`)
      expect(labelled(results)).toEqual(labelled(native.results.map((r) => r.value)))
      expect(dumps.map(maskShmemInodes)).toEqual(native.maps.map(maskShmemInodes))
    })
  }
})

describe('stack growth against Linux', () => {
  // A mapping placed below [stack]; a write 64 KiB below the stack's start must grow it, unless
  // that would leave less than stack_guard_gap (1 MiB) between them: then Linux kills the process.
  for (const gap of [0x100000, 0xff000, 0x101000, 0x10000]) {
    it(`a mapping ${gap.toString(16)} bytes below the grown stack`, () => {
      const binary = binaries.static!
      const first = parseProbe(runNative(binary, []))
      const { process } = load(binary, [], first)
      const stackStart = process.addressSpace.find(process.rsp)!.start
      const touch = stackStart - 0x10000 + 8
      const below = stackStart - 0x10000 - gap - 0x1000
      const lines = [`m ${below.toString(16)} 1000 3 32`, `t ${touch.toString(16)}`, 'd']
      const native = runNativeStatus(binary, [], lines.join('\n') + '\n')
      const space = process.addressSpace
      expect(space.mmap(below, 0x1000, 3, 0x32)).toBe(below)
      const growth = space.growStack(touch)
      if (native.signal === 'SIGSEGV') {
        expect(growth).toBe('guard-gap')
        expect(native.stdout.trimEnd().endsWith('t')).toBe(true)
      } else {
        expect(growth).toBe('grown')
        expect(parseProbe(native.stdout).maps[1]).toBe(space.formatMaps())
      }
    })
  }
})

describe('execve with an empty argv', () => {
  it('Linux passes argv[0] = "": the same stack natively and in Memscape', () => {
    const binary = binaries.static!
    const launcher = compile('exec-empty-argv.c', 'exec-empty-argv', ['-static', '-O1'])
    const native = parseProbe(runNative(launcher, [binary]))
    expect(native.stack[0]).toBe(1) // argc
    const memory = Memory.create({ maxBytes: 64 * 1024 * 1024 })
    const aux = nativeAuxv(native.stack)
    const process = loadElf(memory, readFileSync(binary), {
      argv: [],
      env: [],
      execPath: binary,
      random: new Random(7),
      aslr: 0,
      fileIdentity: fileIdentity(binary),
      credentials: nativeCredentials,
      cpu: { hwcap: aux.get(AT_HWCAP)!, hwcap2: aux.get(AT_HWCAP2)!, minsigstksz: aux.get(AT_MINSIGSTKSZ)! },
    })
    expect(process.rsp.toString(16)).toBe(native.rsp.toString(16))
    const mine = memory.peek(process.rsp, native.stack.length).data.slice()
    const randomAt = process.stack.randomAddress - process.rsp
    const theirs = native.stack.slice()
    mine.fill(0, randomAt, randomAt + 16)
    theirs.fill(0, randomAt, randomAt + 16)
    expect(Array.from(mine)).toEqual(Array.from(theirs))
    expect(process.addressSpace.formatMaps()).toBe(native.maps[0])
  })
})
