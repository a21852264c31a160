import { NO_PROCESS } from '../session'
import type { Command } from '../command'
import { repeatCount } from '../count-argument'
import { stepInstructions } from '../stepping'
import { reportStop } from '../stop'

export const stepiCommand: Command = {
  name: 'stepi',
  category: 'running',
  repeat: 'same',
  runsProgram: true,
  aliases: ['si'],
  summary: 'Step one instruction exactly.',
  documentation: 'Step one instruction exactly.\nUsage: stepi [N]\nArgument N means step N times (or till program stops for another reason).\nExample: si 3',
  async run(args, out, { session }) {
    session.requireLive(NO_PROCESS)
    const count = repeatCount(session, args)
    reportStop(session, await stepInstructions(session, count, false), out)
  },
}
