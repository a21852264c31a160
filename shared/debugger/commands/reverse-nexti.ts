import type { Command } from '../command'
import { repeatCount } from '../count-argument'
import { reverseNextInstructions } from '../reverse'
import { reportStop } from '../stop'

export const reverseNextiCommand: Command = {
  name: 'reverse-nexti',
  category: 'running',
  repeat: 'same',
  aliases: ['rni'],
  runsProgram: true,
  summary: 'Step backward one instruction, but proceed through called subroutines.',
  documentation: [
    'Step backward one instruction, but proceed through called subroutines.',
    'Argument N means do this N times (or till program stops for another reason).',
    'Just after a call returned, it goes back to the call instruction itself.',
    'Example: rni',
  ].join('\n'),
  async run(args, out, { session }) {
    session.requireInferior()
    const { reason, style } = await reverseNextInstructions(session, repeatCount(session, args))
    reportStop(session, reason, out, style)
  },
}
