// Interval timers and waiting for signals, on virtual time: alarm, setitimer/getitimer (real,
// virtual and profiling timers), pause, rt_sigsuspend, and sleeps that a timer interrupts.
// A timer expires at an exact instruction count (the machine stops its slice there), so a
// run with timers is as reproducible as any other.

import type { Kernel } from './kernel'
import type { SyscallResult } from './syscall-result'
import { EINTR, EINVAL } from './errno'
import { SIGALRM, SI_KERNEL } from './signals'

const ITIMER_REAL = 0
const ITIMER_VIRTUAL = 1
const ITIMER_PROF = 2
const SIGVTALRM = 26
const SIGPROF = 27
const NS_PER_SECOND = 1_000_000_000n
const NS_PER_MICROSECOND = 1000n
/**
 * A sleeping process runs again a little after the event that wakes it: Linux lets a sleep's
 * timer fire up to timer_slack_ns (50 µs by default) late, and a task woken by a signal waits
 * for the scheduler. We charge the default slack for every wake-up, so that, as natively, a
 * sleep lasts slightly longer than asked and time measured around it is never short.
 */
const WAKE_UP_LATENCY_NS = 50_000n

interface Timer {
  /** Expiry on the timer's clock in nanoseconds, or null when disarmed. */
  deadline: bigint | null
  interval: bigint
  signal: number
  /** Real time (monotonic, sleeping included) or the process's CPU time. */
  clock: 'real' | 'cpu'
}

/** Waiting ended because a signal is ready to act on, not because the time ran out. */
export const INTERRUPTED = Symbol('interrupted')

export class Timers {
  readonly list: Timer[] = [
    { deadline: null, interval: 0n, signal: SIGALRM, clock: 'real' },
    { deadline: null, interval: 0n, signal: SIGVTALRM, clock: 'cpu' },
    { deadline: null, interval: 0n, signal: SIGPROF, clock: 'cpu' },
  ]
}

function now(k: Kernel, timer: Timer): bigint {
  return timer.clock === 'real' ? k.clock.monotonicNs() : k.clock.cpuNs()
}

/** Instructions until the next timer expires (each takes a nanosecond), or null when none is armed. */
export function instructionsToNextTimer(k: Kernel): number | null {
  let next: bigint | null = null
  for (const timer of k.timers.list) {
    if (timer.deadline === null) continue
    const left = timer.deadline - now(k, timer)
    const clamped = left < 0n ? 0n : left
    if (next === null || clamped < next) next = clamped
  }
  return next === null ? null : Number(next)
}

/** Sends the signal of every expired timer and re-arms the periodic ones. */
export function fireExpiredTimers(k: Kernel): void {
  for (const timer of k.timers.list) {
    if (timer.deadline === null) continue
    const current = now(k, timer)
    if (current < timer.deadline) continue
    k.sendSignal({ signo: timer.signal, code: SI_KERNEL, address: null, sender: null }, true)
    if (timer.interval === 0n) timer.deadline = null
    else while (timer.deadline <= current) timer.deadline += timer.interval
  }
}

/**
 * Sleeps `ns` of real time. Returns the time left when a timer's signal interrupted the sleep
 * (a handler will run or the process will die), or 0n when the sleep completed.
 */
export function sleep(k: Kernel, ns: bigint): bigint {
  let left = ns
  while (left > 0n) {
    const real = k.timers.list[ITIMER_REAL]!
    const untilTimer = real.deadline === null ? null : real.deadline - k.clock.monotonicNs()
    if (untilTimer === null || untilTimer >= left) {
      k.clock.sleep(left + WAKE_UP_LATENCY_NS)
      return 0n
    }
    const step = untilTimer < 0n ? 0n : untilTimer
    k.clock.sleep(step)
    left -= step
    fireExpiredTimers(k)
    if (k.hasDeliverableSignal()) {
      k.clock.sleep(WAKE_UP_LATENCY_NS)
      return left > WAKE_UP_LATENCY_NS ? left - WAKE_UP_LATENCY_NS : 1n
    }
  }
  return 0n
}

/** Waits for a signal to act on; real-time timers are the only thing that can send one. */
function waitForSignal(k: Kernel): typeof INTERRUPTED | null {
  for (;;) {
    if (k.hasDeliverableSignal()) return INTERRUPTED
    const real = k.timers.list[ITIMER_REAL]!
    if (real.deadline === null) return null
    const wait = real.deadline - k.clock.monotonicNs()
    if (wait > 0n) k.clock.sleep(wait)
    fireExpiredTimers(k)
    if (k.hasDeliverableSignal()) k.clock.sleep(WAKE_UP_LATENCY_NS)
  }
}

function timeval(ns: bigint, out: DataView, offset: number): void {
  out.setBigInt64(offset, ns / NS_PER_SECOND, true)
  out.setBigInt64(offset + 8, (ns % NS_PER_SECOND) / NS_PER_MICROSECOND, true)
}

function readTimeval(view: DataView, offset: number): bigint | null {
  const seconds = view.getBigInt64(offset, true)
  const micros = view.getBigInt64(offset + 8, true)
  if (seconds < 0n || micros < 0n || micros >= 1_000_000n) return null
  return seconds * NS_PER_SECOND + micros * NS_PER_MICROSECOND
}

/** struct itimerval of a timer: interval, then the time left. */
function itimerval(k: Kernel, timer: Timer): Uint8Array {
  const out = new Uint8Array(32)
  const view = new DataView(out.buffer)
  timeval(timer.interval, view, 0)
  timeval(timer.deadline === null ? 0n : timer.deadline - now(k, timer), view, 16)
  return out
}

export function sysGetitimer(k: Kernel): SyscallResult {
  const timer = k.timers.list[k.argInt(0)]
  if (!timer) return -EINVAL
  k.memory.writeBytes(k.arg(1), itimerval(k, timer))
  return 0
}

export function sysSetitimer(k: Kernel): SyscallResult {
  const which = k.argInt(0)
  const timer = k.timers.list[which]
  if (!timer || (which !== ITIMER_REAL && which !== ITIMER_VIRTUAL && which !== ITIMER_PROF)) return -EINVAL
  let next: { value: bigint; interval: bigint } | null = null
  if (k.arg(1) !== 0) {
    const view = new DataView(k.memory.readBytes(k.arg(1), 32).buffer)
    const interval = readTimeval(view, 0)
    const value = readTimeval(view, 16)
    if (interval === null || value === null) return -EINVAL
    next = { value, interval }
  }
  if (k.arg(2) !== 0) k.memory.writeBytes(k.arg(2), itimerval(k, timer))
  if (next) {
    timer.deadline = next.value === 0n ? null : now(k, timer) + next.value
    timer.interval = next.interval
    rearmed(k)
  }
  return 0
}

/** The CPU's current slice was sized without this timer: end it so the next one stops in time. */
function rearmed(k: Kernel): void {
  k.cpu.requestHalt()
}

/** alarm(seconds): returns the seconds left on the previous alarm, rounded as Linux does. */
export function sysAlarm(k: Kernel): SyscallResult {
  const timer = k.timers.list[ITIMER_REAL]!
  let previous = 0n
  if (timer.deadline !== null) {
    const left = timer.deadline - k.clock.monotonicNs()
    const seconds = left / NS_PER_SECOND
    const micros = (left % NS_PER_SECOND) / NS_PER_MICROSECOND
    previous = (seconds === 0n && micros > 0n) || micros >= 500_000n ? seconds + 1n : seconds
  }
  const seconds = BigInt(k.arg(0) >>> 0)
  timer.deadline = seconds === 0n ? null : k.clock.monotonicNs() + seconds * NS_PER_SECOND
  timer.interval = 0n
  rearmed(k)
  return Number(previous)
}

/** pause(): sleeps until a signal is delivered, then fails with EINTR as Linux's does. */
export function sysPause(k: Kernel): SyscallResult {
  if (waitForSignal(k) === null) return k.hangForever()
  return -EINTR
}

/** rt_sigsuspend(mask): waits with `mask` blocked; the old mask returns when the handler does. */
export function sysRtSigsuspend(k: Kernel): SyscallResult {
  if (k.arg(1) !== 8) return -EINVAL
  const mask = new DataView(k.memory.readBytes(k.arg(0), 8).buffer).getBigUint64(0, true)
  k.signals.suspend(mask)
  if (waitForSignal(k) === null) return k.hangForever()
  return -EINTR
}
