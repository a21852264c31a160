// watch, rwatch and awatch: the bytes of an lvalue expression, watched through their pages.

import { CommandError } from './command'
import type { WatchKind } from './breakpoints'
import { sizeOf } from './expression/types'
import type { OutputBuilder } from './output'
import { watchpointTitle } from './report'
import type { DebugSession } from './session'

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
  const watchpoint = session.breakpoints.addWatch(kind, expression, address, bytes, match[2]?.trim() ?? null)
  out.line(watchpointTitle(watchpoint))
}
