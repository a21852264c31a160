import type { Command } from '../command'
import { printCommand as printValue } from '../expression/commands'

export const printCommand: Command = {
  name: 'print',
  category: 'data',
  aliases: ['p', 'inspect'],
  summary: 'Print value of expression EXP.',
  documentation: [
    'Print value of expression EXP.',
    'Usage: print [/FMT] [EXP]',
    'EXP is a C expression over variables, registers ($rsp, $rip), convenience variables',
    'and the value history ($1, $). FMT is a format letter: x d u o t a c f s z.',
    'Examples: print x   p/x $rsp   p *node   p buf[0]@8   p sizeof(struct node)',
  ].join('\n'),
  run(args, out, { session }) {
    const text = session.withExpressions((context) => printValue(args, context))
    if (text !== '') out.line(text)
  },
}
