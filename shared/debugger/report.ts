// gdb's words for where the program is and why it stopped: frame lines ("add (a=3, b=4) at
// t.c:4", "0x000000000040164d in main () at t.c:9"), source lines, breakpoint and watchpoint
// reports, signals and exits. The terminal, the CLI and the workspace all print these.

import { signalName } from '../machine/kernel/signals'
import { formatValue } from './expression/format-value'
import { Value } from './expression/values'
import type { StopReason } from './execution'
import type { Frame } from './frames'
import type { OutputBuilder } from './output'
import type { DebugSession } from './session'
import { targetEnvironment, variablePlace } from './target-environment'
import type { Watchpoint } from './breakpoints'
import { displayName } from './source-files'
import type { Inferior } from './inferior'
import { gdbLineTable } from './line-table'

/** gdb's names for signals (its own table: SIGFPE is "Arithmetic exception", not bash's wording). */
const GDB_SIGNAL_DESCRIPTIONS: Readonly<Record<number, string>> = {
  1: 'Hangup', 2: 'Interrupt', 3: 'Quit', 4: 'Illegal instruction', 5: 'Trace/breakpoint trap', 6: 'Aborted',
  7: 'Bus error', 8: 'Arithmetic exception', 9: 'Killed', 10: 'User defined signal 1', 11: 'Segmentation fault',
  12: 'User defined signal 2', 13: 'Broken pipe', 14: 'Alarm clock', 15: 'Terminated', 16: 'Stack fault',
  17: 'Child status changed', 24: 'CPU time limit exceeded', 25: 'File size limit exceeded', 31: 'Bad system call',
}

export function gdbSignal(signal: number): string {
  return `${signalName(signal)}, ${GDB_SIGNAL_DESCRIPTIONS[signal] ?? `Unknown signal ${signal}`}`
}

export const hex16 = (n: number): string => `0x${n.toString(16).padStart(16, '0')}`
export const hex = (n: number | bigint): string => `0x${n.toString(16)}`

/**
 * How much of the location a stop prints: gdb's SRC_LINE, SRC_AND_LOC and LOC_AND_ADDRESS;
 * 'source-only' is the line alone, after a frame line printed otherwise (`frame`, `up`).
 */
export type LocationStyle = 'source-line' | 'frame-and-source' | 'frame-with-address' | 'source-only'

/**
 * The source position of a frame: a return address counts as its call's line. The row is gdb's
 * (rows merged as gdb merges them), which decides whether the address is shown.
 */
function frameSource(inferior: Inferior, frame: Frame): { file: string; line: number; start: number } | undefined {
  const pc = frame.level === 0 ? frame.pc : frame.pc - 1
  const debug = inferior.program.debug
  const span = debug && gdbLineTable(debug.info).rowAt(inferior.linkAddress(pc))
  if (!span) return undefined
  return { file: span.file, line: span.line, start: inferior.runtimeAddress(span.start) }
}


/** "a=3, b=4": the parameters with their values, as gdb's frame lines show them. */
export function frameArguments(session: DebugSession, inferior: Inferior, frame: Frame): string {
  const fn = frame.debugFunction
  if (!fn) return ''
  const env = targetEnvironment(inferior, frame)
  const context = { env, session: session.expressions }
  return fn.params
    .map((param) => {
      const place = variablePlace(param, frame, inferior)
      if (!place || !('address' in place)) return `${param.name}=<optimized out>`
      try {
        return `${param.name}=${formatValue(Value.at(param.type, place.address, env), context, undefined, false)}`
      } catch (error) {
        return `${param.name}=<error: ${error instanceof Error ? error.message : String(error)}>`
      }
    })
    .join(', ')
}

/** gdb's frame description: "[0x… in ]name (args)[ at file:line]". */
export function describeFrame(session: DebugSession, inferior: Inferior, frame: Frame, withAddress: boolean): string {
  const source = frameSource(inferior, frame)
  const showAddress = withAddress || frame.level > 0 || !source || source.start !== frame.pc
  const name = frame.functionName ?? '??'
  let text = showAddress ? `${hex16(frame.pc)} in ` : ''
  text += `${name} (${frameArguments(session, inferior, frame)})`
  if (source) text += ` at ${displayName(inferior.program, source.file)}:${source.line}`
  return text
}

/** "9\t  int y = add(x, 4);", or gdb's message when the source text is not available. */
export function sourceLineText(inferior: Inferior, file: string, line: number): string {
  const text = inferior.program.sourceLine(file, line)
  if (text === undefined) return `${line}\t${file}: No such file or directory.`
  return `${line}\t${text}`
}

/** Prints where the selected frame is, in the given style (after a stop, `frame`, `up`...). */
export function printLocation(session: DebugSession, out: OutputBuilder, style: LocationStyle, frame = session.selectedFrame()): void {
  const inferior = session.requireLive()
  const source = frameSource(inferior, frame)
  if (style === 'source-only') {
    if (source) out.line(sourceLineText(inferior, source.file, source.line))
    return
  }
  if (style === 'source-line' && source) {
    const prefix = source.start !== frame.pc ? `${hex16(frame.pc)}\t` : ''
    out.line(prefix + sourceLineText(inferior, source.file, source.line))
    return
  }
  out.line(describeFrame(session, inferior, frame, style === 'frame-with-address'))
  if (source) out.line(sourceLineText(inferior, source.file, source.line))
}

/** Selects a frame and prints it as `frame`, `up` and `down` do. */
export function printSelectedFrame(session: DebugSession, out: OutputBuilder): void {
  const frame = session.selectedFrame()
  out.line(backtraceLine(session, frame))
  printLocation(session, out, 'source-only', frame)
}

/** `#1  0x000000000040164d in main () at t.c:9`: a backtrace or `frame` line. */
export function backtraceLine(session: DebugSession, frame: Frame): string {
  const inferior = session.requireLive()
  return `#${frame.level.toString().padEnd(3)}${describeFrame(session, inferior, frame, false)}`
}

/** "Hardware watchpoint 2: total": gdb's name for a watchpoint, when set and when it triggers. */
export function watchpointTitle(w: Watchpoint): string {
  const kind = w.kind === 'watch' ? 'Hardware watchpoint' : w.kind === 'rwatch' ? 'Hardware read watchpoint' : 'Hardware access (read/write) watchpoint'
  return `${kind} ${w.number}: ${w.expression}`
}

/** The value of a watched expression's bytes, as print shows it. */
function watchedValue(session: DebugSession, w: Watchpoint, bytes: Uint8Array): string {
  try {
    const value = session.evaluate(w.expression)
    return formatValue(Value.fromBytes(value.type, bytes), { env: session.environment(), session: session.expressions }, undefined, true)
  } catch {
    return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ')
  }
}

/** What gdb prints when the program stops: the reason, then the location. */
export function printStop(session: DebugSession, reason: StopReason, out: OutputBuilder, style: LocationStyle): void {
  const inferior = session.inferior
  switch (reason.kind) {
    case 'exited': {
      const pid = inferior?.pid ?? 0
      if (reason.code === 0) out.line(`[Inferior 1 (process ${pid}) exited normally]`)
      else out.line(`[Inferior 1 (process ${pid}) exited with code ${reason.code.toString(8).padStart(2, '0')}]`)
      return
    }
    case 'terminated':
      out.line()
      out.line(`Program terminated with signal ${gdbSignal(reason.signal)}.`, 'error')
      out.line('The program no longer exists.')
      return
    case 'signal':
      out.line()
      out.line(`Program received signal ${gdbSignal(reason.signal)}.`, 'error')
      printLocation(session, out, 'frame-and-source')
      return
    case 'interrupted':
      out.line()
      out.line('Program received signal SIGINT, Interrupt.')
      printLocation(session, out, 'frame-and-source')
      return
    case 'waiting-input':
      out.line('The program is waiting for input: type `input "TEXT\\n"` (or run it with `run < FILE`).', 'muted')
      printLocation(session, out, 'frame-and-source')
      return
    case 'history-start':
      out.line()
      out.line('No more reverse-execution history.')
      printLocation(session, out, 'frame-and-source')
      return
    case 'breakpoint': {
      const first = reason.breakpoints[0]!
      out.line()
      out.write(`${first.temporary ? 'Temporary breakpoint' : 'Breakpoint'} ${first.number}, `)
      printLocation(session, out, 'frame-and-source')
      return
    }
    case 'watchpoint': {
      const w = reason.watchpoint
      out.line()
      out.line(watchpointTitle(w))
      out.line()
      if (reason.access === 'write') {
        out.line(`Old value = ${watchedValue(session, w, reason.old)}`)
        out.line(`New value = ${watchedValue(session, w, reason.value)}`)
      } else out.line(`Value = ${watchedValue(session, w, reason.value)}`)
      printLocation(session, out, 'frame-and-source')
      return
    }
    case 'watchpoint-scope':
      out.line()
      out.line(`Watchpoint ${reason.number} deleted because the program has left the block in`)
      out.line('which its expression is valid.')
      printLocation(session, out, 'frame-and-source')
      return
    case 'arrived':
      printLocation(session, out, style)
      return
  }
}
