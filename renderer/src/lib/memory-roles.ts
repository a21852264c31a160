// What a byte is, in the words and classes every pane shares: the region's kind (pwndbg's
// legend) and the byte's role in a frame or a heap chunk. theme.css gives each class its colour.

import type { SlotRole } from '../../../shared/debugger/frame-layout'
import type { RegionKind, SnapshotRegion, StopSnapshot } from '../../../shared/debugger/snapshot'

export type ByteRole = SlotRole | 'chunk-header' | 'free-pointer' | 'user-data'

export const ROLE_NAMES: Record<ByteRole, string> = {
  'return-address': 'return address',
  'saved-rbp': 'saved rbp',
  canary: 'stack canary',
  argument: 'argument',
  local: 'local variable',
  padding: 'padding',
  'chunk-header': 'chunk header',
  'free-pointer': 'free-list pointer',
  'user-data': 'user data',
}

export const KIND_NAMES: Record<RegionKind, string> = {
  stack: 'stack',
  heap: 'heap',
  code: 'code',
  data: 'writable data',
  rodata: 'read-only data',
  rwx: 'writable and executable',
  none: 'no access',
}

const LOCAL_TINTS = 6

/** One tint per variable name, stable across stops and panes. */
export function localTint(name: string): number {
  let hash = 0
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0
  return hash % LOCAL_TINTS
}

/** The CSS classes that colour a byte of this role (a local's tint follows its name). */
export function roleClasses(role: ByteRole, name?: string): string {
  return role === 'local' ? `role-local tint-${localTint(name ?? '')}` : `role-${role}`
}

export function regionAt(snapshot: StopSnapshot | null, address: bigint): SnapshotRegion | null {
  if (!snapshot) return null
  return snapshot.regions.find((region) => BigInt(region.start) <= address && address < BigInt(region.end)) ?? null
}

/** Addresses as gdb prints them: 0x and lower-case hex, no padding. */
export function hexAddress(address: bigint | number): string {
  return `0x${address.toString(16)}`
}

/** A region in a learner's words: [stack], [heap] and [vdso] by name, a mapping of a file by the
 *  kind of memory it holds (its path is on the region map). */
export function regionWords(region: SnapshotRegion): string {
  return region.name.startsWith('[') ? region.name : KIND_NAMES[region.kind]
}
