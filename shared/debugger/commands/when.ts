import type { Command } from '../command'

export const whenCommand: Command = {
  name: 'when',
  category: 'status',
  summary: 'Print the current instruction count (where "goto" can come back to).',
  documentation: 'Print the current instruction count (where "goto" can come back to).\nExample: when',
  run(_args, out, { session }) {
    const inferior = session.requireInferior()
    out.line(`Current instruction count: ${inferior.instructionCount}`)
  },
}
