import { CommandError, type Command } from '../command'
import { backtraceLine } from '../report'
import { reverseFinish } from '../reverse'
import { reportStop } from '../stop'

export const reverseFinishCommand: Command = {
  name: 'reverse-finish',
  category: 'running',
  runsProgram: true,
  summary: 'Execute backward until just before selected stack frame is called.',
  documentation: [
    'Execute backward until just before selected stack frame is called.',
    'It stops at the call instruction in the caller (select a frame with "up" to go further).',
    'Example: reverse-finish',
  ].join('\n'),
  async run(_args, out, { session }) {
    session.requireLive('The program is not being run.')
    const frames = session.frames()
    const frame = session.selectedFrame()
    if (frame.level === frames.length - 1 && (frame.functionName === 'main' || frame.returnAddressAt === null)) {
      throw new CommandError('"finish" not meaningful in the outermost frame.')
    }
    out.line(`Run back to call of ${backtraceLine(session, frame)}`)
    reportStop(session, await reverseFinish(session, frame), out, 'frame-and-source')
  },
}
