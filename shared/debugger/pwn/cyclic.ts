// pwntools' cyclic patterns: the de Bruijn sequence B(k, n) over the lowercase alphabet, in which
// every n-byte window occurs at most once, so a window seen in a crashed register names its
// offset in the input.
//
// The sequence is the standard one (Fredricksen, Kessler and Maiorana): the Lyndon words over the
// alphabet whose length divides n, concatenated in lexicographic order. The recursive db(t, p)
// formulation that pwntools uses emits exactly these words in this order; here it is generated
// iteratively, so an order of 8 cannot exhaust the call stack.

import type { OutputStyle } from '../output'
import { PwnError } from './error'
import { parseGdbInteger } from './gdb-integer'
import { MAX_PATTERN_BYTES } from './limits'
import { pythonBytesRepr } from './python-format'
import { findOccurrences } from './search-pattern'

export const CYCLIC_ALPHABET = 'abcdefghijklmnopqrstuvwxyz'
/** pwntools' default subsequence length (`cyclic`'s -n). pwndbg defaults to the pointer size, 8 on x86-64. */
export const DEFAULT_CYCLIC_ORDER = 4
export const MAX_CYCLIC_ORDER = 16

const SYMBOLS = CYCLIC_ALPHABET.length
const FIRST_SYMBOL = CYCLIC_ALPHABET.charCodeAt(0)

function checkOrder(order: number): void {
  if (!Number.isSafeInteger(order) || order < 1 || order > MAX_CYCLIC_ORDER) {
    throw new PwnError(`cyclic: the subsequence length must be an integer from 1 to ${MAX_CYCLIC_ORDER}, not ${order}`)
  }
}

/** k^n, or Infinity once it passes what a pattern may hold (for n = 8 it is about 2 * 10^11). */
function sequenceLength(order: number): number {
  const length = SYMBOLS ** order
  return Number.isSafeInteger(length) ? length : Infinity
}

/** The first `length` bytes of B(26, order); `length` must not exceed the sequence. */
function deBruijnPrefix(length: number, order: number): Uint8Array {
  const out = new Uint8Array(length)
  // word[1..order] is the current prenecklace; word[0] is unused so indices match the algorithm.
  const word = new Uint8Array(order + 1)
  let written = 0
  let last = 1
  for (;;) {
    if (order % last === 0) {
      for (let j = 1; j <= last && written < length; j++) out[written++] = FIRST_SYMBOL + word[j]!
      if (written === length) return out
    }
    last = order
    while (last > 0 && word[last] === SYMBOLS - 1) last--
    if (last === 0) return out
    word[last]!++
    for (let j = last + 1; j <= order; j++) word[j] = word[j - last]!
  }
}

/** pwntools' `cyclic(length, n=order)`. */
export function cyclic(length: number, order = DEFAULT_CYCLIC_ORDER): Uint8Array {
  checkOrder(order)
  if (!Number.isSafeInteger(length) || length < 0) throw new PwnError(`cyclic: the length must be a non-negative integer, not ${length}`)
  if (length > sequenceLength(order)) {
    // pwntools' own words for a pattern longer than the sequence.
    throw new PwnError(`Can't create a pattern length=${length} with len(alphabet)==${SYMBOLS} and n==${order}`)
  }
  if (length > MAX_PATTERN_BYTES) {
    throw new PwnError(`cyclic: ${length} bytes is more than the ${MAX_PATTERN_BYTES} bytes a pattern may have here`)
  }
  return deBruijnPrefix(length, order)
}

/** Each window of B(26, 4) (as a base-26 number) to its offset: the whole sequence is 456976 bytes. */
let order4Index: Int32Array | undefined

function windowKey(bytes: Uint8Array, at: number, order: number): number {
  let key = 0
  for (let j = 0; j < order; j++) key = key * SYMBOLS + (bytes[at + j]! - FIRST_SYMBOL)
  return key
}

function findInOrder4(pattern: Uint8Array): number {
  if (order4Index === undefined) {
    const sequence = deBruijnPrefix(sequenceLength(4), 4)
    order4Index = new Int32Array(sequence.length).fill(-1)
    for (let at = 0; at + 4 <= sequence.length; at++) order4Index[windowKey(sequence, at, 4)] = at
  }
  return order4Index[windowKey(pattern, 0, 4)]!
}

/** Where the search for a longer order gives up: no pattern sent from here can be longer. */
function searchedLength(order: number): number {
  return Math.min(sequenceLength(order), MAX_PATTERN_BYTES)
}

/**
 * pwntools' `cyclic_find(pattern, n=order)`: the offset of `pattern` (order bytes from the
 * alphabet) in the pattern, or -1. The windows that only exist when the sequence wraps around are
 * not in it, as with pwntools. For orders above 5 the search covers the first 16 MiB.
 */
export function cyclicFind(pattern: Uint8Array, order = DEFAULT_CYCLIC_ORDER): number {
  checkOrder(order)
  if (pattern.length !== order) throw new PwnError(`cyclic: the pattern must be ${order} bytes, not ${pattern.length}`)
  if (!pattern.every((byte) => byte >= FIRST_SYMBOL && byte < FIRST_SYMBOL + SYMBOLS)) return -1
  if (order === 4) return findInOrder4(pattern)
  const limit = searchedLength(order)
  // Patterns are usually found near the start, so the prefix grows until it holds the window.
  for (let length = Math.min(limit, 1 << 16); ; length = Math.min(limit, length * 4)) {
    const [offset] = findOccurrences([{ start: 0, bytes: deBruijnPrefix(length, order) }], pattern, { limit: 1 })
    if (offset !== undefined) return offset
    if (length === limit) return -1
  }
}

export interface CyclicLookupLine {
  text: string
  style: Extract<OutputStyle, 'plain' | 'error'>
}

export interface CyclicLookup {
  /** The order-byte window looked up, in memory order (an integer is taken little-endian). */
  pattern?: Uint8Array
  offset?: number
  /** What pwndbg's `cyclic -l` prints, line by line. */
  lines: CyclicLookupLine[]
}

/**
 * A `cyclic -l` argument as pwndbg takes it: what gdb evaluates to an integer is a value (here,
 * an integer literal), anything else stands for its own characters.
 */
export function parseCyclicLookupArgument(text: string): bigint | string {
  return parseGdbInteger(text) ?? text
}

function lookupBytes(value: bigint | string, order: number): Uint8Array {
  if (typeof value === 'string') return new TextEncoder().encode(value)
  if (value < 0n) throw new PwnError(`cyclic: ${value} is negative; a lookup value is an unsigned ${order}-byte integer`)
  if (value >> BigInt(8 * order) !== 0n) {
    throw new PwnError(`cyclic: 0x${value.toString(16)} does not fit in ${order} bytes (use \`-n <length>\` for a longer pattern)`)
  }
  const bytes = new Uint8Array(order)
  for (let j = 0; j < order; j++) bytes[j] = Number((value >> BigInt(8 * j)) & 0xffn)
  return bytes
}

/**
 * pwndbg's `cyclic -l VALUE` (`-n order`): an integer is taken as little-endian bytes, a string as
 * its UTF-8 bytes; the lines are pwndbg's, e.g.
 *   Finding cyclic pattern of 4 bytes: b'laaa' (hex: 0x6c616161)
 *   Found at offset 44
 */
export function cyclicLookup(value: bigint | string, order = DEFAULT_CYCLIC_ORDER): CyclicLookup {
  checkOrder(order)
  let pattern: Uint8Array
  try {
    pattern = lookupBytes(value, order)
  } catch (error) {
    if (!(error instanceof PwnError)) throw error
    return { lines: [{ text: error.message, style: 'error' }] }
  }
  if (pattern.length !== order) {
    return {
      lines: [{ text: `Lookup pattern must be ${order} bytes (use \`-n <length>\` to lookup pattern of different length)`, style: 'error' }],
    }
  }
  const hex = Array.from(pattern, (byte) => byte.toString(16).padStart(2, '0')).join('')
  const lines: CyclicLookupLine[] = [
    { text: `Finding cyclic pattern of ${order} bytes: ${pythonBytesRepr(pattern)} (hex: 0x${hex})`, style: 'plain' },
  ]
  if (!pattern.every((byte) => byte >= FIRST_SYMBOL && byte < FIRST_SYMBOL + SYMBOLS)) {
    lines.push({ text: 'Pattern contains characters not present in the alphabet', style: 'error' })
    return { pattern, lines }
  }
  const offset = cyclicFind(pattern, order)
  if (offset < 0) {
    const searched = searchedLength(order)
    lines.push({
      text:
        searched < sequenceLength(order)
          ? `Given lookup pattern does not exist in the first ${searched} bytes of the sequence`
          : 'Given lookup pattern does not exist in the sequence',
      style: 'error',
    })
    return { pattern, lines }
  }
  lines.push({ text: `Found at offset ${offset}`, style: 'plain' })
  return { pattern, offset, lines }
}
