// What a simulation worker does, apart from the worker_threads plumbing (simulation-worker.ts),
// so it can be tested in-process: runs the machine in slices, obeys the control block between
// slices, yields to the event loop so debugger commands are still answered while the guest
// runs, and publishes state at most 60 times a second.

import type { Dispatcher } from '../../shared/debugger/dispatcher'
import type { StopSnapshot } from '../../shared/debugger/snapshot'
import type { CommandOutput } from '../../shared/debugger/output'
import type { MachineStatus } from '../../shared/machine/machine'
import type { ControlAction, LoadReport, RunState } from '../../shared/protocol/api'
import { acknowledgeControlRequest, takeControlRequest, REQUEST_SEQ } from './control-block'
import type { HostMessage, LoadRequest, WorkerMessage, WorkerState } from './worker-messages'

export type { MachineStatus }

/** The part of the Machine the runtime drives (tests drive the runtime with scripted machines). */
export interface RunnableMachine {
  readonly memory: { readonly buffer: SharedArrayBuffer }
  readonly status: MachineStatus
  readonly instructionCount: number
  run(maxInstructions: number): MachineStatus
}

/** Instructions per slice: the control block is read between slices. */
export const SLICE_INSTRUCTIONS = 4096
/** How long the worker runs slices before yielding to its event loop. */
export const BURST_MS = 8
/** Running state is published at most this often. */
export const PUBLISH_INTERVAL_MS = 1000 / 60

export interface RuntimeOptions {
  control: Int32Array
  /** The machine to run now (a debugger `run` replaces it); null without a program. */
  machine: () => RunnableMachine | null
  dispatcher: Dispatcher
  /** The debugger's picture of the current stop (null without a running program); live while it runs. */
  snapshot?: (live: boolean) => StopSnapshot | null
  /** Whether an executable is loaded, with or without a process (after `kill`, it is, without). */
  programLoaded?: () => boolean
  /** Replaces the program (a build or an opened executable). */
  load?: (request: LoadRequest) => LoadReport
  post: (message: WorkerMessage) => void
  sliceInstructions?: number
  burstMs?: number
}

const NO_PROGRAM = 'No executable file specified.'
const NOT_RUNNING = 'The program is not being run.'
const BUSY = 'Cannot execute this command while the target is running.'

type Phase = 'ready' | 'running' | 'paused' | 'stopped'

export class SimulationRuntime {
  private readonly control: Int32Array
  private readonly currentMachine: () => RunnableMachine | null
  private readonly dispatcher: Dispatcher
  private readonly snapshot: (live: boolean) => StopSnapshot | null
  private readonly load: (request: LoadRequest) => LoadReport
  private readonly programLoaded: () => boolean
  private readonly post: (message: WorkerMessage) => void
  private readonly sliceInstructions: number
  private readonly burstMs: number
  private phase: Phase = 'ready'
  private seenSeq: number
  private waiting = false
  private burstScheduled = false
  private lastPublish = -Infinity
  private readonly pendingOutput: { fd: 1 | 2; data: Uint8Array }[] = []
  /** A pause arrived while a debugger command was running the guest: the command stops it. */
  private interruptPending = false
  /** A command waits for the user to type the program's input. */
  private pendingInput: ((input: Uint8Array | null | 'interrupted') => void) | null = null
  private commandsRunning = 0
  /** A debugger command (continue, next, run…) is driving the guest: the state says running. */
  private commandDrivesGuest = false

  constructor(options: RuntimeOptions) {
    this.control = options.control
    this.currentMachine = options.machine
    this.dispatcher = options.dispatcher
    this.snapshot = options.snapshot ?? (() => null)
    this.programLoaded = options.programLoaded ?? (() => false)
    this.load = options.load ?? (() => ({ ok: false, diagnostics: 'This worker cannot load programs.\n', programPath: null, checksec: [] }))
    this.post = options.post
    this.sliceInstructions = options.sliceInstructions ?? SLICE_INSTRUCTIONS
    this.burstMs = options.burstMs ?? BURST_MS
    this.seenSeq = Atomics.load(this.control, REQUEST_SEQ)
  }

  private get machine(): RunnableMachine | null {
    return this.currentMachine()
  }

  /** The guest's output, whoever ran it (the run loop or a debugger command). */
  guestOutput(fd: 1 | 2, bytes: Uint8Array): void {
    this.pendingOutput.push({ fd, data: bytes.slice() })
  }

  /** What a running command printed so far: it goes out before the guest's output that follows. */
  commandProgress(output: CommandOutput): void {
    this.flushOutput()
    this.post({ type: 'console', output })
  }

  /** A running command's program reads standard input: ask the host for what the user types. */
  requestInput(): Promise<Uint8Array | null | 'interrupted'> {
    this.flushOutput()
    this.post({ type: 'input-request' })
    return new Promise((resolve) => {
      this.pendingInput = resolve
      // A pause while waiting arrives through the control block.
      this.waitForRequest()
    })
  }

  private answerInput(input: Uint8Array | null | 'interrupted'): void {
    const pending = this.pendingInput
    this.pendingInput = null
    pending?.(input)
  }

  /** Polled by a debugger command while it runs the guest: was pause requested? */
  takeInterrupt(): boolean {
    this.serviceControl()
    const pending = this.interruptPending
    this.interruptPending = false
    return pending
  }

  /** Called by a debugger command between slices: output and state reach the host. */
  async breathe(): Promise<void> {
    if (performance.now() - this.lastPublish >= PUBLISH_INTERVAL_MS) this.publish(null, null)
    else this.flushOutput()
    await new Promise((resolve) => setImmediate(resolve))
  }

  /** Starts listening to the control block. */
  start(): void {
    this.waitForRequest()
  }

  state(): WorkerState {
    const state: WorkerState = {
      run: 'no-program',
      instructionCount: 0,
      exitCode: null,
      signal: null,
      fault: null,
      error: null,
    }
    const machine = this.machine
    // Killed (gdb's kill): the program is there to run again, its process is not.
    if (!machine) return this.programLoaded() ? { ...state, run: 'stopped' } : state
    state.instructionCount = machine.instructionCount
    const status = machine.status
    if (status.state === 'exited') return { ...state, run: 'exited', exitCode: status.code }
    if (status.state === 'signaled') return { ...state, run: 'signaled', signal: status.signal, fault: status.fault }
    if (this.phase === 'stopped') return { ...state, run: 'stopped' }
    if (status.state === 'waiting-input' || this.pendingInput) return { ...state, run: 'waiting-input' }
    if (this.commandDrivesGuest) return { ...state, run: 'running' }
    return { ...state, run: this.phase satisfies RunState }
  }

  async receive(message: HostMessage): Promise<void> {
    if (message.type === 'input') {
      this.answerInput(message.data)
      return
    }
    if (message.type === 'snapshot') {
      this.post({ type: 'snapshot', requestId: message.requestId, snapshot: this.snapshot(message.live) })
      return
    }
    if (message.type === 'build' || message.type === 'open-executable') {
      this.post({ type: 'loaded', requestId: message.requestId, report: this.replaceProgram(message) })
      return
    }
    // The run loop and a command must not both drive the guest: such a command takes over.
    const drivesGuest = this.dispatcher.runsProgram(message.line)
    if (this.phase === 'running' && drivesGuest) this.phase = 'paused'
    this.commandsRunning++
    if (drivesGuest) this.commandDrivesGuest = true
    try {
      const output = await this.dispatcher.execute(message.line, message.typed)
      if (drivesGuest) {
        this.commandDrivesGuest = false
        // The program has been started: from now on it is paused between commands, not ready.
        if (this.phase === 'ready') this.phase = 'paused'
      }
      // The state goes first, so whoever awaits the result sees the state it left.
      this.publish(null, null)
      this.post({ type: 'result', requestId: message.requestId, output })
    } finally {
      this.commandsRunning--
      if (drivesGuest) this.commandDrivesGuest = false
    }
  }

  /** A new program stops whatever ran the old one; it starts paused at its first instruction. */
  private replaceProgram(request: LoadRequest): LoadReport {
    if (this.commandsRunning > 0) return { ok: false, diagnostics: `${BUSY}\n`, programPath: null, checksec: [] }
    let report: LoadReport
    try {
      report = this.load(request)
    } catch (error) {
      report = { ok: false, diagnostics: `Memscape failed to load the program: ${error instanceof Error ? error.message : String(error)}\n`, programPath: null, checksec: [] }
    }
    if (report.ok) this.phase = 'ready'
    this.publish(null, null)
    return report
  }

  private finished(): boolean {
    const status = this.machine?.status.state
    return this.phase === 'stopped' || status === 'exited' || status === 'signaled'
  }

  /** Carries out one control request; returns why it was refused, or null. */
  private apply(action: ControlAction): string | null {
    const machine = this.machine
    if (action === 'pause') {
      if (this.phase === 'running') this.phase = 'paused'
      if (this.commandsRunning > 0) this.interruptPending = true
      this.answerInput('interrupted')
      return null
    }
    // A debugger command is running the guest: only pause (above) and stop may interrupt it.
    if (this.commandsRunning > 0) {
      if (action !== 'stop') return BUSY
      this.interruptPending = true
    }
    if (!machine) return this.programLoaded() ? NOT_RUNNING : NO_PROGRAM
    if (this.finished()) return action === 'stop' ? null : NOT_RUNNING
    switch (action) {
      case 'run':
        this.phase = 'running'
        this.scheduleBurst()
        return null
      case 'step':
        if (this.phase === 'running') return BUSY
        machine.run(1)
        this.phase = 'paused'
        return null
      case 'stop':
        this.phase = 'stopped'
        return null
    }
  }

  /** Takes the latest request, if any, carries it out and answers it. */
  private serviceControl(): void {
    const request = takeControlRequest(this.control, this.seenSeq)
    if (!request) return
    this.seenSeq = request.seq
    const error = this.apply(request.action)
    this.publish(request.seq, error)
    acknowledgeControlRequest(this.control, request.seq)
  }

  private waitForRequest(): void {
    if (this.waiting) return
    this.waiting = true
    const wait = Atomics.waitAsync(this.control, REQUEST_SEQ, this.seenSeq)
    const woken = () => {
      this.waiting = false
      this.serviceControl()
      if (this.phase !== 'running') this.waitForRequest()
    }
    if (wait.async) void wait.value.then(woken)
    else queueMicrotask(woken)
  }

  private scheduleBurst(): void {
    if (this.burstScheduled) return
    this.burstScheduled = true
    setImmediate(() => {
      this.burstScheduled = false
      this.burst()
    })
  }

  /** Runs slices for about burstMs, checking the control block between slices. */
  private burst(): void {
    const machine = this.machine
    if (!machine) return
    const deadline = performance.now() + this.burstMs
    while (this.phase === 'running') {
      this.serviceControl()
      if (this.phase !== 'running') break
      const status = machine.run(this.sliceInstructions)
      if (status.state !== 'running' && status.state !== 'ready') {
        // Exited, killed or blocked on input: the run is over until the host acts.
        this.phase = 'paused'
        this.publish(null, null)
        break
      }
      if (performance.now() >= deadline) {
        if (performance.now() - this.lastPublish >= PUBLISH_INTERVAL_MS) this.publish(null, null)
        else this.flushOutput()
        this.scheduleBurst()
        return
      }
    }
    this.waitForRequest()
  }

  private flushOutput(): void {
    for (const chunk of this.pendingOutput.splice(0)) this.post({ type: 'output', fd: chunk.fd, data: chunk.data })
  }

  private publish(ack: number | null, error: string | null): void {
    this.flushOutput()
    this.lastPublish = performance.now()
    this.post({ type: 'state', state: this.state(), ack, error })
  }
}
