import { CommandError, type Command } from '../command'
import { travelTo } from '../reverse'
import { reportStop } from '../stop'

export const gotoCommand: Command = {
  name: 'goto',
  category: 'running',
  runsProgram: true,
  summary: 'Go to instruction count N, earlier or later in the run.',
  documentation: 'Go to instruction count N, earlier or later in the run.\nUsage: goto N\n"when" tells the current instruction count.\nExample: goto 41537',
  async run(args, out, { session }) {
    const inferior = session.requireInferior()
    if (!/^\d+$/.test(args)) throw new CommandError(args === '' ? 'Argument required (an instruction count).' : `Invalid instruction count "${args}".`)
    const target = Number(args)
    if (!Number.isSafeInteger(target)) throw new CommandError(`Invalid instruction count "${args}".`)
    if (target < inferior.recorder.earliestReachable) {
      throw new CommandError(`Instruction ${target} is before the oldest history kept (instruction ${inferior.recorder.earliestReachable}).`)
    }
    const reached = await travelTo(session, inferior, target)
    if (inferior.instructionCount !== target) out.line(`The program stopped at instruction ${inferior.instructionCount}, before reaching ${target}.`)
    reportStop(session, { kind: reached ? 'arrived' : 'interrupted' }, out, 'frame-and-source')
  },
}
