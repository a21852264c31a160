import { CommandError, type Command } from '../command'
import { examine } from '../expression/examine'

export const xCommand: Command = {
  name: 'x',
  category: 'data',
  repeat: 'bare',
  summary: 'Examine memory: x/FMT ADDRESS.',
  documentation: [
    'Examine memory: x/FMT ADDRESS.',
    'ADDRESS is an expression for the memory address to examine.',
    'FMT is a repeat count followed by a format letter and a size letter.',
    'Format letters are o(octal), x(hex), d(decimal), u(unsigned decimal),',
    '  t(binary), f(float), a(address), i(instruction), c(char), s(string)',
    '  and z(hex, zero padded on the left).',
    'Size letters are b(byte), h(halfword), w(word), g(giant, 8 bytes).',
    'Defaults for format and size letters are those previously used.',
    'Examples: x/8xb $rsp   x/4gx $rbp   x/s buf   x/5i $pc',
  ].join('\n'),
  run(args, out, { session }) {
    const result = session.withExpressions((context) => examine(args, context))
    out.write(result.text.endsWith('\n') || result.text === '' ? result.text : `${result.text}\n`)
    if (result.error) throw new CommandError(result.error)
  },
}
