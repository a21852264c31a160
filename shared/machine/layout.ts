// Where Linux 6.x (x86-64, 4-level paging, 4 KiB pages) puts each part of a new process, with
// the randomisation /proc/sys/kernel/randomize_va_space asks for:
//   0  nothing is randomised (also what `setarch -R` / gdb give a single process)
//   1  stack, mmap base (and so the vDSO and static-PIE image) and the sub-page stack offset
//   2  the same plus the brk (heap) start
// The draws are made in the order load_elf_binary makes them, from the process's one Random.
// Sources: arch/x86/mm/mmap.c (mmap_base, arch_rnd), mm/util.c (randomize_stack_top,
// randomize_page), fs/exec.c (setup_arg_pages), fs/binfmt_elf.c (brk placement),
// arch/x86/kernel/process.c (arch_align_stack, arch_randomize_brk). Measured on 6.18 in
// shared/research/realism.md §1-2.

import type { Random } from './random'

export type RandomizeVaSpace = 0 | 1 | 2

export const PAGE_SIZE = 0x1000
/** TASK_SIZE_MAX = DEFAULT_MAP_WINDOW: (1 << 47) - PAGE_SIZE. The last user page is never mapped. */
export const TASK_SIZE = 0x7ffffffff000
/** STACK_TOP for a 64-bit task: the stack's highest possible end. */
export const STACK_TOP = TASK_SIZE
/** ELF_ET_DYN_BASE = DEFAULT_MAP_WINDOW / 3 * 2 (not page aligned: users align it). */
export const ELF_ET_DYN_BASE = Math.floor(TASK_SIZE / 3) * 2
/** STACK_RND_MASK for 64-bit tasks: 22 bits of pages (16 GiB). */
export const STACK_RND_BITS = 22
/** vm.mmap_rnd_bits default on x86-64 (ARCH_MMAP_RND_BITS_MIN = 28). */
export const MMAP_RND_BITS = 28
/** brk randomisation range since 6.9 (arch_randomize_brk: SZ_1G for 64-bit tasks) = 18 bits of pages. */
export const BRK_RANDOM_RANGE = 0x40000000
/** stack_guard_gap: 256 pages kept free below a grows-down stack. */
export const STACK_GUARD_GAP = 256 * PAGE_SIZE
/** RLIMIT_STACK default (ulimit -s 8192). */
export const DEFAULT_STACK_RLIMIT = 8 * 1024 * 1024
/** fs/exec.c setup_arg_pages: the initial stack VMA extends this far below the strings. */
export const INITIAL_STACK_EXPAND = 128 * 1024
/** The legacy vsyscall page, in the kernel half; shown last in /proc/self/maps as --xp. */
export const VSYSCALL_START = 0xffffffffff600000n
export const VSYSCALL_END = 0xffffffffff601000n
/** Pages of the vDSO image and of the data pages mapped below it (6.13+: [vvar] then [vvar_vclock]). */
export const VDSO_PAGES = 2
export const VVAR_PAGES = 4
export const VVAR_VCLOCK_PAGES = 2
/** PMD_SIZE: anonymous mappings whose length is a multiple of it are THP-aligned (6.7+). */
export const PMD_SIZE = 0x200000

const SIZE_128M = 128 * 1024 * 1024

export const pageAlignDown = (x: number): number => x - (x % PAGE_SIZE)
export const pageAlignUp = (x: number): number => Math.ceil(x / PAGE_SIZE) * PAGE_SIZE
const align16Down = (x: number): number => x - (x % 16)

/** The per-process numbers the loader and mmap need, decided at exec time. */
export interface ProcessLayout {
  aslr: RandomizeVaSpace
  /** Top-down mmap allocations start below this (mm->mmap_base). */
  mmapBase: number
  /** Bottom-up fallback base when the top-down search fails (mm->mmap_legacy_base). */
  mmapLegacyBase: number
  /** End of the [stack] VMA: randomize_stack_top() then setup_arg_pages' arch_align_stack. */
  stackTop: number
  stackRlimit: number
}

/** PF_RANDOMIZE: set for every exec unless randomize_va_space is 0 (or the personality says so). */
export function randomizes(aslr: RandomizeVaSpace): boolean {
  return aslr !== 0
}

/** arch_mmap_rnd(): 28 random bits of pages, or 0 without PF_RANDOMIZE. */
function mmapRandom(aslr: RandomizeVaSpace, random: Random): number {
  return randomizes(aslr) ? random.bits(MMAP_RND_BITS) * PAGE_SIZE : 0
}

/**
 * arch/x86/mm/mmap.c mmap_base(): leave room for the largest stack the rlimit allows plus the
 * whole stack randomisation range and the guard gap, at least 128 MiB, then slide down by rnd.
 */
export function mmapBase(aslr: RandomizeVaSpace, rnd: number, stackRlimit: number): number {
  const maxStackRandom = randomizes(aslr) ? (2 ** STACK_RND_BITS - 1) * PAGE_SIZE : 0
  let gap = stackRlimit + maxStackRandom + STACK_GUARD_GAP
  gap = Math.min(Math.max(gap, SIZE_128M), Math.floor(TASK_SIZE / 6) * 5)
  return pageAlignUp(TASK_SIZE - gap - rnd)
}

/** arch/x86/kernel/process.c arch_align_stack(): up to 8 KiB lower when randomising, 16-byte aligned. */
export function archAlignStack(sp: number, aslr: RandomizeVaSpace, random: Random): number {
  const lowered = randomizes(aslr) ? sp - random.below(8192) : sp
  return align16Down(lowered)
}

/**
 * Chooses the layout of a new process: arch_pick_mmap_layout() (setup_new_exec), then
 * randomize_stack_top(STACK_TOP) and setup_arg_pages()'s arch_align_stack + PAGE_ALIGN.
 */
export function chooseLayout(aslr: RandomizeVaSpace, random: Random, stackRlimit = DEFAULT_STACK_RLIMIT): ProcessLayout {
  if (!(stackRlimit > 0) || !Number.isFinite(stackRlimit)) throw new RangeError(`stack rlimit must be a positive finite size, got ${stackRlimit}`)
  const rnd = mmapRandom(aslr, random)
  const base = mmapBase(aslr, rnd, stackRlimit)
  // mmap_legacy_base(): TASK_UNMAPPED_BASE (a third of the way up) plus the same slide.
  const legacyBase = pageAlignUp(Math.floor(TASK_SIZE / 3)) + rnd
  const randomizedTop = randomizes(aslr) ? STACK_TOP - random.bits(STACK_RND_BITS) * PAGE_SIZE : STACK_TOP
  const stackTop = pageAlignUp(archAlignStack(randomizedTop, aslr, random))
  return { aslr, mmapBase: base, mmapLegacyBase: legacyBase, stackTop, stackRlimit }
}

/** mm/util.c randomize_page(): a page-aligned address in [start, start + range). */
export function randomizePage(start: number, range: number, random: Random): number {
  let from = start
  let span = range
  if (from % PAGE_SIZE !== 0) {
    span -= pageAlignUp(from) - from
    from = pageAlignUp(from)
  }
  const pages = Math.floor(span / PAGE_SIZE)
  if (pages <= 0) return from
  return from + Number(random.nextBigU64() % BigInt(pages)) * PAGE_SIZE
}

/**
 * Where brk starts (mm->start_brk), fs/binfmt_elf.c in 6.x:
 * - a static PIE (ET_DYN without PT_INTERP) gets its brk moved to ELF_ET_DYN_BASE, out of the
 *   mmap area it was loaded into, whatever the randomisation (measured: 0x555555555000 under
 *   setarch -R);
 * - otherwise brk starts at the page-aligned end of the highest segment (no gap with ASLR off);
 * - with randomize_va_space 2, non-moved brks first skip one page, then arch_randomize_brk()
 *   adds up to 1 GiB.
 */
export function brkStart(imageEnd: number, staticPie: boolean, aslr: RandomizeVaSpace, random: Random): number {
  let brk = pageAlignUp(staticPie ? ELF_ET_DYN_BASE : imageEnd)
  if (randomizes(aslr) && aslr === 2) {
    if (!staticPie) brk += PAGE_SIZE
    brk = randomizePage(brk, BRK_RANDOM_RANGE, random)
  }
  return brk
}
