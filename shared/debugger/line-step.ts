// step, next and until share this: repeat a line step N times, and in code without line
// information say so and run until the function returns, as gdb does.

import { NO_PROCESS } from './session'
import type { OutputBuilder } from './output'
import type { StopReason } from './execution'
import { finishFrame, stepLine } from './stepping'
import type { DebugSession } from './session'
import { reportStop } from './stop'

export async function lineStepCommand(session: DebugSession, mode: 'step' | 'next' | 'until', count: number, out: OutputBuilder): Promise<void> {
  const inferior = session.requireLive(NO_PROCESS)
  const startFunction = session.frames()[0]!.functionStart
  const startCfa = session.frames()[0]!.cfa
  let stop: StopReason = { kind: 'arrived' }
  for (let i = 0; i < count; i++) {
    // Each step may end without running (no line information and no caller to return to):
    // a pause request, or a step that went nowhere, ends the repetition.
    if (i > 0 && session.hooks.interruptRequested()) {
      stop = { kind: 'interrupted' }
      break
    }
    const before = session.inferior?.instructionCount
    const stepped = await stepLine(session, mode)
    if (stepped === null) {
      const frame = session.frames()[0]!
      out.line(`Single stepping until exit from function ${frame.functionName ?? '??'},`)
      out.line('which has no line number information.')
      stop = await finishFrame(session, frame)
    } else stop = stepped
    if (stop.kind !== 'arrived' || session.inferior?.instructionCount === before) break
  }
  // gdb prints only the source line when the step ended in the frame and function it began in.
  const frame = session.inferior?.phase === 'alive' ? session.frames()[0] : undefined
  const sameFrame = frame !== undefined && frame.functionStart === startFunction && frame.cfa === startCfa && inferior === session.inferior
  reportStop(session, stop, out, sameFrame ? 'source-line' : 'frame-and-source')
}
