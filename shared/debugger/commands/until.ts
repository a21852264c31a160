import { NO_PROCESS } from '../session'
import type { Command } from '../command'
import { lineStepCommand } from '../line-step'
import { resolveLocation } from '../location'
import { runToLocation } from '../stepping'
import { reportStop } from '../stop'

export const untilCommand: Command = {
  name: 'until',
  category: 'running',
  repeat: 'same',
  runsProgram: true,
  aliases: ['u'],
  summary: 'Execute until past the current line or past a LOCATION.',
  documentation: [
    'Execute until past the current line or past a LOCATION.',
    'Execute until the program reaches a source line greater than the current',
    'or a specified location (same args as break command) within the current frame.',
    'Example: until 12   (run the rest of a loop and stop at line 12)',
  ].join('\n'),
  async run(args, out, { session }) {
    if (args === '') return lineStepCommand(session, 'until', 1, out)
    const inferior = session.requireLive(NO_PROCESS)
    const location = resolveLocation(session, args)
    const frame = session.selectedFrame()
    const stop = await runToLocation(session, location.addresses.map((a) => inferior.runtimeAddress(a)), frame, true)
    reportStop(session, stop, out, 'frame-and-source')
  },
}
