// The simulated Linux kernel of one process: it answers the CPU's system calls, turns CPU
// exceptions into signals (after trying to grow the stack), delivers signals to handlers or
// ends the process, and tracks what the process's status is. Each concern lives in its own
// file (files, memory-calls, signals, time, identity, thread, limits); this class holds the
// state they share and the dispatch.

import type { Cpu, CpuHost } from '../cpu/cpu'
import type { CpuException } from '../cpu/exception'
import type { Fault } from '../fault'
import { MemoryFault } from '../fault'
import type { Memory } from '../memory'
import type { Random } from '../random'
import type { AddressSpace } from '../address-space'
import { RAX, RDI, RSI, RDX, R10, R8, R9, RSP } from '../cpu/registers'
import { EFAULT, ENOSYS } from './errno'
import { SYSCALLS } from './syscall-table'
import { syscallName } from './syscall-names'
import { BLOCKED, UNCHANGED, type SyscallResult } from './syscall-result'
import { FileTable } from './files'
import { StdinPipe } from './stdio'
import { Vfs } from './vfs'
import { VirtualClock } from './time'
import { defaultLimits } from './limits'
import { Timers, fireExpiredTimers, instructionsToNextTimer } from './timers'
import type { Identity } from './identity'
import {
  SIGABRT, SIGSEGV, SignalState, disposition, enterHandler, forceFault, takeDeliverable, type SignalInfo,
} from './signals'
import { TASK_SIZE_MAX, abortFault, describeException, type VmaInfo } from './crash-report'

const ARG_REGISTERS = [RDI, RSI, RDX, R10, R8, R9]
const TWO_32 = 0x1_0000_0000
/** How much of stderr we keep to explain an abort (glibc's message precedes it). */
const STDERR_TAIL = 512
/** How far from rsp a failed stack expansion still counts as the stack running out. */
const STACK_OVERFLOW_REACH = 65536

export type ProcessState =
  | { state: 'running' }
  | { state: 'waiting-input' }
  | { state: 'exited'; code: number }
  | { state: 'signaled'; signal: number; fault: Fault | null; kernelLog: string | null }

export interface KernelOptions {
  memory: Memory
  space: AddressSpace
  random: Random
  identity: Identity
  /** The executable's path inside the machine (/proc/self/exe, the kernel log's comm). */
  execPath: string
  /** The executable's inode, as /proc/self/maps shows it, so that stat() agrees. */
  execInode: number
  image: Uint8Array
  argv: readonly string[]
  env: readonly string[]
  cwd: string
  files: Record<string, Uint8Array>
  stdin: Uint8Array
  stdinClosed: boolean
  /** Standard output and error are a terminal (isatty) rather than pipes. */
  terminal: boolean
  /** Largest file the guest may create, and all files together: the session's disk, bytes. */
  maxFileBytes: number
}

export class Kernel implements CpuHost {
  cpu!: Cpu
  readonly memory: Memory
  readonly space: AddressSpace
  readonly random: Random
  readonly identity: Identity
  readonly vfs: Vfs
  readonly files: FileTable
  readonly stdin = new StdinPipe()
  readonly clock: VirtualClock
  readonly signals = new SignalState()
  readonly limits = defaultLimits()
  readonly thread: { clearChildTid: number; robustList: number; rseq: { addr: number; signature: number } | null } = {
    clearChildTid: 0, robustList: 0, rseq: null,
  }
  readonly terminalSize = { rows: 24, columns: 80 }
  readonly execPath: string
  readonly maxFileBytes: number
  umask = 0o022

  /** Called with the guest's bytes for standard output (1) and error (2). */
  onOutput: (fd: 1 | 2, bytes: Uint8Array) => void = () => {}

  private processState: ProcessState = { state: 'running' }
  /** A system call waiting for input, retried when input arrives. */
  private blockedCall: { nr: number } | null = null
  /** Unimplemented system calls the program made, by name, with how many times. */
  readonly unimplemented = new Map<string, number>()
  private stderrTail = ''
  /** pause() or sigsuspend() with nothing that could ever wake it: the process sleeps forever. */
  private hung = false
  readonly timers = new Timers()
  /**
   * The debugger's say on a fault the program has a handler for: true holds the fault back
   * before the handler runs (gdb stops with "Program received signal SIGSEGV" first) until
   * deliverHeldFault. Null: faults are delivered at once.
   */
  stopOnHandledFault: ((signal: number) => boolean) | null = null
  /** A handled fault held back for the debugger; the faulting instruction has not run. */
  heldFault: { exception: CpuException; signal: number } | null = null

  constructor(options: KernelOptions) {
    this.memory = options.memory
    this.space = options.space
    this.random = options.random
    this.identity = options.identity
    this.execPath = options.execPath
    this.maxFileBytes = options.maxFileBytes
    this.clock = new VirtualClock(() => this.cpu.instructionCount)
    this.vfs = new Vfs({ cwd: options.cwd, capacityBytes: options.maxFileBytes, randomBytes: (n) => this.random.bytes(n) })
    this.files = new FileTable(options.terminal, () => this.vfs.ino())
    this.vfs.addFile(options.execPath, options.image, { writable: false, executable: true, ino: options.execInode })
    for (const [path, data] of Object.entries(options.files)) {
      if (!path.startsWith('/')) throw new Error(`file path must be absolute: ${path}`)
      this.vfs.addFile(path, data, { writable: true })
    }
    const encoder = new TextEncoder()
    this.vfs.addGenerated('/proc/self/maps', () => encoder.encode(this.space.formatMaps()))
    this.vfs.addGenerated('/proc/self/cmdline', () => encoder.encode(options.argv.map((a) => a + '\0').join('')))
    this.vfs.addGenerated('/proc/self/environ', () => encoder.encode(options.env.map((a) => a + '\0').join('')))
    this.vfs.addGenerated('/proc/self/comm', () => encoder.encode(this.comm + '\n'))
    this.vfs.addSymlink('/proc/self/exe', () => this.execPath)
    this.vfs.addSymlink('/proc/self/cwd', () => this.vfs.cwd)
    this.vfs.addSymlink(`/proc/${this.identity.pid}`, () => '/proc/self')
    if (options.stdin.length > 0) this.stdin.feed(options.stdin)
    if (options.stdinClosed) this.stdin.close()
  }

  /** The task's comm: the executable's base name cut to 15 characters (TASK_COMM_LEN - 1). */
  get comm(): string {
    return this.execPath.slice(this.execPath.lastIndexOf('/') + 1).slice(0, 15)
  }

  get state(): ProcessState {
    return this.processState
  }

  /** The process waits for a signal that nothing will send (pause() with no timer armed). */
  get sleepingForever(): boolean {
    return this.hung
  }

  get finished(): boolean {
    return this.processState.state === 'exited' || this.processState.state === 'signaled'
  }

  // --- arguments -------------------------------------------------------------------------------

  /** Argument i as an unsigned number (exact below 2^53: addresses, sizes). */
  arg(i: number): number {
    return this.cpu.r.get(ARG_REGISTERS[i]!)
  }

  /** Argument i as a C int (the low 32 bits, signed): fds, flags, signal numbers. */
  argInt(i: number): number {
    return this.cpu.r.regs[2 * ARG_REGISTERS[i]!]! | 0
  }

  /** Argument i as a signed 64-bit value (off_t), as a number. */
  argSigned(i: number): number {
    const reg = ARG_REGISTERS[i]!
    return this.cpu.r.regs[2 * reg + 1]! * TWO_32 + (this.cpu.r.regs[2 * reg]! >>> 0)
  }

  // --- system calls ----------------------------------------------------------------------------

  syscall(cpu: Cpu): void {
    const nr = cpu.r.get(RAX)
    this.complete(nr, this.invoke(nr))
  }

  private invoke(nr: number): SyscallResult {
    const handler = SYSCALLS.get(nr)
    if (!handler) {
      const name = syscallName(nr)
      this.unimplemented.set(name, (this.unimplemented.get(name) ?? 0) + 1)
      return -ENOSYS
    }
    try {
      return handler(this)
    } catch (error) {
      // A bad user pointer makes the call fail, never the host.
      if (error instanceof MemoryFault) return -EFAULT
      throw error
    }
  }

  private complete(nr: number, result: SyscallResult): void {
    if (result === BLOCKED) {
      this.blockedCall = { nr }
      this.processState = { state: 'waiting-input' }
      this.cpu.requestHalt()
      return
    }
    if (result !== UNCHANGED) this.cpu.r.setSigned(RAX, result)
    if (!this.finished) this.deliverPending()
  }

  /** Input arrived or closed: finish the blocked read if it can now complete. */
  private retryBlocked(): void {
    if (!this.blockedCall) return
    const { nr } = this.blockedCall
    const result = this.invoke(nr)
    if (result === BLOCKED) return
    this.blockedCall = null
    this.processState = { state: 'running' }
    this.complete(nr, result)
  }

  feedStdin(bytes: Uint8Array): void {
    this.stdin.feed(bytes)
    this.retryBlocked()
  }

  closeStdin(): void {
    this.stdin.close()
    this.retryBlocked()
  }

  output(stream: 1 | 2, bytes: Uint8Array): void {
    if (stream === 2) this.stderrTail = (this.stderrTail + new TextDecoder().decode(bytes)).slice(-STDERR_TAIL)
    this.onOutput(stream, bytes)
  }

  exit(code: number): void {
    this.processState = { state: 'exited', code }
    this.cpu.requestHalt()
  }

  // --- signals ---------------------------------------------------------------------------------

  /**
   * Queues a signal for the thread (tkill, tgkill) or the process (kill); it is acted on before
   * returning to user code.
   */
  sendSignal(info: SignalInfo, toProcess: boolean): void {
    if (this.signals.isIgnored(info.signo)) return
    const set = toProcess ? this.signals.sharedPending : this.signals.pending
    if (!set.has(info.signo)) set.set(info.signo, info)
  }

  hasDeliverableSignal(): boolean {
    return this.signals.hasDeliverable()
  }

  /** The process waits for a signal nothing can send: it stops for good, as it would on Linux. */
  hangForever(): SyscallResult {
    this.hung = true
    this.cpu.requestHalt()
    return UNCHANGED
  }

  /** Instructions the CPU may run before a timer expires (null: no timer is armed). */
  instructionsToNextTimer(): number | null {
    return instructionsToNextTimer(this)
  }

  /** Between two instructions: expired timers send their signals, which are then acted on. */
  checkTimers(): void {
    if (this.finished || this.hung) return
    fireExpiredTimers(this)
    if (this.signals.hasDeliverable()) this.deliverPending()
  }

  /** Acts on pending, unblocked signals: run handlers or end the process. */
  private deliverPending(): void {
    for (;;) {
      const info = takeDeliverable(this.signals)
      if (!info) {
        this.signals.restoreSavedMask()
        return
      }
      const action = disposition(this.signals, info.signo)
      if (action.action === 'ignore') continue
      if (action.action === 'terminate') {
        const fault = info.signo === SIGABRT ? abortFault(this.cpu.r.rip, this.stderrTail) : null
        this.terminate(info.signo, fault, null)
        return
      }
      if (!enterHandler(this, info)) {
        this.killForBadFrame()
        return
      }
    }
  }

  private terminate(signal: number, fault: Fault | null, kernelLog: string | null): void {
    this.processState = { state: 'signaled', signal, fault, kernelLog }
    this.cpu.requestHalt()
  }

  /** The signal frame could not be written or read back: Linux forces SIGSEGV (signal_fault). */
  private killForBadFrame(): void {
    const ip = this.cpu.r.rip
    const sp = this.cpu.r.get(RSP)
    const fault: Fault = {
      kind: 'unmapped', signal: SIGSEGV, address: `0x${sp.toString(16)}`, ip: `0x${ip.toString(16)}`, access: 'write', errorCode: null,
      message: 'The kernel could not write or read the signal frame on the stack (the stack pointer is not valid), so the process was killed.',
    }
    this.terminate(SIGSEGV, fault, null)
  }

  /** rt_sigreturn found an unreadable or invalid frame. */
  badFrame(): SyscallResult {
    this.killForBadFrame()
    return UNCHANGED
  }

  // --- exceptions ------------------------------------------------------------------------------

  /** The CPU stopped on an exception: grow the stack and retry, or deliver the signal. */
  handleException(exception: CpuException): void {
    let e = exception
    // int3 is a trap: the process (and its SIGTRAP handler) resumes after the instruction.
    if (e.vector === 'breakpoint') {
      e = { vector: 'breakpoint', ip: e.ip + 1 }
      this.cpu.r.rip = e.ip
    }
    let stackOverflow = false
    if (e.vector === 'page-fault' && !e.present && e.address < TASK_SIZE_MAX) {
      const address = Number(e.address)
      const growth = this.space.growStack(address)
      if (growth === 'grown') return
      // Below the stack but not allowed to grow there, close to the stack pointer: the stack
      // ran out (a wild pointer far below rsp is an ordinary bad access).
      const sp = this.cpu.r.get(RSP)
      stackOverflow = growth !== 'not-below-stack' && Math.abs(address - sp) <= STACK_OVERFLOW_REACH
    }
    const outcome = describeException(this.crashContext(), e, stackOverflow)
    if (e.vector !== 'breakpoint' && this.signals.isHandled(outcome.signal) && this.stopOnHandledFault?.(outcome.signal)) {
      this.heldFault = { exception: e, signal: outcome.signal }
      return
    }
    // Linux logs the fault only when no handler is installed (unhandled_signal()): a handler
    // that is blocked still silences the log, even though the forced signal kills the process.
    const logged = !this.signals.isHandled(outcome.signal)
    forceFault(this.signals, outcome.signal)
    const action = disposition(this.signals, outcome.signal)
    if (action.action === 'handle') {
      if (!enterHandler(this, outcome.info)) this.killForBadFrame()
      return
    }
    this.terminate(outcome.signal, outcome.fault, logged ? outcome.kernelLog : null)
  }

  /** Delivers the fault held back for the debugger (its handler runs next). */
  deliverHeldFault(): void {
    const fault = this.heldFault
    if (fault === null) return
    this.heldFault = null
    const hold = this.stopOnHandledFault
    this.stopOnHandledFault = null
    try {
      this.handleException(fault.exception)
    } finally {
      this.stopOnHandledFault = hold
    }
  }

  private crashContext() {
    return { comm: this.comm, pid: this.identity.pid, sp: this.cpu.r.get(RSP), vmas: this.vmas(), memory: this.memory, stackLimit: this.space.limits.stack }
  }

  /** The user-space areas (the [vsyscall] page lies in the kernel half and never holds user ip). */
  vmas(): VmaInfo[] {
    return this.space
      .regions()
      .filter((r) => r.end <= TASK_SIZE_MAX)
      .map((r) => ({ start: Number(r.start), end: Number(r.end), perms: r.perms, offset: r.offset, name: r.name }))
  }
}
