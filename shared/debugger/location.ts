// gdb's locations (linespecs) for break, tbreak, until, advance, list: FUNCTION, FILE:LINE,
// LINE (in the default file), *ADDRESS. They resolve to link-time addresses, so a breakpoint
// set before `run` follows a static PIE wherever it is loaded.

import { CommandError } from './command'
import { afterPrologue } from './stepping'
import type { DebugSession } from './session'
import { asAddress } from './expression/evaluate'
import { displayName } from './source-files'

export interface ResolvedLocation {
  /** Link-time addresses. */
  readonly addresses: number[]
  /** "file t.c, line 4." for messages; null without line information. */
  readonly file: string | null
  readonly line: number | null
  readonly functionName: string | null
}

/** The file `LINE` alone refers to: the selected frame's, else main's (gdb's default source file). */
export function defaultSourceFile(session: DebugSession): string | null {
  const program = session.requireProgram()
  const debug = program.debug
  if (!debug) return null
  const inferior = session.inferior
  if (inferior && inferior.phase !== 'gone') {
    const frame = session.selectedFrame()
    const span = debug.spanAt(inferior.linkAddress(frame.level === 0 ? frame.pc : frame.pc - 1))
    if (span) return span.file
  }
  const main = debug.functionNamed('main')
  return (main && debug.spanAt(main.ranges[0]!.low)?.file) ?? program.sourceFiles()[0] ?? null
}

function resolveLine(session: DebugSession, file: string, line: number, spec: string): ResolvedLocation {
  const debug = session.requireProgram().debug
  if (!debug) throw new CommandError(`No symbol table is loaded.  Use the "file" command.`)
  // A line without code moves to the next line that has some, as gdb does.
  const candidates = debug.linesWithCode(file)
  if (candidates.length === 0) throw new CommandError(`No source file named ${file}.`)
  const target = candidates.find((l) => l >= line)
  if (target === undefined) throw new CommandError(spec.includes(':') ? `No line ${line} in file "${file}".` : `No line ${line} in the current file.`)
  const all = debug.addressesOf(file, target)
  // One place per function the line has code in (its lowest address there).
  const byFunction = new Map<string, number>()
  for (const address of all) {
    const name = debug.functionAt(address)?.name ?? ''
    if (!byFunction.has(name)) byFunction.set(name, address)
  }
  const addresses = [...byFunction.values()]
  const fn = debug.functionAt(addresses[0]!)
  const span = debug.spanAt(addresses[0]!)
  return { addresses, file: span?.file ?? file, line: target, functionName: fn?.name ?? null }
}

function resolveFunction(session: DebugSession, name: string): ResolvedLocation {
  const program = session.requireProgram()
  const fn = program.debug?.functionNamed(name)
  const start = fn ? fn.ranges[0]!.low : program.symbols.named(name)?.value
  if (start === undefined) throw new CommandError(`Function "${name}" not defined.`)
  const address = afterPrologue(session, start)
  const span = program.debug?.spanAt(address)
  return { addresses: [address], file: span?.file ?? null, line: span?.line ?? null, functionName: name }
}

function resolveAddress(session: DebugSession, expression: string): ResolvedLocation {
  const program = session.requireProgram()
  let runtime: number
  const literal = /^\s*(0x[0-9a-f]+|\d+)\s*$/i.exec(expression)
  if (literal) runtime = Number(literal[1])
  else if (session.inferior && session.inferior.phase !== 'gone') runtime = Number(asAddress(session.evaluate(expression)))
  else {
    const symbol = /^\s*([A-Za-z_]\w*)\s*(?:\+\s*(0x[0-9a-f]+|\d+))?\s*$/i.exec(expression)
    const found = symbol && program.symbols.named(symbol[1]!)
    if (!found) throw new CommandError(`No symbol table is loaded.  Use the "file" command.`)
    return finishAddress(session, found.value + Number(symbol[2] ?? 0))
  }
  return finishAddress(session, session.inferior ? session.inferior.linkAddress(runtime) : runtime)
}

function finishAddress(session: DebugSession, link: number): ResolvedLocation {
  const debug = session.requireProgram().debug
  const span = debug?.spanAt(link)
  return { addresses: [link], file: span?.file ?? null, line: span?.line ?? null, functionName: debug?.functionAt(link)?.name ?? null }
}

export function resolveLocation(session: DebugSession, spec: string): ResolvedLocation {
  const text = spec.trim()
  if (text.startsWith('*')) return resolveAddress(session, text.slice(1))
  const fileLine = /^(.+):(\d+)$/.exec(text)
  if (fileLine) return resolveLine(session, fileLine[1]!, Number(fileLine[2]), text)
  if (/^\d+$/.test(text)) {
    const file = defaultSourceFile(session)
    if (!file) throw new CommandError('No symbol table is loaded.  Use the "file" command.')
    return resolveLine(session, file, Number(text), text)
  }
  if (/^[A-Za-z_][\w.]*$/.test(text)) return resolveFunction(session, text)
  throw new CommandError(`Function "${text}" not defined.`)
}

/** "0x40161f: file t.c, line 4." / "0x401139" — what break says after "Breakpoint N at ". */
export function describeLocation(session: DebugSession, location: ResolvedLocation): string {
  const runtime = (link: number): number => (session.inferior ? session.inferior.runtimeAddress(link) : link)
  if (location.addresses.length > 1) return `${location.addresses.length} locations`
  const address = `0x${runtime(location.addresses[0]!).toString(16)}`
  return location.file === null ? address : `${address}: file ${displayName(session.requireProgram(), location.file)}, line ${location.line}.`
}

/** "in add at t.c:4" for info breakpoints. */
export function locationWhat(session: DebugSession, location: ResolvedLocation): string {
  const parts: string[] = []
  if (location.functionName) parts.push(`in ${location.functionName}`)
  if (location.file !== null) parts.push(`at ${displayName(session.requireProgram(), location.file)}:${location.line}`)
  return parts.join(' ')
}
