import { NO_PROCESS } from '../session'
import type { Command } from '../command'
import { repeatCount } from '../count-argument'
import { stepInstructions } from '../stepping'
import { reportStop } from '../stop'

export const nextiCommand: Command = {
  name: 'nexti',
  category: 'running',
  repeat: 'same',
  runsProgram: true,
  aliases: ['ni'],
  summary: 'Step one instruction, but proceed through subroutine calls.',
  documentation: 'Step one instruction, but proceed through subroutine calls.\nUsage: nexti [N]\nArgument N means step N times (or till program stops for another reason).\nExample: ni',
  async run(args, out, { session }) {
    session.requireLive(NO_PROCESS)
    const count = repeatCount(session, args)
    reportStop(session, await stepInstructions(session, count, true), out)
  },
}
