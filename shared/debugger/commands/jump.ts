import { CommandError, type Command } from '../command'
import { reviveBeforeSignal } from '../changes'
import { breakpointsHit, resume } from '../execution'
import { resolveLocation } from '../location'
import { hex } from '../report'
import { reportStop } from '../stop'

export const jumpCommand: Command = {
  name: 'jump',
  category: 'running',
  aliases: ['j'],
  runsProgram: true,
  summary: 'Continue program being debugged at specified line or address.',
  documentation: [
    'Continue program being debugged at specified line or address.',
    'Usage: jump LOCATION',
    'Give as argument either LINENUM or *ADDR, where ADDR is an expression',
    'for an address to start at.',
    'The change of rip is recorded: going back before it and forward again jumps again.',
    'Example: jump *0x401136',
  ].join('\n'),
  async run(args, out, { session }) {
    const inferior = session.requireLive('The program is not being run.')
    if (args === '') throw new CommandError('Argument required (starting address).')
    const location = resolveLocation(session, args)
    if (location.addresses.length !== 1) throw new CommandError('Unreasonable jump request')
    const link = location.addresses[0]!
    const target = inferior.runtimeAddress(link)
    // gdb asks before leaving the function the program is in (it answers itself when input is not a terminal).
    const here = session.frames()[0]!.debugFunction
    const there = inferior.program.debug?.functionAt(link) ?? null
    if (here && there !== here) {
      out.line(`Line ${location.line ?? 0} is not in \`${here.name}'.  Jump anyway? (y or n) [answered Y; input not from terminal]`)
    }
    reviveBeforeSignal(session, inferior)
    out.line(`Continuing at ${hex(target)}.`)
    inferior.setRegister('rip', BigInt(target))
    session.invalidateFrames()
    // A breakpoint at the place jumped to stops the program there at once, as in gdb.
    const reached = breakpointsHit(session, inferior)
    reportStop(session, reached.length > 0 ? { kind: 'breakpoint', breakpoints: reached } : await resume(session), out, 'frame-and-source')
  },
}
