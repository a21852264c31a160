import { describe, expect, test } from 'vitest'
import { distanceFromRegionText, distanceText, unmappedDistanceText } from '../../../../shared/debugger/pwn'

describe('distance', () => {
  test("prints pwndbg's line", () => {
    expect(distanceText(0x7ffe3b6a1e30n, 0x7ffe3b6a1e78n)).toBe('0x7ffe3b6a1e30->0x7ffe3b6a1e78 is 0x48 bytes (0x9 words)')
    // pwndbg's own test: distance $rsp $rsp+0x10
    expect(distanceText(0x7fffffffe000n, 0x7fffffffe010n)).toBe('0x7fffffffe000->0x7fffffffe010 is 0x10 bytes (0x2 words)')
  })

  test("a backwards distance is negative, its words rounded down as Python's //", () => {
    expect(distanceText(0x1011n, 0x1000n)).toBe('0x1011->0x1000 is -0x11 bytes (-0x3 words)')
    expect(distanceText(0x1000n, 0x1000n)).toBe('0x1000->0x1000 is 0x0 bytes (0x0 words)')
  })

  test('addresses are masked to 64 bits first', () => {
    expect(distanceText(-1n, 0n)).toBe('0xffffffffffffffff->0x0 is -0xffffffffffffffff bytes (-0x2000000000000000 words)')
  })

  test('one address: from the base of its mapping, or not mapped', () => {
    expect(distanceFromRegionText(0x401000n, 0x401196n)).toBe('0x401000->0x401196 is 0x196 bytes (0x32 words)')
    expect(unmappedDistanceText(0x1234n)).toBe('0x1234 does not belong to a mapped page in memory')
  })
})
