// pwndbg's `retaddr`: the stack slots that hold the return addresses of the frames.

import type { Command } from '../command'
import { formatChain, writeLines } from '../pointer-chain'
import { runningView } from '../pwndbg-arguments'

export const retaddrCommand: Command = {
  name: 'retaddr',
  category: 'stack',
  summary: 'Print out the stack addresses that contain return addresses.',
  documentation: [
    'Print out the stack addresses that contain return addresses (pwndbg).',
    'From $sp up the stack, each slot holding the pc of a frame of the backtrace is shown',
    'with the chain it starts. Overwriting one of these is how a stack overflow takes control.',
    'Example: retaddr',
  ].join('\n'),
  run(_args, out, { session }) {
    const { view } = runningView(session, 'retaddr')
    let pcs = session.frames().map((frame) => BigInt(frame.pc))
    let sp = view.register('rsp')!
    const stack = view.page(sp)
    if (!stack) {
      out.line(`No mapping found at sp = ${`0x${sp.toString(16)}`}.`)
      return
    }
    const lines = []
    while (pcs.length > 0 && stack.start < sp && sp < stack.end) {
      const value = view.readPointer(sp)
      const index = value === null ? -1 : pcs.indexOf(value)
      if (index >= 0) {
        // Later frames only: what was found stays, the frames before it are done.
        pcs = pcs.slice(index)
        lines.push(formatChain(view, sp))
      }
      sp += 8n
    }
    writeLines(out, lines)
  },
}
