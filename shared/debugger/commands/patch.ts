import { CommandError, type Command } from '../command'
import { assembleInstructions, describeInstructions, parseHexBytes, writeMemory } from '../changes'
import { asAddress } from '../expression/evaluate'
import { hex } from '../report'

/** `ADDRESS REST`: the address expression is the first word (or a parenthesised expression). */
export function splitAddress(text: string): { address: string; rest: string } {
  const trimmed = text.trim()
  if (trimmed.startsWith('(')) {
    let depth = 0
    for (let i = 0; i < trimmed.length; i++) {
      if (trimmed[i] === '(') depth++
      else if (trimmed[i] === ')' && --depth === 0) return { address: trimmed.slice(0, i + 1), rest: trimmed.slice(i + 1).trim() }
    }
  }
  const space = trimmed.search(/\s/)
  return space < 0 ? { address: trimmed, rest: '' } : { address: trimmed.slice(0, space), rest: trimmed.slice(space + 1).trim() }
}

/** A quoted argument loses its quotes (pwndbg's arguments go through a shell-like split). */
export function unquote(text: string): string {
  const t = text.trim()
  return t.length >= 2 && (t[0] === '"' || t[0] === "'") && t[t.length - 1] === t[0] ? t.slice(1, -1) : t
}

export const patchCommand: Command = {
  name: 'patch',
  category: 'exploitation',
  summary: 'Patches given instruction with given code or bytes.',
  documentation: [
    'Patches given instruction with given code or bytes.',
    'Usage: patch ADDRESS INSTRUCTIONS|BYTES',
    'INSTRUCTIONS: Intel syntax, separated by ";" ("xor eax, eax; ret"); branch targets are addresses.',
    'BYTES: hex, as "90 90", "9090" or "\\x90\\x90".',
    'The write is recorded: reverse execution goes back to the old bytes and forward to the new.',
    'Example: patch $pc "nop; nop"',
  ].join('\n'),
  run(args, out, { session }) {
    const inferior = session.requireLive('patch: The program is not being run.')
    const { address: addressText, rest } = splitAddress(args)
    if (addressText === '' || rest === '') throw new CommandError('Usage: patch ADDRESS INSTRUCTIONS|BYTES')
    const address = Number(asAddress(session.evaluate(addressText)))
    const code = unquote(rest)
    const bytes = parseHexBytes(code) ?? assembleInstructions(code, address)
    const old = inferior.read(address, bytes.length)
    if (!old) throw new CommandError(`Cannot access memory at address ${hex(address)}`)
    writeMemory(inferior, address, bytes)
    session.invalidateFrames()
    out.line(`Patched ${bytes.length} byte${bytes.length === 1 ? '' : 's'} at ${hex(address)}`)
    out.line(`  from: ${describeInstructions(old, address)}`, 'muted')
    out.line(`  to  : ${describeInstructions(bytes, address)}`)
  },
}
