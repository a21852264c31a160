// What each byte of the current stop is, in the roles the snapshot gives: a frame's slots
// (return address, saved rbp, canary, argument, local, padding) and a heap chunk's parts
// (prev_size and size, the free lists' links, user data). The hex dump colours and labels
// bytes from these spans; nothing here computes a memory fact the debugger did not state.

import type { SnapshotChunk, StopSnapshot } from '../../../../shared/debugger/snapshot'
import { hexAddress, ROLE_NAMES, type ByteRole } from '../memory-roles'
import type { ChangeMark } from '../workspace.svelte'

export interface ByteSpan {
  start: bigint
  end: bigint
  role: ByteRole
  /** A local's or argument's name, for its tint. */
  name?: string
  /** What the learner reads in the tooltip ("local buf in f", "fd of free chunk 0x4052a0"). */
  label: string
  corrupted: boolean
}

/** glibc's chunk header: prev_size then size, 8 bytes each on x86-64. */
const FIELD = 8n
const HEADER = 2n * FIELD

/** The link fields malloc keeps in a free chunk's user data, by the bin that holds it. */
function freeLinks(chunk: SnapshotChunk): string[] {
  const kinds = chunk.bins.map((bin) => bin.split(' ')[0])
  // A chunk in the tcache is also linked only by next (and marked by key), whatever else it is in.
  if (kinds.includes('tcachebins')) return ['next (tcache)', 'key (tcache)']
  if (kinds.includes('fastbins')) return ['fd']
  if (kinds.includes('largebins')) return ['fd', 'bk', 'fd_nextsize', 'bk_nextsize']
  return ['fd', 'bk']
}

function chunkSpans(chunk: SnapshotChunk): ByteSpan[] {
  const start = BigInt(chunk.address)
  const size = BigInt(chunk.size)
  const what = chunk.state === 'top' ? 'the top chunk' : `${chunk.state} chunk ${chunk.address}${chunk.note ? ` (${chunk.note})` : ''}`
  const field = (offset: bigint, length: bigint, role: ByteRole, label: string): ByteSpan => ({ start: start + offset, end: start + offset + length, role, label, corrupted: false })
  const spans = [
    field(0n, FIELD, 'chunk-header', `prev_size of ${what}`),
    field(FIELD, FIELD, 'chunk-header', `size of ${what}: 0x${chunk.size.toString(16)}${chunk.flags ? ` | ${chunk.flags}` : ''}`),
  ]
  if (chunk.state === 'allocated' && size > HEADER) spans.push(field(HEADER, size - HEADER, 'user-data', `user data of ${what}`))
  if (chunk.state === 'free') {
    freeLinks(chunk).forEach((link, index) => {
      const offset = HEADER + BigInt(index) * FIELD
      if (offset + FIELD <= size) spans.push(field(offset, FIELD, 'free-pointer', `${link} of ${what} in ${chunk.bins.join(', ')}`))
    })
  }
  return spans
}

function slotLabel(role: ByteRole, name: string | undefined, note: string | undefined, functionName: string): string {
  const base = role === 'local' || role === 'argument' ? `${ROLE_NAMES[role]} ${name ?? ''}`.trim() : ROLE_NAMES[role]
  return `${base}${note ? ` → ${note}` : ''} in ${functionName}`
}

/** Every labelled byte range of the stop, sorted by address. */
export function byteSpans(snapshot: StopSnapshot | null): ByteSpan[] {
  if (!snapshot) return []
  const spans: ByteSpan[] = []
  for (const frame of snapshot.frames) {
    const functionName = frame.functionName ?? hexAddress(BigInt(frame.pc))
    for (const slot of frame.slots) {
      const start = BigInt(slot.address)
      spans.push({
        start,
        end: start + BigInt(slot.size),
        role: slot.role,
        ...(slot.name === undefined ? {} : { name: slot.name }),
        label: `${slotLabel(slot.role, slot.name, slot.note, functionName)}${slot.corrupted ? ' — overwritten' : ''}`,
        corrupted: slot.corrupted,
      })
    }
  }
  for (const chunk of snapshot.heap?.chunks ?? []) spans.push(...chunkSpans(chunk))
  return spans.sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0))
}

/** The span holding an address (binary search over sorted, non-overlapping spans). */
export function spanAt(spans: readonly ByteSpan[], address: bigint): ByteSpan | null {
  let low = 0
  let high = spans.length - 1
  while (low <= high) {
    const middle = (low + high) >> 1
    const span = spans[middle]!
    if (address < span.start) high = middle - 1
    else if (address >= span.end) low = middle + 1
    else return span
  }
  return null
}

/** The youngest change covering an address (0 = the last step), or null. */
export function changeAgeAt(changes: readonly ChangeMark[], address: bigint): number | null {
  let age: number | null = null
  for (const mark of changes) {
    if (address >= mark.start && address < mark.end && (age === null || mark.age < age)) age = mark.age
  }
  return age
}
