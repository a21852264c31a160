// Stack frames, found the way a learner can check by hand: each frame's saved rbp and return
// address sit at rbp and rbp+8 (gcc -O0 and Memscape's back end keep a frame pointer), with
// the prologue and epilogue handled for the innermost frame, and a search for the return
// address in functions that keep no frame pointer (libc routines built with -O2). The
// backtrace ends at main, as gdb's does, or where the chain stops making sense.

import type { DebugFunction } from '../debuginfo'
import type { Inferior } from './inferior'
import type { Program } from './program'

export interface Frame {
  readonly level: number
  /** rip for the innermost frame; the return address into it for the others. */
  readonly pc: number
  /** The canonical frame address: rsp just before the call that made this frame (gdb's "frame at"). */
  readonly cfa: number
  readonly rsp: number
  readonly rbp: number
  /** Where this frame's return address is stored (cfa - 8), when known. */
  readonly returnAddressAt: number | null
  /** Where the caller's rbp was saved by this frame's prologue, when it has been. */
  readonly savedRbpAt: number | null
  /** Runtime address of the function's first instruction, when known. */
  readonly functionStart: number | null
  readonly functionName: string | null
  readonly debugFunction: DebugFunction | null
}

const ENDBR64 = [0xf3, 0x0f, 0x1e, 0xfa]
const PUSH_RBP = 0x55
const MOV_RBP_RSP = [0x48, 0x89, 0xe5]
const RET = 0xc3
const MAX_FRAMES = 4096
/** Stack slots searched for a return address in a frame without a frame pointer. */
const RETURN_ADDRESS_SEARCH_SLOTS = 512

function startsWith(bytes: Uint8Array, at: number, pattern: readonly number[]): boolean {
  return pattern.every((b, i) => bytes[at + i] === b)
}

/** Where the prologue's instructions are, if the function has gcc's `push rbp; mov rbp, rsp`. */
function framePointerPrologue(inferior: Inferior, start: number): { push: number; body: number } | null {
  const bytes = inferior.read(start, 8)
  if (!bytes) return null
  const push = startsWith(bytes, 0, ENDBR64) ? 4 : 0
  if (bytes[push] !== PUSH_RBP || !startsWith(bytes, push + 1, MOV_RBP_RSP)) return null
  return { push: start + push, body: start + push + 4 }
}

/** True when `value` points just after a call instruction in executable memory. */
export function looksLikeReturnAddress(inferior: Inferior, value: number): boolean {
  if (value < 8 || !Number.isSafeInteger(value)) return false
  const protection = inferior.machine.memory.protection(value - 1)
  if (protection < 0 || (protection & 4) === 0) return false
  const before = inferior.read(value - 7, 7)
  if (!before) return false
  if (before[2] === 0xe8) return true // call rel32
  // call r/m64: ff /2 with a 2-, 3-, 6- or 7-byte encoding (register, [reg+disp8], [rip+disp32]...)
  for (const length of [2, 3, 4, 6, 7]) {
    const at = 7 - length
    const prefixed = before[at] === 0x41 || before[at] === 0x43 ? at + 1 : at
    if (before[prefixed] === 0xff && ((before[prefixed + 1]! >> 3) & 7) === 2) return true
  }
  return false
}

interface FunctionInfo {
  start: number | null
  name: string | null
  debug: DebugFunction | null
}

/** The function containing a runtime address, from the debug information or the symbol table. */
export function functionAt(program: Program, inferior: Inferior, pc: number): FunctionInfo {
  const link = inferior.linkAddress(pc)
  const debug = program.debug?.functionAt(link) ?? null
  if (debug) return { start: inferior.runtimeAddress(debug.ranges[0]!.low), name: debug.name, debug }
  // Only the program's own image has symbols: an address on the stack or heap is in no function
  // (gdb's "?? ()"), even though the last unsized symbol (_end) would otherwise claim it.
  const hit = program.containsLinked(link) ? program.symbols.containing(link) : undefined
  if (hit) return { start: pc - hit.offset, name: hit.symbol.name, debug: null }
  return { start: null, name: null, debug: null }
}

/** Unwinds the stack from the current registers, innermost frame first. */
export function unwind(program: Program, inferior: Inferior, limit = MAX_FRAMES): Frame[] {
  const frames: Frame[] = []
  let pc = inferior.pc
  let rsp = inferior.registerNumber('rsp')
  let rbp = inferior.registerNumber('rbp')
  while (frames.length < limit) {
    const level = frames.length
    // A return address points after the call; the call itself belongs to the caller's line.
    const info = functionAt(program, inferior, level === 0 ? pc : pc - 1)
    let cfa: number
    let savedRbpAt: number | null = null
    let callerRbp = rbp
    const prologue = info.start === null ? null : framePointerPrologue(inferior, info.start)
    const atReturn = level === 0 && inferior.read(pc, 1)?.[0] === RET
    if (prologue && level === 0 && pc <= prologue.push) {
      cfa = rsp + 8
    } else if (prologue && level === 0 && pc < prologue.body) {
      cfa = rsp + 16
      savedRbpAt = rsp
    } else if (atReturn) {
      cfa = rsp + 8
    } else if (prologue) {
      cfa = rbp + 16
      savedRbpAt = rbp
    } else if (level === 0 && info.start === pc) {
      cfa = rsp + 8
    } else {
      const slot = findReturnAddressSlot(inferior, rsp, level === 0 ? null : rbp)
      if (slot === null) {
        frames.push(frame(level, pc, rsp + 8, rsp, rbp, null, null, info))
        break
      }
      cfa = slot + 8
    }
    if (savedRbpAt !== null) {
      const saved = inferior.readU64(savedRbpAt)
      if (saved === null) savedRbpAt = null
      else callerRbp = Number(saved)
    }
    const returnAddressAt = cfa - 8
    frames.push(frame(level, pc, cfa, rsp, rbp, returnAddressAt, savedRbpAt, info))
    if (info.name === 'main' || info.name === '_start') break
    const returnAddress = inferior.readU64(returnAddressAt)
    if (returnAddress === null || returnAddress === 0n || !looksLikeReturnAddress(inferior, Number(returnAddress))) break
    const previousCfa = cfa
    pc = Number(returnAddress)
    rsp = cfa
    rbp = callerRbp
    // The next frame must lie higher on the stack, or the chain is corrupt: stop rather than loop.
    if (frames.length > 1 && previousCfa <= frames[frames.length - 2]!.cfa) break
  }
  return frames
}

function frame(level: number, pc: number, cfa: number, rsp: number, rbp: number, returnAddressAt: number | null, savedRbpAt: number | null, info: FunctionInfo): Frame {
  return { level, pc, cfa, rsp, rbp, returnAddressAt, savedRbpAt, functionStart: info.start, functionName: info.name, debugFunction: info.debug }
}

/** The first stack slot from rsp up that holds a return address (below `limit` when given). */
function findReturnAddressSlot(inferior: Inferior, rsp: number, limit: number | null): number | null {
  for (let i = 0; i < RETURN_ADDRESS_SEARCH_SLOTS; i++) {
    const slot = rsp + i * 8
    if (limit !== null && slot >= limit + 16) break
    const value = inferior.readU64(slot)
    if (value === null) return null
    if (looksLikeReturnAddress(inferior, Number(value))) return slot
  }
  return null
}
