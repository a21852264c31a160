import { describe, expect, it } from 'vitest'
import { addressFromAnswer, asciiOf, clampTopRow, formatBytes, parseByte, parseGoTo, readings, rowLabel, textOf, topRowFor, TOTAL_ROWS } from '../../../renderer/src/lib/hex/rows'

describe('the row window over 2^64', () => {
  it('keeps a whole screen inside the address space', () => {
    expect(clampTopRow(-5n, 20)).toBe(0n)
    expect(clampTopRow(TOTAL_ROWS, 20)).toBe(TOTAL_ROWS - 20n)
    expect(topRowFor(0xffffffffffffffffn, 20)).toBe(TOTAL_ROWS - 20n)
  })
  it('puts a target two rows below the top', () => {
    expect(topRowFor(0x7fffffffe4f8n, 30)).toBe(0x7fffffffe4fn - 2n)
    expect(topRowFor(0x10n, 30)).toBe(0n)
  })
  it('labels rows with 16 hex digits and shows printable ASCII only', () => {
    expect(rowLabel(0x401000n)).toBe('0000000000401000')
    expect([0x41, 0x20, 0x7e, 0x7f, 0x00, 0xff].map(asciiOf).join('')).toBe('A ~...')
  })
})

describe('go to', () => {
  it('takes 0x literals as addresses and the rest as expressions', () => {
    expect(parseGoTo(' 0x7FFE0010 ')).toEqual({ kind: 'address', address: 0x7ffe0010n })
    expect(parseGoTo('&buf')).toEqual({ kind: 'expression', expression: '&buf' })
    expect(parseGoTo('4096')).toEqual({ kind: 'expression', expression: '4096' })
    expect(parseGoTo('').kind).toBe('error')
    expect(parseGoTo('0x10000000000000000')).toEqual({ kind: 'error', message: '0x10000000000000000 is beyond the 64-bit address space.' })
  })
  it("reads output/x's answers: values, functions, and says why an array is not an address", () => {
    expect(addressFromAnswer('&buf', true, '0x7ffc9b312fa0')).toEqual({ kind: 'address', address: 0x7ffc9b312fa0n })
    expect(addressFromAnswer('main', true, '{int (void)} 0x40165d <main>')).toEqual({ kind: 'address', address: 0x40165dn })
    expect(addressFromAnswer('buf', true, '{0xc0, 0x3f, 0x0 <repeats 14 times>}')).toEqual({
      kind: 'error',
      message: 'buf is not an address (it is {0xc0, 0x3f, 0x0 <repeats 14 times>}); try &buf.',
    })
    expect(addressFromAnswer('zz', false, 'No symbol "zz" in current context.\n')).toEqual({ kind: 'error', message: 'No symbol "zz" in current context.' })
  })
})

describe('copying and reading bytes', () => {
  const bytes = [0x41, 0x00, 0x27, 0x5c, 0x0a, 0xff]
  it('writes hex, a C array and a Python bytes literal as repr does', () => {
    expect(formatBytes(bytes, 'hex')).toBe('41 00 27 5c 0a ff')
    expect(formatBytes(bytes, 'c')).toBe('unsigned char bytes[6] = {\n  0x41, 0x00, 0x27, 0x5c, 0x0a, 0xff\n};')
    expect(formatBytes(bytes, 'python')).toBe("b'A\\x00\\'\\\\\\n\\xff'")
  })
  it('reads little-endian widths with their signed values', () => {
    const found = readings([0xd6, 0x11, 0x40, 0x00, 0x00, 0x00, 0x00, 0x80])
    expect(found.map((r) => r.bits)).toEqual([8, 16, 32, 64])
    expect(found[0]).toEqual({ bits: 8, unsigned: 0xd6n, signed: -42n })
    expect(found[2]!.unsigned).toBe(0x4011d6n)
    expect(found[3]!.signed).toBe(-0x7fffffffffbfee2an)
    expect(readings([1, 2, 3]).map((r) => r.bits)).toEqual([8, 16])
  })
  it('shows text up to the NUL and parses an edited byte', () => {
    expect(textOf([0x68, 0x69, 0x09, 0x00, 0x41])).toBe('hi\\x09')
    expect(parseByte('7f')).toBe(0x7f)
    expect(parseByte('0xA')).toBe(0x0a)
    expect(parseByte('zz')).toBeNull()
    expect(parseByte('100')).toBeNull()
  })
})

describe('symbols for the tooltip', () => {
  it('asks info symbol once per stop and address, and drops the section', async () => {
    const { symbolLookup } = await import('../../../renderer/src/lib/hex/symbols')
    const lines: string[] = []
    const lookUp = symbolLookup(async (line) => {
      lines.push(line)
      return line.endsWith('0x40')
        ? { ok: true, segments: [{ text: 'No symbol matches 0x40.\n', style: 'plain' }] }
        : { ok: true, segments: [{ text: 'main + 81 in section .text of /tmp/p\n', style: 'plain' }] }
    })
    await expect(lookUp(1, 0x4016aen)).resolves.toBe('main + 81')
    await expect(lookUp(1, 0x4016aen)).resolves.toBe('main + 81')
    await expect(lookUp(1, 0x40n)).resolves.toBeNull()
    await lookUp(2, 0x4016aen)
    expect(lines).toEqual(['info symbol 0x4016ae', 'info symbol 0x40', 'info symbol 0x4016ae'])
  })
})

describe('the scrollbar over the folded address space', () => {
  it('maps addresses to the track and back through the map rows', async () => {
    const { scrollScale, fractionOf, addressAtFraction } = await import('../../../renderer/src/lib/hex/scroll-scale')
    const rows = [
      { type: 'gap' as const, start: 0n, end: 0x400000n, height: 20 },
      { type: 'gap' as const, start: 0x400000n, end: 1n << 64n, height: 20 },
    ]
    const scale = scrollScale(rows)
    expect(fractionOf(scale, 0x200000n)).toBe(0.25)
    expect(fractionOf(scale, 0x400000n)).toBe(0.5)
    expect(addressAtFraction(scale, 0.25)).toBe(0x200000n)
    expect(addressAtFraction(scale, 0)).toBe(0n)
    expect(addressAtFraction(scale, 1)).toBe((1n << 64n) - 1n)
    expect(addressAtFraction(scale, 0.999) < 1n << 64n).toBe(true)
  })
})
