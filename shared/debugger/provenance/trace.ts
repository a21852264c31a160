// Re-executes the recorded window before the current moment under shadow tracking, then comes
// back: afterwards the tracker knows the origin of every byte and register as they are now.
// The window is bounded (a few million instructions): it starts at the program's first
// instruction when history reaches that far back and the program is short enough, otherwise
// at the earliest instruction the bound allows, and the answer says so.

import { unwind } from '../frames'
import type { Inferior } from '../inferior'
import type { DebugSession } from '../session'
import { InitialMemory } from './initial-memory'
import type { CallChain } from './origins'
import { currentMoment, replayTo, returnTo, type Moment } from './replay'
import { ShadowLimitError, ShadowTracker } from './shadow'
import { CommandError } from '../command'

/** Instructions re-executed at most for one question (about a second of tracking). */
export const DEFAULT_TRACE_WINDOW = 3_000_000
/** Instructions tracked between turns for the host (pause requests, the UI). */
const SLICE = 50_000

export interface Trace {
  readonly tracker: ShadowTracker
  /** The first instruction count examined. */
  readonly start: number
  /** The moment the question is about (where the machine is again). */
  readonly end: number
  /** The window starts with the program itself: nothing before it is unknown. */
  readonly fromProgramStart: boolean
  /** Instructions that could not be re-executed (end not reached): 0 normally. */
  readonly missing: number
}

/** The calls active at the window's start, from unwinding the stack there (innermost first). */
function seedChain(inferior: Inferior): CallChain | null {
  if (inferior.instructionCount === 0) return null
  const frames = unwind(inferior.program, inferior)
  let chain: CallChain | null = null
  for (let level = frames.length - 1; level >= 1; level--) {
    const callee = frames[level - 1]!
    if (callee.returnAddressAt === null) continue
    chain = { returnAddress: frames[level]!.pc, rsp: callee.returnAddressAt, target: callee.functionStart, caller: chain }
  }
  return chain
}

export interface TraceOptions {
  /** Instructions re-executed at most (DEFAULT_TRACE_WINDOW). */
  readonly window?: number
  /** Called with the tracker before the replay starts (to follow calls as they happen). */
  readonly observe?: (tracker: ShadowTracker) => void
}

class TraceRun {
  readonly moment: Moment
  readonly start: number
  readonly tracker: ShadowTracker

  constructor(
    private readonly session: DebugSession,
    private readonly inferior: Inferior,
    options: TraceOptions,
  ) {
    this.moment = currentMoment(inferior)
    this.start = Math.max(inferior.recorder.earliestReachable, this.moment.count - (options.window ?? DEFAULT_TRACE_WINDOW))
    replayTo(inferior, this.start)
    inferior.machine.cpu.breakpointsArmed = false
    this.tracker = new ShadowTracker(inferior, new InitialMemory(inferior, this.start), seedChain(inferior))
    options.observe?.(this.tracker)
  }

  /** Tracks up to `budget` instructions; true when the moment is reached (or nothing more can run). */
  advance(budget: number): boolean {
    const inferior = this.inferior
    for (let i = 0; i < budget; i++) {
      if (inferior.instructionCount >= this.moment.count) return true
      if (!this.tracker.step()) return true
      const state = inferior.machine.kernel.state.state
      if (state === 'exited' || state === 'signaled') return true
    }
    return inferior.instructionCount >= this.moment.count
  }

  finish(): Trace {
    this.tracker.dispose()
    const reached = this.inferior.instructionCount
    returnTo(this.session, this.inferior, this.moment)
    return { tracker: this.tracker, start: this.start, end: this.moment.count, fromProgramStart: this.start === 0, missing: Math.max(0, this.moment.count - reached) }
  }

  abandon(): void {
    this.tracker.dispose()
    returnTo(this.session, this.inferior, this.moment)
  }
}

/** Tracks the window before the current moment in one go (for explanations printed with a stop). */
export function traceHistory(session: DebugSession, inferior: Inferior, options: TraceOptions = {}): Trace {
  const run = new TraceRun(session, inferior, options)
  try {
    run.advance(Infinity)
  } catch (error) {
    run.abandon()
    throw error
  }
  return run.finish()
}

/** Tracks the window, giving the host a turn between slices; null when the user asked to pause. */
export async function traceHistoryAsync(session: DebugSession, inferior: Inferior, options: TraceOptions = {}): Promise<Trace | null> {
  const run = new TraceRun(session, inferior, options)
  try {
    while (!run.advance(SLICE)) {
      await session.hooks.yield()
      if (session.hooks.interruptRequested()) {
        run.abandon()
        return null
      }
    }
  } catch (error) {
    run.abandon()
    throw error
  }
  return run.finish()
}

/** Runs a replay for a command: one that writes more memory than the shadow follows is the user's error message. */
export async function withinShadowLimit<T>(replay: () => Promise<T>): Promise<T> {
  try {
    return await replay()
  } catch (error) {
    if (error instanceof ShadowLimitError) throw new CommandError(`Cannot work it out: ${error.message}.`)
    throw error
  }
}
