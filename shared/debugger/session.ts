// Everything the debugger's commands share for one learner's session: the program loaded by
// `file`, the settings of the next run (arguments, environment, seed, protections, input), the
// running inferior, breakpoints, the selected frame, and the host's hooks (guest output, pause
// requests, yielding to the event loop). Commands read and change it; the worker owns it.

import { CommandError } from './command'
import { BreakpointTable } from './breakpoints'
import { unwind, type Frame } from './frames'
import { Inferior, type LaunchSettings } from './inferior'
import { Program, type ProgramFiles } from './program'
import { ExpressionError, ExpressionSession, type EvalEnvironment, type ExpressionContext } from './expression/environment'
import { evaluate, truth } from './expression/evaluate'
import { parseExpression } from './expression/parser'
import { targetEnvironment } from './target-environment'
import { returnedValue } from './return-value'
import { fileEnvironment } from './file-environment'
import type { DisassemblyFlavor } from './disassembly'
import { formatValue } from './expression/format-value'
import { Value as ExpressionValue } from './expression/values'
import { BUILTIN } from './expression/types'
import type { DwarfType } from '../debuginfo'
import type { CommandOutput, OutputBuilder } from './output'
import type { StopReason } from './execution'

export interface SessionHooks {
  /** The guest's standard output and error, each byte once however often history is replayed. */
  output(fd: 1 | 2, bytes: Uint8Array): void
  /** What a command printed so far, shown before the program runs (gdb prints "Starting program:" first). */
  console(output: CommandOutput): void
  /**
   * The program reads standard input and none is left: a line the user types for it (null at
   * end of input, Ctrl-D), or 'interrupted' by a pause. Absent: the command stops instead.
   */
  readInput?(): Promise<Uint8Array | null | 'interrupted'>
  /** True when the user asked to pause (Ctrl-C, the pause button): polled while the guest runs. */
  interruptRequested(): boolean
  /** Lets the host answer requests and publish state while a command runs the guest. */
  yield(): Promise<void>
}

export const NO_PROCESS = 'The program is not being run.'
export const NO_REGISTERS = 'The program has no registers now.'
export const NO_FILE = 'No executable file specified.\nUse the "file" or "exec-file" command.'
export const NO_STACK = 'No stack.'

/** What the next `run` starts with; `run ARGS` and `set args` change the arguments. */
export interface RunSettings {
  args: string[]
  env: string[]
  seed: number
  aslr: 0 | 1 | 2
  /** Bytes for standard input from `run < FILE` or `input`, consumed by the next run; null: none yet. */
  stdin: Uint8Array | null
}

const QUIET_HOOKS: SessionHooks = { output: () => {}, console: () => {}, interruptRequested: () => false, yield: async () => {} }

export class DebugSession {
  program: Program | null = null
  inferior: Inferior | null = null
  readonly breakpoints = new BreakpointTable()
  /** Value history, convenience variables and `x`'s memory, kept across runs as gdb keeps them. */
  readonly expressions = new ExpressionSession()
  readonly run: RunSettings
  hooks: SessionHooks
  /** Files the host can read for `run < FILE` and `file PATH` (the CLI's disk, the app's uploads). */
  readFile: ((path: string) => Uint8Array | null) | null = null
  /** `display` expressions, printed after every stop: gdb's numbering and optional /FMT. */
  readonly displays: { number: number; expression: string; format: string | null; enabled: boolean }[] = []
  /** `set disassembly-flavor`: how `disassemble` and `x/i` write instructions. */
  disassemblyFlavor: DisassemblyFlavor = 'att'
  private nextDisplay = 1
  /** The running command's output, so what it printed can be shown before the program runs. */
  commandOutput: OutputBuilder | null = null
  private selectedLevel = 0
  private framesCache: { count: number; frames: Frame[] } | null = null

  constructor(options: { hooks?: SessionHooks; run?: Partial<RunSettings> } = {}) {
    this.hooks = options.hooks ?? QUIET_HOOKS
    this.run = { args: [], env: [], seed: 1, aslr: 2, stdin: null, ...options.run }
  }

  /** Loads a program (replacing any), as gdb's `file`; a running inferior is killed. */
  load(files: ProgramFiles): Program {
    const program = new Program(files)
    this.kill()
    this.program = program
    return program
  }

  requireProgram(): Program {
    if (!this.program) throw new CommandError(NO_FILE)
    return this.program
  }

  /** Starts a new inferior from the beginning (the caller has killed any old one). */
  launch(): Inferior {
    const program = this.requireProgram()
    this.kill()
    const settings: LaunchSettings = { ...this.run, args: [...this.run.args], env: [...this.run.env] }
    this.inferior = new Inferior(program, settings, (fd, bytes) => this.hooks.output(fd, bytes))
    this.invalidateFrames()
    return this.inferior
  }

  kill(): void {
    this.inferior?.dispose()
    this.inferior = null
    this.invalidateFrames()
  }

  /** The inferior, which must exist (alive, stopped at a signal, or gone with history). */
  requireInferior(message = NO_PROCESS): Inferior {
    if (!this.inferior) throw new CommandError(message)
    return this.inferior
  }

  /** The inferior, which must still have registers (not exited). */
  requireLive(message = NO_REGISTERS): Inferior {
    const inferior = this.requireInferior(message)
    if (inferior.phase === 'gone') throw new CommandError(message)
    return inferior
  }

  /** Frames of the current stop, innermost first (computed once per stop). */
  frames(): Frame[] {
    const inferior = this.requireLive(NO_STACK)
    const count = inferior.instructionCount
    if (this.framesCache?.count !== count) this.framesCache = { count, frames: unwind(inferior.program, inferior) }
    return this.framesCache.frames
  }

  get selectedFrameLevel(): number {
    return this.selectedLevel
  }

  selectedFrame(): Frame {
    const frames = this.frames()
    return frames[Math.min(this.selectedLevel, frames.length - 1)]!
  }

  selectFrame(level: number): Frame {
    const frames = this.frames()
    if (level < 0 || level >= frames.length) throw new CommandError('No frame at level ' + level + '.')
    this.selectedLevel = level
    return frames[level]!
  }

  /** Sends what the running command printed so far ahead of the program's own output. */
  flushCommandOutput(): void {
    const segments = this.commandOutput?.takeWritten() ?? []
    if (segments.length > 0) this.hooks.console({ ok: true, segments })
  }

  /** What expressions see: the selected frame of the live program, or the executable file without one. */
  environment(): EvalEnvironment {
    const inferior = this.inferior
    if (!inferior || inferior.phase === 'gone') return fileEnvironment(this.program, this.disassemblyFlavor)
    return targetEnvironment(inferior, this.selectedFrame(), this.disassemblyFlavor)
  }

  /** Runs expression logic in the selected frame, turning its mistakes into command errors. */
  withExpressions<T>(use: (context: ExpressionContext) => T): T {
    try {
      return use({ env: this.environment(), session: this.expressions })
    } catch (error) {
      if (error instanceof ExpressionError) throw new CommandError(error.message)
      throw error
    }
  }

  /** Evaluates a C expression in the selected frame; gdb's messages for mistakes. */
  evaluate(text: string): ExpressionValue {
    try {
      const env = this.environment()
      return evaluate(parseExpression(text, env), { env, session: this.expressions })
    } catch (error) {
      if (error instanceof ExpressionError) throw new CommandError(error.message)
      throw error
    }
  }

  /** A breakpoint condition; an error in it stops the program, as gdb does, with the error shown. */
  conditionHolds(text: string): boolean {
    try {
      return truth(this.evaluate(text))
    } catch (error) {
      if (error instanceof CommandError) return true
      throw error
    }
  }

  addDisplay(expression: string, format: string | null): { number: number; expression: string; format: string | null; enabled: boolean } {
    const display = { number: this.nextDisplay++, expression, format, enabled: true }
    this.displays.push(display)
    return display
  }

  /** "1: x = 3" for each display that can be evaluated here. */
  printDisplays(out: OutputBuilder, only?: number): void {
    for (const display of this.displays) {
      if (!display.enabled || (only !== undefined && display.number !== only)) continue
      try {
        const value = this.evaluate(display.expression)
        const text = formatValue(value, { env: this.environment(), session: this.expressions }, display.format ?? undefined)
        out.line(`${display.number}: ${display.format ? `/${display.format} ` : ''}${display.expression} = ${text}`)
      } catch (error) {
        if (!(error instanceof CommandError)) throw error
      }
    }
  }

  /** After a stop: the displays, while the program can still be looked at. */
  afterStop(reason: StopReason, out: OutputBuilder): void {
    // gdb's convenience variables for how the program ended: $_exitcode, $_exitsignal.
    if (reason.kind === 'exited') this.expressions.convenience.set('_exitcode', ExpressionValue.fromInteger(BUILTIN.int, BigInt(reason.code)))
    if (reason.kind === 'terminated') this.expressions.convenience.set('_exitsignal', ExpressionValue.fromInteger(BUILTIN.int, BigInt(reason.signal)))
    if (reason.kind === 'exited' || reason.kind === 'terminated') return
    this.printDisplays(out)
  }

  /** "Value returned is $1 = 7": a function's result from rax/rdx or xmm0, by the System V ABI. */
  printReturnValue(type: DwarfType, out: OutputBuilder): void {
    const value = returnedValue(this.requireLive(), type)
    if (!value) return
    const number = this.expressions.history.record(value)
    out.line(`Value returned is $${number} = ${formatValue(value, { env: this.environment(), session: this.expressions })}`)
  }

  /** After the inferior moved or its registers changed: frames are recomputed, frame 0 selected. */
  invalidateFrames(): void {
    this.framesCache = null
    this.selectedLevel = 0
  }
}
