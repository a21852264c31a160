// The Machine: one simulated Linux process. It wires guest memory, the ELF loader, the CPU and
// the kernel together and is what the simulation worker and the CLI drive: run a slice of
// instructions, feed standard input, read the status, the regions and /proc/self/maps.
//
// Determinism: the seed drives every random choice (ASLR, AT_RANDOM and so the canary,
// getrandom, /dev/urandom) and time is derived from the instruction count, so the same
// binary, argv, environment, input and seed give the same run byte for byte.
//
// Defaults the kernel helper chose (documented for the UI and the CLI):
// - execPath: argv[0] when it is absolute, otherwise argv[0] resolved against the working
//   directory /home/user ('./a.out' and 'a.out' both give '/home/user/a.out'). It is AT_EXECFN,
//   /proc/self/exe, the name in /proc/self/maps, and its base name is the comm in kernel logs.
// - pid 4242 (its parent, the shell, 4241); uid = gid = 1000.
// - standard output and error are pipes unless `terminal` is set, so glibc buffers stdout
//   fully exactly as when a native program's output is captured.

import { DEFAULT_MAX_GUEST_BYTES, Memory } from './memory'
import type { Fault } from './fault'
import { Random } from './random'
import { Cpu } from './cpu/cpu'
import { RSP } from './cpu/registers'
import { DEFAULT_CREDENTIALS, inodeForPath, loadElf, type LoadedProcess } from './loader'
import type { Region } from './address-space'
import type { RandomizeVaSpace } from './layout'
import { Kernel } from './kernel/kernel'
import { DEFAULT_PID } from './kernel/identity'
import { SIGNAL_DESCRIPTIONS, signalName } from './kernel/signals'

export interface MachineOptions {
  /** argv[0] included. */
  argv: string[]
  /** "K=V" strings, in order. */
  env: string[]
  /** Drives all randomness (ASLR, AT_RANDOM, getrandom): same seed = same run. */
  seed: number
  /** randomize_va_space semantics. */
  aslr: 0 | 1 | 2
  /** AT_EXECFN and /proc/self/exe; default argv[0] made absolute against /home/user. */
  execPath?: string
  /** Initial standard input bytes; more can be fed later. */
  stdin?: Uint8Array
  /** True: end of file after `stdin`. */
  stdinClosed?: boolean
  /** Extra files in the virtual filesystem, by absolute path (writable by the guest). */
  files?: Record<string, Uint8Array>
  /** Guest RAM limit (default 512 MiB); past it mmap/brk fail with ENOMEM. */
  maxMemoryBytes?: number
  /** Standard output and error are a terminal (isatty, line-buffered stdout) instead of pipes. */
  terminal?: boolean
}

export type MachineStatus =
  | { state: 'ready' | 'running' }
  /** Blocked in read(0) with no data and stdin open. */
  | { state: 'waiting-input' }
  | { state: 'exited'; code: number }
  | { state: 'signaled'; signal: number; fault: Fault | null; kernelLog: string | null }

/** What happened, in the form the CLI's --report writes and the UI shows after a run. */
export interface MachineReport {
  status: MachineStatus
  /** The status a shell reports: the exit code, or 128 + the signal. */
  shellStatus: number | null
  signalName: string | null
  instructionCount: number
  unimplementedSyscalls: { name: string; count: number }[]
  regions: { start: string; end: string; perms: string; offset: number; name: string }[]
}

const HOME = '/home/user'

/** argv[0] as an absolute path, resolved against the home directory (the working directory). */
export function defaultExecPath(argv0: string): string {
  const parts: string[] = []
  for (const part of (argv0.startsWith('/') ? argv0 : `${HOME}/${argv0}`).split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..') parts.pop()
    else parts.push(part)
  }
  if (parts.length === 0 || argv0.endsWith('/')) parts.push('a.out')
  return '/' + parts.join('/')
}

export class Machine {
  readonly memory: Memory
  readonly cpu: Cpu
  readonly kernel: Kernel
  /** What the loader set up: the ELF, the layout, the initial stack and auxv. */
  readonly process: LoadedProcess
  private started = false
  /**
   * Why the last run() returned early for the debugger: at a breakpoint (rip on it, not yet
   * run), after an instruction that touched a watched page, or at a fault the program handles
   * (held back until kernel.deliverHeldFault); null otherwise.
   */
  debugStop: 'breakpoint' | 'watch' | 'signal' | null = null

  /** Throws ElfError or LoadError (from ./elf and ./loader) with a precise message. */
  static fromElf(image: Uint8Array, options: MachineOptions): Machine {
    return new Machine(image, options)
  }

  private constructor(image: Uint8Array, options: MachineOptions) {
    if (options.argv.length === 0) throw new RangeError('argv must hold at least argv[0]')
    const execPath = options.execPath ?? defaultExecPath(options.argv[0]!)
    this.memory = Memory.create({ maxBytes: options.maxMemoryBytes ?? DEFAULT_MAX_GUEST_BYTES })
    const random = new Random(options.seed)
    this.process = loadElf(this.memory, image, {
      argv: options.argv,
      env: options.env,
      execPath,
      random,
      aslr: options.aslr as RandomizeVaSpace,
      credentials: DEFAULT_CREDENTIALS,
    })
    this.kernel = new Kernel({
      memory: this.memory,
      space: this.process.addressSpace,
      random,
      identity: { pid: DEFAULT_PID, ppid: DEFAULT_PID - 1, uid: DEFAULT_CREDENTIALS.uid, gid: DEFAULT_CREDENTIALS.gid },
      execPath,
      execInode: inodeForPath(execPath),
      image,
      argv: options.argv,
      env: options.env,
      cwd: HOME,
      files: options.files ?? {},
      stdin: options.stdin ?? new Uint8Array(0),
      stdinClosed: options.stdinClosed ?? false,
      terminal: options.terminal ?? false,
      maxFileBytes: Math.floor((options.maxMemoryBytes ?? DEFAULT_MAX_GUEST_BYTES) / 4),
    })
    this.cpu = new Cpu(this.memory, this.kernel)
    this.kernel.cpu = this.cpu
    this.cpu.r.rip = this.process.entry
    this.cpu.r.set(RSP, this.process.rsp)
  }

  get onOutput(): (fd: 1 | 2, bytes: Uint8Array) => void {
    return this.kernel.onOutput
  }

  set onOutput(callback: (fd: 1 | 2, bytes: Uint8Array) => void) {
    this.kernel.onOutput = callback
  }

  get status(): MachineStatus {
    const state = this.kernel.state
    if (state.state === 'running') return { state: this.started ? 'running' : 'ready' }
    return state
  }

  get instructionCount(): number {
    return this.cpu.instructionCount
  }

  /** Runs up to maxInstructions; returns early on exit, a fatal signal, or a wait for input. */
  run(maxInstructions: number): MachineStatus {
    this.debugStop = null
    const kernel = this.kernel
    if (kernel.finished || kernel.state.state === 'waiting-input' || kernel.sleepingForever) return this.status
    this.started = true
    let remaining = Math.max(0, Math.floor(maxInstructions))
    while (remaining > 0 && kernel.state.state === 'running' && !kernel.sleepingForever) {
      // A slice ends exactly where the next timer expires, so its signal arrives at the same
      // instruction in every run.
      kernel.checkTimers()
      if (kernel.state.state !== 'running') break
      const toTimer = kernel.instructionsToNextTimer()
      const slice = toTimer === null ? remaining : Math.min(remaining, Math.max(1, toTimer))
      const before = this.cpu.instructionCount
      const stop = this.cpu.run(slice)
      remaining -= this.cpu.instructionCount - before
      if (stop.kind === 'exception') {
        kernel.handleException(stop.exception)
        if (kernel.heldFault !== null) {
          this.debugStop = 'signal'
          break
        }
      } else if (stop.kind === 'breakpoint' || stop.kind === 'debug') {
        this.debugStop = stop.kind === 'breakpoint' ? 'breakpoint' : 'watch'
        break
      }
    }
    kernel.checkTimers()
    return this.status
  }

  feedStdin(bytes: Uint8Array): void {
    this.kernel.feedStdin(bytes)
  }

  closeStdin(): void {
    this.kernel.closeStdin()
  }

  /** The process's memory areas, as /proc/self/maps lists them. */
  regions(): Region[] {
    return this.process.addressSpace.regions()
  }

  /** /proc/self/maps text, in the kernel's exact format. */
  procMaps(): string {
    return this.process.addressSpace.formatMaps()
  }

  /** The program waits for a signal nothing will send (pause() with no timer): it will never run again. */
  get sleepingForever(): boolean {
    return this.kernel.sleepingForever
  }

  /** System calls the program made that Memscape does not implement (they returned -ENOSYS). */
  get unimplementedSyscalls(): { name: string; count: number }[] {
    return [...this.kernel.unimplemented].map(([name, count]) => ({ name, count }))
  }

  report(): MachineReport {
    const status = this.status
    return {
      status,
      shellStatus: shellStatus(status),
      signalName: status.state === 'signaled' ? signalName(status.signal) : null,
      instructionCount: this.instructionCount,
      unimplementedSyscalls: this.unimplementedSyscalls,
      regions: this.regions().map((r) => ({
        start: `0x${r.start.toString(16)}`, end: `0x${r.end.toString(16)}`, perms: r.perms, offset: r.offset, name: r.name,
      })),
    }
  }
}

/** The status `$?` shows: the exit code, or 128 + the signal number; null while running. */
export function shellStatus(status: MachineStatus): number | null {
  if (status.state === 'exited') return status.code
  if (status.state === 'signaled') return 128 + status.signal
  return null
}

/** What bash prints for a job killed by a signal ("Segmentation fault"); cores are disabled (ulimit -c 0). */
export function describeTermination(signal: number): string {
  return SIGNAL_DESCRIPTIONS[signal] ?? `Unknown signal ${signal}`
}
