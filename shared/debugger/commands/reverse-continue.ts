import type { Command } from '../command'
import { reverseContinue } from '../reverse'
import { reportStop } from '../stop'

export const reverseContinueCommand: Command = {
  name: 'reverse-continue',
  category: 'running',
  repeat: 'same',
  aliases: ['rc'],
  runsProgram: true,
  summary: 'Continue program being debugged but run it in reverse.',
  documentation: 'Continue program being debugged but run it in reverse.\nIt stops at the latest earlier moment a breakpoint or watchpoint would have stopped it.\nExample: watch buf[72]   then   reverse-continue   (who wrote that byte?)',
  async run(_args, out, { session }) {
    session.requireInferior()
    reportStop(session, await reverseContinue(session), out, 'frame-and-source')
  },
}
