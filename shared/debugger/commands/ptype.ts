import type { Command } from '../command'
import { ptypeCommand as describeType } from '../expression/commands'

export const ptypeCommand: Command = {
  name: 'ptype',
  category: 'data',
  summary: 'Print definition of type TYPE.',
  documentation: 'Print definition of type TYPE.\nUsage: ptype TYPENAME | EXPRESSION\nStructures, unions and enums are printed with their members.\nExample: ptype struct node   ptype main',
  run(args, out, { session }) {
    out.line(session.withExpressions((context) => describeType(args, context)))
  },
}
