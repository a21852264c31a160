// pwndbg's `search`: what bytes a `search -t TYPE VALUE` looks for, and where they occur.

import { PwnError } from './error'
import { parseGdbInteger } from './gdb-integer'
import { pythonBytesRepr } from './python-format'

export const SEARCH_TYPES = ['byte', 'short', 'word', 'dword', 'qword', 'pointer', 'string', 'bytes'] as const
export type SearchType = (typeof SEARCH_TYPES)[number]

export interface SearchPattern {
  bytes: Uint8Array
  /** pwndbg's first line, e.g. `Searching for an 8-byte integer: b'\x96\x11@\x00\x00\x00\x00\x00'`. */
  heading: string
}

const INTEGER_WIDTHS: Partial<Record<SearchType, number>> = { byte: 1, short: 2, word: 2, dword: 4, qword: 8, pointer: 8 }

/** Python's struct messages for an unsigned value that does not fit, which pwndbg passes on. */
const STRUCT_RANGE_MESSAGES: Record<number, string> = {
  1: 'ubyte format requires 0 <= number <= 255',
  2: 'ushort format requires 0 <= number <= 65535',
  4: "'L' format requires 0 <= number <= 4294967295",
}

const HEADINGS: Record<SearchType, string> = {
  pointer: 'Searching for a pointer-width integer: ',
  short: 'Searching for a 2-byte integer: ',
  word: 'Searching for a 2-byte integer: ',
  dword: 'Searching for a 4-byte integer: ',
  qword: 'Searching for an 8-byte integer: ',
  string: 'Searching for string: ',
  byte: 'Searching for byte: ',
  bytes: 'Searching for byte: ',
}

const POINTER_MASK = (1n << 64n) - 1n

function decodeHex(text: string): Uint8Array {
  // Python's bytes.fromhex-style decoding that pwndbg uses reports these two failures.
  if (text.length % 2 !== 0) throw new PwnError("invalid input for type hex: decoding with 'hex' codec failed (Error: Odd-length string)")
  if (!/^[0-9a-fA-F]*$/.test(text)) {
    throw new PwnError("invalid input for type hex: decoding with 'hex' codec failed (Error: Non-hexadecimal digit found)")
  }
  const bytes = new Uint8Array(text.length / 2)
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(text.slice(2 * i, 2 * i + 2), 16)
  return bytes
}

function integerValue(value: string | bigint, type: SearchType): bigint {
  if (typeof value === 'bigint') return value
  const parsed = parseGdbInteger(value)
  if (parsed === undefined) throw new PwnError(`invalid input for type ${type}: ${JSON.stringify(value)} is not an integer`)
  return parsed
}

/**
 * The bytes `search -t TYPE VALUE` (with `-x` for hex) looks for, as pwndbg builds them: integers
 * are masked to 64 bits and packed little-endian at the type's width, a string gets its NUL
 * terminator, bytes are UTF-8. An integer VALUE may come already evaluated as a bigint.
 */
export function searchPattern(type: SearchType, value: string | bigint, options: { hex?: boolean } = {}): SearchPattern {
  const width = INTEGER_WIDTHS[type]
  let bytes: Uint8Array
  if (width !== undefined) {
    if (options.hex === true) throw new PwnError('-x (hex) applies to bytes and string searches only')
    const masked = integerValue(value, type) & POINTER_MASK
    if (masked >> BigInt(8 * width) !== 0n) throw new PwnError(`invalid input for type ${type}: ${STRUCT_RANGE_MESSAGES[width]}`)
    bytes = new Uint8Array(width)
    for (let i = 0; i < width; i++) bytes[i] = Number((masked >> BigInt(8 * i)) & 0xffn)
  } else {
    const text = typeof value === 'bigint' ? value.toString() : value
    const body = options.hex === true ? decodeHex(text) : new TextEncoder().encode(text)
    bytes = type === 'string' ? Uint8Array.of(...body, 0) : body
  }
  return { bytes, heading: HEADINGS[type] + pythonBytesRepr(bytes) }
}

export interface MemoryRegion {
  start: number
  bytes: Uint8Array
}

export interface SearchOptions {
  /** Only hits at a multiple of this (a power of two), as `search -a`. */
  aligned?: number
  /** After a hit, go on at the next multiple of this (a power of two), as `search -s`. */
  step?: number
  /** Stop after this many hits, as `search -l`. */
  limit?: number
}

function checkPowerOfTwo(name: string, value: number | undefined): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && value > 0 && (value & (value - 1)) === 0)) {
    throw new PwnError(`search: ${name} must be a positive power of two, not ${value}`)
  }
}

/** Knuth–Morris–Pratt failure function: the longest proper border of each pattern prefix. */
function borders(pattern: Uint8Array): Int32Array {
  const border = new Int32Array(pattern.length)
  for (let i = 1, k = 0; i < pattern.length; i++) {
    while (k > 0 && pattern[i] !== pattern[k]) k = border[k - 1]!
    if (pattern[i] === pattern[k]) k++
    border[i] = k
  }
  return border
}

/**
 * Calls `found(offset)` for every (overlapping) occurrence in increasing order, in time linear in
 * the region and pattern, until `found` returns false. Where nothing is half-matched, the native
 * indexOf skips to the next candidate byte.
 */
function eachOccurrence(haystack: Uint8Array, pattern: Uint8Array, border: Int32Array, found: (offset: number) => boolean): void {
  const first = pattern[0]!
  let matched = 0
  for (let i = 0; i < haystack.length; i++) {
    if (matched === 0) {
      i = haystack.indexOf(first, i)
      if (i < 0) return
    }
    while (matched > 0 && haystack[i] !== pattern[matched]) matched = border[matched - 1]!
    if (haystack[i] === pattern[matched]) matched++
    if (matched === pattern.length) {
      if (!found(i - pattern.length + 1)) return
      matched = border[matched - 1]!
    }
  }
}

/**
 * The addresses where `pattern` occurs, region by region (an occurrence never spans two regions),
 * with pwndbg's rules: after a hit the search goes on past it (hits do not overlap), or at the
 * next multiple of `step`; with `aligned`, only aligned hits count.
 */
export function findOccurrences(regions: readonly MemoryRegion[], pattern: Uint8Array, options: SearchOptions = {}): number[] {
  checkPowerOfTwo('the alignment', options.aligned)
  checkPowerOfTwo('the step', options.step)
  const limit = options.limit ?? Infinity
  const align = options.aligned ?? 1
  const hits: number[] = []
  if (pattern.length === 0 || limit <= 0) return hits
  const border = borders(pattern)
  for (const region of regions) {
    let resume = region.start
    eachOccurrence(region.bytes, pattern, border, (offset) => {
      const address = region.start + offset
      if (address < resume || address % align !== 0) return true
      hits.push(address)
      if (options.step !== undefined) resume = address - (address % options.step) + options.step
      else resume = Math.ceil((address + pattern.length) / align) * align
      return hits.length < limit
    })
    if (hits.length >= limit) break
  }
  return hits
}
