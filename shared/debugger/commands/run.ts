import type { Command } from '../command'
import { resume } from '../execution'
import { reportStop } from '../stop'
import { startInferior } from '../launch'

export const runCommand: Command = {
  name: 'run',
  category: 'running',
  runsProgram: true,
  aliases: ['r'],
  summary: 'Start debugged program.',
  documentation: [
    'Start debugged program.',
    'You may specify arguments to give it, and "< FILE" to give it FILE as standard input.',
    'With no arguments, uses the arguments of the last "run" or "set args".',
    'Example: run hello < payload.bin',
  ].join('\n'),
  async run(args, out, { session }) {
    startInferior(session, args, out)
    reportStop(session, await resume(session), out, 'frame-and-source')
  },
}
