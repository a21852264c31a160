// gdb 13's source position for `list` and `info line`: the current file and line, and the first
// line of the last listing. A stop or a frame selection makes the selected frame's line current
// and the next `list` centres on it; each listing moves the position past what it printed.
// gdb 13 remembers the first line of the last listing as its "last line listed" (which
// `info line` without an argument describes), and so does this.

import { CommandError } from './command'
import type { Inferior } from './inferior'
import type { OutputBuilder } from './output'
import type { Program } from './program'
import type { DebugSession } from './session'
import { displayName, findSourceFile } from './source-files'
import { lookingTarget } from './looking'
import { asAddress } from './expression/evaluate'
import { afterPrologue } from './stepping'

/** gdb's `listsize`. */
export const LINES_TO_LIST = 10

const NO_SYMBOLS = 'No symbol table is loaded.  Use the "file" command.'

interface ListingState {
  /** The line-table name of the current source file; null until there is one. */
  file: string | null
  /** The next line `list` prints (gdb's current source line). */
  line: number
  /** First line of the last listing; 0 when the current line was set since (the next list centres). */
  firstListed: number
  /** What `info line` alone describes when not 0: the first line of the last listing, or the line after the last `info line`. */
  lastListed: number
  /** The stop and frame the position was last taken from. */
  synced: string | null
  program: Program | null
}

const states = new WeakMap<DebugSession, ListingState>()
const inferiorIds = new WeakMap<Inferior, number>()
let nextInferiorId = 1

function stopKey(session: DebugSession): string | null {
  const inferior = session.inferior
  if (!inferior || inferior.phase === 'gone') return null
  let id = inferiorIds.get(inferior)
  if (id === undefined) {
    id = nextInferiorId++
    inferiorIds.set(inferior, id)
  }
  return `${id}:${inferior.instructionCount}:${session.selectedFrameLevel}`
}

/** The position, moved to the selected frame's line when the program stopped or the frame changed since. */
export function listingState(session: DebugSession): ListingState {
  let state = states.get(session)
  if (!state || state.program !== session.program) {
    state = { file: null, line: 0, firstListed: 0, lastListed: 0, synced: null, program: session.program }
    states.set(session, state)
  }
  const key = stopKey(session)
  if (key !== null && key !== state.synced) {
    state.synced = key
    const inferior = session.inferior!
    const frame = session.selectedFrame()
    const span = inferior.program.debug?.spanAt(inferior.linkAddress(frame.level === 0 ? frame.pc : frame.pc - 1))
    if (span && span.line > 0) setCurrent(state, span.file, span.line)
  }
  return state
}

function setCurrent(state: ListingState, file: string, line: number): void {
  state.file = file
  state.line = line
  state.firstListed = 0
  state.lastListed = 0
}

/** gdb's default source position before anything was listed: around main's first line of code. */
function ensureDefault(session: DebugSession, state: ListingState): void {
  if (state.file !== null) return
  const program = session.requireProgram()
  const debug = program.debug
  if (!debug) throw new CommandError(NO_SYMBOLS)
  const main = debug.functionNamed('main')
  const body = main && debug.spanAt(afterPrologue(session, main.ranges[0]!.low))
  if (body && body.line > 0) {
    setCurrent(state, body.file, Math.max(body.line - (LINES_TO_LIST - 1), 1))
    return
  }
  const [first] = program.sourceFiles()
  if (first === undefined) throw new CommandError(NO_SYMBOLS)
  setCurrent(state, first, 1)
}

/**
 * Prints lines [first, stop) of `file` as gdb's print_source_lines does: the position moves
 * there first (even when the range is then refused), the lines are clipped at the end of the
 * file, and the next `list` goes on after them.
 */
export function printSourceLines(session: DebugSession, state: ListingState, file: string, first: number, stop: number, out: OutputBuilder): void {
  const program = session.requireProgram()
  state.file = file
  state.line = first
  state.firstListed = first
  state.lastListed = first
  if (stop <= first) return
  const name = displayName(program, file)
  const count = program.lineCount(file)
  if (count === undefined) throw new CommandError(`${first}\t${name}: No such file or directory.`)
  if (first < 1 || first > count) throw new CommandError(`Line number ${first} out of range; ${name} has ${count} lines.`)
  const last = Math.min(stop - 1, count)
  for (let line = first; line <= last; line++) out.line(`${line}\t${program.sourceLine(file, line) ?? ''}`)
  state.line = last + 1
}

/** A place `list` and `info line` name: a file and line, and for `*ADDRESS` the address. */
export interface SourcePlace {
  readonly file: string
  readonly line: number
  /** Runtime address for `*ADDRESS` (list prints where it is first). */
  readonly address?: number
}

/** The file `LINE` alone refers to: the current listing's, else main's. */
function defaultFile(session: DebugSession, state: ListingState): string {
  ensureDefault(session, state)
  return state.file!
}

/** gdb's linespec as `list` and `info line` read it: LINE, FILE:LINE, FUNCTION, *ADDRESS (functions at their first line, not after the prologue). */
export function resolvePlace(session: DebugSession, state: ListingState, spec: string): SourcePlace {
  const program = session.requireProgram()
  const debug = program.debug
  const text = spec.trim()
  if (text.startsWith('*')) {
    const target = lookingTarget(session)
    const address = Number(BigInt.asUintN(64, asAddress(session.evaluate(text.slice(1)))))
    const span = debug?.spanAt(target.link(address))
    if (!span || span.line === 0) {
      const symbol = target.symbol(address)
      throw new CommandError(`No line number information available for address 0x${address.toString(16)}${symbol ? ` <${symbol}>` : ''}`)
    }
    return { file: span.file, line: span.line, address }
  }
  if (!debug) throw new CommandError(NO_SYMBOLS)
  const fileLine = /^(.+):(\d+)$/.exec(text)
  if (fileLine) {
    const file = findSourceFile(program, fileLine[1]!)
    if (!file) throw new CommandError(`No source file named ${fileLine[1]}.`)
    return { file, line: Number(fileLine[2]) }
  }
  if (/^\d+$/.test(text)) return { file: defaultFile(session, state), line: Number(text) }
  const fn = debug.functionNamed(text)
  const span = fn && debug.spanAt(fn.ranges[0]!.low)
  if (!fn || !span) throw new CommandError(`Function "${text}" not defined.`)
  return { file: span.file, line: span.line }
}

/** Makes sure there is a current file (main's, before anything was listed). */
export function currentFile(session: DebugSession, state: ListingState): string {
  return defaultFile(session, state)
}
