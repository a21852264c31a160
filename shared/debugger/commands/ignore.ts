import { CommandError, type Command } from '../command'

export const ignoreCommand: Command = {
  name: 'ignore',
  category: 'breakpoints',
  summary: 'Set ignore-count of breakpoint number N to COUNT.',
  documentation: 'Set ignore-count of breakpoint number N to COUNT.\nUsage is `ignore N COUNT\'.\nExample: ignore 1 9   (the next 9 hits of breakpoint 1 do not stop)',
  run(args, out, { session }) {
    const match = /^(\d+)\s+(\d+)$/.exec(args)
    if (!match) throw new CommandError(args === '' ? 'Argument required (a breakpoint number).' : 'Second argument (specified ignore-count) is missing.')
    const breakpoint = session.breakpoints.get(Number(match[1]))
    if (!breakpoint) throw new CommandError(`No breakpoint number ${match[1]}.`)
    const count = Number(match[2])
    breakpoint.ignoreCount = count
    if (count === 0) out.line(`Will stop next time breakpoint ${breakpoint.number} is reached.`)
    else if (count === 1) out.line(`Will ignore next crossing of breakpoint ${breakpoint.number}.`)
    else out.line(`Will ignore next ${count} crossings of breakpoint ${breakpoint.number}.`)
  },
}
