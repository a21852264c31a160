// The session host: owns the open sessions, one simulation worker thread each, and implements
// MemscapeApi for both front doors (Electron main and the browser-mode server). Guest memory
// is read straight from the worker's SharedArrayBuffer, so hex dumps never wait for the guest.

import { Worker } from 'node:worker_threads'
import { MemoryView, USER_LIMIT } from '../../shared/machine/memory'
import { formatAddress, parseAddress } from '../../shared/protocol/address'
import {
  ApiError,
  MAX_READ_BYTES,
  type BuildRequest,
  type ControlAction,
  type EventListener,
  type ExecuteOptions,
  type ExecutableFile,
  type LoadReport,
  type MemoryBytes,
  type MemscapeApi,
  type MemscapeEvent,
  type OpenSessionOptions,
  type SessionState,
  type SnapshotOptions,
  type VersionInfo,
} from '../../shared/protocol/api'
import { decodeBase64, encodeBase64 } from '../../shared/protocol/base64'
import { describeIssues } from '../../shared/protocol/schema'
import type { CommandOutput } from '../../shared/debugger/output'
import type { StopSnapshot } from '../../shared/debugger/snapshot'
import { PRODUCT_NAME, VERSION } from '../../shared/version'
import * as v from 'valibot'
import { createControlBlock, postControlRequest } from './control-block'
import { WorkerMessageSchema, type HostMessage, type ProgramLoad, type WorkerData, type WorkerMessage, type WorkerState } from './worker-messages'

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never

export interface SessionHostOptions {
  /** The built simulation worker (out/main/simulation-worker.js). */
  workerUrl: URL
  /** Open sessions allowed at once: each is a thread and up to maxGuestBytes of memory. */
  maxSessions?: number
  /** How long a worker may take to load its program. */
  startTimeoutMs?: number
}

const DEFAULT_MAX_SESSIONS = 8
const DEFAULT_START_TIMEOUT_MS = 20_000
const DEFAULT_SEED = 1
const DEFAULT_ASLR = 2

interface PendingControl {
  seq: number
  resolve: (state: SessionState) => void
  reject: (error: ApiError) => void
}

class WorkerSession {
  memory: MemoryView | null = null
  state: SessionState
  private nextRequestId = 1
  /** Requests to the worker awaiting their answer (a command's output, a snapshot, a load report). */
  private readonly pendingRequests = new Map<number, { resolve: (answer: never) => void; reject: (error: ApiError) => void }>()
  private readonly pendingControls: PendingControl[] = []
  /** Control requests are sent one at a time: the control block holds only the latest. */
  private controlQueue: Promise<unknown> = Promise.resolve()
  private closing = false

  constructor(
    readonly id: string,
    private readonly worker: Worker,
    private readonly controlBlock: Int32Array,
    private readonly emit: (event: MemscapeEvent) => void,
  ) {
    this.state = { sessionId: id, run: 'no-program', instructionCount: 0, exitCode: null, signal: null, fault: null, error: null }
  }

  /** Resolves once the worker reports ready; rejects with the load error otherwise. */
  start(timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(`The simulation worker did not start within ${timeoutMs} ms`), timeoutMs)
      const fail = (message: string): void => {
        clearTimeout(timer)
        reject(new ApiError('failed', message))
      }
      this.worker.on('message', (raw: unknown) => {
        const parsed = v.safeParse(WorkerMessageSchema, raw)
        if (!parsed.success) {
          this.crash(`Malformed message from the simulation worker: ${describeIssues(parsed.issues)}`)
          return
        }
        const message = parsed.output
        if (message.type === 'ready') {
          clearTimeout(timer)
          this.memory = message.memory ? new MemoryView(message.memory) : null
          this.applyState(message.state)
          resolve()
        } else if (message.type === 'load-failed') fail(message.message)
        else this.handle(message)
      })
      this.worker.on('error', (error) => {
        fail(error.message)
        this.crash(`The simulation worker failed: ${error.message}`)
      })
      this.worker.on('exit', (code) => {
        fail(`The simulation worker exited (code ${code}) before it was ready`)
        this.crash(`The simulation worker exited unexpectedly (code ${code})`)
      })
    })
  }

  private handle(message: WorkerMessage): void {
    switch (message.type) {
      case 'result':
        this.answer(message.requestId, message.output)
        return
      case 'snapshot':
        this.answer(message.requestId, message.snapshot)
        return
      case 'loaded':
        this.answer(message.requestId, message.report)
        return
      case 'state': {
        this.applyState(message.state)
        if (message.ack === null) return
        const ack = message.ack
        while (this.pendingControls.length > 0 && this.pendingControls[0]!.seq <= ack) {
          const control = this.pendingControls.shift()!
          if (message.error) control.reject(new ApiError('invalid-state', message.error))
          else control.resolve(this.state)
        }
        return
      }
      case 'console':
        this.emit({ type: 'console', sessionId: this.id, output: message.output })
        return
      case 'input-request':
        this.emit({ type: 'input-request', sessionId: this.id })
        return
      case 'output':
        this.emit({ type: 'output', sessionId: this.id, fd: message.fd, dataBase64: encodeBase64(message.data) })
        return
      case 'memory':
        this.memory = new MemoryView(message.memory)
        return
      case 'ready':
      case 'load-failed':
        this.crash(`The simulation worker sent "${message.type}" twice`)
    }
  }

  private answer(requestId: number, answer: unknown): void {
    const request = this.pendingRequests.get(requestId)
    this.pendingRequests.delete(requestId)
    ;(request?.resolve as ((answer: unknown) => void) | undefined)?.(answer)
  }

  /** Posts a request and waits for the worker's answer to it. */
  private request<T>(message: DistributiveOmit<HostMessage, 'requestId'>): Promise<T> {
    this.ensureAlive()
    const requestId = this.nextRequestId++
    return new Promise<T>((resolve, reject) => {
      this.pendingRequests.set(requestId, { resolve: resolve as (answer: never) => void, reject })
      this.worker.postMessage({ ...message, requestId })
    })
  }

  private applyState(state: WorkerState): void {
    this.state = { sessionId: this.id, ...state }
    this.emit({ type: 'state', state: this.state })
  }

  private crash(reason: string): void {
    if (this.state.run === 'crashed' || this.closing) return
    this.state = { ...this.state, run: 'crashed', error: reason }
    this.failPending(reason)
    this.emit({ type: 'state', state: this.state })
  }

  private failPending(reason: string): void {
    const error = new ApiError('failed', reason)
    for (const request of this.pendingRequests.values()) request.reject(error)
    this.pendingRequests.clear()
    for (const control of this.pendingControls.splice(0)) control.reject(error)
  }

  private ensureAlive(): void {
    if (this.state.run === 'crashed') throw new ApiError('failed', this.state.error ?? 'The simulation worker failed')
  }

  execute(line: string, typed: boolean): Promise<CommandOutput> {
    return this.request({ type: 'execute', line, typed })
  }

  sendInput(data: Uint8Array | null): void {
    this.ensureAlive()
    this.worker.postMessage({ type: 'input', data })
  }

  snapshot(live: boolean): Promise<StopSnapshot | null> {
    return this.request({ type: 'snapshot', live })
  }

  build(request: BuildRequest): Promise<LoadReport> {
    return this.request({ type: 'build', request })
  }

  openExecutable(file: ExecutableFile): Promise<LoadReport> {
    return this.request({ type: 'open-executable', name: file.name, elfBase64: file.elfBase64 })
  }

  control(action: ControlAction): Promise<SessionState> {
    const sent = this.controlQueue.then(() => {
      this.ensureAlive()
      return new Promise<SessionState>((resolve, reject) => {
        const seq = postControlRequest(this.controlBlock, action)
        this.pendingControls.push({ seq, resolve, reject })
      })
    })
    this.controlQueue = sent.catch(() => undefined)
    return sent
  }

  async close(): Promise<void> {
    this.closing = true
    await this.worker.terminate()
    this.failPending('The session was closed')
  }
}

export class SessionHost implements MemscapeApi {
  private readonly sessions = new Map<string, WorkerSession>()
  private readonly listeners = new Set<EventListener>()
  private readonly workerUrl: URL
  private readonly maxSessions: number
  private readonly startTimeoutMs: number
  private nextSessionNumber = 1

  constructor(options: SessionHostOptions) {
    this.workerUrl = options.workerUrl
    this.maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS
    this.startTimeoutMs = options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS
  }

  async version(): Promise<VersionInfo> {
    return { name: PRODUCT_NAME, version: VERSION }
  }

  async openSession(options: OpenSessionOptions = {}): Promise<SessionState> {
    if (this.sessions.size >= this.maxSessions) {
      throw new ApiError('failed', `Too many open sessions (${this.maxSessions}); close one first`)
    }
    const id = `s${this.nextSessionNumber++}`
    const control = createControlBlock()
    let program: ProgramLoad | null = null
    if (options.program) {
      const { path, elfBase64, sources } = options.program
      program = {
        path,
        ...(sources ? { sources } : {}),
        image: decodeBase64(elfBase64),
        argv: options.argv ?? [path],
        env: options.env ?? [],
        seed: options.seed ?? DEFAULT_SEED,
        aslr: options.aslr ?? DEFAULT_ASLR,
      }
    }
    const workerData: WorkerData = { control: control.buffer as SharedArrayBuffer, program }
    const worker = new Worker(this.workerUrl, { workerData })
    const session = new WorkerSession(id, worker, control, (event) => this.emit(event))
    try {
      await session.start(this.startTimeoutMs)
    } catch (error) {
      await worker.terminate()
      throw error
    }
    this.sessions.set(id, session)
    return session.state
  }

  async closeSession(sessionId: string): Promise<void> {
    const session = this.session(sessionId)
    this.sessions.delete(sessionId)
    await session.close()
  }

  async sessionState(sessionId: string): Promise<SessionState> {
    return this.session(sessionId).state
  }

  async execute(sessionId: string, line: string, how: ExecuteOptions = {}): Promise<CommandOutput> {
    return this.session(sessionId).execute(line, how.typed ?? false)
  }

  async sendInput(sessionId: string, dataBase64: string | null): Promise<void> {
    this.session(sessionId).sendInput(dataBase64 === null ? null : decodeBase64(dataBase64))
  }

  async snapshot(sessionId: string, options: SnapshotOptions = {}): Promise<StopSnapshot | null> {
    return this.session(sessionId).snapshot(options.live ?? false)
  }

  async build(sessionId: string, request: BuildRequest): Promise<LoadReport> {
    return this.session(sessionId).build(request)
  }

  async openExecutable(sessionId: string, file: ExecutableFile): Promise<LoadReport> {
    return this.session(sessionId).openExecutable(file)
  }

  async readMemory(sessionId: string, address: string, length: number): Promise<MemoryBytes> {
    const session = this.session(sessionId)
    if (!Number.isInteger(length) || length < 1 || length > MAX_READ_BYTES) {
      throw new ApiError('invalid-params', `A read is 1 to ${MAX_READ_BYTES} bytes, not ${length}`)
    }
    const start = parseAddress(address)
    const bytes = new Array<number>(length).fill(0)
    const mapped = new Array<boolean>(length).fill(false)
    // Only the user half below 2^47 can be mapped; the rest reads as unmapped.
    const userLimit = BigInt(USER_LIMIT)
    const readable = start >= userLimit ? 0 : Math.min(length, Number(userLimit - start))
    if (session.memory && readable > 0) {
      const peeked = session.memory.peek(Number(start), readable)
      for (let i = 0; i < readable; i++) {
        bytes[i] = peeked.data[i]!
        mapped[i] = peeked.mapped[i] === 1
      }
    }
    return { address: formatAddress(start), bytes, mapped }
  }

  async control(sessionId: string, action: ControlAction): Promise<SessionState> {
    return this.session(sessionId).control(action)
  }

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener)
    return () => this.listeners.delete(listener)
  }

  /** Ends every session's worker (shutdown). */
  async closeAll(): Promise<void> {
    await Promise.all([...this.sessions.keys()].map((id) => this.closeSession(id)))
  }

  private session(sessionId: string): WorkerSession {
    const session = this.sessions.get(sessionId)
    if (!session) throw new ApiError('no-such-session', `No session "${sessionId}" is open`)
    return session
  }

  private emit(event: MemscapeEvent): void {
    for (const listener of this.listeners) listener(event)
  }
}
