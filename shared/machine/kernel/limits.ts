// Resource limits and usage. The values are those of a default Debian 12 login (measured with
// prlimit on this machine): an 8 MiB stack soft limit, no core dumps, everything else generous.

import type { Kernel } from './kernel'
import type { SyscallResult } from './syscall-result'
import { EINVAL, EPERM, ESRCH } from './errno'

export const RLIM_INFINITY = 0xffffffffffffffffn
export const RLIMIT_DATA = 2
export const RLIMIT_STACK = 3
export const RLIMIT_AS = 9
export const RLIMIT_NOFILE = 7
export const DEFAULT_STACK_LIMIT = 8 * 1024 * 1024
const RLIM_NLIMITS = 16

interface Limit {
  soft: bigint
  hard: bigint
}

export function defaultLimits(): Limit[] {
  const unlimited = (): Limit => ({ soft: RLIM_INFINITY, hard: RLIM_INFINITY })
  const limits = Array.from({ length: RLIM_NLIMITS }, unlimited)
  limits[RLIMIT_STACK] = { soft: BigInt(DEFAULT_STACK_LIMIT), hard: RLIM_INFINITY }
  limits[4] = { soft: 0n, hard: RLIM_INFINITY } // RLIMIT_CORE: no core files
  limits[6] = { soft: 96365n, hard: 96365n } // RLIMIT_NPROC
  limits[RLIMIT_NOFILE] = { soft: 1024n, hard: 1024n }
  limits[8] = { soft: 8388608n, hard: 8388608n } // RLIMIT_MEMLOCK
  limits[11] = { soft: 96365n, hard: 96365n } // RLIMIT_SIGPENDING
  limits[12] = { soft: 819200n, hard: 819200n } // RLIMIT_MSGQUEUE
  limits[13] = { soft: 0n, hard: 0n } // RLIMIT_NICE
  limits[14] = { soft: 0n, hard: 0n } // RLIMIT_RTPRIO
  return limits
}

function limitBytes(limit: Limit): Uint8Array {
  const out = new Uint8Array(16)
  const view = new DataView(out.buffer)
  view.setBigUint64(0, limit.soft, true)
  view.setBigUint64(8, limit.hard, true)
  return out
}

function setLimit(k: Kernel, resource: number, addr: number): SyscallResult {
  const view = new DataView(k.memory.readBytes(addr, 16).buffer)
  const next = { soft: view.getBigUint64(0, true), hard: view.getBigUint64(8, true) }
  const current = k.limits[resource]!
  if (next.soft > next.hard) return -EINVAL
  // Raising a hard limit needs CAP_SYS_RESOURCE, which an ordinary user lacks.
  if (next.hard > current.hard) return -EPERM
  k.limits[resource] = next
  applyMemoryLimit(k, resource, next.soft)
  return 0
}

/** The memory calls and stack growth obey the soft limits of these three resources. */
function applyMemoryLimit(k: Kernel, resource: number, soft: bigint): void {
  const bytes = soft === RLIM_INFINITY ? Infinity : Number(soft)
  if (resource === RLIMIT_STACK) k.space.limits.stack = bytes
  else if (resource === RLIMIT_AS) k.space.limits.addressSpace = bytes
  else if (resource === RLIMIT_DATA) k.space.limits.data = bytes
}

export function sysPrlimit64(k: Kernel): SyscallResult {
  const pid = k.argInt(0)
  const resource = k.argInt(1)
  if (pid !== 0 && pid !== k.identity.pid) return -ESRCH
  if (resource < 0 || resource >= RLIM_NLIMITS) return -EINVAL
  const previous = k.limits[resource]!
  if (k.arg(2) !== 0) {
    const result = setLimit(k, resource, k.arg(2))
    if (result !== 0) return result
  }
  if (k.arg(3) !== 0) k.memory.writeBytes(k.arg(3), limitBytes(previous))
  return 0
}

export function sysGetrlimit(k: Kernel): SyscallResult {
  const resource = k.argInt(0)
  if (resource < 0 || resource >= RLIM_NLIMITS) return -EINVAL
  k.memory.writeBytes(k.arg(1), limitBytes(k.limits[resource]!))
  return 0
}

export function sysSetrlimit(k: Kernel): SyscallResult {
  const resource = k.argInt(0)
  if (resource < 0 || resource >= RLIM_NLIMITS) return -EINVAL
  return setLimit(k, resource, k.arg(1))
}

const RUSAGE_SELF = 0
const RUSAGE_CHILDREN = -1
const RUSAGE_THREAD = 1

/** getrusage: CPU time from the instruction count, all of it user time; maxrss from mapped pages. */
export function sysGetrusage(k: Kernel): SyscallResult {
  const who = k.argInt(0)
  if (who !== RUSAGE_SELF && who !== RUSAGE_CHILDREN && who !== RUSAGE_THREAD) return -EINVAL
  const out = new Uint8Array(144)
  if (who !== RUSAGE_CHILDREN) {
    const view = new DataView(out.buffer)
    const us = k.clock.cpuNs() / 1000n
    view.setBigInt64(0, us / 1_000_000n, true)
    view.setBigInt64(8, us % 1_000_000n, true)
    view.setBigInt64(32, BigInt(k.memory.usedFrames * 4), true) // ru_maxrss in KiB
  }
  k.memory.writeBytes(k.arg(1), out)
  return 0
}

/** getrandom: bytes from the session's seeded generator, never blocking (the pool is ready). */
export function sysGetrandom(k: Kernel): SyscallResult {
  const length = Math.min(k.arg(1), 0x1ffffff)
  const flags = k.argInt(2)
  if (flags & ~7) return -EINVAL
  k.memory.writeBytes(k.arg(0), k.random.bytes(length))
  return length
}

/**
 * sysinfo: the machine as the process sees it. Its RAM is the guest RAM limit, free RAM the
 * frames not in use, no swap; it has been up as long as the monotonic clock says and runs
 * only this process (glibc's qsort asks for the physical page count through this call).
 */
export function sysSysinfo(k: Kernel): SyscallResult {
  const out = new Uint8Array(112)
  const view = new DataView(out.buffer)
  view.setBigInt64(0, k.clock.monotonicNs() / 1_000_000_000n, true)
  view.setBigUint64(32, BigInt(k.memory.frameCount * 4096), true)
  view.setBigUint64(40, BigInt(k.memory.freeFrames * 4096), true)
  view.setUint16(80, 1, true)
  view.setUint32(104, 1, true)
  k.memory.writeBytes(k.arg(0), out)
  return 0
}
