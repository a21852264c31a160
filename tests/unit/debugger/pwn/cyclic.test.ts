import { describe, expect, test } from 'vitest'
import { cyclic, cyclicFind, cyclicLookup, parseCyclicLookupArgument, PwnError } from '../../../../shared/debugger/pwn'

const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes)
const ascii = (s: string) => new TextEncoder().encode(s)

/** The textbook recursive de Bruijn generator db(t, p), stopped after `length` symbols: the oracle. */
function recursiveDeBruijn(alphabet: string, order: number, length: number): string {
  const a = new Array<number>(order + 1).fill(0)
  let out = ''
  const db = (t: number, p: number): void => {
    if (out.length >= length) return
    if (t > order) {
      if (order % p === 0) for (let j = 1; j <= p; j++) out += alphabet[a[j]!]
      return
    }
    a[t] = a[t - p]!
    db(t + 1, p)
    for (let j = a[t - p]! + 1; j < alphabet.length; j++) {
      a[t] = j
      db(t + 1, t)
    }
  }
  db(1, 1)
  return out.slice(0, length)
}

const LOWER = 'abcdefghijklmnopqrstuvwxyz'

describe('cyclic', () => {
  test("starts as pwntools' pattern", () => {
    expect(text(cyclic(100))).toBe(
      'aaaabaaacaaadaaaeaaafaaagaaahaaaiaaajaaakaaalaaamaaanaaaoaaapaaaqaaaraaasaaataaauaaavaaawaaaxaaayaaa',
    )
    expect(text(cyclic(40, 8))).toBe('aaaaaaaabaaaaaaacaaaaaaadaaaaaaaeaaaaaaa')
  })

  test('is the recursive db(t, p) sequence, whole for n = 4 and a long prefix for n = 8', () => {
    expect(text(cyclic(26 ** 4))).toBe(recursiveDeBruijn(LOWER, 4, 26 ** 4))
    expect(text(cyclic(300_000, 8))).toBe(recursiveDeBruijn(LOWER, 8, 300_000))
    expect(text(cyclic(26 ** 3, 3))).toBe(recursiveDeBruijn(LOWER, 3, 26 ** 3))
  })

  test('every window of the n = 4 sequence occurs once', () => {
    const sequence = text(cyclic(26 ** 4))
    const seen = new Set<string>()
    for (let i = 0; i + 4 <= sequence.length; i++) seen.add(sequence.slice(i, i + 4))
    expect(seen.size).toBe(26 ** 4 - 3)
    // The last Lyndon words are yzzz and z: the sequence ends in zzzz, and the windows that
    // would wrap around to its start (zzza, zzaa, zaaa) are not in it.
    expect(sequence.slice(-5)).toBe('yzzzz')
  })

  test("refuses what pwntools refuses, with pwntools' words", () => {
    expect(() => cyclic(26 ** 4 + 1)).toThrow("Can't create a pattern length=456977 with len(alphabet)==26 and n==4")
    expect(() => cyclic(-1)).toThrow(PwnError)
    expect(() => cyclic(10, 0)).toThrow(PwnError)
    expect(() => cyclic(17 * 1024 * 1024, 8)).toThrow(/16777216 bytes/)
  })
})

describe('cyclic_find', () => {
  test('finds windows by their bytes', () => {
    expect(cyclicFind(ascii('laaa'))).toBe(44)
    expect(cyclicFind(ascii('aaaa'))).toBe(0)
    expect(cyclicFind(ascii('aaafaaaa'), 8)).toBe(37)
  })

  test('finds the windows near the end, and not those that only exist when wrapping around', () => {
    const sequence = cyclic(26 ** 4)
    for (const offset of [26 ** 4 - 4, 26 ** 4 - 5, 26 ** 4 - 100, 400_000]) {
      expect(cyclicFind(sequence.slice(offset, offset + 4))).toBe(offset)
    }
    for (const wrapped of ['zzza', 'zzaa', 'zaaa']) expect(cyclicFind(ascii(wrapped))).toBe(-1)
  })

  test('agrees with a scan of the pattern for many windows, n = 4 and n = 8', () => {
    for (const order of [4, 8]) {
      const sequence = cyclic(20_000, order)
      for (let offset = 0; offset + order <= sequence.length; offset += 997) {
        expect(cyclicFind(sequence.slice(offset, offset + order), order)).toBe(offset)
      }
    }
  })

  test('finds an n = 8 window deep in the sequence', () => {
    const deep = 5_000_000
    const window = cyclic(deep + 8, 8).slice(deep)
    expect(cyclicFind(window, 8)).toBe(deep)
  })

  test('does not find bytes outside the alphabet', () => {
    expect(cyclicFind(ascii('AAAA'))).toBe(-1)
  })
})

describe('cyclic -l', () => {
  const lines = (value: bigint | string, order?: number) => cyclicLookup(value, order).lines.map((line) => line.text).join('\n')

  test("prints pwndbg's lines for an integer, little-endian", () => {
    expect(lines(0x6161616cn)).toBe("Finding cyclic pattern of 4 bytes: b'laaa' (hex: 0x6c616161)\nFound at offset 44")
    expect(cyclicLookup(0x6161616cn).offset).toBe(44)
  })

  test("matches pwndbg's own tests for -n 8", () => {
    expect(lines(0x6161616166616161n, 8)).toBe("Finding cyclic pattern of 8 bytes: b'aaafaaaa' (hex: 0x6161616661616161)\nFound at offset 37")
    expect(lines(parseCyclicLookupArgument('0x6161616167616161'), 8)).toBe(
      "Finding cyclic pattern of 8 bytes: b'aaagaaaa' (hex: 0x6161616761616161)\nFound at offset 45",
    )
    expect(lines(0x6161616161616167n, 8)).toBe("Finding cyclic pattern of 8 bytes: b'gaaaaaaa' (hex: 0x6761616161616161)\nFound at offset 48")
  })

  test("reports a value outside the alphabet and a string of the wrong length as pwndbg's tests expect", () => {
    const outside = cyclicLookup(parseCyclicLookupArgument('1234'))
    expect(outside.lines.map((line) => line.text).join('\n')).toBe(
      "Finding cyclic pattern of 4 bytes: b'\\xd2\\x04\\x00\\x00' (hex: 0xd2040000)\nPattern contains characters not present in the alphabet",
    )
    expect(outside.lines[1]!.style).toBe('error')
    expect(lines(parseCyclicLookupArgument('qwerty'))).toBe(
      'Lookup pattern must be 4 bytes (use `-n <length>` to lookup pattern of different length)',
    )
  })

  test('takes a string of n characters', () => {
    expect(lines('laaa')).toBe("Finding cyclic pattern of 4 bytes: b'laaa' (hex: 0x6c616161)\nFound at offset 44")
    expect(lines('zzza')).toBe("Finding cyclic pattern of 4 bytes: b'zzza' (hex: 0x7a7a7a61)\nGiven lookup pattern does not exist in the sequence")
  })

  test('says an n = 8 search gave up after 16 MiB, and refuses values that do not fit', () => {
    expect(lines('zzzzzzzz', 8)).toMatch(/does not exist in the first 16777216 bytes of the sequence$/)
    expect(lines(0x1_0000_0000n)).toMatch(/does not fit in 4 bytes/)
    expect(lines(-1n)).toMatch(/negative/)
    expect(cyclicLookup(-1n).lines[0]!.style).toBe('error')
  })

  test('reads gdb integer literals and leaves anything else as characters', () => {
    expect(parseCyclicLookupArgument('0x6161616c')).toBe(0x6161616cn)
    expect(parseCyclicLookupArgument('1633771884')).toBe(1633771884n)
    expect(parseCyclicLookupArgument('010')).toBe(8n)
    expect(parseCyclicLookupArgument('laaa')).toBe('laaa')
  })
})
