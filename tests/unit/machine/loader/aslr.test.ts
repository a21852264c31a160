// ASLR: the randomised bits of every region, natively (this machine, randomize_va_space 2)
// and in Memscape over many seeds, against realism.md §2: stack 22 page bits plus the
// sub-page offset, mmap base / vDSO / static-PIE image 28, brk 18, non-PIE image 0.

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { Memory } from '../../../../shared/machine/memory'
import { Random } from '../../../../shared/machine/random'
import { loadElf } from '../../../../shared/machine/loader'
import { AT_SYSINFO_EHDR } from '../../../../shared/machine/initial-stack'
import {
  ELF_ET_DYN_BASE,
  STACK_TOP,
  brkStart,
  chooseLayout,
  mmapBase,
  type RandomizeVaSpace,
} from '../../../../shared/machine/layout'
import { compile, parseProbe, removeBuilds, runNative } from './native'

afterAll(removeBuilds)

/** Bits lo..hi inclusive. */
const bits = (lo: number, hi: number): bigint => ((1n << BigInt(hi + 1)) - 1n) ^ ((1n << BigInt(lo)) - 1n)

interface Sample {
  rsp: number
  stackEnd: number
  image: number
  vdso: number
  mmap: number
  brk: number
  /** A MAP_32BIT mapping: slid by up to 32 MiB above 1 GiB on every call. */
  map32: number
}

/** Which bits differ across the samples (OR of every XOR with the first). */
function varying(values: number[]): bigint {
  const first = BigInt(values[0]!)
  return values.reduce((mask, v) => mask | (BigInt(v) ^ first), 0n)
}

/**
 * The entropy each region must show: `random` bits must all vary; `carry` bits may also vary
 * (a borrow or carry out of the random range); nothing else may.
 */
const expectations: Record<keyof Sample, { random: bigint; carry: bigint }> = {
  rsp: { random: bits(4, 33), carry: bits(34, 34) },
  stackEnd: { random: bits(12, 33), carry: bits(34, 34) },
  mmap: { random: bits(12, 39), carry: bits(40, 40) },
  vdso: { random: bits(12, 39), carry: bits(40, 40) },
  image: { random: 0n, carry: 0n }, // filled per variant
  brk: { random: bits(12, 29), carry: bits(30, 31) },
  map32: { random: bits(12, 24), carry: 0n },
}

function checkEntropy(samples: Sample[], key: keyof Sample, expected: { random: bigint; carry: bigint }): void {
  const mask = varying(samples.map((s) => s[key]))
  expect({ key, missing: (expected.random & ~mask).toString(16) }).toEqual({ key, missing: '0' })
  expect({ key, unexpected: (mask & ~(expected.random | expected.carry)).toString(16) }).toEqual({ key, unexpected: '0' })
}

const nativeRandomization = (() => {
  try {
    return readFileSync('/proc/sys/kernel/randomize_va_space', 'utf8').trim()
  } catch {
    return 'unknown'
  }
})()

const variants = [
  { name: 'static', flags: ['-static'], image: { random: 0n, carry: 0n } },
  { name: 'static-pie', flags: ['-static-pie'], image: { random: bits(12, 39), carry: bits(40, 40) } },
] as const
const binaries: Record<string, string> = {}
const RUNS = 100

beforeAll(() => {
  for (const v of variants) binaries[v.name] = compile('startup.c', `aslr-${v.name}`, [...v.flags, '-nostdlib', '-fno-stack-protector', '-O1'])
})

function mapsField(maps: string, name: string): { start: number; end: number } {
  const line = maps.split('\n').find((l) => l.endsWith(name))!
  const [start, end] = line.split(' ')[0]!.split('-').map((h) => parseInt(h, 16))
  return { start: start!, end: end! }
}

function nativeSamples(binary: string): Sample[] {
  const samples: Sample[] = []
  for (let i = 0; i < RUNS; i++) {
    const probe = parseProbe(runNative(binary, [], 'm 0 1000 3 22\nb 0\nm 0 1000 3 62\n', true))
    const maps = probe.maps[0]!
    samples.push({
      rsp: probe.rsp,
      stackEnd: mapsField(maps, '[stack]').end,
      image: mapsField(maps, binary).start,
      vdso: mapsField(maps, '[vdso]').start,
      mmap: probe.results[0]!.value,
      brk: probe.results[1]!.value,
      map32: probe.results[2]!.value,
    })
  }
  return samples
}

function memscapeSamples(binary: string, aslr: RandomizeVaSpace, seeds = RUNS): Sample[] {
  const image = readFileSync(binary)
  const samples: Sample[] = []
  const memory = Memory.create({ maxBytes: 4 * 1024 * 1024 })
  for (let seed = 1; seed <= seeds; seed++) {
    const p = loadElf(memory, image, { argv: [binary], env: [], execPath: binary, random: new Random(seed), aslr })
    const space = p.addressSpace
    samples.push({
      rsp: p.rsp,
      stackEnd: space.find(p.rsp)!.end,
      image: p.imageStart,
      vdso: p.auxv.find((a) => a.type === AT_SYSINFO_EHDR)!.value,
      mmap: space.mmap(0, 0x1000, 3, 0x22),
      brk: space.brk(0),
      map32: space.mmap(0, 0x1000, 3, 0x62),
    })
    // exec replaces the whole address space: empty the memory for the next sample.
    expect(space.munmap(0x1000, STACK_TOP - 0x1000)).toBe(0)
    expect(memory.usedFrames).toBe(0)
  }
  return samples
}

describe('ASLR entropy per region', () => {
  for (const v of variants) {
    it.skipIf(nativeRandomization !== '2')(`${v.name}: natively and in Memscape, the same bits vary`, () => {
      const binary = binaries[v.name]!
      const expected = { ...expectations, image: v.image }
      for (const samples of [nativeSamples(binary), memscapeSamples(binary, 2)]) {
        for (const key of Object.keys(expected) as (keyof Sample)[]) checkEntropy(samples, key, expected[key])
      }
    })

    it(`${v.name}: Memscape's addresses stay inside the kernel's ranges`, () => {
      const binary = binaries[v.name]!
      const samples = memscapeSamples(binary, 2)
      const elfBrk = memscapeSamples(binary, 0, 1)[0]!.brk
      const highestBase = mmapBase(2, 0, 8 << 20)
      for (const s of samples) {
        expect(s.stackEnd).toBeLessThanOrEqual(STACK_TOP)
        expect(s.stackEnd).toBeGreaterThanOrEqual(STACK_TOP - (2 ** 22 - 1) * 4096 - 4096)
        expect(STACK_TOP - s.rsp).toBeLessThan(2 ** 22 * 4096 + 8192 + 4096 + 4096)
        expect(s.vdso).toBeLessThan(highestBase)
        expect(s.vdso).toBeGreaterThanOrEqual(highestBase - 2 ** 28 * 4096 - 0x1_0000_0000)
        const brkBase = v.name === 'static-pie' ? Math.ceil(ELF_ET_DYN_BASE / 4096) * 4096 : elfBrk + 4096
        expect(s.brk).toBeGreaterThanOrEqual(brkBase)
        expect(s.brk).toBeLessThan(brkBase + 0x4000_0000)
        expect(s.map32).toBeGreaterThanOrEqual(0x4000_0000)
        expect(s.map32).toBeLessThan(0x4200_0000)
      }
    })
  }

  it('randomize_va_space 1 randomises everything but brk; 0 nothing', () => {
    const binary = binaries.static!
    const one = memscapeSamples(binary, 1, 50)
    expect(new Set(one.map((s) => s.brk)).size).toBe(1)
    expect(new Set(one.map((s) => s.mmap)).size).toBeGreaterThan(45)
    expect(new Set(one.map((s) => s.rsp)).size).toBeGreaterThan(45)
    const zero = memscapeSamples(binary, 0, 20)
    for (const key of ['rsp', 'stackEnd', 'image', 'vdso', 'mmap', 'brk', 'map32'] as const) expect(new Set(zero.map((s) => s[key])).size).toBe(1)
  })

  it('the same seed gives the same layout, a different seed a different one', () => {
    const binary = binaries['static-pie']!
    const [a] = memscapeSamples(binary, 2, 1)
    const [b] = memscapeSamples(binary, 2, 1)
    expect(a).toEqual(b)
    const layouts = [1, 2].map((seed) => chooseLayout(2, new Random(seed)))
    expect(layouts[0]).not.toEqual(layouts[1])
  })

  it('brk randomisation needs randomize_va_space 2 and spans 1 GiB in pages', () => {
    const random = new Random(3)
    const starts = Array.from({ length: 4000 }, () => brkStart(0x405123, false, 2, random))
    for (const s of starts) {
      expect(s % 4096).toBe(0)
      expect(s).toBeGreaterThanOrEqual(0x407000)
      expect(s).toBeLessThan(0x407000 + 0x4000_0000)
    }
    expect(new Set(starts).size).toBeGreaterThan(3900)
    expect(brkStart(0x405123, false, 1, random)).toBe(0x406000)
    expect(brkStart(0x7ffff7fff000, true, 0, random)).toBe(0x555555555000)
  })
})
