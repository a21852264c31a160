import { CommandError, type Command } from '../command'
import { popFrame, reviveBeforeSignal } from '../changes'
import { cast } from '../expression/evaluate'
import { resolve } from '../expression/types'
import { printSelectedFrame } from '../report'

export const returnCommand: Command = {
  name: 'return',
  category: 'stack',
  summary: 'Make selected stack frame return to its caller.',
  documentation: [
    'Make selected stack frame return to its caller.',
    'Control remains in the debugger, but when you continue',
    'execution will resume in the frame above the one now selected.',
    'If an argument is given, it is an expression for the value to return.',
    'Example: return 0',
  ].join('\n'),
  run(args, out, { session }) {
    const inferior = session.requireLive('No selected frame.')
    reviveBeforeSignal(session, inferior)
    const frame = session.selectedFrame()
    const fn = frame.debugFunction
    let value = null
    if (args !== '') {
      const returned = session.evaluate(args)
      if (fn) value = resolve(fn.returns).kind === 'void' ? null : session.withExpressions(() => cast(returned, fn.returns))
      else if (args.trim().startsWith('(')) value = returned
      else throw new CommandError('Return value type not available for selected stack frame.\nPlease use an explicit cast of the value to return.')
    }
    out.line(`Make ${fn ? fn.name : 'selected stack frame'} return now? (y or n) [answered Y; input not from terminal]`)
    popFrame(session, frame, value)
    printSelectedFrame(session, out)
  },
}
