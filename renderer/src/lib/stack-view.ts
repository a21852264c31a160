// The stack pane's picture of a stop, as pwndbg's telescope with names: the frames from the top
// of the stack (rsp, low addresses) down to the outermost, each slot the debugger labelled with
// its bytes read as the learner would ask, and the red zone below rsp. Pure: the pane reads the
// bytes and draws; everything here is tested without a DOM.

import type { SlotRole } from '../../../shared/debugger/frame-layout'
import type { RegionKind, SnapshotFrame, SnapshotSlot, StopSnapshot } from '../../../shared/debugger/snapshot'
import { MAX_READ_BYTES } from '../../../shared/protocol/api'
import { hexAddress, regionAt, regionWords } from './memory-roles'
import type { ChangeMark, Selection } from './workspace.svelte'

/** The System V ABI's red zone: bytes below rsp a leaf function may use without moving rsp. */
export const RED_ZONE_BYTES = 128
/** Frames drawn before the rest are summarised (a runaway recursion has thousands). */
export const MAX_FRAMES_SHOWN = 64
/** Bytes shown of one slot; a big array shows its start and says how much more there is. */
export const MAX_SLOT_BYTES = 64
const BYTES_PER_LINE = 8

export interface SlotView {
  /** The slot's address as the snapshot wrote it: stable across stops, the each block's key. */
  key: string
  address: bigint
  size: number
  role: SlotRole
  name?: string
  /** What the slot is, in words: "buf", "saved rbp", "return address". */
  label: string
  /** The label's kind of thing when it names a variable: "local" or "argument". */
  detail: string
  /** Offset from the frame's CFA minus 16 (where rbp points after the prologue), as pwndbg's -028. */
  rbpOffset: number
  note?: string
  corrupted: boolean
}

export interface FrameView {
  /** The CFA: a frame's identity for as long as it lives (the each block's key). */
  key: string
  level: number
  functionName: string
  /** "p.c:7", or the pc when there is no line. */
  location: string
  slots: SlotView[]
}

export interface StackPicture {
  frames: FrameView[]
  /** Frames beyond MAX_FRAMES_SHOWN, not drawn. */
  hiddenFrames: number
  /** Frames the debugger unwound through overwritten links, not drawn (they are not real). */
  lostFrames: number
  /** Overwritten return addresses and canaries, for the pane's warning at the top. */
  alarms: { frame: string; slot: SlotView }[]
  rsp: bigint
  rbp: bigint
  /** Where the red zone starts (rsp - 128); it ends at rsp. */
  redZoneStart: bigint
}

function register(snapshot: StopSnapshot, name: string): bigint | null {
  const found = snapshot.registers.find((row) => row.name === name)
  return found ? BigInt(found.value) : null
}

function baseName(path: string): string {
  return path.replace(/^.*\//, '')
}

export function slotLabel(slot: Pick<SnapshotSlot, 'role' | 'name'>): string {
  switch (slot.role) {
    case 'return-address':
      return 'return address'
    case 'saved-rbp':
      return 'saved rbp'
    case 'canary':
      return 'canary'
    case 'padding':
      return 'padding'
    case 'argument':
    case 'local':
      return slot.name ?? slot.role
  }
}

function slotView(slot: SnapshotSlot, frame: SnapshotFrame): SlotView {
  const address = BigInt(slot.address)
  const detail = slot.role === 'argument' ? 'argument' : slot.role === 'local' ? 'local' : ''
  return {
    key: slot.address,
    address,
    size: slot.size,
    role: slot.role,
    ...(slot.name === undefined ? {} : { name: slot.name }),
    label: slotLabel(slot),
    detail,
    rbpOffset: Number(address - (BigInt(frame.cfa) - 16n)),
    ...(slot.note === undefined ? {} : { note: slot.note }),
    corrupted: slot.corrupted,
  }
}

/** The frames to draw, top of the stack first, or null when there is no live process. */
export function stackPicture(snapshot: StopSnapshot | null): StackPicture | null {
  if (!snapshot || snapshot.phase === 'gone' || snapshot.frames.length === 0) return null
  const rsp = register(snapshot, 'rsp')
  const rbp = register(snapshot, 'rbp')
  if (rsp === null || rbp === null) return null
  // Below a frame whose saved rbp or return address was overwritten, the unwinder followed the
  // attacker's bytes: those "frames" are not the program's, so they are not drawn.
  const broken = snapshot.frames.findIndex((frame) => frame.slots.some((slot) => slot.corrupted && (slot.role === 'saved-rbp' || slot.role === 'return-address')))
  const trusted = broken < 0 ? snapshot.frames : snapshot.frames.slice(0, broken + 1)
  const shown = trusted.slice(0, MAX_FRAMES_SHOWN)
  const frames = shown.map((frame) => ({
    key: frame.cfa,
    level: frame.level,
    functionName: frame.functionName ?? '??',
    location: frame.file !== null && frame.line !== null ? `${baseName(frame.file)}:${frame.line}` : frame.pc,
    slots: frame.slots.map((slot) => slotView(slot, frame)),
  }))
  return {
    frames,
    hiddenFrames: trusted.length - shown.length,
    lostFrames: snapshot.frames.length - trusted.length,
    alarms: frames.flatMap((frame) => frame.slots.filter(isAlarm).map((slot) => ({ frame: frame.functionName, slot }))),
    rsp,
    rbp,
    redZoneStart: rsp - BigInt(RED_ZONE_BYTES),
  }
}

/** The bytes the pane reads: from the red zone to the end of the last frame drawn, at most one read's worth. */
export function stackSpan(picture: StackPicture): { start: bigint; length: number } {
  const start = picture.redZoneStart
  let end = picture.rsp
  for (const frame of picture.frames) for (const slot of frame.slots) if (slot.address + BigInt(slot.size) > end) end = slot.address + BigInt(slot.size)
  return { start, length: Math.min(Number(end - start), MAX_READ_BYTES) }
}

/** Guest bytes read from `start`; unread or unmapped bytes are null. */
export interface StackBytes {
  start: bigint
  bytes: readonly number[]
  mapped: readonly boolean[]
}

/** The bytes of [address, address + length) as far as they were read; null for bytes not known. */
export function bytesAt(memory: StackBytes | null, address: bigint, length: number): (number | null)[] {
  const out: (number | null)[] = []
  for (let i = 0; i < length; i++) {
    const index = Number(address - (memory?.start ?? 0n)) + i
    const known = memory !== null && index >= 0 && index < memory.bytes.length && memory.mapped[index] === true
    out.push(known ? memory.bytes[index]! : null)
  }
  return out
}

/** Bytes as hex pairs in memory order, eight to a line; "??" for a byte not known. */
export function byteLines(bytes: readonly (number | null)[]): string[] {
  const lines: string[] = []
  for (let i = 0; i < bytes.length; i += BYTES_PER_LINE) {
    lines.push(
      bytes
        .slice(i, i + BYTES_PER_LINE)
        .map((b) => (b === null ? '??' : b.toString(16).padStart(2, '0')))
        .join(' '),
    )
  }
  return lines
}

/** A little-endian unsigned value, or null when a byte is not known. */
export function littleEndian(bytes: readonly (number | null)[]): bigint | null {
  let value = 0n
  for (let i = bytes.length - 1; i >= 0; i--) {
    const byte = bytes[i]
    if (byte === null || byte === undefined) return null
    value = (value << 8n) | BigInt(byte)
  }
  return value
}

/** gdb's x/gx: 0x and sixteen hex digits. */
export function quadword(value: bigint): string {
  return `0x${value.toString(16).padStart(16, '0')}`
}

/** Printable ASCII as itself, anything else as a dot (the hex dump's right column). */
export function asciiText(bytes: readonly (number | null)[]): string {
  return bytes.map((b) => (b !== null && b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.')).join('')
}

export interface SlotValue {
  /** The bytes in memory order, eight per line (at most MAX_SLOT_BYTES). */
  lines: string[]
  /** Bytes of the slot not shown. */
  moreBytes: number
  /** The value read whole: a quadword for pointers, a decimal for small integers. */
  reading: string | null
  /** Where a pointer points: a symbol ("main+38"), a frame, or the region's name. */
  target: string | null
  /** The memory kind of the pointed-to region, for its colour. */
  targetKind: RegionKind | null
  /** The bytes as text, for arrays of more than eight bytes. */
  text: string | null
}

function signedDecimal(value: bigint, size: number): string {
  const bits = BigInt(size * 8)
  const signed = value >= 1n << (bits - 1n) ? value - (1n << bits) : value
  return signed.toString()
}

/** What a slot's bytes say, as the design brief asks: a return address as `0x…4011d6 → main+38`,
 *  a canary as its bytes with the zero low byte first, a pointer with where it points. */
export function slotValue(slot: SlotView, memory: StackBytes | null, snapshot: StopSnapshot | null, frames: readonly FrameView[]): SlotValue {
  const shown = bytesAt(memory, slot.address, Math.min(slot.size, MAX_SLOT_BYTES))
  const value: SlotValue = { lines: byteLines(shown), moreBytes: slot.size - shown.length, reading: null, target: null, targetKind: null, text: null }
  if (slot.role === 'padding' || slot.role === 'canary') return value
  const whole = slot.size <= 8 ? littleEndian(shown) : null
  if (slot.size > 8) {
    value.text = asciiText(shown)
    return value
  }
  if (whole === null) return value
  if (slot.size === 8) {
    value.reading = quadword(whole)
    const region = regionAt(snapshot, whole)
    value.targetKind = region?.kind ?? null
    if (slot.role === 'return-address') value.target = slot.note ?? null
    else if (slot.role === 'saved-rbp') value.target = savedRbpTarget(whole, frames) ?? (region ? regionWords(region) : null)
    else value.target = region ? regionWords(region) : null
  } else {
    value.reading = signedDecimal(whole, slot.size)
  }
  return value
}

/** A saved rbp points at the caller's own saved rbp: name that frame. */
function savedRbpTarget(value: bigint, frames: readonly FrameView[]): string | null {
  for (const frame of frames) {
    if (frame.slots.some((slot) => slot.role === 'saved-rbp' && slot.address === value)) return `${frame.functionName}'s frame`
  }
  return null
}

/** One line for the top of the pane: what was overwritten, where. */
export function alarmSummary(alarm: { frame: string; slot: SlotView }): string {
  return `${alarm.frame}'s ${alarm.slot.role === 'canary' ? 'canary' : 'return address'} was overwritten`
}

/** The plain-words warning for a slot the debugger found corrupted, null for a sound one. */
export function corruptionNote(slot: SlotView, reading: string | null): string | null {
  if (!slot.corrupted) return null
  switch (slot.role) {
    case 'return-address':
      return `The return address was overwritten: ret will jump to ${reading ?? 'these bytes'}, which is not code, and the program will crash.`
    case 'canary':
      return 'The canary was overwritten: before returning, the function will see it changed and abort the program (__stack_chk_fail).'
    case 'saved-rbp':
      return 'The saved rbp does not point into the stack (overwritten, or a caller that keeps no frame pointer).'
    default:
      return null
  }
}

/** Whether a slot is loud when corrupted: a return address or canary overwritten is what crashes. */
export function isAlarm(slot: SlotView): boolean {
  return slot.corrupted && (slot.role === 'return-address' || slot.role === 'canary')
}

/** The youngest change touching [start, start + length): 0 is the last step, null untouched. */
export function changeAge(changes: readonly ChangeMark[], start: bigint, length: number): number | null {
  const end = start + BigInt(length)
  let youngest: number | null = null
  for (const mark of changes) {
    if (mark.start < end && start < mark.end && (youngest === null || mark.age < youngest)) youngest = mark.age
  }
  return youngest
}

export function isSelected(selection: Selection | null, start: bigint, length: number): boolean {
  if (!selection) return false
  return selection.start < start + BigInt(length) && start < selection.start + BigInt(selection.length)
}

/** Which register arrows point at a slot (rsp at the slot holding rsp's byte, likewise rbp). */
export function arrowsAt(picture: StackPicture, slot: SlotView): string[] {
  const end = slot.address + BigInt(slot.size)
  return (['rsp', 'rbp'] as const).filter((name) => {
    const value = picture[name]
    return slot.address <= value && value < end
  })
}

/** A slot wholly below rsp: at a function's first instructions its frame is not reserved yet,
 *  and what the debugger places there is whatever an earlier call left. */
export function isBelowRsp(picture: StackPicture, slot: SlotView): boolean {
  return slot.address + BigInt(slot.size) <= picture.rsp
}

/** rbp when it points at no slot drawn (before a prologue, or in code that keeps no frame pointer). */
export function strayRbp(picture: StackPicture): string | null {
  const inside = picture.frames.some((frame) => frame.slots.some((slot) => arrowsAt(picture, slot).includes('rbp')))
  return inside ? null : hexAddress(picture.rbp)
}

/** pwndbg's offset column: -028, +008 (hex, from where rbp points in that frame). */
export function offsetText(offset: number): string {
  const sign = offset < 0 ? '-' : '+'
  return `${sign}${Math.abs(offset).toString(16).padStart(3, '0')}`
}
