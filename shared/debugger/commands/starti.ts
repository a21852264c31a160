import type { Command } from '../command'
import { startInferior } from '../launch'
import { printLocation } from '../report'

export const startiCommand: Command = {
  name: 'starti',
  category: 'running',
  runsProgram: true,
  summary: 'Start the debugged program stopping at the first instruction.',
  documentation: [
    'Start the debugged program stopping at the first instruction.',
    'Arguments and "< FILE" as for "run". The first instruction is the ELF entry point (_start).',
    'Example: starti',
  ].join('\n'),
  run(args, out, { session }) {
    startInferior(session, args, out)
    out.line()
    out.line('Program stopped.')
    printLocation(session, out, 'frame-and-source')
  },
}
