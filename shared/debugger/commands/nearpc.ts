// pwndbg's `nearpc`: the instructions around the pc (or an address).

import { CommandError, type Command } from '../command'
import { writeLines } from '../pointer-chain'
import { nearpcLines } from '../pwndbg-disasm'
import { integerArgument, runningView, splitWords } from '../pwndbg-arguments'

/** pwndbg's `nearpc-lines`: instructions shown in all, half of them on each side. */
const NEARPC_LINES = 10

export const nearpcCommand: Command = {
  name: 'nearpc',
  category: 'data',
  aliases: ['pdisass'],
  summary: 'Disassemble near a specified address.',
  documentation: [
    'Disassemble near a specified address (pwndbg).',
    'Usage: nearpc [ADDRESS] [LINES]',
    'LINES instructions (default 5) before and after ADDRESS (default $pc), in capstone\'s',
    'Intel syntax; ► marks the address. A single small number is taken as LINES.',
    'Example: nearpc $pc 8',
  ].join('\n'),
  run(args, out, { session }) {
    const { view } = runningView(session, 'nearpc')
    const words = splitWords(args)
    if (words.length > 2) throw new CommandError(`nearpc: error: unrecognized arguments: ${words.slice(2).join(' ')}`)
    let pc = words[0] === undefined ? null : integerArgument(session, words[0])
    let lines = words[1] === undefined ? null : integerArgument(session, words[1])
    // One small argument is a line count, as pwndbg reads it.
    if (lines === null && (pc === null || pc < 0x100n)) {
      lines = pc
      pc = null
    }
    pc ??= view.register('rip')!
    const count = lines === null ? NEARPC_LINES / 2 : Number(lines > 256n ? 256n : lines)
    if (!view.readable(pc)) throw new CommandError(`Invalid address 0x${pc.toString(16)}`)
    writeLines(out, nearpcLines(view, pc, count))
  },
}
