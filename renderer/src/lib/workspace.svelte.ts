// The workspace's one model: the program being studied, the debugger's picture of the current
// stop, and what the learner has selected. Every pane draws from here and acts through here, so
// they all show the same moment as the terminal.

import type { CommandOutput } from '../../../shared/debugger/output'
import type { StopSnapshot } from '../../../shared/debugger/snapshot'
import type { BuildProtections, LoadReport, MemoryBytes, MemscapeApi, SessionState } from '../../../shared/protocol/api'
import { encodeBase64 } from '../../../shared/protocol/base64'
import { describeOutcome, type MemoryTemplate } from '../../../shared/templates'
import type { OpenedFile } from './open-file'
import { argumentsLine, payloadLiteral } from './run-input'

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
const CHANGE_MEMORY = 4

/** Debian's gcc 12 defaults: PIE on, no stack protector, NX stack. */
const DEFAULT_PROTECTIONS: BuildProtections = { pie: true, stackProtector: 'none', execStack: false }

/** The debug information names sources by path (/home/learner/overflow.c); the editor by name. */
export function baseName(path: string): string {
  return path.replace(/^.*\//, '')
}

/** gcc's flags for the protections, as a learner would type them. */
function describeProtections(protections: BuildProtections): string {
  const canary = protections.stackProtector === 'none' ? '-fno-stack-protector' : protections.stackProtector === 'default' ? '-fstack-protector' : `-fstack-protector-${protections.stackProtector}`
  return [protections.pie ? '-pie' : '-no-pie', canary, ...(protections.execStack ? ['-z execstack'] : [])].join(' ')
}

/** The window's display, as live frames use it (tests and benches hand in their own). */
export interface FrameClock {
  /** Runs the callback before the next paint (requestAnimationFrame). */
  schedule(callback: () => void): void
  /** Resolves once the views have applied the latest change and the window has laid them out. */
  settle(): Promise<void>
}

/** The share of the window's time live frames may take while the guest runs flat out. On a
 *  two-core laptop the window, the host and the simulation share the cores: every millisecond
 *  spent redrawing is one the guest may lose, so costly frames come less often (down to twice
 *  a second) and cheap ones up to every display frame. */
const LIVE_FRAME_BUDGET = 0.05
const FASTEST_LIVE_FRAME_MS = 1000 / 60
const SLOWEST_LIVE_FRAME_MS = 500

export class Workspace {
  /** The editor's buffers, by file name. */
  files = $state<Record<string, string>>({})
  currentFile = $state<string | null>(null)
  /** The guest path of the loaded program. */
  programPath = $state<string | null>(null)
  /** The last build or open, failed or not (its diagnostics are the editor's). */
  report = $state.raw<LoadReport | null>(null)
  /** Counts programs loaded (a rebuild counts): views that keep a program's history reset on it. */
  programsLoaded = $state(0)
  /** checksec's verdicts on the loaded program: a failed build leaves the old program, and these. */
  checksec = $state.raw<LoadReport['checksec']>([])
  building = $state(false)
  protections = $state<BuildProtections>({ ...DEFAULT_PROTECTIONS })
  /** The protections the loaded program was built with (null: an executable opened from disk). */
  builtWith = $state.raw<BuildProtections | null>(null)
  /** Arguments and standard input every run gets (a template's, or none). */
  runInput = $state.raw<{ args: readonly string[]; stdin: string | null }>({ args: [], stdin: null })
  /** ASLR as on Linux: on, with fresh randomness at every run unless the seed is pinned. */
  aslr = $state(true)
  seed = $state(1)
  seedPinned = $state(false)
  /** The furthest instruction count seen in this run: the timeline's end. */
  furthestInstruction = $state(0)

  state = $state.raw<SessionState | null>(null)
  snapshot = $state.raw<StopSnapshot | null>(null)
  /** Counts full snapshots: a pane that animates changes keys its animation on it. */
  stop = $state(0)
  changes = $state.raw<ChangeMark[]>([])
  /** Counts live snapshots while the program runs: visible hex rows re-read on each. */
  liveFrame = $state(0)

  /** The editor's cursor line, where F9 toggles a breakpoint. */
  cursorLine = $state.raw<{ file: string; line: number } | null>(null)

  selection = $state.raw<Selection | null>(null)
  /** Where the hex dump was asked to go; it scrolls there whenever this changes. */
  hexTarget = $state.raw<{ address: bigint } | null>(null)

  private transcriptListeners: ((entry: TranscriptEntry) => void)[] = []
  private queue: Promise<unknown> = Promise.resolve()
  private commandsInFlight = 0
  private liveRequested = false
  private latestState: SessionState | null = null
  /** Milliseconds the window spent drawing a live frame (smoothed), and when the last one was. */
  private liveFrameCost = 0
  private lastLiveFrame = -Infinity

  constructor(
    readonly api: MemscapeApi,
    readonly sessionId: string,
    private readonly clock: FrameClock,
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

  /** A state event for this session: while the program runs, the views follow it live. The
   *  worker reports up to 60 times a second; while it runs, the views take the latest report
   *  with each live frame instead, so the window redraws once per frame, not once per report. */
  updateState(state: SessionState): void {
    const wasRunning = this.state?.run === 'running'
    this.latestState = state
    if (state.run === 'running' && wasRunning) {
      this.requestLiveFrame()
      return
    }
    this.state = state
    if (state.run === 'running') this.requestLiveFrame()
    else if (wasRunning && this.commandsInFlight === 0) void this.refresh()
  }

  private requestLiveFrame(): void {
    if (this.liveRequested) return
    this.liveRequested = true
    const interval = Math.min(SLOWEST_LIVE_FRAME_MS, Math.max(FASTEST_LIVE_FRAME_MS, this.liveFrameCost / LIVE_FRAME_BUDGET))
    const wait = Math.max(0, this.lastLiveFrame + interval - performance.now())
    setTimeout(() => this.clock.schedule(() => void this.takeLiveFrame()), wait)
  }

  private async takeLiveFrame(): Promise<void> {
    try {
      const snapshot = await this.api.snapshot(this.sessionId, { live: true })
      if (this.state?.run !== 'running' || !snapshot) return
      const started = performance.now()
      if (this.latestState?.run === 'running') this.state = this.latestState
      this.snapshot = { ...snapshot, heap: this.snapshot?.heap ?? null, changed: [] }
      this.liveFrame++
      await this.clock.settle()
      // What this frame cost the window, smoothed: the next one waits in proportion.
      this.liveFrameCost = this.liveFrameCost * 0.7 + (performance.now() - started) * 0.3
      this.lastLiveFrame = started
    } catch {
      // A lost frame is replaced by the next one.
    } finally {
      this.liveRequested = false
      if (this.state?.run === 'running') this.requestLiveFrame()
    }
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
    if (snapshot) this.furthestInstruction = Math.max(this.furthestInstruction, snapshot.instructionCount)
    this.stop++
  }

  /** A line for the terminal from the workspace itself (what a template shows, what to expect). */
  note(text: string): void {
    this.emit({ kind: 'output', output: { ok: true, segments: [{ text: `${text}\n`, style: 'muted' }] }, echoed: true })
  }

  /** Build-time protections changed since the program was built: the next run rebuilds first. */
  get protectionsPending(): boolean {
    const built = this.builtWith
    if (!built || Object.keys(this.files).length === 0) return false
    return built.pie !== this.protections.pie || built.stackProtector !== this.protections.stackProtector || built.execStack !== this.protections.execStack
  }

  /** One click on a template: its source, built with its protections, a breakpoint on the line that matters. */
  async loadTemplate(template: MemoryTemplate): Promise<LoadReport> {
    this.files = { [template.fileName]: template.source }
    this.currentFile = template.fileName
    this.protections = { ...template.build }
    this.runInput = { args: template.args ?? [], stdin: template.stdin ?? null }
    const report = await this.build({ keepBreakpoints: false })
    if (!report.ok) return report
    await this.execute(`break ${template.fileName}:${template.breakpointLine}`, { echo: true })
    this.note(`${template.title}: ${template.summary}\n${describeOutcome(template.expect)} Press F5 to run to the breakpoint.`)
    return report
  }

  /** F9 and the gutter: a breakpoint on this source line, or none if there was one (gdb's break / delete). */
  async toggleBreakpoint(file: string, line: number): Promise<void> {
    const name = baseName(file)
    const existing = this.snapshot?.breakpoints.filter((breakpoint) => breakpoint.lines.some((place) => place.line === line && baseName(place.file) === name)) ?? []
    if (existing.length > 0) await this.execute(`delete ${existing.map((breakpoint) => breakpoint.number).join(' ')}`, { echo: true })
    else await this.execute(`break ${name}:${line}`, { echo: true })
  }

  /** F5: start the program (rebuilding first if protections changed), or continue it. */
  async runOrContinue(): Promise<void> {
    const run = this.state?.run
    if (!this.programPath || run === 'running') return
    const finished = run === 'exited' || run === 'stopped' || (run === 'signaled' && this.snapshot?.phase !== 'signaled')
    if (run === 'ready' || finished || this.protectionsPending) await this.restart()
    else await this.execute('continue', { echo: true })
  }

  /** gdb's run, with this workspace's ASLR, seed, arguments and input. */
  async restart(): Promise<void> {
    if (this.protectionsPending && !(await this.build()).ok) return
    if (!this.seedPinned) this.seed = Math.floor(Math.random() * 0x1_0000_0000)
    // The process of the last run (or the one waiting at its first instruction) goes first, so
    // the input below is the new run's and not fed to the old one.
    await this.query('kill')
    await this.applyRunSettings()
    await this.query(`set args ${argumentsLine(this.runInput.args)}`)
    if (this.runInput.stdin !== null) await this.query(`input ${payloadLiteral(this.runInput.stdin)}`)
    this.furthestInstruction = 0
    await this.execute('run', { echo: true })
  }

  /** Builds the editor's buffers into the session's program with the chosen protections; the
   *  breakpoints on source lines are set again in the new program (its addresses may differ). */
  async build(options: { keepBreakpoints?: boolean } = {}): Promise<LoadReport> {
    this.building = true
    try {
      const kept = options.keepBreakpoints ?? true ? (this.snapshot?.breakpoints ?? []) : []
      const lines = kept.flatMap((breakpoint) => breakpoint.lines.slice(0, 1))
      const protections = $state.snapshot(this.protections)
      const report = await this.api.build(this.sessionId, { files: $state.snapshot(this.files), protections })
      if (report.diagnostics !== '') this.emit({ kind: 'output', output: { ok: report.ok, segments: [{ text: report.diagnostics, style: report.ok ? 'muted' : 'error' }] }, echoed: true })
      if (report.ok) {
        this.note(`Built ${Object.keys(this.files).join(', ')} into ${report.programPath} (${describeProtections(protections)}).`)
        this.builtWith = protections
        await this.query('delete')
        for (const { file, line } of lines) await this.query(`break ${baseName(file)}:${line}`)
      }
      await this.loaded(report)
      return report
    } finally {
      this.building = false
    }
  }

  /** A file from disk (Open…, a drop, the recent list): a source is built, an executable opened. */
  async openFile(file: OpenedFile): Promise<LoadReport> {
    if (file.kind === 'executable') return this.openExecutable(file.name, file.bytes)
    this.files = { [file.name]: file.text }
    this.currentFile = file.name
    this.runInput = { args: [], stdin: null }
    return this.build({ keepBreakpoints: false })
  }

  /** Opens an executable file from disk as the program (its protections are its own). */
  async openExecutable(name: string, bytes: Uint8Array): Promise<LoadReport> {
    const report = await this.api.openExecutable(this.sessionId, { name, elfBase64: encodeBase64(bytes) })
    if (report.ok) {
      this.files = {}
      this.currentFile = null
      this.builtWith = null
      this.runInput = { args: [], stdin: null }
      this.note(`Opened ${name} as ${report.programPath}.`)
    } else this.emit({ kind: 'output', output: { ok: false, segments: [{ text: report.diagnostics, style: 'error' }] }, echoed: true })
    await this.loaded(report)
    return report
  }

  private async loaded(report: LoadReport): Promise<void> {
    this.report = report
    if (!report.ok) return
    this.checksec = report.checksec
    this.programsLoaded++
    this.programPath = report.programPath
    this.changes = []
    this.furthestInstruction = 0
    await this.applyRunSettings()
    await this.refresh()
  }

  /** ASLR and the seed take effect at the next run, as on Linux (and in gdb); they go through
   *  the debugger's own settings, so a `run` typed in the terminal gets them too. */
  private async applyRunSettings(): Promise<void> {
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
