import type { Command } from '../command'
import { outputCommand as outputValue } from '../expression/commands'

export const outputCommand: Command = {
  name: 'output',
  category: 'data',
  summary: 'Like "print" but don\'t put in value history and don\'t print newline.',
  documentation: 'Like "print" but don\'t put in value history and don\'t print newline.\nThis is useful in user-defined commands.\nExample: output x',
  run(args, out, { session }) {
    out.write(session.withExpressions((context) => outputValue(args, context)))
  },
}
