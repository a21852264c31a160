// pwndbg's `telescope`: pointer-sized slots from an address, each followed through memory.

import { CommandError, type Command } from '../command'
import { telescopeLines, writeLines } from '../pointer-chain'
import { flagsAndWords, integerArgument, runningView, splitWords } from '../pwndbg-arguments'

/** pwndbg's `telescope-lines`. */
const DEFAULT_LINES = 8
/** Below this, an unreadable first argument is a count (`telescope 20`): pwndbg's MMAP_MIN_ADDR. */
const MMAP_MIN_ADDR = 0x8000n
const MAX_LINES = 4096n

export const telescopeCommand: Command = {
  name: 'telescope',
  category: 'memory',
  summary: 'Recursively dereferences pointers starting at the specified address.',
  documentation: [
    'Recursively dereferences pointers starting at the specified address (pwndbg).',
    'Usage: telescope [-r] [-f] [-i] [ADDRESS] [COUNT]',
    'ADDRESS defaults to $sp, COUNT to 8 slots of 8 bytes. Each line shows the slot\'s index',
    'and offset, the registers pointing at it (or its offset from rbp), and the chain of',
    'pointers from it: —▸ follows a pointer, ◂— shows what the last one points at.',
    'Runs of one repeated value collapse to "... ↓ N skipped".',
    '-r shows the slots before ADDRESS, -f the frame from rsp to rbp, -i the highest first.',
    'Example: telescope $rsp 16',
  ].join('\n'),
  run(args, out, { session }) {
    const { view } = runningView(session, 'telescope')
    const { flags, rest } = flagsAndWords(splitWords(args), ['-r', '--reverse', '-f', '--frame', '-i', '--inverse'], 'telescope')
    if (rest.length > 2) throw new CommandError(`telescope: error: unrecognized arguments: ${rest.slice(2).join(' ')}`)
    const sp = view.register('rsp')!
    let address = rest[0] === undefined ? sp : integerArgument(session, rest[0])
    let count = rest[1] === undefined ? BigInt(DEFAULT_LINES) : BigInt.asIntN(64, integerArgument(session, rest[1]))
    if (count < 1n) count = 1n
    if (address < MMAP_MIN_ADDR && !view.readable(address)) {
      count = address
      address = sp
    }
    // `telescope A B` with B beyond A: the slots from A up to B.
    if (address <= count) count = (count - address + 7n) / 8n
    // A bound on a mistyped count: pwndbg would print every slot up to it.
    const lines = telescopeLines(view, address, Number(count > MAX_LINES ? MAX_LINES : count), {
      reverse: flags.has('-r') || flags.has('--reverse'),
      frame: flags.has('-f') || flags.has('--frame'),
      inverse: flags.has('-i') || flags.has('--inverse'),
    })
    writeLines(out, lines)
  },
}
