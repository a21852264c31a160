// pwntools' integer packing with its default context for x86-64 (little-endian, unsigned):
// p8..p64 take 0 <= n < 2**bits, as Python's struct does for them; flat() packs through pack(),
// which also takes a negative n that fits the signed range.

import { PwnError } from './error'
import { pythonHex } from './python-format'

export type PackWidth = 8 | 16 | 32 | 64

function littleEndian(value: bigint, width: PackWidth): Uint8Array {
  const bytes = new Uint8Array(width / 8)
  const unsigned = BigInt.asUintN(width, value)
  for (let i = 0; i < bytes.length; i++) bytes[i] = Number((unsigned >> BigInt(8 * i)) & 0xffn)
  return bytes
}

/** pwntools' `p8`/`p16`/`p32`/`p64`. */
export function packUnsigned(value: bigint, width: PackWidth): Uint8Array {
  if (value < 0n || value >> BigInt(width) !== 0n) {
    throw new PwnError(`p${width}() argument out of range: ${pythonHex(value)} is not in 0..${pythonHex((1n << BigInt(width)) - 1n)} (p${width} is unsigned; flat() also packs negative numbers)`)
  }
  return littleEndian(value, width)
}

/** pwntools' `pack(n, width)` with the sign left to the number, as flat() packs integers. */
export function packEitherSign(value: bigint, width: PackWidth): Uint8Array {
  const fits = value < 0n ? value >= -(1n << BigInt(width - 1)) : value >> BigInt(width) === 0n
  if (!fits) throw new PwnError(`pack(): number does not fit within word_size: ${pythonHex(value)} is not a ${width}-bit integer`)
  return littleEndian(value, width)
}

/** pwntools' `u8`/`u16`/`u32`/`u64`: exactly width/8 bytes, unsigned. */
export function unpackUnsigned(bytes: Uint8Array, width: PackWidth): bigint {
  if (bytes.length !== width / 8) throw new PwnError(`u${width}() unpack requires a buffer of ${width / 8} bytes, not ${bytes.length}`)
  let value = 0n
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!)
  return value
}
