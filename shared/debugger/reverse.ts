// Going backwards through the recorded history: back N instructions, or back to the latest
// moment a breakpoint or watchpoint would have stopped the program. History is replayed from
// checkpoints (deterministic re-execution); the search scans one checkpoint interval at a time,
// newest first, so a breakpoint hit just before the present is found quickly.

import { arm, disarm, resume, type StopReason } from './execution'
import type { Inferior } from './inferior'
import type { DebugSession } from './session'

/** Moves to instruction count `target` (earlier or later), replaying without stopping. */
export function goTo(session: DebugSession, inferior: Inferior, target: number): void {
  disarm(inferior)
  try {
    inferior.recorder.runTo(target)
  } finally {
    inferior.machine.cpu.breakpointsArmed = true
    session.invalidateFrames()
  }
}

/** Back `count` instructions, or to the start of history: 'history-start' when it got there. */
export function stepBack(session: DebugSession, count: number): StopReason {
  const inferior = session.requireInferior()
  const target = inferior.instructionCount - count
  const earliest = inferior.recorder.earliestReachable
  goTo(session, inferior, Math.max(target, earliest))
  if (inferior.signalDelivered && inferior.machine.status.state !== 'signaled') inferior.signalDelivered = false
  return target <= earliest ? { kind: 'history-start' } : { kind: 'arrived' }
}

/**
 * reverse-continue: the latest earlier moment at which a breakpoint or watchpoint stops the
 * program. Each checkpoint interval before the present is replayed forward with everything
 * armed, remembering every stop; the last one wins.
 */
export async function reverseContinue(session: DebugSession): Promise<StopReason> {
  const inferior = session.requireInferior()
  const end = inferior.instructionCount
  let windowEnd = end
  const counts = inferior.recorder.checkpointCounts()
  for (let i = counts.length - 1; i >= 0; i--) {
    const windowStart = counts[i]!
    if (windowStart >= windowEnd) continue
    const found = await lastStopBetween(session, inferior, windowStart, windowEnd)
    if (found) {
      goTo(session, inferior, found.count)
      restoreWatchValues(session, inferior)
      return found.reason
    }
    windowEnd = windowStart
    if (session.hooks.interruptRequested()) return { kind: 'interrupted' }
  }
  goTo(session, inferior, inferior.recorder.earliestReachable)
  restoreWatchValues(session, inferior)
  return { kind: 'history-start' }
}

/** Replays [start, end) with breakpoints armed; the last stop in it, with its count. */
async function lastStopBetween(session: DebugSession, inferior: Inferior, start: number, end: number): Promise<{ count: number; reason: StopReason } | null> {
  goTo(session, inferior, start)
  restoreWatchValues(session, inferior)
  const hitCounts = new Map<number, number>()
  for (const b of session.breakpoints.all()) hitCounts.set(b.number, b.hits)
  let last: { count: number; reason: StopReason } | null = null
  while (inferior.instructionCount < end) {
    const reason = await resume(session, { instructions: end - inferior.instructionCount })
    if (reason.kind === 'breakpoint' && inferior.instructionCount < end) last = { count: inferior.instructionCount, reason }
    // Going backwards, a write is found before it happens: the change seen is new -> old.
    if (reason.kind === 'watchpoint' && inferior.instructionCount <= end) {
      last = { count: inferior.instructionCount - 1, reason: { ...reason, old: reason.value, value: reason.old } }
    }
    if (reason.kind === 'breakpoint' || reason.kind === 'watchpoint') continue
    break
  }
  // Replaying is not hitting: hit counts stay as they were.
  for (const b of session.breakpoints.all()) b.hits = hitCounts.get(b.number) ?? b.hits
  arm(session, inferior)
  return last
}

/** Watchpoints compare against the value at the current moment, wherever history moved. */
function restoreWatchValues(session: DebugSession, inferior: Inferior): void {
  for (const w of session.breakpoints.activeWatchpoints()) w.value = inferior.read(w.address, w.length) ?? w.value
}
