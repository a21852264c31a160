import { describe, expect, test } from 'vitest'
import { cyclic, evaluatePayload, hexPreview, PayloadError } from '../../../../shared/debugger/pwn'
import { seededU32 } from '../../seeded-random'

const bytes = (...values: number[]) => Uint8Array.from(values)
const ascii = (s: string) => new TextEncoder().encode(s)
const concat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((part) => [...part]))
const le64 = (value: bigint) => Uint8Array.from({ length: 8 }, (_, i) => Number((BigInt.asUintN(64, value) >> BigInt(8 * i)) & 0xffn))

/** The error message a payload gives, or undefined when it evaluates. */
function failure(source: string): string | undefined {
  try {
    evaluatePayload(source)
    return undefined
  } catch (error) {
    expect(error).toBeInstanceOf(PayloadError)
    return (error as PayloadError).message
  }
}

describe('payload expressions', () => {
  const cases: [string, Uint8Array][] = [
    ['b"A"*72 + p64(0x401196)', concat(ascii('A'.repeat(72)), le64(0x401196n))],
    ["b'A' * 8", ascii('AAAAAAAA')],
    ['8 * b"AB"', ascii('AB'.repeat(8))],
    ['b"A"*0', bytes()],
    ['b"A"*-3', bytes()],
    ['b"\\x41\\n\\t\\r\\0\\\\\\"\\\'"', bytes(0x41, 10, 9, 13, 0, 0x5c, 0x22, 0x27)],
    ['b"\\101\\1010\\377"', bytes(0x41, 0x41, 0x30, 0xff)],
    ['"é" + "\\xff"', concat(ascii('é'), bytes(0xc3, 0xbf))],
    ['"\\u20ac"', ascii('€')],
    ['p8(255) + p16(0x1234) + p32(0xdeadbeef)', bytes(0xff, 0x34, 0x12, 0xef, 0xbe, 0xad, 0xde)],
    ['p64(0xffffffffffffffff)', le64(-1n)],
    ['p64(0x401000 + 0x196)', le64(0x401196n)],
    ['p64(0o777) + p64(0b1010) + p64(1_000)', concat(le64(0o777n), le64(10n), le64(1000n))],
    ['p64(-(-5))', le64(5n)],
    ['p32(2**31)', bytes(0, 0, 0, 0x80)],
    ['p32(-2**2 + 8)', bytes(4, 0, 0, 0)],
    ['flat(7 // 2, -7 // 2, -7 % 3 + 10)', concat(le64(3n), le64(-4n), le64(12n))],
    ['p64(1 << 40 | 0xff & 0x0f ^ 1)', le64((1n << 40n) | (0xffn & (0x0fn ^ 1n)))],
    ['p8(~0 & 0xff)', bytes(0xff)],
    ['p64(u64(b"ABCDEFGH"))', ascii('ABCDEFGH')],
    ['p32(u32(b"\\x01\\x02\\x03\\x04") + 1)', bytes(2, 2, 3, 4)],
    ['p8(u8(b"A")) + p16(u16(b"BC"))', ascii('ABC')],
    ['flat(1, b"x", [2, [b"yz"]], -1)', concat(le64(1n), ascii('x'), le64(2n), ascii('yz'), le64(-1n))],
    ['flat()', bytes()],
    ['flat([b"A"] * 3)', ascii('AAA')],
    ['cyclic(20)', ascii('aaaabaaacaaadaaaeaaa')],
    ['cyclic(16, n=8)', ascii('aaaaaaaabaaaaaaa')],
    ['b"A" * len(cyclic(44))', ascii('A'.repeat(44))],
    ['b"A" * len([1, 2, 3])', ascii('AAA')],
    ['b"AB".ljust(5, b"\\0")', bytes(0x41, 0x42, 0, 0, 0)],
    ['b"AB".rjust(4, b"-")', ascii('--AB')],
    ['b"AB".ljust(4)', ascii('AB  ')],
    ['b"ABCDEF".ljust(2)', ascii('ABCDEF')],
    ['b"A".ljust(2).rjust(3, b"z")', ascii('zA ')],
    ['(b"A" + b"B") * 2', ascii('ABAB')],
    ['  b"A"  +\tb"B"  ', ascii('AB')],
    ['b""', bytes()],
    ["B'q'", ascii('q')],
    ['cyclic(44) + p64(0x401196)', concat(cyclic(44), le64(0x401196n))],
  ]

  test.each(cases)('%s', (source, expected) => {
    expect(evaluatePayload(source)).toEqual(expected)
  })

  test('builds a 16 MiB payload quickly, and no more', () => {
    expect(evaluatePayload('b"A" * 16 * 1024 * 1024').length).toBe(16 * 1024 * 1024)
    expect(failure('b"A" * (16 * 1024 * 1024 + 1)')).toBe(
      'payload: the result would be 16777217 bytes, more than the 16777216 (16 MiB) a payload may have at column 6',
    )
  })
})

describe('payload errors', () => {
  const errors: [string, string][] = [
    ['(b"A"*72 + p64(1)', "payload: expected ')' at column 18"],
    ['p64(0x401196', "payload: expected ')' at column 13"],
    ['b"A"*10**12', 'payload: the result would be 1000000000000 bytes, more than the 16777216 (16 MiB) a payload may have at column 5'],
    ['', 'payload: expected an expression at column 1'],
    ['   ', 'payload: expected an expression at column 4'],
    ['b"A" +', 'payload: expected an expression at column 7'],
    ['b"A" b"B"', "payload: unexpected string at column 6"],
    ['b"A', 'payload: unterminated string literal at column 1'],
    ['b"é"', 'payload: bytes can only contain ASCII literal characters at column 3'],
    ['b"\\q"', 'payload: unknown escape \\q at column 3'],
    ['b"\\x4"', 'payload: truncated \\x escape: it needs 2 hex digits at column 3'],
    ['b"\\777"', 'payload: octal escape \\777 is larger than \\377 at column 3'],
    ['b"A" + 1', "payload: can't concat int to bytes at column 6"],
    ['1 + b"A"', "payload: unsupported operand type(s) for +: 'int' and 'bytes' at column 3"],
    ['b"A" * b"B"', "payload: can't multiply sequence by non-int of type 'bytes' at column 6"],
    ['-b"A"', "payload: bad operand type for unary -: 'bytes' at column 1"],
    ['p64(-1)', 'payload: p64() argument out of range: -0x1 is not in 0..0xffffffffffffffff (p64 is unsigned; flat() also packs negative numbers) at column 1'],
    ['p8(256)', 'payload: p8() argument out of range: 0x100 is not in 0..0xff (p8 is unsigned; flat() also packs negative numbers) at column 1'],
    ['p32(b"A")', "payload: p32() argument must be an int, not 'bytes' at column 5"],
    ['p64(1, 2)', 'payload: p64() takes exactly 1 argument (2 given) at column 1'],
    ['u64(b"ABC")', 'payload: u64() unpack requires a buffer of 8 bytes, not 3 at column 1'],
    ['flat(2**64)', 'payload: pack(): number does not fit within word_size: 0x10000000000000000 is not a 64-bit integer at column 1'],
    ['flat(-2**63 - 1)', 'payload: pack(): number does not fit within word_size: -0x8000000000000001 is not a 64-bit integer at column 1'],
    ['cyclic(456977)', "payload: Can't create a pattern length=456977 with len(alphabet)==26 and n==4 at column 1"],
    ['cyclic(10, 8)', 'payload: cyclic() takes the length and optionally n=... (2 positional arguments given) at column 1'],
    ['cyclic(10, alphabet=b"ab")', "payload: cyclic() got an unexpected keyword argument 'alphabet' at column 12"],
    ['system("sh")', "payload: name 'system' is not defined at column 1"],
    ['__import__("os")', "payload: name '__import__' is not defined at column 1"],
    ['p64', 'payload: p64 is a function: call it, as p64(...) at column 1'],
    ['0x401196', 'payload: the expression is an int, not bytes: pack it with p64(...) or p32(...) at column 1'],
    ['[b"A"]', 'payload: the expression is a list, not bytes: join it with flat(...) at column 1'],
    ['1 / 2', "payload: '/' gives a float in Python; use '//' for integer division at column 3"],
    ['1.5', 'payload: floats are not supported at column 2'],
    ['012', 'payload: leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers at column 1'],
    ['0x', 'payload: invalid integer literal "0x" at column 1'],
    ['1_', 'payload: invalid integer literal "1_" at column 1'],
    ['0b12', 'payload: invalid integer literal "0b12" at column 4'],
    ['b"A" * (1 // 0)', 'payload: integer division or modulo by zero at column 11'],
    ['b"A" * 2**-1', 'payload: a negative exponent gives a float; floats are not supported at column 9'],
    ['b"A" * (1 << -1)', 'payload: negative shift count at column 11'],
    ['b"A" * 10**10**10', 'payload: integer too large (more than 4096 bits) at column 10'],
    ['b"A" * (1 << 5000)', 'payload: integer too large (more than 4096 bits) at column 11'],
    ['len(5)', "payload: object of type 'int' has no len() at column 5"],
    ['b"A".upper()', "payload: 'bytes' object has no attribute 'upper' at column 6"],
    ['b"A".ljust', "payload: expected '(' after .ljust at column 11"],
    ['b"A".ljust(4, b"ab")', 'payload: ljust() argument 2 must be a byte string of length 1, not of length 2 at column 15'],
    ['b"A".ljust(10**9)', 'payload: the result would be 1000000000 bytes, more than the 16777216 (16 MiB) a payload may have at column 6'],
    ['[b"A"] * 10**7', 'payload: the list would have 10000000 items, more than the 1048576 a payload may have at column 8'],
    ['()', 'payload: empty parentheses: tuples are not supported at column 2'],
    ['b"A" $ 1', 'payload: unexpected character "$" at column 6'],
    ['p64(x=1)', "payload: p64() got an unexpected keyword argument 'x' at column 5"],
    ['cyclic(n=8, 4)', 'payload: positional argument follows keyword argument at column 13'],
  ]

  test.each(errors)('%s', (source, message) => {
    expect(failure(source)).toBe(message)
  })

  test('refuses deep nesting without overflowing the stack', () => {
    expect(failure('('.repeat(100_000) + 'b"A"' + ')'.repeat(100_000))).toMatch(/^payload: expression nested too deeply \(more than 100 levels\) at column \d+$/)
    expect(failure('-'.repeat(100_000) + '1')).toMatch(/nested too deeply/)
    expect(failure('['.repeat(100_000))).toMatch(/nested too deeply/)
    expect(failure('p64('.repeat(100_000))).toMatch(/nested too deeply/)
    expect(failure('2**'.repeat(100_000) + '1')).toMatch(/nested too deeply/)
    expect(evaluatePayload(`${'('.repeat(99)}b"A"${')'.repeat(99)}`)).toEqual(ascii('A'))
  })

  test('reads a long run of one operator without any depth', () => {
    expect(evaluatePayload(Array.from({ length: 100_000 }, () => 'b"A"').join(' + '))).toEqual(ascii('A'.repeat(100_000)))
  })
})

describe('payload fuzzing', () => {
  const PIECES = [
    'b"A"', "b'\\x00'", '"x"', '0x401196', '72', '-1', '10**12', '2**64', '0', '*', '+', '-', '**', '//', '%', '<<', '>>', '&', '|', '^', '~',
    '(', ')', '[', ']', ',', '.', '=', 'p64(', 'p8(', 'u64(', 'flat(', 'cyclic(', 'len(', '.ljust(', 'n=', 'b"', '"', '\\', 'x', '1.5', '$',
    ' ', '0b', '0o', '_', 'é', '\u0000', 'b"\\x4', 'b"\\777"', '[]', '()',
  ]

  test('random and mutated inputs either evaluate or give exactly one clear PayloadError, quickly', () => {
    const next = seededU32(20240611)
    const valid = ['b"A"*72 + p64(0x401196)', 'flat(1, [b"x", 2], b"yz")', 'cyclic(100) + p32(0xdeadbeef)', 'b"AB".ljust(16, b"\\0") * 3']
    const started = performance.now()
    let evaluated = 0
    for (let round = 0; round < 3000; round++) {
      let source: string
      if (round % 2 === 0) {
        const count = 1 + (next() % 12)
        source = Array.from({ length: count }, () => PIECES[next() % PIECES.length]!).join('')
      } else {
        const base = valid[next() % valid.length]!
        const at = next() % (base.length + 1)
        const cut = next() % 4
        source = base.slice(0, at) + PIECES[next() % PIECES.length]! + base.slice(at + cut)
      }
      try {
        const result = evaluatePayload(source)
        expect(result, source).toBeInstanceOf(Uint8Array)
        evaluated++
      } catch (error) {
        expect(error, source).toBeInstanceOf(PayloadError)
        const message = (error as PayloadError).message
        expect(message, source).toMatch(/^payload: [^\n]+ at column \d+$/)
        expect(message, source).not.toMatch(/cannot evaluate/)
        const column = (error as PayloadError).column
        expect(column, source).toBeGreaterThanOrEqual(1)
        expect(column, source).toBeLessThanOrEqual(source.length + 1)
      }
    }
    expect(evaluated).toBeGreaterThan(50)
    expect(performance.now() - started).toBeLessThan(20_000)
  })

  test('random printable strings never escape as anything but PayloadError', () => {
    const next = seededU32(7)
    for (let round = 0; round < 2000; round++) {
      const length = next() % 24
      const source = Array.from({ length }, () => String.fromCharCode(0x20 + (next() % 95))).join('')
      try {
        evaluatePayload(source)
      } catch (error) {
        expect(error, source).toBeInstanceOf(PayloadError)
        expect((error as PayloadError).message, source).not.toMatch(/cannot evaluate/)
      }
    }
  })
})

describe('hex preview', () => {
  test("prints xxd's lines", () => {
    expect(hexPreview(concat(ascii('A'.repeat(17)), ascii('B'), bytes(0, 1, 0xff)))).toEqual([
      '00000000: 4141 4141 4141 4141 4141 4141 4141 4141  AAAAAAAAAAAAAAAA',
      '00000010: 4142 0001 ff                             AB...',
    ])
    expect(hexPreview(ascii('AAA'))).toEqual(['00000000: 4141 41                                  AAA'])
    expect(hexPreview(bytes())).toEqual([])
  })

  test('stops after maxLines and says how much is left', () => {
    const lines = hexPreview(evaluatePayload('b"A"*100'), { maxLines: 2 })
    expect(lines).toHaveLength(3)
    expect(lines[2]).toBe('... 68 more bytes (100 in all)')
  })
})
