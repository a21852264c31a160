import type { Command } from '../command'
import { repeatCount } from '../count-argument'
import { reverseStepInstructions } from '../reverse'
import { reportStop } from '../stop'

export const reverseStepiCommand: Command = {
  name: 'reverse-stepi',
  category: 'running',
  repeat: 'same',
  aliases: ['rsi'],
  runsProgram: true,
  summary: 'Step backward exactly one instruction.',
  documentation: 'Step backward exactly one instruction.\nUsage: reverse-stepi [N]\nEvery register and byte is as it was N instructions ago (history is always recorded).\nExample: rsi 5',
  run(args, out, { session }) {
    session.requireInferior()
    const { reason, style } = reverseStepInstructions(session, repeatCount(session, args))
    reportStop(session, reason, out, style)
  },
}
