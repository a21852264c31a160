import { CommandError, type Command } from '../command'

export const conditionCommand: Command = {
  name: 'condition',
  category: 'breakpoints',
  summary: 'Specify breakpoint number N to break only if COND is true.',
  documentation: 'Specify breakpoint number N to break only if COND is true.\nUsage is `condition N COND\', where N is an integer and COND is an\nexpression to be evaluated whenever breakpoint N is reached.\nWith no COND, the breakpoint becomes unconditional.\nExample: condition 1 i == 5',
  run(args, out, { session }) {
    const match = /^(\d+)\s*(.*)$/.exec(args)
    if (!match) throw new CommandError(args === '' ? 'Argument required (breakpoint number).' : `Bad breakpoint argument: '${args}'`)
    const breakpoint = session.breakpoints.get(Number(match[1]))
    if (!breakpoint) throw new CommandError(`No breakpoint number ${match[1]}.`)
    const condition = match[2]!.trim()
    breakpoint.condition = condition === '' ? null : condition
    if (condition === '') out.line(`Breakpoint ${breakpoint.number} now unconditional.`)
  },
}
