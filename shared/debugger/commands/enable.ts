import type { Command } from '../command'
import { selectBreakpoints } from '../breakpoint-numbers'

export const enableCommand: Command = {
  name: 'enable',
  category: 'breakpoints',
  aliases: ['en'],
  summary: 'Enable all or some breakpoints.',
  documentation: 'Enable all or some breakpoints.\nUsage: enable [BREAKPOINTNUM]...\nGive breakpoint numbers (separated by spaces) as arguments.\nWith no subcommand, breakpoints are enabled until you command otherwise.\nExample: enable 1 3',
  run(args, out, { session }) {
    for (const breakpoint of selectBreakpoints(session, args, out)) breakpoint.enabled = true
  },
}
