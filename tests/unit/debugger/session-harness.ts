// A DebugSession driven as a terminal drives it, for tests that compare with gdb: each command's
// text as gdb's standard output would hold it (what it printed before the program ran, then the
// rest; errors left out, as gdb writes them to standard error), and the program's own output.

import { createDispatcher, DebugSession, outputText } from '../../../shared/debugger'

export interface DrivenSession {
  readonly session: DebugSession
  /** The command's own output as gdb's standard output would show it. */
  run(line: string): Promise<string>
  /** Everything the program wrote so far. */
  output(): string
  /** Everything so far in the order it appeared: the commands' output and the program's. */
  transcript(): string
}

export function sessionOver(path: string, image: Uint8Array, sources: Record<string, string>, options: { aslr?: 0 | 2 } = {}): DrivenSession {
  let programOutput = ''
  let early = ''
  let transcript = ''
  const decoder = new TextDecoder()
  const session = new DebugSession({
    run: { aslr: options.aslr ?? 0 },
    hooks: {
      output: (_fd, bytes) => {
        const text = decoder.decode(bytes)
        programOutput += text
        transcript += text
      },
      console: (output) => {
        early += outputText(output)
        transcript += outputText(output)
      },
      interruptRequested: () => false,
      yield: async () => {},
    },
  })
  session.load({ path, image, sources })
  const dispatcher = createDispatcher(session)
  return {
    session,
    run: async (line) => {
      early = ''
      const output = await dispatcher.execute(line)
      const text = output.ok ? outputText(output) : ''
      transcript += text
      return early + text
    },
    output: () => programOutput,
    transcript: () => transcript,
  }
}
