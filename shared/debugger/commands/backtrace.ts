import type { Command } from '../command'
import { backtraceLine } from '../report'

export const backtraceCommand: Command = {
  name: 'backtrace',
  category: 'stack',
  aliases: ['bt', 'where'],
  summary: 'Print backtrace of all stack frames.',
  documentation: 'Print backtrace of all stack frames.\nUsage: backtrace [COUNT]\nWith a positive COUNT, print only the innermost COUNT frames; negative, the outermost.\nFrames are found through the saved rbp chain and return addresses, so binaries without -g\nget a backtrace too.\nExample: bt',
  run(args, out, { session }) {
    const frames = session.frames()
    const count = args === '' ? frames.length : Number(args)
    const shown = count >= 0 ? frames.slice(0, count) : frames.slice(count)
    for (const frame of shown) out.line(backtraceLine(session, frame))
    if (count >= 0 && count < frames.length) out.line('(More stack frames follow...)')
  },
}
