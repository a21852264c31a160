import { CommandError, type Command } from '../command'
import { printSelectedFrame } from '../report'

export const frameCommand: Command = {
  name: 'frame',
  category: 'stack',
  aliases: ['f'],
  summary: 'Select and print a stack frame.',
  documentation: 'Select and print a stack frame.\nWith no argument, print the selected stack frame.\nAn argument specifies the frame to select (its level, 0 the innermost).\nExample: frame 1',
  run(args, out, { session }) {
    if (args !== '') {
      if (!/^\d+$/.test(args)) throw new CommandError(`Invalid frame level "${args}".`)
      session.selectFrame(Number(args))
    }
    printSelectedFrame(session, out)
  },
}
