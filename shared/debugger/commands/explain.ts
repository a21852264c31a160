import { CommandError, type Command } from '../command'
import { ambiguousCommandMessage } from '../errors'
import { AllocatorObserver } from '../explain/allocations'
import { commandExplanation } from '../explain/command-help'
import { crashFault, crashNeedsTrace, explainCrash, lastExplanation, rememberExplanation } from '../explain/crash'
import { wrapParagraph } from '../explain/print'
import { traceHistoryAsync, withinShadowLimit, type Trace } from '../provenance/trace'

export const explainCommand: Command = {
  name: 'explain',
  category: 'support',
  runsProgram: true,
  summary: 'Explain the crash the program stopped at, or what a command shows.',
  documentation: [
    'Explain the crash the program stopped at, or what a command shows.',
    'Usage: explain            (why the program received its fatal signal)',
    '       explain COMMAND    (x, bt, info frame, heap, bins, vmmap, checksec, canary...)',
    'The crash explanation is also printed when the program stops at a fatal signal.',
    'Example: explain info frame',
  ].join('\n'),
  async run(args, out, { session, commands }) {
    const topic = args.trim().replace(/\s+/g, ' ')
    if (topic !== '') {
      const [word] = topic.split(' ')
      const found = commands.lookup(word!)
      if (found.kind === 'ambiguous') throw new CommandError(ambiguousCommandMessage(word!, found.candidates))
      const name = found.kind === 'found' ? [found.command.name, ...topic.split(' ').slice(1)].join(' ') : topic
      const extra = commandExplanation(name) ?? commandExplanation(topic)
      if (found.kind !== 'found' && !extra) throw new CommandError(`Nothing to explain about "${topic}": it is not a command.  Try "help".`)
      if (found.kind === 'found') out.line(found.command.documentation)
      if (extra) {
        if (found.kind === 'found') out.line()
        for (const line of wrapParagraph(extra)) out.line(line)
      }
      return
    }
    const inferior = session.inferior
    const fault = inferior && crashFault(inferior)
    if (!inferior || !fault) {
      out.line('The program is not stopped at a crash: there is nothing to explain. "explain COMMAND" explains what a command shows.')
      return
    }
    let text = lastExplanation(session)
    if (!text) {
      let trace: Trace | null = null
      let allocations: AllocatorObserver | null = null
      if (crashNeedsTrace(fault)) {
        const observer = new AllocatorObserver(inferior)
        allocations = observer
        trace = await withinShadowLimit(() => traceHistoryAsync(session, inferior, { observe: (tracker) => observer.attach(tracker) }))
        if (!trace) {
          out.line('Interrupted: the explanation was not worked out.')
          return
        }
      }
      text = explainCrash(session, inferior, trace, allocations)
      if (text) rememberExplanation(session, inferior, text)
    }
    if (!text) out.line(`${fault.message}`)
    else for (const line of wrapParagraph(text)) out.line(line)
  },
}
