// Virtual time. The guest's clocks advance with the instruction count (one nanosecond per
// instruction: a 1 GHz machine that executes one instruction per cycle) plus the time it
// asked to sleep, so the same run reads the same times on every replay.

import type { Kernel } from './kernel'
import type { SyscallResult } from './syscall-result'
import { EINTR, EINVAL } from './errno'
import { sleep } from './timers'

/** Wall-clock time at instruction 0: 2026-01-01T00:00:00Z. */
export const BOOT_EPOCH_SECONDS = 1_767_225_600
/** The machine has been up this long when the program starts (monotonic clock). */
const UPTIME_AT_START_NS = 3_600_000_000_000n
const NS_PER_SECOND = 1_000_000_000n

const CLOCK_REALTIME = 0
const CLOCK_MONOTONIC = 1
const CLOCK_PROCESS_CPUTIME_ID = 2
const CLOCK_THREAD_CPUTIME_ID = 3
const CLOCK_MONOTONIC_RAW = 4
const CLOCK_REALTIME_COARSE = 5
const CLOCK_MONOTONIC_COARSE = 6
const CLOCK_BOOTTIME = 7
const TIMER_ABSTIME = 1

export class VirtualClock {
  /** Nanoseconds the guest slept (nanosleep), added to every clock but the CPU-time ones. */
  private sleptNs = 0n
  readonly bootEpochSeconds = BOOT_EPOCH_SECONDS

  constructor(private readonly instructions: () => number) {}

  cpuNs(): bigint {
    return BigInt(this.instructions())
  }

  monotonicNs(): bigint {
    return UPTIME_AT_START_NS + this.cpuNs() + this.sleptNs
  }

  realtimeNs(): bigint {
    return BigInt(BOOT_EPOCH_SECONDS) * NS_PER_SECOND + this.cpuNs() + this.sleptNs
  }

  sleep(ns: bigint): void {
    if (ns > 0n) this.sleptNs += ns
  }

  read(clockId: number): bigint | null {
    switch (clockId) {
      case CLOCK_REALTIME:
      case CLOCK_REALTIME_COARSE:
        return this.realtimeNs()
      case CLOCK_MONOTONIC:
      case CLOCK_MONOTONIC_RAW:
      case CLOCK_MONOTONIC_COARSE:
      case CLOCK_BOOTTIME:
        return this.monotonicNs()
      case CLOCK_PROCESS_CPUTIME_ID:
      case CLOCK_THREAD_CPUTIME_ID:
        return this.cpuNs()
      default:
        return null
    }
  }
}

function timespec(ns: bigint): Uint8Array {
  const out = new Uint8Array(16)
  const view = new DataView(out.buffer)
  view.setBigInt64(0, ns / NS_PER_SECOND, true)
  view.setBigInt64(8, ns % NS_PER_SECOND, true)
  return out
}

function readTimespec(k: Kernel, addr: number): bigint | null {
  const view = new DataView(k.memory.readBytes(addr, 16).buffer)
  const seconds = view.getBigInt64(0, true)
  const nanos = view.getBigInt64(8, true)
  if (seconds < 0n || nanos < 0n || nanos >= NS_PER_SECOND) return null
  return seconds * NS_PER_SECOND + nanos
}

export function sysClockGettime(k: Kernel): SyscallResult {
  const ns = k.clock.read(k.argInt(0))
  if (ns === null) return -EINVAL
  k.memory.writeBytes(k.arg(1), timespec(ns))
  return 0
}

export function sysClockGetres(k: Kernel): SyscallResult {
  if (k.clock.read(k.argInt(0)) === null) return -EINVAL
  if (k.arg(1) !== 0) k.memory.writeBytes(k.arg(1), timespec(1n))
  return 0
}

export function sysGettimeofday(k: Kernel): SyscallResult {
  const tv = k.arg(0)
  if (tv !== 0) {
    const ns = k.clock.realtimeNs()
    const out = new Uint8Array(16)
    const view = new DataView(out.buffer)
    view.setBigInt64(0, ns / NS_PER_SECOND, true)
    view.setBigInt64(8, (ns % NS_PER_SECOND) / 1000n, true)
    k.memory.writeBytes(tv, out)
  }
  // The timezone argument is obsolete; Linux fills zeros (UTC).
  if (k.arg(1) !== 0) k.memory.writeBytes(k.arg(1), new Uint8Array(8))
  return 0
}

export function sysTime(k: Kernel): SyscallResult {
  const seconds = k.clock.realtimeNs() / NS_PER_SECOND
  if (k.arg(0) !== 0) {
    const out = new Uint8Array(8)
    new DataView(out.buffer).setBigInt64(0, seconds, true)
    k.memory.writeBytes(k.arg(0), out)
  }
  return Number(seconds)
}

/** Sleeps; a timer's signal that will be acted on interrupts it (EINTR, the rest in `remaining`). */
function sleepCall(k: Kernel, ns: bigint, remaining: number): SyscallResult {
  const left = sleep(k, ns)
  if (left === 0n) return 0
  if (remaining !== 0) k.memory.writeBytes(remaining, timespec(left))
  return -EINTR
}

export function sysNanosleep(k: Kernel): SyscallResult {
  const ns = readTimespec(k, k.arg(0))
  if (ns === null) return -EINVAL
  return sleepCall(k, ns, k.arg(1))
}

export function sysClockNanosleep(k: Kernel): SyscallResult {
  const clockId = k.argInt(0)
  const now = k.clock.read(clockId)
  if (now === null || clockId === CLOCK_THREAD_CPUTIME_ID) return -EINVAL
  const ns = readTimespec(k, k.arg(2))
  if (ns === null) return -EINVAL
  // An absolute sleep reports no remaining time when interrupted.
  if ((k.argInt(1) & TIMER_ABSTIME) !== 0) return sleepCall(k, ns > now ? ns - now : 0n, 0)
  return sleepCall(k, ns, k.arg(3))
}

/** times(): clock ticks (USER_HZ = 100) of CPU time; children used none. */
export function sysTimes(k: Kernel): SyscallResult {
  const ticks = k.clock.cpuNs() / 10_000_000n
  if (k.arg(0) !== 0) {
    const out = new Uint8Array(32)
    new DataView(out.buffer).setBigInt64(0, ticks, true)
    k.memory.writeBytes(k.arg(0), out)
  }
  return Number(k.clock.monotonicNs() / 10_000_000n)
}

