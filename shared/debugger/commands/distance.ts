// pwndbg's `distance`: how far apart two addresses are, or an address from its mapping's start.

import { CommandError, type Command } from '../command'
import { memoryStyle, pageAt } from '../memory-map'
import { distanceFromRegionText, distanceText, unmappedDistanceText } from '../pwn'
import { integerArgument, runningView, splitWords } from '../pwndbg-arguments'

export const distanceCommand: Command = {
  name: 'distance',
  category: 'memory',
  summary: 'Print the distance between the two arguments, or print the offset to the address\'s page base.',
  documentation: [
    'Print the distance between the two arguments, or the offset to the address\'s page base (pwndbg).',
    'Usage: distance A [B]',
    'In bytes and in 8-byte words: 0x7ffe3b6a1e30->0x7ffe3b6a1e78 is 0x48 bytes (0x9 words).',
    'Example: distance $rsp &buf',
  ].join('\n'),
  run(args, out, { session }) {
    const { view } = runningView(session, 'distance')
    const words = splitWords(args)
    if (words.length === 0) throw new CommandError('distance: error: the following arguments are required: a')
    if (words.length > 2) throw new CommandError(`distance: error: unrecognized arguments: ${words.slice(2).join(' ')}`)
    const a = integerArgument(session, words[0]!)
    if (words[1] !== undefined) {
      out.line(distanceText(a, integerArgument(session, words[1])))
      return
    }
    const page = pageAt(view.pages, a)
    if (!page) throw new CommandError(unmappedDistanceText(a))
    out.line(distanceFromRegionText(page.start, a), memoryStyle(page))
  },
}
