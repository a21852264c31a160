import type { Command } from '../command'
import { repeatCount } from '../count-argument'
import type { StopReason } from '../execution'
import type { LocationStyle } from '../report'
import { reverseStepLine } from '../reverse'
import { reportStop } from '../stop'
import type { CommandContext } from '../command'
import type { OutputBuilder } from '../output'

/** reverse-step and reverse-next: N line steps backwards, printed once at the end, as gdb does. */
export async function reverseLineCommand(mode: 'step' | 'next', args: string, out: OutputBuilder, { session }: CommandContext): Promise<void> {
  session.requireInferior()
  const count = repeatCount(session, args)
  let reason: StopReason = { kind: 'arrived' }
  let style: LocationStyle = 'source-line'
  for (let i = 0; i < count; i++) {
    if (i > 0 && session.hooks.interruptRequested()) {
      reason = { kind: 'interrupted' }
      break
    }
    ;({ reason, style } = await reverseStepLine(session, mode, out))
    if (reason.kind !== 'arrived') break
  }
  reportStop(session, reason, out, style)
}

export const reverseStepCommand: Command = {
  name: 'reverse-step',
  category: 'running',
  repeat: 'same',
  aliases: ['rs'],
  runsProgram: true,
  summary: 'Step program backward until it reaches the beginning of another source line.',
  documentation: [
    'Step program backward until it reaches the beginning of another source line.',
    'Argument N means do this N times (or till program stops for another reason).',
    'Going back into a function through its return, it stops at the start of its last line.',
    'Example: reverse-step',
  ].join('\n'),
  run: (args, out, context) => reverseLineCommand('step', args, out, context),
}
