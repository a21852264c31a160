// pwndbg's `piebase`: an offset in the executable turned into a runtime address.

import { CommandError, type Command } from '../command'
import { pageRow, pyHex } from '../memory-map'
import { integerArgument, runningView, splitWords } from '../pwndbg-arguments'

export const piebaseCommand: Command = {
  name: 'piebase',
  category: 'exploitation',
  summary: 'Calculate VA of RVA from PIE base.',
  documentation: [
    'Calculate VA of RVA from PIE base (pwndbg).',
    'Usage: piebase [OFFSET] [MODULE]',
    'OFFSET (default 0) is added to the lowest address MODULE (default: the executable) is',
    'mapped at. A static PIE is placed at a random base each run; offsets in the file stay.',
    'Example: piebase 0x1139',
  ].join('\n'),
  run(args, out, { session }) {
    const { inferior, view } = runningView(session, 'piebase')
    const words = splitWords(args)
    if (words.length > 2) throw new CommandError(`piebase: error: unrecognized arguments: ${words.slice(2).join(' ')}`)
    const offset = words[0] === undefined ? 0n : BigInt.asIntN(64, integerArgument(session, words[0]))
    const module = words[1] ?? inferior.program.path
    const mapped = view.pages.filter((page) => page.objfile.includes(module))
    if (mapped.length === 0) {
      out.line(`There are no memory pages in \`vmmap\` for specified address=${pyHex(offset)} and module=${module}`)
      throw new CommandError('Could not calculate VA on current target.')
    }
    const base = mapped.reduce((low, page) => (page.start < low ? page.start : low), mapped[0]!.start)
    const address = base + offset
    if (!mapped.some((page) => address >= page.start && address < page.end)) {
      out.line(`Offset ${pyHex(offset)} rebased to module ${module} as ${pyHex(address)} is beyond module's memory pages:`)
      for (const page of mapped) out.line(pageRow(page))
      throw new CommandError('Could not calculate VA on current target.')
    }
    out.line(`Calculated VA from ${module} = ${pyHex(address)}`)
  },
}
