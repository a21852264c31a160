import { CommandError, type Command } from '../command'
import type { Inferior } from '../inferior'
import type { OutputBuilder } from '../output'
import { describeSource, groupOrigins } from '../provenance/origins'
import { instructionText, symbolic } from '../provenance/describe'
import { InitialMemory } from '../provenance/initial-memory'
import { findLastWrite, type LastWrite } from '../provenance/last-write'
import { parseTargetBytes } from '../provenance/target-bytes'
import { backtraceLine, hex, printLocation, sourceLineText } from '../report'
import type { DebugSession } from '../session'

const USAGE = 'an address, and a length in bytes'

function rangeText(address: number, length: number): string {
  return length === 1 ? hex(address) : `${hex(address)}-${hex(address + length - 1)}`
}

function who(write: LastWrite): string {
  if (write.syscall) {
    const inputs = groupOrigins(write.inputs).map((g) => describeSource(g.first, g.last))
    return `written by the ${write.syscall.name} system call${inputs.length > 0 ? ` (${inputs.join(', ')})` : ''}`
  }
  if (write.kernel === 'edit') return 'set from the debugger'
  if (write.kernel === 'signal') return 'written by the kernel delivering a signal'
  return 'stored by this instruction'
}

/** Frame 0, and when it has no source line, the first frame that has one (the program's own call). */
function printFrames(session: DebugSession, inferior: Inferior, out: OutputBuilder): void {
  const frames = session.frames()
  printLocation(session, out, 'frame-and-source', frames[0])
  const program = inferior.program
  const hasSource = (pc: number): boolean => {
    const span = program.debug?.spanAt(inferior.linkAddress(pc))
    return span !== undefined && span.line !== 0
  }
  if (hasSource(frames[0]!.pc)) return
  const caller = frames.find((frame) => frame.level > 0 && hasSource(frame.pc - 1))
  if (!caller) return
  out.line(backtraceLine(session, caller))
  const span = program.debug!.spanAt(inferior.linkAddress(caller.pc - 1))!
  out.line(sourceLineText(inferior, span.file, span.line))
}

export const lastWriteCommand: Command = {
  name: 'last-write',
  category: 'running',
  runsProgram: true,
  summary: 'Go back to the instruction that last wrote some bytes.',
  documentation: [
    'Go back to the instruction that last wrote some bytes.',
    'Usage: last-write ADDR [LEN]',
    'ADDR is an expression: without LEN, a variable stands for its own bytes, a pointer or number for 8 bytes there.',
    'The program is left at the writing instruction, about to carry it out, as gdb leaves it after',
    'reverse-continue to a watchpoint (stepi does the write); unlike a watchpoint, a store of the',
    'value already there counts. Bytes read() brought in are written by the read system call,',
    'with the offsets of standard input they came from.',
    'Example: last-write $rsp 8',
  ].join('\n'),
  async run(args, out, { session }) {
    const inferior = session.requireLive()
    const target = parseTargetBytes(session, args, USAGE)
    if (target.kind !== 'memory') throw new CommandError('last-write looks at memory: give an address (ADDR [LEN]).')
    const { address, length } = target
    const result = await findLastWrite(session, inferior, address, length)
    if (result.kind === 'interrupted') {
      out.line('Interrupted: the search stopped and the program is where it was.')
      return
    }
    if (result.kind === 'none') {
      const earliest = result.earliest
      const initial = new InitialMemory(inferior, earliest)
      const origins = Array.from({ length }, (_, i) => initial.originAt(address + i))
      const held = groupOrigins(origins).map((g) => describeSource(g.first, g.last)).join('; ')
      const since = earliest === 0 ? 'since the program started' : `since instruction ${earliest}, the oldest history kept`
      out.line(`Nothing wrote ${rangeText(address, length)} ${since}: it holds ${held}.`)
      return
    }
    const write = result.write
    const bytes = write.written.reduce((n, run) => n + run.length, 0)
    const runs = write.written.map((run) => rangeText(run.address, run.length)).join(', ')
    out.line(`Last write to ${rangeText(address, length)}: instruction ${write.count}, ${who(write)}.`)
    if (bytes < length) out.line(`It wrote ${bytes} of the ${length} bytes: ${runs}.`)
    out.line(`   ${symbolic(inferior, write.ip)}:\t${instructionText(inferior, write.ip)}`)
    printFrames(session, inferior, out)
  },
}
