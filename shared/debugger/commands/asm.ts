import { CommandError, type Command } from '../command'
import { assembleInstructions, writeMemory } from '../changes'
import { asAddress } from '../expression/evaluate'
import { pythonBytesRepr } from '../pwn'
import { hex } from '../report'

/** The instructions (quoted when an address follows) and the optional address after them. */
function splitInstructions(text: string): { instructions: string; address: string } {
  const t = text.trim()
  const quote = t[0]
  if (quote === '"' || quote === "'") {
    const end = t.indexOf(quote, 1)
    if (end < 0) throw new CommandError(`Unterminated quoted string: ${t}`)
    return { instructions: t.slice(1, end), address: t.slice(end + 1).trim() }
  }
  return { instructions: t, address: '' }
}

export const asmCommand: Command = {
  name: 'asm',
  category: 'exploitation',
  summary: 'Assemble shellcode into bytes.',
  documentation: [
    'Assemble shellcode into bytes.',
    'Usage: asm [-f hex|string] "INSTRUCTIONS" [ADDRESS]',
    'Intel syntax, instructions separated by ";". The bytes are printed as hex (-f string: as Python\'s bytes).',
    'With ADDRESS, they are encoded for that address (relative branches) and written there (recorded).',
    'Example: asm "xor esi, esi; push rsi; mov rdi, rsp"',
  ].join('\n'),
  run(args, out, { session }) {
    let text = args.trim()
    let format = 'hex'
    const option = /^(-f|--format)\s+(\S+)\s*/.exec(text)
    if (option) {
      format = option[2]!
      if (format !== 'hex' && format !== 'string') throw new CommandError(`argument -f/--format: invalid choice: '${format}' (choose from 'hex', 'string')`)
      text = text.slice(option[0].length)
    }
    const { instructions, address: addressText } = splitInstructions(text)
    if (instructions.trim() === '') throw new CommandError('Argument required (instructions to assemble).')
    const inferior = addressText === '' ? null : session.requireLive('asm: The program is not being run.')
    const address = addressText === '' ? null : Number(asAddress(session.evaluate(addressText)))
    const bytes = assembleInstructions(instructions, address ?? 0)
    // pwndbg prints bytes.hex(), or the Python bytes object itself.
    out.line(format === 'hex' ? [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('') : pythonBytesRepr(bytes))
    if (inferior === null || address === null) return
    writeMemory(inferior, address, bytes)
    session.invalidateFrames()
    out.line(`${bytes.length} byte${bytes.length === 1 ? '' : 's'} written at ${hex(address)}.`)
  },
}
