import type { Command } from '../command'
import { selectBreakpoints } from '../breakpoint-numbers'

export const disableCommand: Command = {
  name: 'disable',
  category: 'breakpoints',
  aliases: ['disa', 'dis'],
  summary: 'Disable all or some breakpoints.',
  documentation: 'Disable all or some breakpoints.\nUsage: disable [BREAKPOINTNUM]...\nA disabled breakpoint is not forgotten, but has no effect until re-enabled.\nExample: disable 1',
  run(args, out, { session }) {
    for (const breakpoint of selectBreakpoints(session, args, out)) breakpoint.enabled = false
  },
}
