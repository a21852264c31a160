import { describe, expect, it } from 'vitest'
import { ByteReader, ByteWriter, DwarfError } from '../../../shared/debuginfo/bytes'

const encode = (emit: (w: ByteWriter) => void): Uint8Array => {
  const w = new ByteWriter(1)
  emit(w)
  return w.result()
}

describe('LEB128', () => {
  // The DWARF 5 standard's own examples (section 7.6, figures 22 and 23).
  it('matches the standard\'s examples', () => {
    expect([...encode((w) => w.uleb(2))]).toEqual([2])
    expect([...encode((w) => w.uleb(127))]).toEqual([127])
    expect([...encode((w) => w.uleb(128))]).toEqual([0x80, 1])
    expect([...encode((w) => w.uleb(129))]).toEqual([1 + 0x80, 1])
    expect([...encode((w) => w.uleb(12857))]).toEqual([57 + 0x80, 100])
    expect([...encode((w) => w.sleb(2))]).toEqual([2])
    expect([...encode((w) => w.sleb(-2))]).toEqual([0x7e])
    expect([...encode((w) => w.sleb(127))]).toEqual([127 + 0x80, 0])
    expect([...encode((w) => w.sleb(-127))]).toEqual([1 + 0x80, 0x7f])
    expect([...encode((w) => w.sleb(128))]).toEqual([0 + 0x80, 1])
    expect([...encode((w) => w.sleb(-128))]).toEqual([0 + 0x80, 0x7f])
    expect([...encode((w) => w.sleb(129))]).toEqual([1 + 0x80, 1])
    expect([...encode((w) => w.sleb(-129))]).toEqual([0x7f + 0x80, 0x7e])
  })

  const unsigned = [0, 1, 63, 64, 127, 128, 255, 256, 16383, 16384, 2 ** 31, 2 ** 32 + 5, 2 ** 49 - 1, 2 ** 49, Number.MAX_SAFE_INTEGER]
  const signed = [0, 1, -1, 63, 64, -64, -65, 8191, -8192, 2 ** 31, -(2 ** 31), -(2 ** 40) + 3, 2 ** 48, -(2 ** 48), Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER]

  it('round-trips numbers on both the fast and the BigInt paths', () => {
    for (const v of unsigned) {
      const bytes = encode((w) => w.uleb(v))
      expect(new ByteReader(bytes, 't').uleb(), String(v)).toBe(v)
      expect(new ByteReader(bytes, 't').ulebBig(), String(v)).toBe(BigInt(v))
      expect([...encode((w) => w.uleb(BigInt(v)))], String(v)).toEqual([...bytes])
    }
    for (const v of signed) {
      const bytes = encode((w) => w.sleb(v))
      expect(new ByteReader(bytes, 't').sleb(), String(v)).toBe(v)
      expect(new ByteReader(bytes, 't').slebBig(), String(v)).toBe(BigInt(v))
      expect([...encode((w) => w.sleb(BigInt(v)))], String(v)).toEqual([...bytes])
    }
    const max = encode((w) => w.uleb(0xffffffffffffffffn))
    expect(new ByteReader(max, 't').ulebBig()).toBe(0xffffffffffffffffn)
    expect(() => new ByteReader(max, 't').uleb('length')).toThrow(/too large/)
  })

  it('a value cut short is a DwarfError naming the section', () => {
    expect(() => new ByteReader(Uint8Array.of(0x80, 0x80), '.debug_info').uleb('attribute form')).toThrow(DwarfError)
    expect(() => new ByteReader(Uint8Array.of(0x80), '.debug_line').sleb('line advance')).toThrow(/\.debug_line: line advance at offset 0x1 runs past the end/)
  })
})

describe('strings and bounds', () => {
  it('a string without NUL inside its unit is an error even if the section has one later', () => {
    const bytes = Uint8Array.of(0x61, 0x62, 0x00)
    expect(() => new ByteReader(bytes, '.debug_info', 0, 2).cstring()).toThrow(/no terminating NUL/)
    expect(new ByteReader(bytes, '.debug_info').cstring()).toBe('ab')
  })
})
