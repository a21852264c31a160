import { describe, expect, it } from 'vitest'
import type { StopSnapshot } from '../../../shared/debugger/snapshot'
import { byteSpans, changeAgeAt, spanAt } from '../../../renderer/src/lib/hex/byte-roles'

const snapshot = {
  frames: [
    {
      level: 0,
      functionName: 'f',
      pc: '0x40162b',
      cfa: '0x7ffc9b312fd0',
      file: null,
      line: null,
      slots: [
        { address: '0x7ffc9b312fa0', size: 16, role: 'local', name: 'buf', corrupted: false },
        { address: '0x7ffc9b312fc0', size: 8, role: 'saved-rbp', corrupted: false },
        { address: '0x7ffc9b312fc8', size: 8, role: 'return-address', note: 'main+81', corrupted: true },
      ],
    },
  ],
  heap: {
    chunks: [
      { address: '0x4052a0', size: 48, state: 'free', bins: ['tcachebins 0x30'], flags: 'P', note: null },
      { address: '0x4052d0', size: 48, state: 'allocated', bins: [], flags: 'P', note: null },
      { address: '0x405300', size: 64, state: 'free', bins: ['unsortedbin all'], flags: 'P', note: null },
      { address: '0x405340', size: 0x20cc0, state: 'top', bins: [], flags: 'P', note: null },
    ],
    problems: [],
  },
} as unknown as StopSnapshot

describe('byte roles from the snapshot', () => {
  const spans = byteSpans(snapshot)
  it('labels frame slots with their function, name and note', () => {
    expect(spanAt(spans, 0x7ffc9b312fa5n)).toMatchObject({ role: 'local', name: 'buf', label: 'local variable buf in f' })
    expect(spanAt(spans, 0x7ffc9b312fcfn)).toMatchObject({ role: 'return-address', label: 'return address → main+81 in f — overwritten', corrupted: true })
    expect(spanAt(spans, 0x7ffc9b312fb0n)).toBeNull()
  })
  it('splits chunks into prev_size, size, the free lists links and user data', () => {
    expect(spanAt(spans, 0x4052a0n)).toMatchObject({ role: 'chunk-header', label: 'prev_size of free chunk 0x4052a0' })
    expect(spanAt(spans, 0x4052a8n)).toMatchObject({ role: 'chunk-header', label: 'size of free chunk 0x4052a0: 0x30 | P' })
    expect(spanAt(spans, 0x4052b0n)).toMatchObject({ role: 'free-pointer', label: 'next (tcache) of free chunk 0x4052a0 in tcachebins 0x30' })
    expect(spanAt(spans, 0x4052b8n)?.label).toBe('key (tcache) of free chunk 0x4052a0 in tcachebins 0x30')
    expect(spanAt(spans, 0x4052c0n)).toBeNull()
    expect(spanAt(spans, 0x4052e0n)).toMatchObject({ role: 'user-data', label: 'user data of allocated chunk 0x4052d0' })
    expect(spanAt(spans, 0x405318n)?.label).toBe('bk of free chunk 0x405300 in unsortedbin all')
    expect(spanAt(spans, 0x405348n)?.label).toBe('size of the top chunk: 0x20cc0 | P')
    expect(spanAt(spans, 0x405350n)).toBeNull()
  })
  it('finds the youngest change over a byte', () => {
    const changes = [
      { start: 0x10n, end: 0x18n, age: 2 },
      { start: 0x14n, end: 0x15n, age: 0 },
    ]
    expect(changeAgeAt(changes, 0x14n)).toBe(0)
    expect(changeAgeAt(changes, 0x12n)).toBe(2)
    expect(changeAgeAt(changes, 0x18n)).toBeNull()
  })
})
