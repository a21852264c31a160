// pwndbg's `aslr`: whether the program's addresses are randomised, and turning that on or off
// for the next run.

import { CommandError, type Command } from '../command'
import { splitWords } from '../pwndbg-arguments'

/** Linux's randomize_va_space values the switch sets: full randomisation, or none. */
export const ASLR_ON = 2
export const ASLR_OFF = 0

export const aslrCommand: Command = {
  name: 'aslr',
  category: 'exploitation',
  summary: 'Check the current ASLR status, or turn it on/off.',
  documentation: [
    'Check the current ASLR status, or turn it on/off (pwndbg).',
    'Usage: aslr [on | off]',
    'Does not take effect until the program is restarted: with ASLR off the stack, the heap',
    'and a PIE\'s code sit at the same addresses every run, as in gdb (disable-randomization).',
    'Example: aslr off',
  ].join('\n'),
  run(args, out, { session }) {
    const words = splitWords(args)
    if (words.length > 1) throw new CommandError(`aslr: error: unrecognized arguments: ${words.slice(1).join(' ')}`)
    const state = words[0]
    if (state !== undefined && state !== 'on' && state !== 'off') {
      throw new CommandError(`aslr: error: argument state: invalid choice: '${state}' (choose from 'on', 'off')`)
    }
    const inferior = session.inferior && session.inferior.phase !== 'gone' ? session.inferior : null
    if (state !== undefined) {
      session.run.aslr = state === 'on' ? ASLR_ON : ASLR_OFF
      if (inferior) out.line('Change will take effect when the process restarts')
    }
    // A running process keeps what it was started with; otherwise the setting for the next run.
    const on = inferior ? inferior.settings.aslr !== 0 : session.run.aslr !== 0
    out.write('ASLR is ')
    out.write(on ? 'ON' : 'OFF', on ? 'heading' : 'muted')
    out.line(` (${inferior ? "read status from process' personality" : 'show disable-randomization'})`)
  },
}
