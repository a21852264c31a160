// cpuid of a plain x86-64 baseline processor: SSE and SSE2, no SSE3/SSSE3/SSE4, no AVX, no
// OSXSAVE (so glibc never runs xgetbv), no ERMS, no BMI/LZCNT/POPCNT. glibc 2.36's
// init_cpu_features then selects its SSE2 string and memory routines. Cache geometry comes from
// leaf 4 (leaf 2 says so with descriptor 0xff), which glibc's init_cacheinfo reads to size
// memcpy's non-temporal threshold.

import type { Cpu } from './cpu'

const MAX_BASIC_LEAF = 4
const MAX_EXTENDED_LEAF = 0x80000008

/** Family 6, model 0x0f, stepping 11: a model glibc applies no special tuning to. */
const SIGNATURE = 0x000006fb
/** CLFLUSH line 8*8 = 64 bytes, one logical processor, APIC id 0. */
const LEAF1_EBX = 0x00010800
/**
 * FPU VME DE PSE TSC MSR PAE MCE CX8 APIC SEP MTRR PGE MCA CMOV PAT PSE36 CLFSH FXSR SSE SSE2.
 * MMX (bit 23) is left out: its registers are not modelled, and nothing gcc emits for C needs it.
 */
const LEAF1_EDX = 0x078bfbff & ~(1 << 23)
/** LAHF/SAHF in 64-bit mode. */
const EXT1_ECX = 0x00000001
/** SYSCALL, NX, long mode. */
const EXT1_EDX = (1 << 11) | (1 << 20) | (1 << 29)

/** Leaf 4 subleaves: [eax, ebx, ecx] for L1d 32 KiB, L1i 32 KiB, L2 1 MiB, L3 8 MiB (64-byte lines). */
const CACHES: readonly (readonly [number, number, number])[] = [
  [0x121, (7 << 22) | 63, 63], // level 1 data, 8 ways, 64 sets
  [0x122, (7 << 22) | 63, 63], // level 1 instruction
  [0x143, (15 << 22) | 63, 1023], // level 2 unified, 16 ways
  [0x163, (15 << 22) | 63, 8191], // level 3 unified, 16 ways
]

const BRAND = 'Memscape virtual x86-64 CPU'

function brandWords(): number[] {
  const bytes = new Uint8Array(48)
  for (let i = 0; i < BRAND.length; i++) bytes[i] = BRAND.charCodeAt(i)
  const words: number[] = []
  for (let i = 0; i < 48; i += 4) words.push(bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))
  return words
}
const BRAND_WORDS = brandWords()

/** "GenuineIntel" in ebx, edx, ecx order. */
const VENDOR = [0x756e6547, 0x49656e69, 0x6c65746e]

export function cpuidLeaf(leaf: number, subleaf: number): [number, number, number, number] {
  switch (leaf) {
    case 0:
      return [MAX_BASIC_LEAF, VENDOR[0]!, VENDOR[2]!, VENDOR[1]!]
    case 1:
      return [SIGNATURE, LEAF1_EBX, 0, LEAF1_EDX]
    case 2:
      return [0x0000ff01, 0, 0, 0]
    case 4: {
      const cache = CACHES[subleaf]
      return cache === undefined ? [0, 0, 0, 0] : [cache[0], cache[1], cache[2], 0]
    }
    case 0x80000000:
      return [MAX_EXTENDED_LEAF, 0, 0, 0]
    case 0x80000001:
      return [0, 0, EXT1_ECX, EXT1_EDX]
    case 0x80000002:
    case 0x80000003:
    case 0x80000004: {
      const i = (leaf - 0x80000002) * 4
      return [BRAND_WORDS[i]!, BRAND_WORDS[i + 1]!, BRAND_WORDS[i + 2]!, BRAND_WORDS[i + 3]!]
    }
    case 0x80000006:
      return [0, 0, (1024 << 16) | (6 << 12) | 64, 0] // L2: 1 MiB, 16-way (code 6), 64-byte lines
    case 0x80000008:
      return [0x3030, 0, 0, 0] // 48-bit physical and virtual addresses
    default:
      return [0, 0, 0, 0]
  }
}

export function cpuid(cpu: Cpu): void {
  const R = cpu.R
  const [a, b, c, d] = cpuidLeaf(R[0]! >>> 0, R[2]! >>> 0)
  R[0] = a
  R[1] = 0
  R[6] = b
  R[7] = 0
  R[2] = c
  R[3] = 0
  R[4] = d
  R[5] = 0
}
