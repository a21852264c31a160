import type { Command } from '../command'
import { setWatchpoint } from '../watch-command'

export const watchCommand: Command = {
  name: 'watch',
  category: 'breakpoints',
  summary: 'Set a watchpoint for EXPRESSION.',
  documentation: 'Set a watchpoint for EXPRESSION.\nUsage: watch EXPRESSION [if CONDITION]\nA watchpoint stops execution of your program whenever the value of\nan expression changes, and prints the old and the new value.\nExample: watch buf[72]',
  run(args, out, { session }) {
    setWatchpoint(session, 'watch', args, out)
  },
}
