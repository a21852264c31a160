import { CommandError, type Command } from '../command'
import { printSelectedFrame } from '../report'

export const downCommand: Command = {
  name: 'down',
  category: 'stack',
  summary: 'Select and print stack frame called by this one.',
  documentation: 'Select and print stack frame called by this one.\nAn argument says how many frames down to go.\nExample: down',
  run(args, out, { session }) {
    const count = args === '' ? 1 : Number(args)
    if (!Number.isInteger(count)) throw new CommandError(`Invalid number "${args}".`)
    session.frames()
    if (session.selectedFrameLevel === 0 && count > 0) throw new CommandError('Bottom (innermost) frame selected; you cannot go down.')
    session.selectFrame(Math.max(session.selectedFrameLevel - count, 0))
    printSelectedFrame(session, out)
  },
}
