// The calls a single-threaded C runtime makes about its one thread: the fs base for TLS
// (arch_prctl), the clear-child-tid pointer, the robust futex list, rseq registration, and
// futex operations that a lone thread can only ever make on itself.

import type { Kernel } from './kernel'
import type { SyscallResult } from './syscall-result'
import { EAGAIN, EBUSY, EDEADLK, EINVAL, EPERM, ETIMEDOUT } from './errno'

const ARCH_SET_GS = 0x1001
const ARCH_SET_FS = 0x1002
const ARCH_GET_FS = 0x1003
const ARCH_GET_GS = 0x1004
const ARCH_GET_CPUID = 0x1011
const ARCH_SET_CPUID = 0x1012

const USER_TOP = 0x7ffffffff000

export function sysArchPrctl(k: Kernel): SyscallResult {
  const code = k.argInt(0)
  const addr = k.arg(1)
  const regs = k.cpu.r
  switch (code) {
    case ARCH_SET_FS:
    case ARCH_SET_GS:
      // Linux refuses a base at or above TASK_SIZE_MAX.
      if (addr >= USER_TOP) return -EPERM
      if (code === ARCH_SET_FS) regs.fsBase = addr
      else regs.gsBase = addr
      return 0
    case ARCH_GET_FS:
    case ARCH_GET_GS: {
      const out = new Uint8Array(8)
      new DataView(out.buffer).setBigUint64(0, BigInt(code === ARCH_GET_FS ? regs.fsBase : regs.gsBase), true)
      k.memory.writeBytes(addr, out)
      return 0
    }
    case ARCH_GET_CPUID:
      return 1 // cpuid is enabled
    case ARCH_SET_CPUID:
      return addr === 0 ? -EPERM : 0
    default:
      return -EINVAL
  }
}

export function sysSetTidAddress(k: Kernel): SyscallResult {
  k.thread.clearChildTid = k.arg(0)
  return k.identity.pid
}

export function sysSetRobustList(k: Kernel): SyscallResult {
  // sizeof(struct robust_list_head) is 24.
  if (k.arg(1) !== 24) return -EINVAL
  k.thread.robustList = k.arg(0)
  return 0
}

const RSEQ_FLAG_UNREGISTER = 1
const RSEQ_MIN_SIZE = 32

/**
 * rseq(2): registration succeeds and the kernel fills cpu_id_start and cpu_id (CPU 0), as it does
 * on return to user space; a lone thread is never preempted mid-sequence, so nothing else is due.
 */
export function sysRseq(k: Kernel): SyscallResult {
  const addr = k.arg(0)
  const length = k.argInt(1)
  const flags = k.argInt(2)
  const signature = k.argInt(3)
  if (flags & RSEQ_FLAG_UNREGISTER) {
    if (k.thread.rseq === null || k.thread.rseq.addr !== addr) return -EINVAL
    if (k.thread.rseq.signature !== signature) return -EPERM
    k.thread.rseq = null
    return 0
  }
  if (flags !== 0) return -EINVAL
  if (k.thread.rseq !== null) return k.thread.rseq.addr === addr ? -EBUSY : -EINVAL
  if (length < RSEQ_MIN_SIZE || addr % 32 !== 0) return -EINVAL
  const ids = new Uint8Array(8) // cpu_id_start = 0, cpu_id = 0
  k.memory.writeBytes(addr, ids)
  k.thread.rseq = { addr, signature }
  return 0
}

const FUTEX_WAIT = 0
const FUTEX_WAKE = 1
const FUTEX_WAIT_BITSET = 9
const FUTEX_WAKE_BITSET = 10
const FUTEX_CMD_MASK = ~(128 | 256) // without FUTEX_PRIVATE_FLAG and FUTEX_CLOCK_REALTIME

/**
 * futex(2) with one thread: a wake finds no waiter; a wait on a changed word returns EAGAIN; a
 * wait on an unchanged word could only be ended by a timeout (ETIMEDOUT) and never by another
 * thread. Without a timeout Linux would block forever; we return EDEADLK instead so that the
 * program (and the learner) sees the deadlock rather than a hang.
 */
export function sysFutex(k: Kernel): SyscallResult {
  const addr = k.arg(0)
  const op = k.argInt(1) & FUTEX_CMD_MASK
  const value = k.argInt(2)
  switch (op) {
    case FUTEX_WAKE:
    case FUTEX_WAKE_BITSET:
      return 0
    case FUTEX_WAIT:
    case FUTEX_WAIT_BITSET: {
      if (addr % 4 !== 0) return -EINVAL
      const current = new DataView(k.memory.readBytes(addr, 4).buffer).getInt32(0, true)
      if (current !== value) return -EAGAIN
      return k.arg(3) !== 0 ? -ETIMEDOUT : -EDEADLK
    }
    default:
      return -EINVAL
  }
}

export function sysSchedYield(): SyscallResult {
  return 0
}

/** sched_getaffinity: one CPU (CPU 0); returns the mask size written, as the raw call does. */
export function sysSchedGetaffinity(k: Kernel): SyscallResult {
  const size = k.arg(1)
  if (size < 8 || size % 8 !== 0) return -EINVAL
  const mask = new Uint8Array(8)
  mask[0] = 1
  k.memory.writeBytes(k.arg(2), mask)
  return 8
}

export function sysGetcpu(k: Kernel): SyscallResult {
  const zero = new Uint8Array(4)
  if (k.arg(0) !== 0) k.memory.writeBytes(k.arg(0), zero)
  if (k.arg(1) !== 0) k.memory.writeBytes(k.arg(1), zero)
  return 0
}
