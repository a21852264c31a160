import type { Command } from '../command'
import { repeatCount } from '../count-argument'
import { lineStepCommand } from '../line-step'

export const stepCommand: Command = {
  name: 'step',
  category: 'running',
  repeat: 'same',
  runsProgram: true,
  aliases: ['s'],
  summary: 'Step program until it reaches a different source line.',
  documentation: 'Step program until it reaches a different source line.\nUsage: step [N]\nArgument N means step N times (or till program stops for another reason).\nCalls into functions with line information are entered.\nExample: step',
  async run(args, out, { session }) {
    await lineStepCommand(session, 'step', repeatCount(session, args), out)
  },
}
