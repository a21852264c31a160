// pwndbg's `stack`: telescope at the stack pointer.

import { CommandError, type Command } from '../command'
import { telescopeLines, writeLines } from '../pointer-chain'
import { flagsAndWords, integerArgument, runningView, splitWords } from '../pwndbg-arguments'

export const stackCommand: Command = {
  name: 'stack',
  category: 'stack',
  summary: 'Dereferences on stack data with specified count and offset.',
  documentation: [
    'Dereferences on stack data with specified count and offset (pwndbg).',
    'Usage: stack [-f] [-i] [COUNT] [OFFSET]',
    'COUNT slots (default 8) from $sp + OFFSET slots (default 0, may be negative),',
    'shown as telescope shows them. -f shows the whole frame, -i the highest address first.',
    'Example: stack 16',
  ].join('\n'),
  run(args, out, { session }) {
    const { view } = runningView(session, 'stack')
    const { flags, rest } = flagsAndWords(splitWords(args), ['-f', '--frame', '-i', '--inverse'], 'stack')
    if (rest.length > 2) throw new CommandError(`stack: error: unrecognized arguments: ${rest.slice(2).join(' ')}`)
    const count = rest[0] === undefined ? 8n : integerArgument(session, rest[0])
    const offset = rest[1] === undefined ? 0n : BigInt.asIntN(64, integerArgument(session, rest[1]))
    const lines = telescopeLines(view, view.register('rsp')! + offset * 8n, Number(count < 1n ? 1n : count > 4096n ? 4096n : count), {
      frame: flags.has('-f') || flags.has('--frame'),
      inverse: flags.has('-i') || flags.has('--inverse'),
    })
    writeLines(out, lines)
  },
}
