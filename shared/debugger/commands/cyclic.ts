import { CommandError, type Command } from '../command'
import { asAddress } from '../expression/evaluate'
import { cyclic, cyclicLookup, parseCyclicLookupArgument, PwnError } from '../pwn'

/** pwndbg's default subsequence length: the pointer size. */
const POINTER_ORDER = 8

export const cyclicCommand: Command = {
  name: 'cyclic',
  category: 'exploitation',
  summary: 'Cyclic pattern creator/finder.',
  documentation: [
    'Cyclic pattern creator/finder (de Bruijn sequence, as pwntools).',
    'Usage: cyclic [-n N] COUNT        print a pattern of COUNT bytes',
    '       cyclic [-n N] -l VALUE     find the offset of VALUE (an integer or text)',
    'N is the subsequence length (default 8, the pointer size).',
    'Example: cyclic 200   then, after the crash,   cyclic -l $rsp',
  ].join('\n'),
  run(args, out, { session }) {
    let words = args.trim().split(/\s+/).filter((w) => w !== '')
    let order = POINTER_ORDER
    const n = words.indexOf('-n')
    if (n >= 0) {
      order = Number(words[n + 1])
      if (!Number.isInteger(order) || order < 1) throw new CommandError(`Invalid subsequence length "${words[n + 1] ?? ''}".`)
      words = words.filter((_, i) => i !== n && i !== n + 1)
    }
    try {
      const lookup = words.indexOf('-l') >= 0 ? words.indexOf('-l') : words.indexOf('-o')
      if (lookup >= 0) {
        const text = words.slice(lookup + 1).join(' ')
        if (text === '') throw new CommandError('Argument required (a value to look up).')
        // `$rsp`, `*(long *)$rsp`: a value from the stopped program; otherwise a number or text.
        const value = /^[$*]/.test(text) ? asAddress(session.evaluate(text)) : parseCyclicLookupArgument(text)
        const result = cyclicLookup(value, order)
        for (const line of result.lines) out.line(line.text, line.style)
        if (result.offset === undefined) throw new CommandError('Pattern not found.')
        return
      }
      const count = words[0] === undefined ? 100 : Number(words[0])
      if (!Number.isSafeInteger(count) || count < 0) throw new CommandError(`Invalid count "${words[0]}".`)
      out.line(new TextDecoder().decode(cyclic(count, order)))
    } catch (error) {
      if (error instanceof PwnError) throw new CommandError(error.message)
      throw error
    }
  },
}
