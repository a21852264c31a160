// pwndbg's `distance`: how far apart two addresses are, in bytes and in 8-byte words.

import { floorDivide, pythonHex } from './python-format'

const POINTER_MASK = (1n << 64n) - 1n
const WORD_BYTES = 8n

/**
 * `distance A B`: pwndbg masks both to 64 bits and prints, with Python's `%#x` and a floor
 * division for the words (so a negative distance reads -0x11 bytes (-0x3 words)),
 *   0x7ffe3b6a1e30->0x7ffe3b6a1e78 is 0x48 bytes (0x9 words)
 */
export function distanceText(from: bigint, to: bigint): string {
  const a = from & POINTER_MASK
  const b = to & POINTER_MASK
  return rangeText(a, b)
}

/** `distance A` with A inside a mapping starting at `regionStart`: the offset from that page base. */
export function distanceFromRegionText(regionStart: bigint, address: bigint): string {
  return rangeText(regionStart, address)
}

/** `distance A` with A in no mapping. */
export function unmappedDistanceText(address: bigint): string {
  return `${pythonHex(address)} does not belong to a mapped page in memory`
}

function rangeText(a: bigint, b: bigint): string {
  const bytes = b - a
  return `${pythonHex(a)}->${pythonHex(b)} is ${pythonHex(bytes)} bytes (${pythonHex(floorDivide(bytes, WORD_BYTES))} words)`
}
