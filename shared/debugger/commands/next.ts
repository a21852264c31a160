import type { Command } from '../command'
import { repeatCount } from '../count-argument'
import { lineStepCommand } from '../line-step'

export const nextCommand: Command = {
  name: 'next',
  category: 'running',
  repeat: 'same',
  runsProgram: true,
  aliases: ['n'],
  summary: 'Step program, proceeding through subroutine calls.',
  documentation: 'Step program, proceeding through subroutine calls.\nUsage: next [N]\nUnlike "step", if the current source line calls a subroutine,\nthis command does not enter the subroutine, but instead steps over\nthe call, in effect treating it as a single source line.\nExample: next 2',
  async run(args, out, { session }) {
    await lineStepCommand(session, 'next', repeatCount(session, args), out)
  },
}
