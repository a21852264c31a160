import { expect, test } from 'vitest'
import type { StopSnapshot } from '../../../shared/debugger/snapshot'
import { decodeFlags, parseVectorRegisters, registerViews } from '../../../renderer/src/lib/registers-view'

const snapshot = {
  registers: [
    { name: 'rax', value: '0x7ffc9b312fa0', changed: true, note: null },
    { name: 'rcx', value: '0x4a4108', changed: false, note: '__exit_funcs' },
    { name: 'rsi', value: '0x3', changed: false, note: null },
    { name: 'eflags', value: '0x401000', changed: false, note: null },
  ],
  regions: [
    { start: '0x401000', end: '0x479000', perms: 'r-xp', name: '/tmp/p', kind: 'code' },
    { start: '0x4a4000', end: '0x4a6000', perms: 'rw-p', name: '/tmp/p', kind: 'data' },
    { start: '0x7ffc9b2f3000', end: '0x7ffc9b314000', perms: 'rw-p', name: '[stack]', kind: 'stack' },
  ],
} as unknown as StopSnapshot

test('a register pointing into memory is a pointer with its region or the symbol the debugger found', () => {
  const [rax, rcx, rsi, eflags] = registerViews(snapshot)
  expect(rax).toMatchObject({ changed: true, pointer: 0x7ffc9b312fa0n, kind: 'stack', annotation: '[stack]' })
  expect(rcx).toMatchObject({ pointer: 0x4a4108n, kind: 'data', annotation: '__exit_funcs' })
  expect(rsi).toMatchObject({ pointer: null, kind: null, annotation: null })
  // eflags is never read as an address, even when its value happens to be one.
  expect(eflags!.pointer).toBeNull()
})

test('eflags decodes into gdb\'s flag names', () => {
  const set = decodeFlags(0x246n).filter((flag) => flag.set).map((flag) => flag.name)
  expect(set).toEqual(['PF', 'ZF', 'IF'])
  expect(decodeFlags(0x801n).filter((flag) => flag.set).map((flag) => flag.name)).toEqual(['CF', 'OF'])
})

test('xmm registers parse from info all-registers', () => {
  const text = [
    'xmm0           {v8_bfloat16 = {0xffff, 0x0}, v4_float = {0xffffffff, 0xffffffff, 0x0, 0x0}, v2_double = {0xffffffffffffffff, 0x0}, v4_int32 = {0xffffffff, 0xffffffff, 0x0, 0x0}, v2_int64 = {0xffffffffffffffff, 0x0}, uint128 = 0xffffffffffffffff}',
    'xmm1           {v4_int32 = {0xff, 0xff, 0x0, 0xff00}, v2_int64 = {0xff000000ff, 0xff0000000000}, uint128 = 0xff0000000000000000ff000000ff}',
    'mxcsr          0x1f80              [ IM DM ZM OM UM PM ]',
  ].join('\n')
  const vectors = parseVectorRegisters(text)
  expect(vectors.map((vector) => vector.name)).toEqual(['xmm0', 'xmm1'])
  expect(vectors[0]!.words).toEqual(['00000000', '00000000', 'ffffffff', 'ffffffff'])
  expect(vectors[1]!.words).toEqual(['0000ff00', '00000000', '000000ff', '000000ff'])
  expect(vectors[1]!.lanes).toBe('v4_int32 = {0xff, 0xff, 0x0, 0xff00}, v2_int64 = {0xff000000ff, 0xff0000000000}')
})

test('a pointer into the executable\'s read-only data is named by its kind, not its path', () => {
  const views = registerViews({ ...snapshot, registers: [{ name: 'rsi', value: '0x479018', changed: false, note: null }], regions: [{ start: '0x479000', end: '0x4a0000', perms: 'r--p', name: '/tmp/p', kind: 'rodata' }] } as unknown as StopSnapshot)
  expect(views[0]!.annotation).toBe('read-only data')
})
