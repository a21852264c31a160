import { describe, expect, test } from 'vitest'
import type { StopSnapshot } from '../../../shared/debugger/snapshot'
import { alarmSummary, arrowsAt, isBelowRsp, byteLines, changeAge, corruptionNote, isAlarm, isSelected, littleEndian, offsetText, RED_ZONE_BYTES, slotValue, stackPicture, stackSpan, strayRbp } from '../../../renderer/src/lib/stack-view'

// greet("hello", 3) called from main, stopped after its prologue (gcc -O0, as the debugger labels it).
function snapshot(overrides: Partial<StopSnapshot> = {}): StopSnapshot {
  return {
    instructionCount: 1,
    phase: 'alive',
    registers: [
      { name: 'rsp', value: '0x7ffc9b312f90', changed: false, note: null },
      { name: 'rbp', value: '0x7ffc9b312fc0', changed: false, note: null },
    ],
    frames: [
      {
        level: 0,
        functionName: 'greet',
        pc: '0x40162b',
        cfa: '0x7ffc9b312fd0',
        file: '/tmp/p.c',
        line: 7,
        slots: [
          { address: '0x7ffc9b312f90', size: 4, role: 'padding', corrupted: false },
          { address: '0x7ffc9b312f94', size: 4, role: 'argument', name: 'times', corrupted: false },
          { address: '0x7ffc9b312f98', size: 8, role: 'argument', name: 'name', corrupted: false },
          { address: '0x7ffc9b312fa0', size: 16, role: 'local', name: 'buf', corrupted: false },
          { address: '0x7ffc9b312fb8', size: 8, role: 'canary', note: 'intact', corrupted: false },
          { address: '0x7ffc9b312fc0', size: 8, role: 'saved-rbp', corrupted: false },
          { address: '0x7ffc9b312fc8', size: 8, role: 'return-address', note: 'main+28', corrupted: false },
        ],
      },
      {
        level: 1,
        functionName: 'main',
        pc: '0x4016a2',
        cfa: '0x7ffc9b312ff0',
        file: null,
        line: null,
        slots: [
          { address: '0x7ffc9b312fd0', size: 16, role: 'padding', corrupted: false },
          { address: '0x7ffc9b312fe0', size: 8, role: 'saved-rbp', corrupted: false },
          { address: '0x7ffc9b312fe8', size: 8, role: 'return-address', note: '__libc_start_call_main+100', corrupted: false },
        ],
      },
    ],
    disassembly: [],
    source: null,
    regions: [
      { start: '0x400000', end: '0x401000', perms: 'r--p', name: '/tmp/p', kind: 'rodata' },
      { start: '0x401000', end: '0x479000', perms: 'r-xp', name: '/tmp/p', kind: 'code' },
      { start: '0x479000', end: '0x4a0000', perms: 'r--p', name: '/tmp/p', kind: 'rodata' },
      { start: '0x7ffc9b2f3000', end: '0x7ffc9b314000', perms: 'rw-p', name: '[stack]', kind: 'stack' },
    ],
    heap: null,
    changed: [],
    breakpoints: [],
    signal: null,
    ...overrides,
  } as StopSnapshot
}

/** Guest memory for the whole span, little-endian quadwords written where the test says. */
function memoryWith(picture: NonNullable<ReturnType<typeof stackPicture>>, writes: [bigint, number[]][]) {
  const span = stackSpan(picture)
  const bytes = new Array<number>(span.length).fill(0)
  for (const [address, data] of writes) data.forEach((byte, i) => (bytes[Number(address - span.start) + i] = byte))
  return { start: span.start, bytes, mapped: bytes.map(() => true) }
}

const le64 = (value: bigint): number[] => Array.from({ length: 8 }, (_, i) => Number((value >> BigInt(8 * i)) & 0xffn))

describe('stackPicture', () => {
  test('frames from the top of the stack down, each slot named, the red zone below rsp', () => {
    const picture = stackPicture(snapshot())!
    expect(picture.frames.map((frame) => frame.functionName)).toEqual(['greet', 'main'])
    expect(picture.frames[0]!.location).toBe('p.c:7')
    expect(picture.frames[1]!.location).toBe('0x4016a2')
    expect(picture.frames[0]!.slots.map((slot) => slot.label)).toEqual(['padding', 'times', 'name', 'buf', 'canary', 'saved rbp', 'return address'])
    expect(picture.frames[0]!.slots[1]!.detail).toBe('argument')
    expect(picture.redZoneStart).toBe(0x7ffc9b312f90n - BigInt(RED_ZONE_BYTES))
    // rbp-relative offsets as pwndbg writes them.
    expect(offsetText(picture.frames[0]!.slots[3]!.rbpOffset)).toBe('-020')
    expect(offsetText(picture.frames[0]!.slots[6]!.rbpOffset)).toBe('+008')
  })

  test('nothing to draw without a live process', () => {
    expect(stackPicture(null)).toBeNull()
    expect(stackPicture(snapshot({ phase: 'gone', frames: [], registers: [] }))).toBeNull()
  })

  test('the read covers the red zone and every frame drawn', () => {
    const picture = stackPicture(snapshot())!
    expect(stackSpan(picture)).toEqual({ start: 0x7ffc9b312f10n, length: 0x7ffc9b312ff0 - 0x7ffc9b312f10 })
  })

  test('a runaway recursion is cut short and says how many frames are left out', () => {
    const one = snapshot().frames[0]!
    const frames = Array.from({ length: 70 }, (_, level) => ({ ...one, level, cfa: `0x${(0x7ffc9b312fd0 + level * 0x40).toString(16)}` }))
    const picture = stackPicture(snapshot({ frames }))!
    expect(picture.frames).toHaveLength(64)
    expect(picture.hiddenFrames).toBe(6)
  })
})

test('frames unwound through an overwritten saved rbp are not drawn; the overwritten canary is an alarm', () => {
  const base = snapshot()
  const greet = base.frames[0]!
  const smashed = {
    ...greet,
    slots: greet.slots.map((slot) => (slot.role === 'canary' || slot.role === 'saved-rbp' ? { ...slot, corrupted: true, note: slot.role === 'canary' ? 'overwritten' : undefined } : slot)),
  }
  // The unwinder's "caller", found through 0x4141…: a padding slot of absurd size.
  const bogus = { ...base.frames[1]!, cfa: '0x4141414141414000', slots: [{ address: '0x7ffc9b312fd0', size: 4701970511562805000, role: 'padding' as const, corrupted: false }] }
  const picture = stackPicture(snapshot({ frames: [smashed, bogus] }))!
  expect(picture.frames.map((frame) => frame.functionName)).toEqual(['greet'])
  expect(picture.lostFrames).toBe(1)
  expect(picture.alarms.map((alarm) => alarmSummary(alarm))).toEqual(["greet's canary was overwritten"])
  // Even a slot of absurd size reads only what it shows.
  const value = slotValue(stackPicture(snapshot({ frames: [bogus] }))!.frames[0]!.slots[0]!, null, null, [])
  expect(value.lines).toHaveLength(8)
  expect(value.moreBytes).toBe(4701970511562805000 - 64)
})

describe('slotValue', () => {
  const picture = stackPicture(snapshot())!
  const [greet, main] = picture.frames as [(typeof picture.frames)[0], (typeof picture.frames)[0]]
  const memory = memoryWith(picture, [
    [0x7ffc9b312f94n, [3, 0, 0, 0]],
    [0x7ffc9b312f98n, le64(0x47900bn)],
    [0x7ffc9b312fa0n, [0x68, 0x65, 0x6c, 0x6c, 0x6f]],
    [0x7ffc9b312fb8n, [0x00, 0x5e, 0x2a, 0x91, 0xc4, 0x7f, 0x1b, 0x3d]],
    [0x7ffc9b312fc0n, le64(0x7ffc9b312fe0n)],
    [0x7ffc9b312fc8n, le64(0x4016a2n)],
  ])

  test('a return address reads as a quadword and where it returns to', () => {
    const value = slotValue(greet.slots[6]!, memory, snapshot(), picture.frames)
    expect(value.reading).toBe('0x00000000004016a2')
    expect(value.target).toBe('main+28')
    expect(value.targetKind).toBe('code')
  })

  test('a saved rbp names the caller whose frame it points at', () => {
    expect(slotValue(greet.slots[5]!, memory, snapshot(), picture.frames).target).toBe("main's frame")
  })

  test('a pointer argument names the kind of memory it points into, a small integer reads in decimal', () => {
    expect(slotValue(greet.slots[2]!, memory, snapshot(), picture.frames)).toMatchObject({ reading: '0x000000000047900b', target: 'read-only data', targetKind: 'rodata' })
    expect(slotValue(greet.slots[1]!, memory, snapshot(), picture.frames).reading).toBe('3')
  })

  test('an array shows its bytes and its text; a canary its bytes with the zero low byte first', () => {
    const buf = slotValue(greet.slots[3]!, memory, snapshot(), picture.frames)
    expect(buf.lines).toEqual(['68 65 6c 6c 6f 00 00 00', '00 00 00 00 00 00 00 00'])
    expect(buf.text).toBe('hello...........')
    const canary = slotValue(greet.slots[4]!, memory, snapshot(), picture.frames)
    expect(canary.lines[0]).toBe('00 5e 2a 91 c4 7f 1b 3d')
    expect(canary.reading).toBeNull()
  })

  test('bytes not read show as ?? and leave the value unknown', () => {
    const value = slotValue(main.slots[2]!, null, snapshot(), picture.frames)
    expect(value.lines).toEqual(['?? ?? ?? ?? ?? ?? ?? ??'])
    expect(value.reading).toBeNull()
  })
})

describe('marks', () => {
  const picture = stackPicture(snapshot())!
  const greet = picture.frames[0]!

  test('rsp and rbp point at the slots holding them; an rbp elsewhere is named', () => {
    expect(arrowsAt(picture, greet.slots[0]!)).toEqual(['rsp'])
    expect(arrowsAt(picture, greet.slots[5]!)).toEqual(['rbp'])
    expect(arrowsAt(picture, greet.slots[3]!)).toEqual([])
    expect(strayRbp(picture)).toBeNull()
    const early = stackPicture(snapshot({ registers: [{ name: 'rsp', value: '0x7ffc9b312f90', changed: false, note: null }, { name: 'rbp', value: '0x1', changed: false, note: null }] }))!
    expect(strayRbp(early)).toBe('0x1')
  })

  test('at a function\'s first instruction its slots lie below rsp, not reserved yet', () => {
    expect(isBelowRsp(picture, greet.slots[0]!)).toBe(false)
    const entry = stackPicture(snapshot({ registers: [{ name: 'rsp', value: '0x7ffc9b312fc8', changed: false, note: null }, { name: 'rbp', value: '0x7ffc9b312fe0', changed: false, note: null }] }))!
    expect(entry.frames[0]!.slots.map((slot) => isBelowRsp(entry, slot))).toEqual([true, true, true, true, true, true, false])
  })

  test('the youngest change over a slot, and selection overlap', () => {
    const changes = [
      { start: 0x7ffc9b312fa2n, end: 0x7ffc9b312fa4n, age: 2 },
      { start: 0x7ffc9b312fa0n, end: 0x7ffc9b312fa1n, age: 0 },
    ]
    expect(changeAge(changes, 0x7ffc9b312fa0n, 16)).toBe(0)
    expect(changeAge(changes, 0x7ffc9b312fa2n, 1)).toBe(2)
    expect(changeAge(changes, 0x7ffc9b312fb0n, 8)).toBeNull()
    expect(isSelected({ start: 0x7ffc9b312fa8n, length: 4, label: 'x' }, 0x7ffc9b312fa0n, 16)).toBe(true)
    expect(isSelected({ start: 0x7ffc9b312fb0n, length: 4, label: 'x' }, 0x7ffc9b312fa0n, 16)).toBe(false)
  })

  test('an overwritten return address or canary is an alarm in plain words; a saved rbp only a note', () => {
    const returnAddress = { ...greet.slots[6]!, corrupted: true }
    expect(isAlarm(returnAddress)).toBe(true)
    expect(corruptionNote(returnAddress, '0x4141414141414141')).toContain('ret will jump to 0x4141414141414141')
    expect(isAlarm({ ...greet.slots[4]!, corrupted: true })).toBe(true)
    const savedRbp = { ...greet.slots[5]!, corrupted: true }
    expect(isAlarm(savedRbp)).toBe(false)
    expect(corruptionNote(savedRbp, null)).toContain('does not point into the stack')
    expect(corruptionNote(greet.slots[6]!, null)).toBeNull()
  })

  test('bytes and values', () => {
    expect(byteLines([1, null, 255])).toEqual(['01 ?? ff'])
    expect(littleEndian([0xd6, 0x11, 0x40, 0, 0, 0, 0, 0])).toBe(0x4011d6n)
    expect(littleEndian([1, null])).toBeNull()
  })
})
