// The generic state copier the recorder uses for the kernel: restored objects keep their
// identity, aliasing survives, callbacks and external objects are left alone.

import { describe, expect, test } from 'vitest'
import { ObjectSnapshot, SnapshotError, captureScalars, restoreScalars } from '../../../../shared/machine/recording/object-snapshot'

class Description {
  offset = 0
  constructor(public path: string) {}
}

function liveState() {
  const shared = new Description('/tmp/a')
  const external = { untouched: 1 }
  const callback = () => 'original'
  return {
    fds: [shared, undefined, shared] as (Description | undefined)[],
    byName: new Map<string, Description>([['a', shared]]),
    members: new Set<number>([1, 2]),
    data: new Uint8Array([1, 2, 3, 4, 5]),
    when: new Date(1000),
    frozen: Object.freeze({ limit: 10 }),
    external,
    callback,
    counter: 5n,
    nested: { list: [1, 2, 3], deeper: { flag: true } },
  }
}

describe('ObjectSnapshot', () => {
  test('restores every kind of value in place, keeping identities and aliasing', () => {
    const state = liveState()
    const { fds, byName, members, data, nested, external } = state
    const deeper = nested.deeper
    const snapshot = ObjectSnapshot.capture([state], (o) => o === external, null)

    fds[0]!.offset = 99
    fds[0]!.path = '/changed'
    fds[2] = new Description('/new')
    fds.push(new Description('/more'))
    byName.set('b', new Description('/b'))
    members.add(3)
    data[2] = 42
    state.when.setTime(5)
    state.counter = 6n
    nested.list.pop()
    deeper.flag = false
    external.untouched = 2
    state.callback = () => 'replaced'
    ;(state as Record<string, unknown>).added = 'new key'

    snapshot.restore()
    expect(state.fds).toBe(fds)
    expect(fds).toHaveLength(3)
    expect(fds[0]).toBe(fds[2])
    expect(fds[0]).toMatchObject({ path: '/tmp/a', offset: 0 })
    expect(fds[0]).toBeInstanceOf(Description)
    expect(byName.get('a')).toBe(fds[0])
    expect([...byName.keys()]).toEqual(['a'])
    expect([...members]).toEqual([1, 2])
    expect(state.data).toBe(data)
    expect([...data]).toEqual([1, 2, 3, 4, 5])
    expect(state.when.getTime()).toBe(1000)
    expect(state.counter).toBe(5n)
    expect(nested.list).toEqual([1, 2, 3])
    expect(nested.deeper).toBe(deeper)
    expect(deeper.flag).toBe(true)
    expect('added' in state).toBe(false)
    // External objects and callbacks are wiring, not state.
    expect(external.untouched).toBe(2)
    expect(state.callback()).toBe('replaced')
  })

  test('a snapshot restores again after later changes, and unchanged bytes are shared with the previous one', () => {
    const state = liveState()
    const first = ObjectSnapshot.capture([state], () => false, null)
    const second = ObjectSnapshot.capture([state], () => false, first)
    expect(second.ownBytes).toBeLessThan(first.ownBytes - state.data.length + 1)
    state.data[0] = 7
    const third = ObjectSnapshot.capture([state], () => false, second)
    expect(third.ownBytes).toBeGreaterThanOrEqual(second.ownBytes + state.data.length)
    first.restore()
    expect(state.data[0]).toBe(1)
    third.restore()
    expect(state.data[0]).toBe(7)
    first.restore()
    expect(state.data[0]).toBe(1)
  })

  test('views of a SharedArrayBuffer (guest memory) are never copied or written', () => {
    const guest = new Uint8Array(new SharedArrayBuffer(8))
    const state = { guest }
    const snapshot = ObjectSnapshot.capture([state], () => false, null)
    guest[0] = 9
    snapshot.restore()
    expect(guest[0]).toBe(9)
    expect(state.guest).toBe(guest)
  })

  test('state that cannot be copied is refused by name', () => {
    expect(() => ObjectSnapshot.capture([{ cache: new WeakMap() }], () => false, null)).toThrow(SnapshotError)
    expect(() => ObjectSnapshot.capture([{ cache: new WeakMap() }], () => false, null)).toThrow(/property cache: a WeakMap/)
  })

  test('scalar fields: numbers, strings, booleans and bigints only', () => {
    const cpu = { count: 3, mode: 'long', halted: false, wide: 1n, table: [1], helper: () => 0 }
    const fields = captureScalars(cpu)
    expect(fields.map(([key]) => key)).toEqual(['count', 'mode', 'halted', 'wide'])
    cpu.count = 4
    cpu.halted = true
    restoreScalars(cpu, fields)
    expect(cpu).toMatchObject({ count: 3, halted: false })
  })
})
