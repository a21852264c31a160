// Integer helpers the translated code shares: operand normalisation, 32x32 and 64x64
// multiplies without BigInt, bit counting.

/** Normalises a result to an operand size: 8/16 bits unsigned, 32 bits as int32. */
export function norm(size: number, v: number): number {
  switch (size) {
    case 8:
      return v & 0xff
    case 16:
      return v & 0xffff
    default:
      return v | 0
  }
}

/** High 32 bits of the unsigned product of two uint32 values (given as any int32/uint32). */
export function mulHighU32(a: number, b: number): number {
  const a0 = a & 0xffff
  const a1 = a >>> 16
  const b0 = b & 0xffff
  const b1 = b >>> 16
  const p00 = a0 * b0
  const p01 = a0 * b1
  const p10 = a1 * b0
  const mid = (p00 >>> 16) + (p01 & 0xffff) + (p10 & 0xffff)
  return (a1 * b1 + (p01 >>> 16) + (p10 >>> 16) + (mid >>> 16)) | 0
}

/** High 32 bits of the signed product of two int32 values. */
export function mulHighS32(a: number, b: number): number {
  let hi = mulHighU32(a, b)
  if (a < 0) hi = (hi - b) | 0
  if (b < 0) hi = (hi - a) | 0
  return hi
}

/** Unsigned 64x64 -> 128-bit product, little-endian 32-bit words in out[0..3]. */
export function mul64(out: Int32Array, aLo: number, aHi: number, bLo: number, bHi: number): void {
  // Partial products of 32-bit limbs, each split into low/high words.
  const ll = Math.imul(aLo, bLo)
  const llh = mulHighU32(aLo, bLo)
  const lh = Math.imul(aLo, bHi)
  const lhh = mulHighU32(aLo, bHi)
  const hl = Math.imul(aHi, bLo)
  const hlh = mulHighU32(aHi, bLo)
  const hh = Math.imul(aHi, bHi)
  const hhh = mulHighU32(aHi, bHi)
  out[0] = ll
  let s = (llh >>> 0) + (lh >>> 0) + (hl >>> 0)
  out[1] = s | 0
  let carry = Math.floor(s / 0x1_0000_0000)
  s = (lhh >>> 0) + (hlh >>> 0) + (hh >>> 0) + carry
  out[2] = s | 0
  carry = Math.floor(s / 0x1_0000_0000)
  out[3] = (hhh + carry) | 0
}

/** Signed 64x64 -> 128-bit product into out[0..3]. */
export function imul64(out: Int32Array, aLo: number, aHi: number, bLo: number, bHi: number): void {
  mul64(out, aLo, aHi, bLo, bHi)
  // Two's-complement correction of the high half: subtract b if a < 0, a if b < 0.
  if (aHi < 0) sub64Into(out, bLo, bHi)
  if (bHi < 0) sub64Into(out, aLo, aHi)
}

function sub64Into(out: Int32Array, lo: number, hi: number): void {
  const d = (out[2]! >>> 0) - (lo >>> 0)
  out[2] = d | 0
  out[3] = (out[3]! - hi - (d < 0 ? 1 : 0)) | 0
}

export function popcount32(v: number): number {
  v = v - ((v >>> 1) & 0x55555555)
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333)
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff
}

/** Index of the lowest set bit of a nonzero uint32. */
export function lowestBit(v: number): number {
  return 31 - Math.clz32(v & -v)
}

export function bswap32(v: number): number {
  return ((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)
}
