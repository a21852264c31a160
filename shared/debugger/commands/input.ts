import { CommandError, type Command } from '../command'
import { evaluatePayload, hexPreview, PwnError } from '../pwn'

export const inputCommand: Command = {
  name: 'input',
  category: 'running',
  summary: 'Give the program bytes on its standard input, written as a pwntools expression.',
  documentation: [
    'Give the program bytes on its standard input, written as a pwntools expression.',
    'b"..." bytes (with \\x escapes), "text", * to repeat, + to join, p8/p16/p32/p64(N),',
    'u64(bytes), cyclic(N), flat(a, b, ...). The bytes are shown in hex before they are sent.',
    'Before "run", they become the next run\'s standard input (closed after them).',
    'Example: input b"A"*72 + p64(0x401196) + b"\\n"',
  ].join('\n'),
  run(args, out, { session }) {
    if (args.trim() === '') throw new CommandError('Argument required (a payload expression).')
    let bytes: Uint8Array
    try {
      bytes = evaluatePayload(args)
    } catch (error) {
      if (error instanceof PwnError) throw new CommandError(error.message)
      throw error
    }
    for (const line of hexPreview(bytes, { maxLines: 16 })) out.line(line, 'muted')
    const inferior = session.inferior
    if (inferior && inferior.phase === 'alive' && !inferior.machine.kernel.stdin.closed) {
      inferior.recorder.feedStdin(bytes)
      out.line(`${bytes.length} bytes sent to standard input.`)
    } else {
      session.run.stdin = bytes
      out.line(`${bytes.length} bytes will be the standard input of the next run.`)
    }
  },
}
