import type { Command } from '../command'
import { complete, MAX_COMPLETIONS } from '../completion'

export const completeCommand: Command = {
  name: 'complete',
  category: 'support',
  rawArguments: true,
  summary: 'List the completions for the rest of the line as a command.',
  documentation: 'List the completions for the rest of the line as a command.\nThe terminal\'s Tab key asks this command.\nExample: complete b ma',
  run(args, out, { session, commands }) {
    const lines = complete(session, commands, args)
    for (const line of lines) out.line(line)
    if (lines.length === MAX_COMPLETIONS) out.line(`${args} *** List may be truncated, max-completions reached. ***`)
  },
}
