// A copy of a graph of plain state objects (the kernel's file table, VFS, signal state, address
// space, random generator...) that can be written back into the very same objects later, so
// that everything holding a reference to them (the Machine, closures, the CPU's host pointer)
// sees the restored state. Capturing is generic on purpose: state another part of the machine
// adds later is captured without the recorder having to know about it.
//
// What is copied: arrays, Maps, Sets, typed arrays and DataViews (their bytes), Dates, and
// objects of any class (their own enumerable properties). What is kept by reference, never
// copied or written back: functions, frozen objects, views of a SharedArrayBuffer (guest
// memory), and the objects the caller names external (the CPU, guest memory). When restoring,
// a property that holds a function now keeps it: callbacks are wiring, not state.

type Kind = 'object' | 'array' | 'map' | 'set' | 'bytes' | 'buffer' | 'date'

/** The captured form of one live object. */
class Node {
  constructor(
    readonly origin: object,
    readonly kind: Kind,
    /** object: property names; unused otherwise. */
    readonly keys: string[] | null,
    /** object/array/set: values; map: keys and values alternating; bytes/buffer/date: unused. */
    readonly values: unknown[] | null,
    /** bytes/buffer: the copied contents; date: the time value in [0]. */
    readonly data: Uint8Array | number | null,
  ) {}
}

export class SnapshotError extends Error {}

/** Rough bytes one captured object costs beyond its contents (node, arrays, property slots). */
const NODE_OVERHEAD_BYTES = 64
const SLOT_BYTES = 8

function bytesOf(view: ArrayBufferView): Uint8Array {
  return new Uint8Array(view.buffer, view.byteOffset, view.byteLength)
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  if (a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0) {
    const words = a.length >>> 2
    const a32 = new Int32Array(a.buffer, a.byteOffset, words)
    const b32 = new Int32Array(b.buffer, b.byteOffset, words)
    for (let i = 0; i < words; i++) if (a32[i] !== b32[i]) return false
    for (let i = words * 4; i < a.length; i++) if (a[i] !== b[i]) return false
    return true
  }
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

export class ObjectSnapshot {
  private constructor(
    private readonly nodes: Node[],
    /** Copies of byte contents by the live view they came from, for the next capture to share. */
    private readonly byteCopies: Map<object, Uint8Array>,
    /** Bytes this snapshot holds that it does not share with the snapshot it was captured against. */
    readonly ownBytes: number,
  ) {}

  /**
   * Copies everything reachable from `roots`. Byte contents equal to those `previous` copied
   * from the same live view are shared with it (a program image is then stored once).
   */
  static capture(roots: readonly object[], isExternal: (value: object) => boolean, previous: ObjectSnapshot | null): ObjectSnapshot {
    const nodes: Node[] = []
    const byteCopies = new Map<object, Uint8Array>()
    const seen = new Map<object, Node>()
    let ownBytes = 0
    const pending: Node[] = []

    /** `where` names the property holding value, for the error message only. */
    const convert = (value: unknown, where: string | number): unknown => {
      if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return value
      if (typeof value === 'function') return value
      const object = value as object
      const known = seen.get(object)
      if (known !== undefined) return known
      if (isExternal(object) || Object.isFrozen(object)) return object
      let node: Node
      if (ArrayBuffer.isView(object)) {
        if (object.buffer instanceof SharedArrayBuffer) return object
        const live = bytesOf(object)
        const earlier = previous?.byteCopies.get(object)
        let copy: Uint8Array
        if (earlier !== undefined && sameBytes(live, earlier)) {
          copy = earlier
        } else {
          copy = live.slice()
          ownBytes += copy.byteLength
        }
        byteCopies.set(object, copy)
        node = new Node(object, 'bytes', null, null, copy)
      } else if (object instanceof ArrayBuffer) {
        const copy = new Uint8Array(object.slice(0))
        ownBytes += copy.byteLength
        node = new Node(object, 'buffer', null, null, copy)
      } else if (object instanceof SharedArrayBuffer) {
        return object
      } else if (object instanceof Date) {
        node = new Node(object, 'date', null, null, object.getTime())
      } else if (Array.isArray(object)) {
        node = new Node(object, 'array', null, [], null)
      } else if (object instanceof Map) {
        node = new Node(object, 'map', null, [], null)
      } else if (object instanceof Set) {
        node = new Node(object, 'set', null, [], null)
      } else if (object instanceof WeakMap || object instanceof WeakSet || object instanceof Promise || object instanceof WeakRef) {
        throw new SnapshotError(`cannot record the property ${String(where)}: a ${object.constructor.name} cannot be copied`)
      } else {
        node = new Node(object, 'object', [], [], null)
      }
      seen.set(object, node)
      nodes.push(node)
      ownBytes += NODE_OVERHEAD_BYTES
      if (node.values !== null) pending.push(node)
      return node
    }

    for (const root of roots) convert(root, 'root')
    while (pending.length > 0) {
      const node = pending.pop()!
      const values = node.values!
      const origin = node.origin
      if (node.kind === 'array') {
        const array = origin as unknown[]
        for (let i = 0; i < array.length; i++) values.push(convert(array[i], i))
      } else if (node.kind === 'map') {
        for (const [key, value] of origin as Map<unknown, unknown>) {
          values.push(convert(key, 'a Map key'), convert(value, 'a Map value'))
        }
      } else if (node.kind === 'set') {
        for (const value of origin as Set<unknown>) values.push(convert(value, 'a Set member'))
      } else {
        const record = origin as Record<string, unknown>
        for (const key of Object.keys(record)) {
          node.keys!.push(key)
          values.push(convert(record[key], key))
        }
      }
      ownBytes += values.length * SLOT_BYTES
    }
    return new ObjectSnapshot(nodes, byteCopies, ownBytes)
  }

  /** Writes the captured state back into the live objects it was taken from. */
  restore(): void {
    const live = (value: unknown): unknown => (value instanceof Node ? value.origin : value)
    for (const node of this.nodes) {
      const origin = node.origin
      switch (node.kind) {
        case 'bytes':
          bytesOf(origin as ArrayBufferView).set(node.data as Uint8Array)
          break
        case 'buffer':
          new Uint8Array(origin as ArrayBuffer).set(node.data as Uint8Array)
          break
        case 'date':
          ;(origin as Date).setTime(node.data as number)
          break
        case 'array': {
          const array = origin as unknown[]
          const values = node.values!
          array.length = values.length
          for (let i = 0; i < values.length; i++) array[i] = live(values[i])
          break
        }
        case 'map': {
          const map = origin as Map<unknown, unknown>
          const values = node.values!
          map.clear()
          for (let i = 0; i < values.length; i += 2) map.set(live(values[i]), live(values[i + 1]))
          break
        }
        case 'set': {
          const set = origin as Set<unknown>
          set.clear()
          for (const value of node.values!) set.add(live(value))
          break
        }
        case 'object': {
          const record = origin as Record<string, unknown>
          const keys = node.keys!
          const values = node.values!
          const captured = new Set(keys)
          for (const key of Object.keys(record)) {
            if (!captured.has(key) && typeof record[key] !== 'function') delete record[key]
          }
          for (let i = 0; i < keys.length; i++) {
            const key = keys[i]!
            if (typeof record[key] === 'function') continue
            record[key] = live(values[i])
          }
          break
        }
      }
    }
  }
}

/** The number, string, boolean and bigint own properties of an object (a CPU's scalar state). */
export type ScalarFields = readonly (readonly [string, number | string | boolean | bigint])[]

export function captureScalars(object: object): ScalarFields {
  const fields: [string, number | string | boolean | bigint][] = []
  for (const [key, value] of Object.entries(object)) {
    if (typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean' || typeof value === 'bigint') {
      fields.push([key, value])
    }
  }
  return fields
}

export function restoreScalars(object: object, fields: ScalarFields): void {
  const record = object as Record<string, unknown>
  for (const [key, value] of fields) record[key] = value
}
