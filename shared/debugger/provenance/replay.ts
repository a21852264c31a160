// Answering a question about the past moves the machine: history is replayed from a checkpoint.
// These helpers remember the moment the user is looking at and bring the machine back to it
// exactly, including a fatal signal reported but not yet delivered (the faulting instruction
// never retires, so replaying to its count stops just before it: it is executed once more).

import { disarm } from '../execution'
import type { Inferior } from '../inferior'
import type { DebugSession } from '../session'

export interface Moment {
  readonly count: number
  /** The program was stopped at a fatal signal. */
  readonly signaled: boolean
}

export function currentMoment(inferior: Inferior): Moment {
  return { count: inferior.instructionCount, signaled: inferior.machine.status.state === 'signaled' }
}

/** Moves to instruction count `count` with breakpoints and watchpoints disarmed (they stay so: replays must not stop). */
export function replayTo(inferior: Inferior, count: number): void {
  disarm(inferior)
  inferior.recorder.runTo(count)
}

/** Back to the moment, breakpoints armed again, frames to be recomputed. */
export function returnTo(session: DebugSession, inferior: Inferior, moment: Moment): void {
  replayTo(inferior, moment.count)
  if (moment.signaled && inferior.machine.status.state !== 'signaled') inferior.recorder.run(1)
  inferior.machine.cpu.breakpointsArmed = true
  session.invalidateFrames()
}
