import { NO_PROCESS } from '../session'
import { CommandError, type Command } from '../command'
import { resolveLocation } from '../location'
import { runToLocation } from '../stepping'
import { reportStop } from '../stop'

export const advanceCommand: Command = {
  name: 'advance',
  category: 'running',
  runsProgram: true,
  summary: 'Continue the program up to the given location (same form as args for break command).',
  documentation: 'Continue the program up to the given location (same form as args for break command).\nExecution will also stop upon exit from the current stack frame.\nExample: advance 14',
  async run(args, out, { session }) {
    if (args === '') throw new CommandError('Argument required (a location).')
    const inferior = session.requireLive(NO_PROCESS)
    const location = resolveLocation(session, args)
    const stop = await runToLocation(session, location.addresses.map((a) => inferior.runtimeAddress(a)), session.selectedFrame(), false)
    reportStop(session, stop, out, 'frame-and-source')
  },
}
