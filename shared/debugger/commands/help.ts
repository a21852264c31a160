import { COMMAND_CLASSES, CommandError, type Command, type CommandClass } from '../command'
import { ambiguousCommandMessage, undefinedCommandMessage } from '../errors'
import type { OutputBuilder } from '../output'

const TRAILER = [
  'Type "help" followed by command name for full documentation.',
  'Command name abbreviations are allowed if unambiguous.',
]

/** "continue, fg, c -- Continue program…": gdb names the aliases, latest first. */
function listLine(command: Command, out: OutputBuilder): void {
  out.write([command.name, ...[...(command.aliases ?? [])].reverse()].join(', '), 'command').line(` -- ${command.summary}`)
}

function isClass(word: string): word is CommandClass {
  return Object.hasOwn(COMMAND_CLASSES, word)
}

export const helpCommand: Command = {
  name: 'help',
  category: 'support',
  aliases: ['h'],
  summary: 'Print list of commands.',
  documentation: 'Print list of commands.\nWith a class name as argument, list the commands of that class; "help all" lists them all.\nWith a command name as argument, print the documentation of that command.\nExample: help running',
  run(args, out, { commands }) {
    if (args === '') {
      out.line('List of classes of commands:', 'heading').line()
      for (const [name, text] of Object.entries(COMMAND_CLASSES)) out.write(name, 'command').line(` -- ${text}`)
      out.line()
      out.line('Type "help" followed by a class name for a list of commands in that class.', 'muted')
      out.line('Type "help all" for the list of all commands.', 'muted')
      for (const line of TRAILER) out.line(line, 'muted')
      return
    }
    if (args === 'all') {
      for (const name of Object.keys(COMMAND_CLASSES) as CommandClass[]) {
        out.line().line(`Command class: ${name}`, 'heading').line()
        for (const command of commands.all) if (command.category === name) listLine(command, out)
      }
      return
    }
    if (isClass(args)) {
      out.line(COMMAND_CLASSES[args]).line().line('List of commands:', 'heading').line()
      for (const command of commands.all) if (command.category === args) listLine(command, out)
      out.line()
      for (const line of TRAILER) out.line(line, 'muted')
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
