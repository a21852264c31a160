import type { Command } from '../command'
import { checksec, pwntoolsChecksecText } from '../pwn'

export const checksecCommand: Command = {
  name: 'checksec',
  category: 'exploitation',
  summary: 'Print the protections the binary was built with, as pwntools prints them.',
  documentation: 'Print the protections the binary was built with, as pwntools prints them.\nRELRO, stack canary, NX, PIE, RWX segments, stripped.\nExample: checksec',
  run(_args, out, { session }) {
    const program = session.requireProgram()
    out.line(pwntoolsChecksecText(checksec(program.image), program.path).replace(/\n$/, ''))
  },
}
