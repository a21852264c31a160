// Running the inferior forward under the debugger's control: to the next breakpoint,
// watchpoint, exit or fatal signal, a pause request, or a stop the caller asks for (one
// instruction, a return address reached in the right frame...). The guest runs in slices of
// the recorder, so history is kept, and the host gets a turn between slices.

import type { CodeBreakpoint, Watchpoint } from './breakpoints'
import type { Inferior } from './inferior'
import type { DebugSession } from './session'

export type StopReason =
  | { kind: 'breakpoint'; breakpoints: CodeBreakpoint[] }
  | { kind: 'watchpoint'; watchpoint: Watchpoint; old: Uint8Array; value: Uint8Array; access: 'read' | 'write' }
  /** The frame a watched expression lived in returned: the watchpoint was deleted. */
  | { kind: 'watchpoint-scope'; number: number }
  /** A step, next, until, advance or finish arrived where it was going. */
  | { kind: 'arrived' }
  /** A fatal signal arrived; the program stopped before it was delivered. */
  | { kind: 'signal'; signal: number }
  | { kind: 'exited'; code: number }
  /** The program was continued past a fatal signal and died of it. */
  | { kind: 'terminated'; signal: number }
  | { kind: 'interrupted' }
  /** The program reads standard input and none is left. */
  | { kind: 'waiting-input' }
  /** Going backwards reached the start of the recorded history. */
  | { kind: 'history-start' }

/** Instructions between checks for a pause request and turns for the host. */
const SLICE = 200_000
/** How long the guest runs before the host gets a turn, in slices (about 10 ms). */
const SLICES_PER_TURN = 4

/** A place the caller wants to stop at, if `accept` agrees when it is reached (internal breakpoints). */
export interface InternalStop {
  readonly address: number
  accept(inferior: Inferior): boolean
  /** Why the program stopped there, when not simply because it arrived ('arrived'). */
  reason?(): StopReason
}

export interface ResumeOptions {
  /** Instructions to run at most; the stop is 'arrived' when they are done. */
  instructions?: number
  /** Internal breakpoints (runtime addresses), e.g. a return address for `finish` and `next`. */
  stops?: readonly InternalStop[]
  /** False for stepping over calls with `next`: user breakpoints still stop it (gdb does too). */
  userBreakpoints?: boolean
}

/** Where a watched access happened while the guest ran (set by the memory hook). */
interface WatchHit {
  address: number
  access: 'read' | 'write'
}

/** The overlap slack for an access whose size the memory hook does not know (at most 16 bytes). */
const ACCESS_SPAN = 16

/**
 * Makes the CPU stop at the enabled breakpoints (plus `extra`), and the memory report accesses
 * to watched pages; returns the list of watched accesses it will fill.
 */
export function arm(session: DebugSession, inferior: Inferior, extra: readonly number[] = [], userBreakpoints = true): WatchHit[] {
  const cpu = inferior.machine.cpu
  const wanted = new Set<number>(extra)
  if (userBreakpoints) for (const link of session.breakpoints.activeCodeAddresses()) wanted.add(inferior.runtimeAddress(link))
  const armed = armedAddresses.get(inferior) ?? new Set<number>()
  for (const address of armed) if (!wanted.has(address)) cpu.clearBreakpoint(address)
  for (const address of wanted) if (!armed.has(address)) cpu.setBreakpoint(address)
  armedAddresses.set(inferior, wanted)
  cpu.breakpointsArmed = true

  const hits: WatchHit[] = []
  const watchpoints = session.breakpoints.activeWatchpoints()
  const pages = new Set<number>()
  for (const w of watchpoints) for (let page = w.address - (w.address % 4096); page < w.address + w.length; page += 4096) pages.add(page)
  const memory = inferior.machine.memory
  memory.onWatchedAccess = (address, access) => {
    for (const w of watchpoints) {
      if (address < w.address + w.length && address + ACCESS_SPAN > w.address) {
        hits.push({ address, access })
        cpu.requestDebugStop()
        return
      }
    }
  }
  memory.watchPages(pages)
  // A fault the program handles stops before its handler, as in gdb.
  inferior.machine.kernel.stopOnHandledFault = () => true
  return hits
}

/** Lets the recorder re-execute history without stopping at breakpoints or watchpoints. */
export function disarm(inferior: Inferior): void {
  inferior.machine.cpu.breakpointsArmed = false
  inferior.machine.memory.watchPages(new Set())
  inferior.machine.kernel.stopOnHandledFault = null
}

const armedAddresses = new WeakMap<Inferior, Set<number>>()

/** Runs one instruction with nothing armed (to leave a breakpoint's address). */
function stepOnce(inferior: Inferior): void {
  const cpu = inferior.machine.cpu
  const armed = cpu.breakpointsArmed
  cpu.breakpointsArmed = false
  inferior.recorder.run(1)
  cpu.breakpointsArmed = armed
}

/** Why the machine stopped, if its status says the program cannot simply go on. */
function statusStop(inferior: Inferior): StopReason | null {
  const status = inferior.machine.status
  if (status.state === 'exited') return { kind: 'exited', code: status.code }
  if (status.state === 'signaled') return { kind: 'signal', signal: status.signal }
  if (status.state === 'waiting-input' || inferior.machine.sleepingForever) return { kind: 'waiting-input' }
  return null
}

/** Checks the watchpoints after an instruction that touched their pages; a reason to stop, or null. */
function watchStop(session: DebugSession, inferior: Inferior, hits: WatchHit[]): StopReason | null {
  const accesses = hits.splice(0)
  for (const watchpoint of session.breakpoints.activeWatchpoints()) {
    const value = inferior.read(watchpoint.address, watchpoint.length)
    if (!value) continue
    const old = watchpoint.value
    const changed = value.some((b, i) => b !== old[i])
    const touched = accesses.find((a) => a.address < watchpoint.address + watchpoint.length && a.address + ACCESS_SPAN > watchpoint.address)
    const read = touched !== undefined && accesses.some((a) => a.access === 'read' && a.address < watchpoint.address + watchpoint.length && a.address + ACCESS_SPAN > watchpoint.address)
    const triggers = watchpoint.kind === 'watch' ? changed : watchpoint.kind === 'rwatch' ? read : changed || touched !== undefined
    watchpoint.value = value
    if (!triggers) continue
    if (!passes(session, watchpoint)) continue
    return { kind: 'watchpoint', watchpoint, old, value, access: changed ? 'write' : 'read' }
  }
  return null
}

/** Counts a hit and applies the ignore count and condition: should the program stop? */
function passes(session: DebugSession, breakpoint: { hits: number; ignoreCount: number; condition: string | null }): boolean {
  breakpoint.hits++
  if (breakpoint.ignoreCount > 0) {
    breakpoint.ignoreCount--
    return false
  }
  if (breakpoint.condition === null) return true
  return session.conditionHolds(breakpoint.condition)
}

/** Where watched frames return: their watchpoints end there (gdb's "left the block"). */
function scopeStops(session: DebugSession): InternalStop[] {
  return session.breakpoints.activeWatchpoints().flatMap((watchpoint) => {
    const scope = watchpoint.scope
    if (scope === null) return []
    return [{
      address: scope.returnAddress,
      accept: (inferior: Inferior) => inferior.registerNumber('rsp') >= scope.cfa,
      reason: (): StopReason => {
        session.breakpoints.delete(watchpoint.number)
        return { kind: 'watchpoint-scope', number: watchpoint.number }
      },
    }]
  })
}

/** Runs forward until a reason to stop; the one loop behind continue, step, next, finish... */
export async function resume(session: DebugSession, options: ResumeOptions = {}): Promise<StopReason> {
  const inferior = session.requireLive()
  session.invalidateFrames()
  session.flushCommandOutput()
  if (inferior.phase === 'signaled') {
    inferior.signalDelivered = true
    const status = inferior.machine.status
    return { kind: 'terminated', signal: status.state === 'signaled' ? status.signal : 0 }
  }
  // Going on after a fault the program handles: its handler runs now.
  inferior.machine.kernel.deliverHeldFault()
  const stops = [...(options.stops ?? []), ...(options.userBreakpoints ?? true ? scopeStops(session) : [])]
  const hits = arm(session, inferior, stops.map((s) => s.address), options.userBreakpoints ?? true)
  try {
    let budget = options.instructions ?? Infinity
    let first = true
    let slices = 0
    while (budget > 0) {
      const before = inferior.instructionCount
      if (first && inferior.machine.cpu.hasBreakpoint(inferior.pc)) {
        // Leaving the place we are stopped at: its breakpoint has already been reported.
        stepOnce(inferior)
      } else {
        inferior.recorder.run(Math.min(budget, SLICE))
      }
      first = false
      budget -= inferior.instructionCount - before
      const stop = statusStop(inferior)
      if (stop?.kind === 'waiting-input' && !inferior.machine.sleepingForever && session.hooks.readInput) {
        // The program reads the terminal, as a program run under gdb does.
        const input = await session.hooks.readInput()
        if (input === 'interrupted') return { kind: 'interrupted' }
        if (input === null) inferior.recorder.closeStdin()
        else inferior.recorder.feedStdin(input)
        continue
      }
      if (stop) return stop
      const debugStop = inferior.machine.debugStop
      const held = inferior.machine.kernel.heldFault
      if (debugStop === 'signal' && held !== null) return { kind: 'signal', signal: held.signal }
      if (debugStop === 'watch' || hits.length > 0) {
        const watched = watchStop(session, inferior, hits)
        if (watched) return watched
      }
      if (debugStop === 'breakpoint' || inferior.machine.cpu.hasBreakpoint(inferior.pc)) {
        const internal = stops.find((s) => s.address === inferior.pc)
        if (internal && internal.accept(inferior)) return internal.reason?.() ?? { kind: 'arrived' }
        const reached = (options.userBreakpoints ?? true) ? breakpointsHit(session, inferior) : []
        if (reached.length > 0) return { kind: 'breakpoint', breakpoints: reached }
        first = true
      }
      if (budget <= 0) break
      if (++slices % SLICES_PER_TURN === 0 || debugStop !== null) {
        if (session.hooks.interruptRequested()) return { kind: 'interrupted' }
        if (slices % SLICES_PER_TURN === 0) await session.hooks.yield()
      }
    }
    return { kind: 'arrived' }
  } finally {
    // Replays that follow (reverse stepping, provenance) deliver faults as they come.
    inferior.machine.kernel.stopOnHandledFault = null
    session.invalidateFrames()
  }
}

/** The user breakpoints at pc that stop the program now (hit counts, ignore counts, conditions). */
export function breakpointsHit(session: DebugSession, inferior: Inferior): CodeBreakpoint[] {
  const link = inferior.linkAddress(inferior.pc)
  const stopping = session.breakpoints.codeAt(link).filter((b) => passes(session, b))
  for (const b of stopping) if (b.temporary) session.breakpoints.delete(b.number)
  return stopping
}
