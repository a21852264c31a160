import { describe, expect, test } from 'vitest'
import { findOccurrences, searchPattern, type MemoryRegion, type SearchOptions, PwnError } from '../../../../shared/debugger/pwn'
import { seededU32 } from '../../seeded-random'

const ascii = (s: string) => new TextEncoder().encode(s)

describe('search patterns', () => {
  test('integers are packed little-endian at the width of their type', () => {
    expect(searchPattern('qword', '0x401196')).toEqual({
      bytes: Uint8Array.of(0x96, 0x11, 0x40, 0, 0, 0, 0, 0),
      heading: "Searching for an 8-byte integer: b'\\x96\\x11@\\x00\\x00\\x00\\x00\\x00'",
    })
    expect(searchPattern('pointer', 0x7ffe0010n).heading).toBe("Searching for a pointer-width integer: b'\\x10\\x00\\xfe\\x7f\\x00\\x00\\x00\\x00'")
    expect(searchPattern('dword', '0xdeadbeef').heading).toBe("Searching for a 4-byte integer: b'\\xef\\xbe\\xad\\xde'")
    expect(searchPattern('word', '0x4141').heading).toBe("Searching for a 2-byte integer: b'AA'")
    expect(searchPattern('short', '65').bytes).toEqual(Uint8Array.of(65, 0))
    expect(searchPattern('byte', '0x41').heading).toBe("Searching for byte: b'A'")
    expect(searchPattern('qword', '-1').bytes).toEqual(new Uint8Array(8).fill(0xff))
  })

  test("refuses what does not fit with Python's struct messages, as pwndbg prints them", () => {
    expect(() => searchPattern('byte', '256')).toThrow('invalid input for type byte: ubyte format requires 0 <= number <= 255')
    expect(() => searchPattern('word', '0x10000')).toThrow('invalid input for type word: ushort format requires 0 <= number <= 65535')
    expect(() => searchPattern('dword', '-1')).toThrow("invalid input for type dword: 'L' format requires 0 <= number <= 4294967295")
    expect(() => searchPattern('qword', 'main')).toThrow(PwnError)
  })

  test('strings end with their NUL; bytes are UTF-8; -x decodes hex', () => {
    expect(searchPattern('string', '/bin/sh')).toEqual({ bytes: ascii('/bin/sh\0'), heading: "Searching for string: b'/bin/sh\\x00'" })
    expect(searchPattern('bytes', 'é').bytes).toEqual(Uint8Array.of(0xc3, 0xa9))
    expect(searchPattern('bytes', "it's").heading).toBe('Searching for byte: b"it\'s"')
    expect(searchPattern('bytes', 'deadbeef', { hex: true }).bytes).toEqual(Uint8Array.of(0xde, 0xad, 0xbe, 0xef))
    expect(searchPattern('string', '4141', { hex: true }).bytes).toEqual(ascii('AA\0'))
    expect(() => searchPattern('bytes', 'abc', { hex: true })).toThrow("invalid input for type hex: decoding with 'hex' codec failed (Error: Odd-length string)")
    expect(() => searchPattern('bytes', 'zz', { hex: true })).toThrow('Non-hexadecimal digit found')
    expect(() => searchPattern('qword', '41', { hex: true })).toThrow(PwnError)
  })
})

/** pwndbg's loop, literally: search from `start`, skip unaligned hits, resume past each hit. */
function reference(regions: readonly MemoryRegion[], pattern: Uint8Array, options: SearchOptions = {}): number[] {
  const hits: number[] = []
  const align = options.aligned ?? 1
  const limit = options.limit ?? Infinity
  const matchesAt = (bytes: Uint8Array, at: number) => pattern.every((byte, i) => bytes[at + i] === byte)
  for (const region of regions) {
    let start = region.start
    const end = region.start + region.bytes.length
    while (hits.length < limit) {
      let found = -1
      for (let address = start; address + pattern.length <= end; address++) {
        if (matchesAt(region.bytes, address - region.start)) {
          found = address
          break
        }
      }
      if (found < 0) break
      if (found % align !== 0) {
        start = Math.ceil(found / align) * align
        continue
      }
      hits.push(found)
      if (options.step !== undefined) start = found - (found % options.step) + options.step
      else start = align > 1 ? Math.ceil((found + pattern.length) / align) * align : found + pattern.length
    }
  }
  return hits
}

describe('findOccurrences', () => {
  test('finds hits in each region, never across two, and never overlapping', () => {
    const regions = [
      { start: 0x1000, bytes: ascii('AAAAxAA') },
      { start: 0x2000, bytes: ascii('Axxx') },
    ]
    expect(findOccurrences(regions, ascii('AA'))).toEqual([0x1000, 0x1002, 0x1005])
    expect(findOccurrences(regions, ascii('A'), { limit: 2 })).toEqual([0x1000, 0x1001])
    expect(findOccurrences(regions, ascii('AAx'))).toEqual([0x1002])
    expect(findOccurrences(regions, new Uint8Array())).toEqual([])
  })

  test('-a keeps aligned hits, -s steps to the next multiple', () => {
    const regions = [{ start: 0x400000, bytes: ascii('xAAAAAAAAAAAAAAAAAAAAAAA') }]
    expect(findOccurrences(regions, ascii('AA'), { aligned: 8 })).toEqual([0x400008, 0x400010])
    expect(findOccurrences(regions, ascii('A'), { step: 0x10 })).toEqual([0x400001, 0x400010])
    expect(() => findOccurrences(regions, ascii('A'), { aligned: 3 })).toThrow(PwnError)
  })

  test("agrees with pwndbg's loop on random regions", () => {
    const next = seededU32(99)
    for (let round = 0; round < 400; round++) {
      const regions = Array.from({ length: 1 + (next() % 3) }, (_, i) => ({
        start: 0x10000 * (i + 1) + (next() % 16),
        bytes: Uint8Array.from({ length: next() % 200 }, () => 0x41 + (next() % 2)),
      }))
      const pattern = Uint8Array.from({ length: 1 + (next() % 4) }, () => 0x41 + (next() % 2))
      const choice = next() % 4
      const options: SearchOptions =
        choice === 0 ? {} : choice === 1 ? { aligned: 1 << (next() % 4) } : choice === 2 ? { step: 1 << (next() % 5) } : { limit: next() % 5 }
      expect(findOccurrences(regions, pattern, options), JSON.stringify({ round, options })).toEqual(reference(regions, pattern, options))
    }
  })

  test('stays linear on the inputs that make naive search quadratic', () => {
    const size = 16 * 1024 * 1024
    const region = { start: 0x7f0000000000, bytes: new Uint8Array(size).fill(0x41) }
    const pattern = new Uint8Array(4096).fill(0x41)
    pattern[pattern.length - 1] = 0x42
    const started = performance.now()
    expect(findOccurrences([region], pattern)).toEqual([])
    expect(findOccurrences([region], new Uint8Array(4096).fill(0x41), { aligned: 2 })).toHaveLength(size / 4096)
    expect(performance.now() - started).toBeLessThan(5000)
  })
})
