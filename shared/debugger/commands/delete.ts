import type { Command } from '../command'
import { selectBreakpoints } from '../breakpoint-numbers'

export const deleteCommand: Command = {
  name: 'delete',
  category: 'breakpoints',
  aliases: ['d'],
  summary: 'Delete all or some breakpoints.',
  documentation: 'Delete all or some breakpoints.\nUsage: delete [BREAKPOINTNUM]...\nArguments are breakpoint numbers with spaces in between (ranges like 2-4 too).\nTo delete all breakpoints, give no argument.\nExample: delete 2 4-5',
  run(args, out, { session }) {
    for (const breakpoint of selectBreakpoints(session, args, out)) session.breakpoints.delete(breakpoint.number)
  },
}
