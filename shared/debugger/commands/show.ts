// gdb's `show SETTING` for the settings the debugger has, in gdb's words.

import { CommandError, type Command } from '../command'
import type { DebugSession } from '../session'

/** Each setting's sentence; a setting is named by any unambiguous prefix, as in gdb. */
const SETTINGS: Record<string, (session: DebugSession) => string> = {
  args: (session) => `Argument list to give program being debugged when it is started is "${session.run.args.join(' ')}".`,
  'disable-randomization': (session) => `Disabling randomization of debuggee's virtual address space is ${session.run.aslr === 0 ? 'on' : 'off'}.`,
  'disassembly-flavor': (session) => `The disassembly flavor is "${session.disassemblyFlavor}".`,
  listsize: () => 'Number of source lines gdb will list by default is 10.',
  'random-seed': (session) => `The seed of the next run's randomness (ASLR slides, the canary, getrandom) is ${session.run.seed}.`,
}

export const showCommand: Command = {
  name: 'show',
  category: 'support',
  summary: 'Generic command for showing things about the debugger.',
  documentation: [
    'Generic command for showing things about the debugger.',
    `show SETTING, where SETTING is one of: ${Object.keys(SETTINGS).join(', ')}.`,
    'With no argument, every setting is shown.',
    'Example: show disassembly-flavor',
  ].join('\n'),
  run(args, out, { session }) {
    const word = args.trim().split(/\s+/)[0] ?? ''
    if (word === '') {
      for (const [name, describe] of Object.entries(SETTINGS)) out.line(`${name}:  ${describe(session)}`)
      return
    }
    const matches = Object.keys(SETTINGS).filter((name) => name.startsWith(word))
    const exact = SETTINGS[word]
    if (!exact && matches.length > 1) throw new CommandError(`Ambiguous show command "${word}": ${matches.join(', ')}.`)
    if (!exact && matches.length === 0) throw new CommandError(`Undefined show command: "${word}".  Try "help show".`)
    out.line((exact ?? SETTINGS[matches[0]!]!)(session))
  },
}
