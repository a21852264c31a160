// The one typed API between the renderer and the host. The Electron IPC bridge and the
// browser-mode WebSocket both carry it; the renderer cannot tell which one it has.

import type { CommandOutput } from '../debugger/output'
import type { Fault } from '../machine/fault'
import type { StopSnapshot } from '../debugger/snapshot'
import type { ChecksecLine } from '../debugger/pwn/checksec'

export type ControlAction = 'run' | 'pause' | 'step' | 'stop'

/**
 * Where a session's program is: no program loaded, loaded and not started, running, paused by
 * the user, blocked reading stdin, finished (exited or killed by a signal), stopped by the
 * user, or its worker failed.
 */
export type RunState =
  | 'no-program'
  | 'ready'
  | 'running'
  | 'paused'
  | 'waiting-input'
  | 'exited'
  | 'signaled'
  | 'stopped'
  | 'crashed'

export interface SessionState {
  sessionId: string
  run: RunState
  /** Guest instructions retired so far. */
  instructionCount: number
  exitCode: number | null
  signal: number | null
  /** Why the guest was killed, when a fault killed it. */
  fault: Fault | null
  /** What went wrong when `run` is 'crashed'. */
  error: string | null
}

export interface ProgramSpec {
  /** Absolute guest path of the executable (argv[0] defaults to it). */
  path: string
  /** The ELF image, base64. */
  elfBase64: string
  /** Source texts by the path the debug information names them with (for `list` and stop lines). */
  sources?: Record<string, string>
}

export interface OpenSessionOptions {
  program?: ProgramSpec
  argv?: string[]
  env?: string[]
  seed?: number
  aslr?: 0 | 1 | 2
}

/** The protections a build gets, as gcc's flags set them: -pie/-no-pie, -fstack-protector*, -z execstack. */
export interface BuildProtections {
  pie: boolean
  stackProtector: 'none' | 'default' | 'strong' | 'all'
  /** -z execstack: NX off for the stack. */
  execStack: boolean
}

/** Sources to build into the session's program (C and NASM-style assembly, by file name). */
export interface BuildRequest {
  /** Source texts by file name ("overflow.c"); names ending .c are C, .s/.asm assembly. */
  files: Record<string, string>
  protections: BuildProtections
}

/** An executable file opened from disk. */
export interface ExecutableFile {
  /** The file's name ("a.out"); the program runs as /home/learner/NAME. */
  name: string
  elfBase64: string
}

/** What building or opening a program gave: on success the session's program is replaced and
 *  stopped at its first instruction; on failure the previous program is untouched. */
export interface LoadReport {
  ok: boolean
  /** gcc's diagnostics (warnings also on success), or why the file is not a program. */
  diagnostics: string
  /** The guest path of the loaded program. */
  programPath: string | null
  /** pwntools' checksec lines for the loaded executable. */
  checksec: ChecksecLine[]
}

/** Which snapshot: a full one at a stop, or a light one while the program runs flat out
 *  (registers, frames, disassembly and regions; no heap walk, no change tracking). */
export interface SnapshotOptions {
  live?: boolean
}

/** How a line reached execute. */
export interface ExecuteOptions {
  /** Typed at a prompt: a blank line repeats the last command that repeats (next, step, x), as in gdb. */
  typed?: boolean
}

export interface VersionInfo {
  name: string
  version: string
}

/** Bytes of guest memory; unmapped bytes read as 0 and have mapped[i] === false. */
export interface MemoryBytes {
  address: string
  bytes: number[]
  mapped: boolean[]
}

/** The largest readMemory request: a screenful of hex dump is a few KiB. */
export const MAX_READ_BYTES = 64 * 1024

export type MemscapeEvent =
  | { type: 'state'; state: SessionState }
  | { type: 'output'; sessionId: string; fd: 1 | 2; dataBase64: string }
  /** What a command printed before it ran the program ("Starting program: …"), ahead of its result. */
  | { type: 'console'; sessionId: string; output: CommandOutput }
  /** The program waits for a line on its standard input: answer with sendInput. */
  | { type: 'input-request'; sessionId: string }

export type EventListener = (event: MemscapeEvent) => void

export interface MemscapeApi {
  version(): Promise<VersionInfo>
  openSession(options?: OpenSessionOptions): Promise<SessionState>
  closeSession(sessionId: string): Promise<void>
  sessionState(sessionId: string): Promise<SessionState>
  /** Runs one debugger command line in the session's worker. */
  execute(sessionId: string, line: string, how?: ExecuteOptions): Promise<CommandOutput>
  /** Reads guest memory without stopping the guest; address is hex ("0x401000"). */
  readMemory(sessionId: string, address: string, length: number): Promise<MemoryBytes>
  control(sessionId: string, action: ControlAction): Promise<SessionState>
  /** Bytes for the program's standard input after an input-request (base64); null ends its input (Ctrl-D). */
  sendInput(sessionId: string, dataBase64: string | null): Promise<void>
  /** The debugger's structured picture of the current stop; null while no program runs. */
  snapshot(sessionId: string, options?: SnapshotOptions): Promise<StopSnapshot | null>
  /** Builds sources into the session's program (with debug information). */
  build(sessionId: string, request: BuildRequest): Promise<LoadReport>
  /** Opens a static x86-64 ELF executable as the session's program. */
  openExecutable(sessionId: string, file: ExecutableFile): Promise<LoadReport>
  /** State changes (at most 60 per second per running session) and guest output. */
  subscribe(listener: EventListener): () => void
}

export type MethodName = Exclude<keyof MemscapeApi, 'subscribe'>

/** Error codes a call can fail with; `message` says what exactly went wrong. */
export type ApiErrorCode =
  | 'bad-message' // not a request envelope at all
  | 'unknown-method'
  | 'invalid-params'
  | 'no-such-session'
  | 'invalid-state' // e.g. step with no program
  | 'failed' // the call was valid but could not be done
  | 'disconnected'
  | 'bad-response'

export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    readonly code: ApiErrorCode,
    message: string,
  ) {
    super(message)
  }
}
