import type { Command } from '../command'
import { setBreakpoint } from '../break-command'

export const tbreakCommand: Command = {
  name: 'tbreak',
  category: 'breakpoints',
  summary: 'Set a temporary breakpoint.',
  documentation: 'Set a temporary breakpoint.\nLike "break" except the breakpoint is only temporary,\nso it will be deleted when hit.\nExample: tbreak 14',
  run(args, out, { session }) {
    setBreakpoint(session, args, true, out)
  },
}
