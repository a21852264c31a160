// gdb's stepping commands over `resume`: by instruction (stepi, nexti), by source line (step,
// next, until), out of a frame (finish) and to a place (advance, until LOCATION). A call is
// stepped over by stopping at its return address in the same frame, so recursion is handled.

import { disassemble } from '../machine/disasm'
import type { LineSpan } from '../debuginfo'
import { resume, type InternalStop, type StopReason } from './execution'
import type { Frame } from './frames'
import type { Inferior } from './inferior'
import type { DebugSession } from './session'

/** The instruction at pc, if it is a call: its length (the return address is pc + length). */
export function callLengthAt(inferior: Inferior, pc: number): number | null {
  const [line] = disassemble(inferior.machine.memory, pc, 1)
  return line && line.valid && line.text.startsWith('call') ? line.bytes.length : null
}

/** Stops at `address` only in the frame whose stack pointer is at or above `rsp` (not in a deeper recursion). */
export function stopInFrame(address: number, rsp: number): InternalStop {
  return { address, accept: (inferior) => inferior.registerNumber('rsp') >= rsp }
}

export async function stepInstructions(session: DebugSession, count: number, overCalls: boolean): Promise<StopReason> {
  // Without calls to step over, N instructions are one run with a budget (breakpoints still stop it).
  if (!overCalls) return count === 0 ? { kind: 'arrived' } : resume(session, { instructions: count })
  let stop: StopReason = { kind: 'arrived' }
  for (let i = 0; i < count; i++) {
    // One instruction per resume never reaches resume's own pause check.
    if (i > 0 && session.hooks.interruptRequested()) return { kind: 'interrupted' }
    const inferior = session.requireLive()
    const callLength = overCalls ? callLengthAt(inferior, inferior.pc) : null
    if (callLength === null) stop = await resume(session, { instructions: 1 })
    else {
      const rsp = inferior.registerNumber('rsp')
      stop = await resume(session, { stops: [stopInFrame(inferior.pc + callLength, rsp)] })
    }
    if (stop.kind !== 'arrived') return stop
  }
  return stop
}

/** Runs until the selected frame returns to its caller. */
export async function finishFrame(session: DebugSession, frame: Frame): Promise<StopReason> {
  const inferior = session.requireLive()
  const returnAddress = frame.returnAddressAt === null ? null : inferior.readU64(frame.returnAddressAt)
  if (returnAddress === null) return { kind: 'arrived' }
  return resume(session, { stops: [stopInFrame(Number(returnAddress), frame.cfa)] })
}

/** Where a breakpoint on a function goes: after its prologue (gdb's skip-prologue rules). */
export function afterPrologue(session: DebugSession, linkStart: number): number {
  const program = session.requireProgram()
  const fn = program.debug?.functionAt(linkStart)
  if (fn && fn.ranges[0]!.low === linkStart) {
    const high = fn.ranges[0]!.high
    const spans = program.debug!.spansIn(linkStart, high)
    // The second line-table row of the function starts its body (the first is its opening line).
    const body = spans.find((s) => s.start > linkStart && s.isStmt)
    if (body) return body.start
  }
  // Without line information: past `endbr64; push rbp; mov rbp, rsp` (gdb's amd64 prologue analysis).
  const bytes = program.readLinked(linkStart, 8)
  if (!bytes) return linkStart
  let at = 0
  if (bytes[0] === 0xf3 && bytes[1] === 0x0f && bytes[2] === 0x1e && bytes[3] === 0xfa) at = 4
  if (bytes[at] === 0x55 && bytes[at + 1] === 0x48 && bytes[at + 2] === 0x89 && bytes[at + 3] === 0xe5) return linkStart + at + 4
  return linkStart
}

type LineMode = 'step' | 'next' | 'until'

/**
 * Steps by source line. Returns null (nothing run) when pc has no line information: the
 * caller then says so and finishes the function, as gdb does.
 */
export async function stepLine(session: DebugSession, mode: LineMode): Promise<StopReason | null> {
  const inferior = session.requireLive()
  const program = inferior.program
  const index = program.debug
  let span: LineSpan | undefined = index?.spanAt(inferior.linkAddress(inferior.pc))
  if (!index || !span || span.line === 0) return null
  const frame = session.frames()[0]!
  let frameCfa = frame.cfa
  let functionLow = frame.functionStart === null ? span.start : inferior.linkAddress(frame.functionStart)
  let current = { file: span.file, line: span.line }
  let range = { start: mode === 'until' ? Math.min(functionLow, span.start) : span.start, end: span.end }
  for (;;) {
    const pc = inferior.pc
    const callLength = callLengthAt(inferior, pc)
    let stop: StopReason
    if (callLength !== null && mode !== 'step') {
      stop = await resume(session, { stops: [stopInFrame(pc + callLength, inferior.registerNumber('rsp'))] })
    } else {
      stop = await resume(session, { instructions: 1 })
      if (stop.kind === 'arrived' && callLength !== null) {
        const entered = await enterCall(session, inferior, pc + callLength)
        if (entered !== 'stepped-over') return entered
      }
    }
    if (stop.kind !== 'arrived') return stop
    if (session.hooks.interruptRequested()) return { kind: 'interrupted' }
    const link = inferior.linkAddress(inferior.pc)
    const returned = inferior.registerNumber('rsp') >= frameCfa
    if (!returned && link >= range.start && link < range.end) continue
    span = index.spanAt(link)
    // Back in a caller without line information (main returning into libc): stop there.
    if (!span || span.line === 0) return { kind: 'arrived' }
    const differentLine = span.line !== current.line || span.file !== current.file
    if (link === span.start && (differentLine || returned) && span.isStmt) return { kind: 'arrived' }
    if (returned) {
      // Back in the caller in the middle of its line (the call's result is still to be
      // stored): gdb finishes that line and stops at the next one.
      const caller = session.frames()[0]!
      frameCfa = caller.cfa
      functionLow = caller.functionStart === null ? span.start : inferior.linkAddress(caller.functionStart)
    }
    // The middle of a line, or the same line again (a loop): keep stepping through it.
    current = { file: span.file, line: span.line }
    range = { start: mode === 'until' ? Math.min(functionLow, span.start) : span.start, end: span.end }
  }
}

/**
 * After `step` executed a call: into a function with line information, run to the end of its
 * prologue and stop there; into one without, run until it returns and go on stepping.
 */
async function enterCall(session: DebugSession, inferior: Inferior, returnAddress: number): Promise<StopReason | 'stepped-over'> {
  const program = inferior.program
  const entry = inferior.pc
  const fn = program.debug?.functionAt(inferior.linkAddress(entry))
  if (fn) {
    const body = inferior.runtimeAddress(afterPrologue(session, inferior.linkAddress(entry)))
    if (body === entry) return { kind: 'arrived' }
    return resume(session, { stops: [{ address: body, accept: () => true }] })
  }
  const rsp = inferior.registerNumber('rsp') + 8
  const stop = await resume(session, { stops: [stopInFrame(returnAddress, rsp)] })
  return stop.kind === 'arrived' ? 'stepped-over' : stop
}

/** advance / until LOCATION: to one of `addresses`, or until the selected frame returns. */
export async function runToLocation(session: DebugSession, addresses: readonly number[], frame: Frame, onlyThisFrame: boolean): Promise<StopReason> {
  const inferior = session.requireLive()
  const stops: InternalStop[] = addresses.map((address) => (onlyThisFrame ? stopInFrame(address, frame.rsp) : { address, accept: () => true }))
  const returnAddress = frame.returnAddressAt === null ? null : inferior.readU64(frame.returnAddressAt)
  if (returnAddress !== null) stops.push(stopInFrame(Number(returnAddress), frame.cfa))
  return resume(session, { stops })
}
