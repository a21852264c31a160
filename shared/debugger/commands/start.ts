import type { Command } from '../command'
import { resume } from '../execution'
import { describeLocation, locationWhat, resolveLocation } from '../location'
import { startInferior } from '../launch'
import { reportStop } from '../stop'

export const startCommand: Command = {
  name: 'start',
  category: 'running',
  runsProgram: true,
  summary: 'Start the debugged program stopping at the beginning of the main procedure.',
  documentation: [
    'Start the debugged program stopping at the beginning of the main procedure.',
    'The same as "tbreak main" then "run": arguments and "< FILE" as for "run".',
    'Example: start < input.txt',
  ].join('\n'),
  async run(args, out, { session }) {
    session.requireProgram()
    const location = resolveLocation(session, 'main')
    const breakpoint = session.breakpoints.addCode(location.addresses, locationWhat(session, location), true, null)
    out.line(`Temporary breakpoint ${breakpoint.number} at ${describeLocation(session, location)}`)
    startInferior(session, args, out)
    reportStop(session, await resume(session), out, 'frame-and-source')
  },
}
