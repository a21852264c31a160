import { CommandError, type Command } from '../command'
import { ambiguousCommandMessage, undefinedCommandMessage } from '../errors'

export const helpCommand: Command = {
  name: 'help',
  aliases: ['h'],
  summary: 'Print list of commands.',
  documentation: 'Print list of commands.\nWith a command name as argument, print the documentation of that command.',
  run(args, out, { commands }) {
    if (args === '') {
      out.line('List of commands:', 'heading').line()
      for (const command of commands.all) out.write(command.name, 'command').line(` -- ${command.summary}`)
      out.line()
      out.line('Type "help" followed by command name for full documentation.', 'muted')
      out.line('Command name abbreviations are allowed if unambiguous.', 'muted')
      return
    }
    const found = commands.lookup(args)
    if (found.kind === 'undefined') throw new CommandError(undefinedCommandMessage(args))
    if (found.kind === 'ambiguous') throw new CommandError(ambiguousCommandMessage(args, found.candidates))
    const { command } = found
    // gdb names the aliases on a first line of their own ("help, h").
    if (command.aliases?.length) out.line([command.name, ...command.aliases].join(', '), 'command')
    out.line(command.documentation)
  },
}
