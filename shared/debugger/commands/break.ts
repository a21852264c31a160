import type { Command } from '../command'
import { setBreakpoint } from '../break-command'

export const breakCommand: Command = {
  name: 'break',
  category: 'breakpoints',
  aliases: ['b', 'br', 'bre', 'brea'],
  summary: 'Set breakpoint at specified location.',
  documentation: [
    'Set breakpoint at specified location.',
    'Usage: break [LOCATION] [if CONDITION]',
    'LOCATION may be a function name, a line number, FILE:LINE or *ADDRESS.',
    'With no LOCATION, uses the current execution address of the selected stack frame.',
    'Examples: break main   break t.c:12   break *0x401136   break add if a == 3',
  ].join('\n'),
  run(args, out, { session }) {
    setBreakpoint(session, args, false, out)
  },
}
