import { CommandError, type Command } from '../command'
import { resume } from '../execution'
import { NO_PROCESS } from '../session'
import { reportStop } from '../stop'

export const continueCommand: Command = {
  name: 'continue',
  category: 'running',
  repeat: 'same',
  runsProgram: true,
  aliases: ['c', 'fg'],
  summary: 'Continue program being debugged, after signal or breakpoint.',
  documentation: [
    'Continue program being debugged, after signal or breakpoint.',
    'Usage: continue [N]',
    'If N is given, the breakpoint the program stopped at is ignored N-1 more times.',
    'Example: continue 3',
  ].join('\n'),
  async run(args, out, { session }) {
    const inferior = session.requireLive(NO_PROCESS)
    if (args !== '') {
      const n = Number(args)
      if (!Number.isInteger(n) || n < 1) throw new CommandError(`Invalid number "${args}".`)
      const here = session.breakpoints.codeAt(inferior.linkAddress(inferior.pc))[0]
      if (here) {
        here.ignoreCount = n - 1
        out.line(`Will ignore next ${n - 1} crossings of breakpoint ${here.number}.  Continuing.`)
      } else out.line('Not stopped at any breakpoint; argument ignored.').line('Continuing.')
    } else out.line('Continuing.')
    reportStop(session, await resume(session), out, 'frame-and-source')
  },
}
