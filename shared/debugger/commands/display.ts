import type { Command } from '../command'
import { splitPrintFormat } from '../expression/commands'

export const displayCommand: Command = {
  name: 'display',
  category: 'data',
  summary: 'Print value of expression EXP each time the program stops.',
  documentation: 'Print value of expression EXP each time the program stops.\nUsage: display[/FMT] EXP\nWith no argument, display all currently requested auto-display expressions.\nExample: display/x $rsp',
  run(args, out, { session }) {
    if (args.trim() === '') {
      session.printDisplays(out)
      return
    }
    const { format, expression } = session.withExpressions(() => splitPrintFormat(args, 'display'))
    const display = session.addDisplay(expression, format ?? null)
    if (session.inferior?.phase === 'alive') session.printDisplays(out, display.number)
  },
}
