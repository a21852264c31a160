// break and tbreak: "LOCATION [if CONDITION]", or the selected frame's pc with no argument.

import { CommandError } from './command'
import { describeLocation, locationWhat, resolveLocation } from './location'
import type { OutputBuilder } from './output'
import type { DebugSession } from './session'

export function setBreakpoint(session: DebugSession, args: string, temporary: boolean, out: OutputBuilder): void {
  session.requireProgram()
  const match = /^(.*?)(?:^|\s+)if(?:\s+(.*))?$/.exec(args)
  const spec = (match ? match[1]! : args).trim()
  const condition = match ? (match[2] ?? '').trim() : null
  if (condition === '') throw new CommandError('Argument required (boolean expression).')
  let location
  if (spec === '') {
    session.requireLive('No default breakpoint location now selected.')
    location = resolveLocation(session, `*${session.selectedFrame().pc}`)
  } else location = resolveLocation(session, spec)
  const breakpoint = session.breakpoints.addCode(location.addresses, locationWhat(session, location), temporary, condition)
  out.line(`${temporary ? 'Temporary breakpoint' : 'Breakpoint'} ${breakpoint.number} at ${describeLocation(session, location)}`)
}
