// Where a function's result is when it has just returned, by the System V ABI: scalars and small
// records in rax (and rdx), floating point in xmm0, larger records in memory at the address
// the caller passed (which the callee hands back in rax).

import type { DwarfType } from '../debuginfo'
import { isFloat, resolve, sizeOf } from './expression/types'
import { Value } from './expression/values'
import type { Inferior } from './inferior'

/** The value just returned, or null for void or an unreadable memory result. */
export function returnedValue(inferior: Inferior, type: DwarfType): Value | null {
  const size = sizeOf(type)
  if (resolve(type).kind === 'void' || size === 0) return null
  const bytes = new Uint8Array(size)
  if (isFloat(type) && size <= 8) bytes.set(new Uint8Array(inferior.machine.cpu.r.xmm.buffer, 0, size))
  else if (size <= 16) {
    const pair = new DataView(new ArrayBuffer(16))
    pair.setBigUint64(0, inferior.register('rax') ?? 0n, true)
    pair.setBigUint64(8, inferior.register('rdx') ?? 0n, true)
    bytes.set(new Uint8Array(pair.buffer, 0, size))
  } else {
    const stored = inferior.read(Number(inferior.register('rax') ?? 0n), size)
    if (!stored) return null
    bytes.set(stored)
  }
  return Value.fromBytes(type, bytes)
}
