// The running program's mappings as pwndbg sees them ("pages"): /proc/self/maps entries with
// pwndbg's name for anonymous ones (`[anon_7ffff7ff9]`) and its colour for each kind of memory:
// the stack, the heap, code, writable data, read-only data, writable code underlined.

import type { Inferior } from './inferior'
import type { OutputStyle } from './output'

export interface Page {
  readonly start: bigint
  readonly end: bigint
  readonly perms: string
  readonly offset: number
  /** The file or the kernel's name (`[stack]`); `[anon_…]` for an anonymous mapping. */
  readonly objfile: string
  readonly read: boolean
  readonly write: boolean
  readonly execute: boolean
}

export function pages(inferior: Inferior): Page[] {
  return inferior.machine.regions().map((region) => {
    const start = BigInt(region.start)
    return {
      start,
      end: BigInt(region.end),
      perms: region.perms,
      offset: region.offset,
      objfile: region.name !== '' ? region.name : `[anon_${(start >> 12n).toString(16)}]`,
      read: region.perms[0] === 'r',
      write: region.perms[1] === 'w',
      execute: region.perms[2] === 'x',
    }
  })
}

export function pageAt(all: readonly Page[], address: bigint): Page | undefined {
  return all.find((page) => address >= page.start && address < page.end)
}

export const isStackPage = (page: Page): boolean => page.objfile.startsWith('[stack')
export const isHeapPage = (page: Page): boolean => page.objfile.startsWith('[heap')
/** A file mapped into memory (the executable), not a kernel-named area. */
export const isFilePage = (page: Page): boolean => page.objfile !== '' && !page.objfile.startsWith('[')

/**
 * pwndbg's colour for memory: the stack before anything else, then code (underlined when also
 * writable), read-only data (plain), the heap, writable data.
 */
export function memoryStyle(page: Page | undefined): OutputStyle {
  if (!page) return 'plain'
  if (isStackPage(page)) return 'stack'
  if (page.execute) return page.write ? 'rwx' : 'code'
  if (!page.write) return 'plain'
  if (isHeapPage(page)) return 'heap'
  return page.read ? 'data' : 'plain'
}

/** `0x401000`: an address as pwndbg prints it (Python's hex). */
export const pyHex = (n: bigint | number): string => (BigInt(n) < 0n ? `-0x${(-BigInt(n)).toString(16)}` : `0x${BigInt(n).toString(16)}`)

/**
 * `          0x400000           0x401000 r--p     1000      0 /tmp/w`: pwndbg's row for a page
 * (addresses right-aligned in 18 columns, size and offset in hex).
 */
export function pageRow(page: Page): string {
  const size = page.end - page.start
  return `${pyHex(page.start).padStart(18)} ${pyHex(page.end).padStart(18)} ${page.perms} ${size.toString(16).padStart(8)} ${page.offset.toString(16).padStart(6)} ${page.objfile}`
}

/** pwndbg's legend: each kind's name in its colour. */
export const LEGEND: readonly { text: string; style: OutputStyle }[] = [
  { text: 'STACK', style: 'stack' },
  { text: 'HEAP', style: 'heap' },
  { text: 'CODE', style: 'code' },
  { text: 'DATA', style: 'data' },
  { text: 'WX', style: 'rwx' },
  { text: 'RODATA', style: 'plain' },
]
