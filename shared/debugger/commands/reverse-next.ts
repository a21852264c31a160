import type { Command } from '../command'
import { reverseLineCommand } from './reverse-step'

export const reverseNextCommand: Command = {
  name: 'reverse-next',
  category: 'running',
  repeat: 'same',
  aliases: ['rn'],
  runsProgram: true,
  summary: 'Step program backward, proceeding through subroutine calls.',
  documentation: [
    'Step program backward, proceeding through subroutine calls.',
    'Like the "reverse-step" command as long as subroutine calls do not happen;',
    'when they do, the call is treated as one instruction.',
    'Argument N means do this N times (or till program stops for another reason).',
    'Example: rn 2',
  ].join('\n'),
  run: (args, out, context) => reverseLineCommand('next', args, out, context),
}
