import type { Command } from '../command'
import { setWatchpoint } from '../watch-command'

export const rwatchCommand: Command = {
  name: 'rwatch',
  category: 'breakpoints',
  summary: 'Set a read watchpoint for EXPRESSION.',
  documentation: 'Set a read watchpoint for EXPRESSION.\nUsage: rwatch EXPRESSION [if CONDITION]\nA read watchpoint stops execution of your program whenever the value of\nan expression is read.\nExample: rwatch buf[72]',
  run(args, out, { session }) {
    setWatchpoint(session, 'rwatch', args, out)
  },
}
