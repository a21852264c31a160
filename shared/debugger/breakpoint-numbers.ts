// The breakpoint-number arguments of delete, disable and enable, with gdb's messages.

import { CommandError } from './command'
import { parseBreakpointNumbers, type Breakpoint } from './breakpoints'
import type { OutputBuilder } from './output'
import type { DebugSession } from './session'

/** The breakpoints named by `args` (all when empty); unknown numbers are reported, not fatal. */
export function selectBreakpoints(session: DebugSession, args: string, out: OutputBuilder): Breakpoint[] {
  if (args.trim() === '') return [...session.breakpoints.all()]
  let numbers: number[]
  try {
    numbers = parseBreakpointNumbers(args)
  } catch (error) {
    throw new CommandError(error instanceof Error ? error.message : String(error))
  }
  const found: Breakpoint[] = []
  for (const number of numbers) {
    const breakpoint = session.breakpoints.get(number)
    if (breakpoint) found.push(breakpoint)
    else out.line(`No breakpoint number ${number}.`, 'error')
  }
  return found
}
