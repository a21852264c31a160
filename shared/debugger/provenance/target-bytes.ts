// "ADDR [LEN]" as last-write and provenance take it: ADDR is any expression. With LEN it gives
// an address as `x` reads one (a pointer's value, an array's first byte). Without LEN an
// object in memory stands for its own bytes (`provenance buf`, `last-write p`), a register for
// itself (`provenance $rax`), and a plain number or pointer for 8 bytes at that address.

import { CommandError } from '../command'
import { asAddress } from '../expression/evaluate'
import { isScalar, sizeOf } from '../expression/types'
import type { DebugSession } from '../session'

export type TargetBytes =
  | { readonly kind: 'memory'; readonly address: number; readonly length: number }
  | { readonly kind: 'register'; readonly name: string }

const LENGTH = /^(.*\S)\s+(0x[0-9a-fA-F]+|\d+)$/
/** Longest range a question may be about (a page: the answer has a line per run of bytes). */
export const MAX_TARGET_BYTES = 4096

export function parseTargetBytes(session: DebugSession, text: string, usage: string): TargetBytes {
  const args = text.trim()
  if (args === '') throw new CommandError(`Argument required (${usage}).`)
  const withLength = LENGTH.exec(args)
  const expression = withLength ? withLength[1]! : args
  const value = session.evaluate(expression)
  if (withLength) {
    const length = Number(withLength[2]!)
    if (length <= 0 || length > MAX_TARGET_BYTES) throw new CommandError(`The length must be between 1 and ${MAX_TARGET_BYTES} bytes.`)
    const place = value.place
    const address = isScalar(value.type) || value.type.kind === 'array' ? asAddress(value) : place.kind === 'memory' ? place.address : null
    if (address === null) throw new CommandError(`\`${expression}' is not an address.`)
    return { kind: 'memory', address: checkedAddress(address), length }
  }
  if (value.place.kind === 'register') return { kind: 'register', name: value.place.name }
  if (value.place.kind === 'memory') {
    const length = sizeOf(value.type)
    if (length <= 0) throw new CommandError(`\`${expression}' has no size: give a length (${usage}).`)
    return { kind: 'memory', address: checkedAddress(value.place.address), length: Math.min(length, MAX_TARGET_BYTES) }
  }
  return { kind: 'memory', address: checkedAddress(asAddress(value)), length: 8 }
}

function checkedAddress(address: bigint): number {
  if (address > BigInt(Number.MAX_SAFE_INTEGER)) throw new CommandError(`Cannot access memory at address 0x${address.toString(16)}`)
  return Number(address)
}
