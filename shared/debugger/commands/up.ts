import { CommandError, type Command } from '../command'
import { printSelectedFrame } from '../report'

export const upCommand: Command = {
  name: 'up',
  category: 'stack',
  summary: 'Select and print stack frame that called this one.',
  documentation: 'Select and print stack frame that called this one.\nAn argument says how many frames up to go.\nExample: up 2',
  run(args, out, { session }) {
    const count = args === '' ? 1 : Number(args)
    if (!Number.isInteger(count)) throw new CommandError(`Invalid number "${args}".`)
    const frames = session.frames()
    const target = session.selectedFrameLevel + count
    if (session.selectedFrameLevel === frames.length - 1 && count > 0) throw new CommandError('Initial frame selected; you cannot go up.')
    session.selectFrame(Math.min(Math.max(target, 0), frames.length - 1))
    printSelectedFrame(session, out)
  },
}
