import type { Command } from '../command'
import { setWatchpoint } from '../watch-command'

export const awatchCommand: Command = {
  name: 'awatch',
  category: 'breakpoints',
  summary: 'Set an access watchpoint for EXPRESSION.',
  documentation: 'Set an access watchpoint for EXPRESSION.\nUsage: awatch EXPRESSION [if CONDITION]\nAn access watchpoint stops execution of your program whenever the value of\nan expression is either read or written.\nExample: awatch buf[72]',
  run(args, out, { session }) {
    setWatchpoint(session, 'awatch', args, out)
  },
}
