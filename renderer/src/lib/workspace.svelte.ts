// The workspace's one model: the program being studied, the debugger's picture of the current
// stop, and what the learner has selected. Every pane draws from here and acts through here, so
// they all show the same moment as the terminal.

import type { CommandOutput } from '../../../shared/debugger/output'
import type { StopSnapshot } from '../../../shared/debugger/snapshot'
import type { BuildProtections, LoadReport, MemoryBytes, MemscapeApi, SessionState } from '../../../shared/protocol/api'
import { encodeBase64 } from '../../../shared/protocol/base64'

/** Bytes written by a recent stop; age 0 is the latest step, older steps fade. */
export interface ChangeMark {
  start: bigint
  end: bigint
  age: number
}

/** Bytes the learner pointed at in one pane, shown in all of them. */
export interface Selection {
  start: bigint
  length: number
  /** What the bytes are ("buf", "return address", "chunk 0x4052a0"). */
  label: string
}

/** What the terminal shows of commands it did not type itself, and of every command's answer. */
export type TranscriptEntry = { kind: 'command'; line: string } | { kind: 'output'; output: CommandOutput; echoed: boolean }

/** How many stops a change keeps its fading tint. */
export const CHANGE_MEMORY = 4

/** Debian's gcc 12 defaults: PIE on, no stack protector, NX stack. */
export const DEFAULT_PROTECTIONS: BuildProtections = { pie: true, stackProtector: 'none', execStack: false }

export class Workspace {
  /** The editor's buffers, by file name. */
  files = $state<Record<string, string>>({})
  currentFile = $state<string | null>(null)
  /** The guest path of the loaded program. */
  programPath = $state<string | null>(null)
  /** The last build or open. */
  report = $state.raw<LoadReport | null>(null)
  building = $state(false)
  protections = $state<BuildProtections>({ ...DEFAULT_PROTECTIONS })
  aslr = $state(true)
  seed = $state(1)

  state = $state.raw<SessionState | null>(null)
  snapshot = $state.raw<StopSnapshot | null>(null)
  /** Counts full snapshots: a pane that animates changes keys its animation on it. */
  stop = $state(0)
  changes = $state.raw<ChangeMark[]>([])
  /** Counts live snapshots while the program runs: visible hex rows re-read on each. */
  liveFrame = $state(0)

  selection = $state.raw<Selection | null>(null)
  /** Where the hex dump was asked to go; it scrolls there whenever this changes. */
  hexTarget = $state.raw<{ address: bigint } | null>(null)

  private transcriptListeners: ((entry: TranscriptEntry) => void)[] = []
  private queue: Promise<unknown> = Promise.resolve()
  private commandsInFlight = 0
  private liveRequested = false

  constructor(
    readonly api: MemscapeApi,
    readonly sessionId: string,
  ) {}

  /** Runs a debugger command after those before it. `echo` shows the line in the terminal, as
   *  when a toolbar button or a key runs it; typed lines are already on screen. */
  execute(line: string, how: { echo?: boolean; typed?: boolean; quiet?: boolean } = {}): Promise<CommandOutput> {
    this.commandsInFlight++
    const result = this.queue.then(async () => {
      if (how.echo) this.emit({ kind: 'command', line })
      try {
        const output = await this.api.execute(this.sessionId, line, { typed: how.typed ?? false })
        if (!how.quiet) this.emit({ kind: 'output', output, echoed: how.echo ?? false })
        return output
      } finally {
        this.commandsInFlight--
        if (!how.quiet) await this.refresh()
      }
    })
    this.queue = result.catch(() => undefined)
    return result
  }

  /** A command whose answer a pane reads (a hover's value): not shown, not followed by a refresh. */
  query(line: string): Promise<CommandOutput> {
    return this.execute(line, { quiet: true })
  }

  onTranscript(listener: (entry: TranscriptEntry) => void): () => void {
    this.transcriptListeners = [...this.transcriptListeners, listener]
    return () => {
      this.transcriptListeners = this.transcriptListeners.filter((other) => other !== listener)
    }
  }

  private emit(entry: TranscriptEntry): void {
    for (const listener of this.transcriptListeners) listener(entry)
  }

  /** A state event for this session: while the program runs, the views follow it live. */
  updateState(state: SessionState): void {
    const wasRunning = this.state?.run === 'running'
    this.state = state
    if (state.run === 'running') this.requestLiveFrame()
    else if (wasRunning && this.commandsInFlight === 0) void this.refresh()
  }

  private requestLiveFrame(): void {
    if (this.liveRequested) return
    this.liveRequested = true
    requestAnimationFrame(() => {
      void this.api
        .snapshot(this.sessionId, { live: true })
        .then((snapshot) => {
          if (this.state?.run !== 'running' || !snapshot) return
          this.snapshot = { ...snapshot, heap: this.snapshot?.heap ?? null, changed: [] }
          this.liveFrame++
        })
        .catch(() => undefined)
        .finally(() => {
          this.liveRequested = false
          if (this.state?.run === 'running') this.requestLiveFrame()
        })
    })
  }

  /** Takes the full picture of the current stop; changes age by one step. */
  async refresh(): Promise<void> {
    const snapshot = await this.api.snapshot(this.sessionId).catch(() => null)
    const fresh: ChangeMark[] = (snapshot?.changed ?? []).map((range) => {
      const start = BigInt(range.address)
      return { start, end: start + BigInt(range.length), age: 0 }
    })
    const older = this.changes.map((mark) => ({ ...mark, age: mark.age + 1 })).filter((mark) => mark.age < CHANGE_MEMORY)
    this.changes = [...fresh, ...older]
    this.snapshot = snapshot
    this.stop++
  }

  /** Builds the editor's buffers into the session's program with the chosen protections. */
  async build(): Promise<LoadReport> {
    this.building = true
    try {
      const report = await this.api.build(this.sessionId, { files: $state.snapshot(this.files), protections: $state.snapshot(this.protections) })
      await this.loaded(report)
      return report
    } finally {
      this.building = false
    }
  }

  /** Opens an executable file from disk as the program (its protections are its own). */
  async openExecutable(name: string, bytes: Uint8Array): Promise<LoadReport> {
    const report = await this.api.openExecutable(this.sessionId, { name, elfBase64: encodeBase64(bytes) })
    if (report.ok) {
      this.files = {}
      this.currentFile = null
    }
    await this.loaded(report)
    return report
  }

  private async loaded(report: LoadReport): Promise<void> {
    this.report = report
    if (!report.ok) return
    this.programPath = report.programPath
    this.changes = []
    // The next run's settings: gdb's words, so the terminal's history shows how to do it by hand.
    await this.applyRunSettings()
    await this.refresh()
  }

  /** ASLR and the seed take effect at the next run, as on Linux (and in gdb). */
  async applyRunSettings(): Promise<void> {
    await this.query(`set disable-randomization ${this.aslr ? 'off' : 'on'}`)
    await this.query(`set random-seed ${this.seed}`)
  }

  readMemory(address: bigint, length: number): Promise<MemoryBytes> {
    return this.api.readMemory(this.sessionId, `0x${address.toString(16)}`, length)
  }

  select(selection: Selection | null): void {
    this.selection = selection
  }

  /** Scrolls the hex dump to an address (and selects the bytes, when a length is given). */
  showInHex(address: bigint, selection?: Omit<Selection, 'start'>): void {
    this.hexTarget = { address }
    if (selection) this.selection = { start: address, ...selection }
  }

  /** Pauses a running program at once (the toolbar's pause, Ctrl-C). */
  pause(): void {
    void this.api.control(this.sessionId, 'pause').catch(() => undefined)
  }
}
