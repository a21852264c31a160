// watch, rwatch and awatch: the bytes of an lvalue expression, watched through their pages.

import { CommandError } from './command'
import type { WatchKind, Watchpoint } from './breakpoints'
import { sizeOf } from './expression/types'
import type { OutputBuilder } from './output'
import { watchpointTitle } from './report'
import type { DebugSession } from './session'
import { frameVariables } from './target-environment'

export function setWatchpoint(session: DebugSession, kind: WatchKind, args: string, out: OutputBuilder): void {
  const match = /^(.*?)(?:\s+if\s+(.*))?$/.exec(args.trim())!
  const expression = match[1]!.trim()
  if (expression === '') throw new CommandError('Argument required (expression to compute).')
  const inferior = session.requireLive('Cannot watch constant value `' + expression + "'.")
  const value = session.evaluate(expression)
  if (value.place.kind !== 'memory') throw new CommandError(`Cannot watch constant value \`${expression}'.`)
  const length = sizeOf(value.type)
  if (length <= 0) throw new CommandError(`Cannot watch \`${expression}': it has no size.`)
  const address = Number(value.place.address)
  const bytes = inferior.read(address, length)
  if (!bytes) throw new CommandError(`Cannot access memory at address 0x${address.toString(16)}`)
  const watchpoint = session.breakpoints.addWatch(kind, expression, address, bytes, match[2]?.trim() ?? null, frameScope(session, expression))
  out.line(watchpointTitle(watchpoint))
}

/** The selected frame, when the expression names one of its variables (gdb's innermost block of the expression). */
function frameScope(session: DebugSession, expression: string): Watchpoint['scope'] {
  const inferior = session.requireLive()
  const frame = session.selectedFrame()
  const locals = new Set(frameVariables(inferior.program, inferior, frame).map((variable) => variable.name))
  // Names after `.` or `->` are members, not variables.
  const names = expression.replace(/(\.|->)\s*[A-Za-z_]\w*/g, '').match(/[A-Za-z_]\w*/g) ?? []
  if (!names.some((name) => locals.has(name)) || frame.returnAddressAt === null) return null
  const returnAddress = inferior.readU64(frame.returnAddressAt)
  return returnAddress === null ? null : { cfa: frame.cfa, returnAddress: Number(returnAddress) }
}
