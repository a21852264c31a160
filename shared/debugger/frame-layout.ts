// What every byte of a stack frame is: the return address and saved rbp the call and prologue
// pushed, the canary the stack protector stored, the parameters and locals the debug
// information places (gcc -O0 and Memscape's back end address them from rbp), the arguments
// passed on the stack, and the padding between them. The stack pane, the hex dump's colours and
// the crash explanation all read this one labelling.

import { typeSize, type DebugVariable } from '../debuginfo'
import type { Frame } from './frames'
import type { Inferior } from './inferior'
import { frameVariables, symbolize, variablePlace } from './target-environment'

export type SlotRole = 'return-address' | 'saved-rbp' | 'canary' | 'argument' | 'local' | 'padding'

export interface StackSlot {
  readonly address: number
  readonly size: number
  readonly role: SlotRole
  /** The variable's name for arguments and locals. */
  readonly name?: string
  /** For a return address: where it returns to ("main+38"); for a canary: whether it still matches. */
  readonly note?: string
  /** A return address that points nowhere executable, a saved rbp outside the stack, a canary that differs. */
  readonly corrupted: boolean
}

const FS_LOAD = [0x64, 0x48, 0x8b] // mov r64, fs:[disp32]
/** Bytes of a function's start searched for the stack protector's canary store. */
const PROLOGUE_SCAN = 96

/**
 * The rbp offset where the function stores its canary: `mov rax, fs:0x28` followed by
 * `mov [rbp+disp], rax` (gcc and Memscape's back end alike); null without a stack protector.
 */
export function canaryOffset(inferior: Inferior, functionStart: number): number | null {
  const code = inferior.read(functionStart, PROLOGUE_SCAN) ?? inferior.program.readLinked(inferior.linkAddress(functionStart), PROLOGUE_SCAN)
  if (!code) return null
  for (let i = 0; i + 13 <= code.length; i++) {
    if (code[i] !== FS_LOAD[0] || code[i + 1] !== FS_LOAD[1] || code[i + 2] !== FS_LOAD[2]) continue
    const modrm = code[i + 3]!
    if ((modrm & 0xc7) !== 0x04 || code[i + 4] !== 0x25 || code[i + 5] !== 0x28 || code[i + 6] !== 0 || code[i + 7] !== 0 || code[i + 8] !== 0) continue
    const register = (modrm >> 3) & 7
    const store = i + 9
    if (code[store] !== 0x48 || code[store + 1] !== 0x89) return null
    const storeModrm = code[store + 2]!
    if (((storeModrm >> 3) & 7) !== register || (storeModrm & 7) !== 5) return null
    const view = new DataView(code.buffer, code.byteOffset)
    if ((storeModrm & 0xc0) === 0x40) return view.getInt8(store + 3)
    if ((storeModrm & 0xc0) === 0x80 && store + 7 <= code.length) return view.getInt32(store + 3, true)
    return null
  }
  return null
}

/** The value the stack protector compares with: the thread's canary at fs:0x28. */
export function threadCanary(inferior: Inferior): bigint | null {
  return inferior.readU64(inferior.machine.cpu.r.fsBase + 0x28)
}

function variableSlot(variable: DebugVariable, frame: Frame, inferior: Inferior, role: 'argument' | 'local'): StackSlot | null {
  const place = variablePlace(variable, frame, inferior)
  if (!place || !('address' in place)) return null
  const size = typeSize(variable.type)
  if (size <= 0) return null
  return { address: Number(place.address), size, role, name: variable.name, corrupted: false }
}

/**
 * The labelled bytes of one frame, from its rsp up to its CFA plus any stack-passed
 * arguments above it, in address order; unlabelled bytes between rsp and the CFA are padding.
 */
export function frameLayout(inferior: Inferior, frame: Frame): StackSlot[] {
  const slots: StackSlot[] = []
  if (frame.returnAddressAt !== null) {
    const value = inferior.readU64(frame.returnAddressAt)
    const target = value === null ? null : symbolize(inferior.program, inferior, value)
    const executable = value !== null && value < BigInt(Number.MAX_SAFE_INTEGER) && ((inferior.machine.memory.protection(Number(value)) & 4) !== 0)
    slots.push({ address: frame.returnAddressAt, size: 8, role: 'return-address', note: target ?? undefined, corrupted: !executable })
  }
  if (frame.savedRbpAt !== null) {
    const saved = inferior.readU64(frame.savedRbpAt)
    const onStack = saved !== null && saved > BigInt(frame.savedRbpAt) && saved < BigInt(frame.savedRbpAt) + 0x10000000n
    slots.push({ address: frame.savedRbpAt, size: 8, role: 'saved-rbp', corrupted: saved !== null && saved !== 0n && !onStack })
  }
  const offset = frame.functionStart === null ? null : canaryOffset(inferior, frame.functionStart)
  if (offset !== null && frame.savedRbpAt !== null) {
    const address = frame.cfa - 16 + offset
    const stored = inferior.readU64(address)
    const expected = threadCanary(inferior)
    const intact = stored !== null && stored === expected
    slots.push({ address, size: 8, role: 'canary', note: intact ? 'intact' : 'overwritten', corrupted: !intact })
  }
  const fn = frame.debugFunction
  if (fn) {
    const params = new Set(fn.params)
    for (const variable of frameVariables(inferior.program, inferior, frame)) {
      const slot = variableSlot(variable, frame, inferior, params.has(variable) ? 'argument' : 'local')
      if (slot) slots.push(slot)
    }
  }
  slots.sort((a, b) => a.address - b.address)
  return withPadding(slots, frame.rsp, frame.cfa)
}

/** Fills the gaps between labelled slots inside [low, high) with padding. */
function withPadding(slots: StackSlot[], low: number, high: number): StackSlot[] {
  const out: StackSlot[] = []
  let at = low
  for (const slot of slots) {
    if (slot.address > at && at < high) out.push({ address: at, size: Math.min(slot.address, high) - at, role: 'padding', corrupted: false })
    out.push(slot)
    at = Math.max(at, slot.address + slot.size)
  }
  if (at < high) out.push({ address: at, size: high - at, role: 'padding', corrupted: false })
  return out
}
