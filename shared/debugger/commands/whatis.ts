import type { Command } from '../command'
import { whatisCommand as describeType } from '../expression/commands'

export const whatisCommand: Command = {
  name: 'whatis',
  category: 'data',
  summary: 'Print data type of expression EXP.',
  documentation: 'Print data type of expression EXP.\nOnly one level of typedefs is unrolled.\nExample: whatis buf',
  run(args, out, { session }) {
    out.line(session.withExpressions((context) => describeType(args, context)))
  },
}
