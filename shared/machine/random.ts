// The one source of randomness of a simulated process: ASLR slides, the AT_RANDOM bytes (and so
// the stack canary), getrandom(). A seeded xoshiro256** generator, so the same seed gives the
// same process byte for byte. The seed is expanded with SplitMix64, as the xoshiro authors
// recommend, so nearby seeds (1, 2, 3...) still give unrelated streams.

const MASK64 = (1n << 64n) - 1n

function rotl(x: bigint, k: bigint): bigint {
  return ((x << k) | (x >> (64n - k))) & MASK64
}

function splitMix64(state: { s: bigint }): bigint {
  state.s = (state.s + 0x9e3779b97f4a7c15n) & MASK64
  let z = state.s
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64
  return z ^ (z >> 31n)
}

export class Random {
  private s0: bigint
  private s1: bigint
  private s2: bigint
  private s3: bigint

  /** seed: any safe integer (negative seeds are taken modulo 2^64). */
  constructor(seed: number) {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be a safe integer, got ${seed}`)
    const state = { s: BigInt.asUintN(64, BigInt(seed)) }
    this.s0 = splitMix64(state)
    this.s1 = splitMix64(state)
    this.s2 = splitMix64(state)
    this.s3 = splitMix64(state)
  }

  /** The next 64 random bits (the kernel's get_random_long()). */
  nextBigU64(): bigint {
    const result = (rotl((this.s1 * 5n) & MASK64, 7n) * 9n) & MASK64
    const t = (this.s1 << 17n) & MASK64
    this.s2 ^= this.s0
    this.s3 ^= this.s1
    this.s1 ^= this.s2
    this.s0 ^= this.s3
    this.s2 ^= t
    this.s3 = rotl(this.s3, 45n)
    return result
  }

  /** The next 32 random bits as an unsigned number (get_random_u32()). */
  nextU32(): number {
    return Number(this.nextBigU64() >> 32n)
  }

  /** The low `bits` bits of get_random_long() (bits <= 52 so the result is an exact number). */
  bits(bits: number): number {
    if (!Number.isInteger(bits) || bits < 0 || bits > 52) throw new RangeError(`bits must be 0..52, got ${bits}`)
    return Number(this.nextBigU64() & ((1n << BigInt(bits)) - 1n))
  }

  /** Uniform integer in [0, n) without modulo bias (get_random_u32_below()); n <= 2^32. */
  below(n: number): number {
    if (!Number.isInteger(n) || n <= 0 || n > 2 ** 32) throw new RangeError(`below() needs 1..2^32, got ${n}`)
    // Lemire's multiply-and-reject, the same method the kernel uses.
    const bound = BigInt(n)
    for (;;) {
      const product = BigInt(this.nextU32()) * bound
      const low = product & 0xffffffffn
      if (low >= (2n ** 32n) % bound) return Number(product >> 32n)
    }
  }

  /** n random bytes (get_random_bytes(), getrandom()). */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n)
    for (let i = 0; i < n; i += 8) {
      let v = this.nextBigU64()
      for (let j = i; j < Math.min(n, i + 8); j++) {
        out[j] = Number(v & 0xffn)
        v >>= 8n
      }
    }
    return out
  }

  /** The whole generator state, so a checkpoint can resume the exact stream. */
  snapshot(): readonly [bigint, bigint, bigint, bigint] {
    return [this.s0, this.s1, this.s2, this.s3]
  }

  restore(state: readonly [bigint, bigint, bigint, bigint]): void {
    ;[this.s0, this.s1, this.s2, this.s3] = state
  }
}
