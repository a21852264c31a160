import type { Command } from '../command'
import { parseBreakpointNumbers } from '../breakpoints'
import { CommandError } from '../command'

export const undisplayCommand: Command = {
  name: 'undisplay',
  category: 'data',
  summary: 'Cancel some expressions to be displayed when program stops.',
  documentation: 'Cancel some expressions to be displayed when program stops.\nUsage: undisplay [NUM]...\nWith no argument, cancel all displays.\nExample: undisplay 1',
  run(args, _out, { session }) {
    if (args.trim() === '') {
      session.displays.length = 0
      return
    }
    let numbers: number[]
    try {
      numbers = parseBreakpointNumbers(args)
    } catch {
      throw new CommandError(`Arguments must be display numbers.`)
    }
    for (const number of numbers) {
      const index = session.displays.findIndex((d) => d.number === number)
      if (index >= 0) session.displays.splice(index, 1)
    }
  },
}
