// Signals: dispositions (rt_sigaction), the blocked mask (rt_sigprocmask), pending signals,
// the alternate stack, and delivery as Linux x86-64 does it: a struct rt_sigframe pushed on the
// user stack (arch/x86/kernel/signal.c), the handler entered with (sig, &info, &uc), and
// rt_sigreturn restoring the interrupted context from that frame.

import type { Kernel } from './kernel'
import { UNCHANGED, type SyscallResult } from './syscall-result'
import { EINVAL, ENOMEM, EPERM, ESRCH } from './errno'
import { MemoryFault } from '../fault'
import { RAX, RBP, RBX, RCX, RDI, RDX, RSI, RSP, R8, R9, R10, R11, R12, R13, R14, R15 } from '../cpu/registers'

export const SIGHUP = 1
export const SIGINT = 2
export const SIGQUIT = 3
export const SIGILL = 4
export const SIGTRAP = 5
export const SIGABRT = 6
export const SIGBUS = 7
export const SIGFPE = 8
export const SIGKILL = 9
export const SIGUSR1 = 10
export const SIGSEGV = 11
export const SIGUSR2 = 12
export const SIGPIPE = 13
export const SIGALRM = 14
export const SIGTERM = 15
export const SIGCHLD = 17
export const SIGCONT = 18
export const SIGSTOP = 19
export const SIGTSTP = 20
export const SIGTTIN = 21
export const SIGTTOU = 22
export const SIGURG = 23
export const SIGXCPU = 24
export const SIGXFSZ = 25
export const SIGWINCH = 28
export const SIGSYS = 31
export const NSIG = 64

/** Names as strsignal() and the shell print them, for reports. */
export const SIGNAL_NAMES: Readonly<Record<number, string>> = {
  1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 4: 'SIGILL', 5: 'SIGTRAP', 6: 'SIGABRT', 7: 'SIGBUS', 8: 'SIGFPE',
  9: 'SIGKILL', 10: 'SIGUSR1', 11: 'SIGSEGV', 12: 'SIGUSR2', 13: 'SIGPIPE', 14: 'SIGALRM', 15: 'SIGTERM',
  16: 'SIGSTKFLT', 17: 'SIGCHLD', 18: 'SIGCONT', 19: 'SIGSTOP', 20: 'SIGTSTP', 21: 'SIGTTIN', 22: 'SIGTTOU',
  23: 'SIGURG', 24: 'SIGXCPU', 25: 'SIGXFSZ', 26: 'SIGVTALRM', 27: 'SIGPROF', 28: 'SIGWINCH', 29: 'SIGIO',
  30: 'SIGPWR', 31: 'SIGSYS',
}

/** What bash prints when a job dies of the signal (strsignal). */
export const SIGNAL_DESCRIPTIONS: Readonly<Record<number, string>> = {
  1: 'Hangup', 2: 'Interrupt', 3: 'Quit', 4: 'Illegal instruction', 5: 'Trace/breakpoint trap', 6: 'Aborted',
  7: 'Bus error', 8: 'Floating point exception', 9: 'Killed', 10: 'User defined signal 1', 11: 'Segmentation fault',
  12: 'User defined signal 2', 13: 'Broken pipe', 14: 'Alarm clock', 15: 'Terminated', 24: 'CPU time limit exceeded',
  25: 'File size limit exceeded', 31: 'Bad system call',
}

export function signalName(sig: number): string {
  return SIGNAL_NAMES[sig] ?? (sig >= 34 && sig <= 64 ? `SIGRT${sig - 34}` : `signal ${sig}`)
}

const SIG_DFL = 0n
const SIG_IGN = 1n

const SA_ONSTACK = 0x08000000n
const SA_RESTORER = 0x04000000n
const SA_NODEFER = 0x40000000n
const SA_RESETHAND = 0x80000000n

const SIG_BLOCK = 0
const SIG_UNBLOCK = 1
const SIG_SETMASK = 2

const SS_ONSTACK = 1
const SS_DISABLE = 2
const SS_AUTODISARM = 1 << 31
const MINSIGSTKSZ = 2048

/** si_code values (include/uapi/asm-generic/siginfo.h). */
export const SI_USER = 0
export const SI_KERNEL = 0x80
export const SI_TKILL = -6
export const SEGV_MAPERR = 1
export const SEGV_ACCERR = 2
export const ILL_ILLOPN = 2
export const FPE_INTDIV = 1
export const TRAP_BRKPT = 1

/** Signals whose default action is to do nothing. */
const DEFAULT_IGNORED = new Set([SIGCHLD, SIGCONT, SIGURG, SIGWINCH])
/** Stop signals: a lone process has no job control to stop it for; treated as ignored. */
const DEFAULT_STOP = new Set([SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU])
/** Signals whose default action dumps core ("(core dumped)" when cores are enabled). */
export const CORE_SIGNALS = new Set([SIGQUIT, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGXCPU, SIGXFSZ, SIGSYS])

const UNBLOCKABLE = bit(SIGKILL) | bit(SIGSTOP)

function bit(sig: number): bigint {
  return 1n << BigInt(sig - 1)
}

interface SigAction {
  handler: bigint
  flags: bigint
  restorer: bigint
  mask: bigint
}

/** The details of one signal as siginfo_t carries them. */
export interface SignalInfo {
  signo: number
  code: number
  /** si_addr for faults (bigint: kernel addresses), or null. */
  address: bigint | null
  /** si_pid/si_uid for kill-family signals. */
  sender: { pid: number; uid: number } | null
  /** For faults: the CPU trap number, error code and cr2 that go into the sigcontext. */
  trap?: { trapno: number; error: number; cr2: bigint }
}

export class SignalState {
  readonly actions: SigAction[] = Array.from({ length: NSIG + 1 }, () => ({ handler: SIG_DFL, flags: 0n, restorer: 0n, mask: 0n }))
  blocked = 0n
  /**
   * Pending signals and the info they were sent with, one instance of each signal per set:
   * standard signals do not queue. As on Linux there are two sets: signals sent to the thread
   * (tkill, tgkill, raise) and signals sent to the process (kill), so the same signal can be
   * pending twice and is then delivered twice.
   */
  readonly pending = new Map<number, SignalInfo>()
  readonly sharedPending = new Map<number, SignalInfo>()
  altStack = { sp: 0, flags: SS_DISABLE, size: 0 }
  /** The mask to restore after rt_sigsuspend's temporary one (saved_sigmask), or null. */
  savedMask: bigint | null = null

  /** rt_sigsuspend: block `mask` until a signal is handled; the current mask comes back after. */
  suspend(mask: bigint): void {
    this.savedMask = this.blocked
    this.blocked = mask & ~UNBLOCKABLE
  }

  /** No handler ran after a sigsuspend: put the original mask back (restore_saved_sigmask). */
  restoreSavedMask(): void {
    if (this.savedMask === null) return
    this.blocked = this.savedMask
    this.savedMask = null
  }

  /** Whether some pending signal would be acted on now (not blocked, not ignored). */
  hasDeliverable(): boolean {
    for (const set of [this.pending, this.sharedPending]) {
      for (const sig of set.keys()) if (!this.isBlocked(sig) && !this.isIgnored(sig)) return true
    }
    return false
  }

  isHandled(sig: number): boolean {
    const handler = this.actions[sig]!.handler
    return handler !== SIG_DFL && handler !== SIG_IGN
  }

  /** Whether the signal would be discarded on arrival (ignored explicitly or by default). */
  isIgnored(sig: number): boolean {
    const handler = this.actions[sig]!.handler
    if (handler === SIG_IGN) return sig !== SIGKILL && sig !== SIGSTOP
    return handler === SIG_DFL && (DEFAULT_IGNORED.has(sig) || DEFAULT_STOP.has(sig))
  }

  isBlocked(sig: number): boolean {
    return (this.blocked & bit(sig)) !== 0n
  }
}

// --- system calls ----------------------------------------------------------------------------

function validSignal(sig: number): boolean {
  return sig >= 1 && sig <= NSIG
}

export function sysRtSigaction(k: Kernel): SyscallResult {
  const sig = k.argInt(0)
  const act = k.arg(1)
  const oldact = k.arg(2)
  if (k.arg(3) !== 8) return -EINVAL
  if (!validSignal(sig)) return -EINVAL
  if (act !== 0 && (sig === SIGKILL || sig === SIGSTOP)) return -EINVAL
  const current = k.signals.actions[sig]!
  let next: SigAction | null = null
  if (act !== 0) {
    const view = new DataView(k.memory.readBytes(act, 32).buffer)
    next = {
      handler: view.getBigUint64(0, true),
      flags: view.getBigUint64(8, true),
      restorer: view.getBigUint64(16, true),
      mask: view.getBigUint64(24, true) & ~UNBLOCKABLE,
    }
  }
  if (oldact !== 0) {
    const out = new Uint8Array(32)
    const view = new DataView(out.buffer)
    view.setBigUint64(0, current.handler, true)
    view.setBigUint64(8, current.flags, true)
    view.setBigUint64(16, current.restorer, true)
    view.setBigUint64(24, current.mask, true)
    k.memory.writeBytes(oldact, out)
  }
  if (next) {
    k.signals.actions[sig] = next
    // POSIX: setting a pending signal to ignored discards it.
    if (k.signals.isIgnored(sig)) {
      k.signals.pending.delete(sig)
      k.signals.sharedPending.delete(sig)
    }
  }
  return 0
}

export function sysRtSigprocmask(k: Kernel): SyscallResult {
  const how = k.argInt(0)
  const set = k.arg(1)
  const oldset = k.arg(2)
  if (k.arg(3) !== 8) return -EINVAL
  const previous = k.signals.blocked
  if (set !== 0) {
    const mask = new DataView(k.memory.readBytes(set, 8).buffer).getBigUint64(0, true) & ~UNBLOCKABLE
    if (how === SIG_BLOCK) k.signals.blocked |= mask
    else if (how === SIG_UNBLOCK) k.signals.blocked &= ~mask
    else if (how === SIG_SETMASK) k.signals.blocked = mask
    else return -EINVAL
  } else if (how !== SIG_BLOCK && how !== SIG_UNBLOCK && how !== SIG_SETMASK) {
    return -EINVAL
  }
  if (oldset !== 0) {
    const out = new Uint8Array(8)
    new DataView(out.buffer).setBigUint64(0, previous, true)
    k.memory.writeBytes(oldset, out)
  }
  return 0
}

export function sysRtSigpending(k: Kernel): SyscallResult {
  if (k.arg(1) > 8) return -EINVAL
  let set = 0n
  for (const sig of [...k.signals.pending.keys(), ...k.signals.sharedPending.keys()]) set |= bit(sig)
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, set & k.signals.blocked, true)
  k.memory.writeBytes(k.arg(0), out.subarray(0, k.arg(1)))
  return 0
}

export function sysSigaltstack(k: Kernel): SyscallResult {
  const ss = k.arg(0)
  const oldss = k.arg(1)
  const state = k.signals.altStack
  const onStack = onAltStack(k, k.cpu.r.get(RSP))
  let next: typeof state | null = null
  if (ss !== 0) {
    const view = new DataView(k.memory.readBytes(ss, 24).buffer)
    const flags = view.getInt32(8, true)
    if (onStack) return -EPERM
    const mode = flags & ~SS_AUTODISARM
    if (mode !== 0 && mode !== SS_DISABLE && mode !== SS_ONSTACK) return -EINVAL
    if (mode === SS_DISABLE) next = { sp: 0, flags: SS_DISABLE, size: 0 }
    else {
      const size = Number(view.getBigUint64(16, true))
      if (size < MINSIGSTKSZ) return -ENOMEM
      next = { sp: Number(view.getBigUint64(0, true)), flags, size }
    }
  }
  if (oldss !== 0) {
    k.memory.writeBytes(oldss, stackT(state, onStack))
  }
  if (next) k.signals.altStack = next
  return 0
}

function stackT(state: { sp: number; flags: number; size: number }, onStack: boolean): Uint8Array {
  const out = new Uint8Array(24)
  const view = new DataView(out.buffer)
  view.setBigUint64(0, BigInt(state.sp), true)
  view.setInt32(8, onStack ? SS_ONSTACK : state.flags & SS_DISABLE ? SS_DISABLE : state.flags & SS_AUTODISARM, true)
  view.setBigUint64(16, BigInt(state.size), true)
  return out
}

function onAltStack(k: Kernel, sp: number): boolean {
  const { sp: base, size, flags } = k.signals.altStack
  if (flags & SS_DISABLE) return false
  return sp > base && sp - base <= size
}

/** kill/tkill/tgkill: the only process is this one; anything else does not exist. */
function signalSelf(k: Kernel, sig: number, code: number, toProcess: boolean): SyscallResult {
  if (sig < 0 || sig > NSIG) return -EINVAL
  if (sig === 0) return 0
  k.sendSignal({ signo: sig, code, address: null, sender: { pid: k.identity.pid, uid: k.identity.uid } }, toProcess)
  return 0
}

export function sysKill(k: Kernel): SyscallResult {
  const pid = k.argInt(0)
  const sig = k.argInt(1)
  // 0: our process group; -1: every process we may signal (only us here).
  if (pid !== k.identity.pid && pid !== 0 && pid !== -1 && pid !== -k.identity.pid) return -ESRCH
  return signalSelf(k, sig, SI_USER, true)
}

export function sysTkill(k: Kernel): SyscallResult {
  if (k.argInt(0) <= 0) return -EINVAL
  if (k.argInt(0) !== k.identity.pid) return -ESRCH
  return signalSelf(k, k.argInt(1), SI_TKILL, false)
}

export function sysTgkill(k: Kernel): SyscallResult {
  if (k.argInt(0) <= 0 || k.argInt(1) <= 0) return -EINVAL
  if (k.argInt(0) !== k.identity.pid || k.argInt(1) !== k.identity.pid) return -ESRCH
  return signalSelf(k, k.argInt(2), SI_TKILL, false)
}

// --- delivery --------------------------------------------------------------------------------

/** What happens to a signal that is neither blocked nor ignored. */
export type Disposition = { action: 'terminate'; core: boolean } | { action: 'handle' } | { action: 'ignore' }

export function disposition(state: SignalState, sig: number): Disposition {
  if (state.isIgnored(sig)) return { action: 'ignore' }
  if (state.isHandled(sig) && sig !== SIGKILL && sig !== SIGSTOP) return { action: 'handle' }
  return { action: 'terminate', core: CORE_SIGNALS.has(sig) }
}

/** A synchronous fault the process cannot block or ignore (force_sig_fault): reset to default if so. */
export function forceFault(state: SignalState, sig: number): void {
  if (state.isBlocked(sig) || state.actions[sig]!.handler === SIG_IGN) {
    state.actions[sig] = { handler: SIG_DFL, flags: 0n, restorer: 0n, mask: 0n }
    state.blocked &= ~bit(sig)
  }
}

/**
 * The next signal to act on, removed from its set: the thread's own pending signals first, then
 * the process's (dequeue_signal), the lowest-numbered unblocked one of each.
 */
export function takeDeliverable(state: SignalState): SignalInfo | null {
  for (const set of [state.pending, state.sharedPending]) {
    const ready = [...set.keys()].filter((sig) => !state.isBlocked(sig)).sort((a, b) => a - b)
    const sig = ready[0]
    if (sig === undefined) continue
    const info = set.get(sig)!
    set.delete(sig)
    return info
  }
  return null
}

// Layout of struct rt_sigframe (x86-64): pretcode, then struct ucontext, then siginfo.
const FRAME_UC = 8
const UC_STACK = 16
const UC_MCONTEXT = 40
const UC_SIGMASK = 40 + 256
const UCONTEXT_SIZE = UC_SIGMASK + 8
const FRAME_INFO = FRAME_UC + UCONTEXT_SIZE
const FRAME_SIZE = FRAME_INFO + 128
/** fxsave area (512) plus the FP_XSTATE_MAGIC2 word the kernel reserves after it. */
const FPSTATE_SIZE = 512 + 4
const UC_SIGCONTEXT_SS = 0x2
const UC_STRICT_RESTORE_SS = 0x4
const USER_CS = 0x33
const USER_DS = 0x2b

/** sigcontext general registers in their struct order (r8..r15, rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp). */
const SIGCONTEXT_REGS = [R8, R9, R10, R11, R12, R13, R14, R15, RDI, RSI, RBP, RBX, RDX, RAX, RCX, RSP]

/** Bits of RFLAGS that rt_sigreturn restores from the frame (FIX_EFLAGS). */
const FIX_EFLAGS = 0x1 | 0x4 | 0x10 | 0x40 | 0x80 | 0x100 | 0x400 | 0x800 | 0x40000 | 0x10000

function siginfoBytes(info: SignalInfo): Uint8Array {
  const out = new Uint8Array(128)
  const view = new DataView(out.buffer)
  view.setInt32(0, info.signo, true)
  view.setInt32(8, info.code, true)
  if (info.sender) {
    view.setInt32(16, info.sender.pid, true)
    view.setInt32(20, info.sender.uid, true)
  } else if (info.address !== null) {
    view.setBigUint64(16, BigInt.asUintN(64, info.address), true)
  }
  return out
}

/**
 * Pushes an rt_sigframe and enters the handler. Returns false when the frame cannot be written
 * (the stack is gone): the caller then kills the process with SIGSEGV, as Linux does.
 */
export function enterHandler(k: Kernel, info: SignalInfo): boolean {
  const sig = info.signo
  const state = k.signals
  const action = state.actions[sig]!
  const regs = k.cpu.r
  const originalSp = regs.get(RSP)
  let sp = originalSp - 128 // the red zone below rsp belongs to the interrupted code
  const switchStack = (action.flags & SA_ONSTACK) !== 0n && !(state.altStack.flags & SS_DISABLE) && !onAltStack(k, originalSp)
  if (switchStack) sp = state.altStack.sp + state.altStack.size
  sp -= FPSTATE_SIZE
  sp -= sp % 64
  const fpstate = sp
  sp -= FRAME_SIZE
  const frame = sp - ((sp + 8) % 16) // ((sp + 8) & -16) - 8: as if the handler had been called
  if ((action.flags & SA_RESTORER) === 0n) return false

  const buf = new Uint8Array(fpstate + FPSTATE_SIZE - frame)
  const view = new DataView(buf.buffer)
  view.setBigUint64(0, action.restorer, true)
  view.setBigUint64(FRAME_UC, BigInt(UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS), true)
  buf.set(stackT(state.altStack, onAltStack(k, originalSp)), FRAME_UC + UC_STACK)
  const mc = FRAME_UC + UC_MCONTEXT
  SIGCONTEXT_REGS.forEach((reg, i) => view.setBigUint64(mc + i * 8, regs.getBig(reg), true))
  view.setBigUint64(mc + 128, BigInt(regs.rip), true)
  view.setBigUint64(mc + 136, BigInt(k.cpu.getRflags()), true)
  view.setUint16(mc + 144, USER_CS, true)
  view.setUint16(mc + 150, USER_DS, true)
  if (info.trap) {
    view.setBigUint64(mc + 152, BigInt(info.trap.error), true)
    view.setBigUint64(mc + 160, BigInt(info.trap.trapno), true)
    view.setBigUint64(mc + 176, BigInt.asUintN(64, info.trap.cr2), true)
  }
  // The mask the handler's return restores: the one before rt_sigsuspend, if it is waiting.
  const restoreMask = state.savedMask ?? state.blocked
  view.setBigUint64(mc + 168, restoreMask & 0xffffffffn, true)
  view.setBigUint64(mc + 184, BigInt(fpstate), true)
  view.setBigUint64(FRAME_UC + UC_SIGMASK, restoreMask, true)
  buf.set(siginfoBytes(info), FRAME_INFO)
  buf.set(fxsaveImage(k), fpstate - frame)
  try {
    k.memory.writeBytes(frame, buf)
  } catch (error) {
    if (error instanceof MemoryFault) return false
    throw error
  }

  regs.set(RDI, sig)
  regs.set(RSI, frame + FRAME_INFO)
  regs.set(RDX, frame + FRAME_UC)
  regs.set(RAX, 0)
  regs.set(RSP, frame)
  regs.rip = Number(action.handler)
  // The handler starts with DF and TF clear (the ABI promises DF = 0 at function entry).
  k.cpu.setRflags(k.cpu.getRflags() & ~(0x400 | 0x100))
  state.savedMask = null
  state.blocked |= action.mask & ~UNBLOCKABLE
  if ((action.flags & SA_NODEFER) === 0n) state.blocked |= bit(sig)
  if (action.flags & SA_RESETHAND) state.actions[sig] = { handler: SIG_DFL, flags: 0n, restorer: 0n, mask: 0n }
  if (switchStack && state.altStack.flags & SS_AUTODISARM) state.altStack = { sp: 0, flags: SS_DISABLE, size: 0 }
  return true
}

/** The legacy fxsave image: x87 control/status, MXCSR and XMM0-15. */
function fxsaveImage(k: Kernel): Uint8Array {
  const out = new Uint8Array(FPSTATE_SIZE)
  const view = new DataView(out.buffer)
  view.setUint16(0, k.cpu.fpuControl, true)
  view.setUint32(24, k.cpu.r.mxcsr, true)
  view.setUint32(28, 0xffff, true) // MXCSR_MASK
  const xmm = k.cpu.r.xmm
  for (let i = 0; i < 64; i++) view.setInt32(160 + i * 4, xmm[i]!, true)
  return out
}

/** rt_sigreturn: the handler returned through the restorer; reload the saved context. */
export function sysRtSigreturn(k: Kernel): SyscallResult {
  const regs = k.cpu.r
  const frame = regs.get(RSP) - 8
  let raw: Uint8Array
  try {
    raw = k.memory.readBytes(frame, FRAME_SIZE)
  } catch (error) {
    if (error instanceof MemoryFault) return k.badFrame()
    throw error
  }
  const view = new DataView(raw.buffer)
  const mc = FRAME_UC + UC_MCONTEXT
  const rip = view.getBigUint64(mc + 128, true)
  // Returning to a non-user rip makes the kernel's iret fault: the process gets SIGSEGV.
  if (rip >= 0x7ffffffff000n) return k.badFrame()
  const fpstate = Number(view.getBigUint64(mc + 184, true))
  let fp: DataView | null = null
  if (fpstate !== 0) {
    try {
      fp = new DataView(k.memory.readBytes(fpstate, 512).buffer)
    } catch (error) {
      if (error instanceof MemoryFault) return k.badFrame()
      throw error
    }
  }
  SIGCONTEXT_REGS.forEach((reg, i) => regs.setBig(reg, view.getBigUint64(mc + i * 8, true)))
  const flags = Number(view.getBigUint64(mc + 136, true) & 0xffffffffn)
  k.cpu.setRflags((k.cpu.getRflags() & ~FIX_EFLAGS) | (flags & FIX_EFLAGS))
  k.signals.blocked = view.getBigUint64(FRAME_UC + UC_SIGMASK, true) & ~UNBLOCKABLE
  if (fp) {
    k.cpu.fpuControl = fp.getUint16(0, true)
    k.cpu.r.mxcsr = fp.getUint32(24, true) & 0xffff
    for (let i = 0; i < 64; i++) k.cpu.r.xmm[i] = fp.getInt32(160 + i * 4, true)
  }
  const stackFlags = view.getInt32(FRAME_UC + UC_STACK + 8, true)
  if (!(stackFlags & SS_ONSTACK) && !(stackFlags & SS_DISABLE)) {
    k.signals.altStack = {
      sp: Number(view.getBigUint64(FRAME_UC + UC_STACK, true)),
      flags: stackFlags,
      size: Number(view.getBigUint64(FRAME_UC + UC_STACK + 16, true)),
    }
  }
  regs.rip = Number(rip)
  return UNCHANGED
}
