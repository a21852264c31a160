import { NO_PROCESS } from '../session'
import { CommandError, type Command } from '../command'
import { backtraceLine } from '../report'
import { finishFrame } from '../stepping'
import { reportStop } from '../stop'

export const finishCommand: Command = {
  name: 'finish',
  category: 'running',
  repeat: 'same',
  runsProgram: true,
  aliases: ['fin'],
  summary: 'Execute until selected stack frame returns.',
  documentation: 'Execute until selected stack frame returns.\nUpon return, the value returned is printed and put in the value history.\nExample: finish',
  async run(_args, out, { session }) {
    session.requireLive(NO_PROCESS)
    const frames = session.frames()
    const frame = session.selectedFrame()
    if (frame.level === frames.length - 1 && (frame.functionName === 'main' || frame.returnAddressAt === null)) {
      throw new CommandError('"finish" not meaningful in the outermost frame.')
    }
    out.line(`Run till exit from ${backtraceLine(session, frame)}`)
    const fn = frame.debugFunction
    const stop = await finishFrame(session, frame)
    reportStop(session, stop, out, 'frame-with-address')
    if (stop.kind === 'arrived' && fn) session.printReturnValue(fn.returns, out)
  },
}
