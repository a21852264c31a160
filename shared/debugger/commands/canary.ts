// pwndbg's `canary`: the stack canary, from the AT_RANDOM bytes as glibc (and Memscape's libc)
// derive it, the TLS slot fs:0x28 that holds it, and the copies of it on the stack.

import { CommandError, type Command } from '../command'
import { AT_RANDOM } from '../../machine/initial-stack'
import { pageAt, pyHex } from '../memory-map'
import { telescopeLines, writeLines } from '../pointer-chain'
import { findOccurrences } from '../pwn'
import { flagsAndWords, runningView, splitWords } from '../pwndbg-arguments'

/** Where x86-64's TLS block keeps the canary: fs:0x28. */
const TLS_CANARY_OFFSET = 0x28n
const LOW_BYTE = 0xffn

export const canaryCommand: Command = {
  name: 'canary',
  category: 'stack',
  summary: 'Print out the current stack canary.',
  documentation: [
    'Print out the current stack canary (pwndbg).',
    'Usage: canary [-a]',
    'The canary is the first 8 AT_RANDOM bytes with the lowest byte zeroed; it sits in the',
    'thread\'s TLS block at fs:0x28, and functions built with -fstack-protector copy it below',
    'their saved registers. The copies found on the stack are shown (all of them with -a).',
    'Example: canary',
  ].join('\n'),
  run(args, out, { session }) {
    const { inferior, view } = runningView(session, 'canary')
    const { flags, rest } = flagsAndWords(splitWords(args), ['-a', '--all'], 'canary')
    if (rest.length > 0) throw new CommandError(`canary: error: unrecognized arguments: ${rest.join(' ')}`)
    const random = inferior.machine.process.auxv.find((entry) => entry.type === AT_RANDOM)
    const seed = random && view.readPointer(BigInt(random.value))
    if (!random || seed === null || seed === undefined) throw new CommandError("Couldn't find AT_RANDOM - can't display canary.")
    const canary = seed & ~LOW_BYTE
    out.line(`AT_RANDOM  = ${pyHex(random.value)} # points to global canary seed value`, 'command')
    const fsBase = view.register('fs_base') ?? 0n
    if (fsBase !== 0n) {
      const slot = fsBase + TLS_CANARY_OFFSET
      out.line(`TLS Canary = ${pyHex(slot)} # address where canary is stored`, 'command')
      const stored = view.readPointer(slot)
      if (stored === null) out.line('Warning: Could not read TLS canary value', 'value')
      else if ((stored & ~LOW_BYTE) !== canary) out.line("Warning: TLS canary value doesn't match global canary!", 'value')
    } else out.line('Note: Could not determine TLS canary address for current architecture', 'value')
    out.line(`Canary     = ${pyHex(canary)} (may be incorrect on != glibc)`, 'command')

    const stack = pageAt(view.pages, view.register('rsp')!)
    const bytes = stack && inferior.read(Number(stack.start), Number(stack.end - stack.start))
    const pattern = new Uint8Array(8)
    new DataView(pattern.buffer).setBigUint64(0, canary, true)
    const found = stack && bytes ? findOccurrences([{ start: Number(stack.start), bytes }], pattern) : []
    if (found.length === 0) {
      out.line('No canaries found.', 'value')
      return
    }
    const all = flags.has('-a') || flags.has('--all')
    out.line(`Thread 1: Found valid ${found.length > 1 ? 'canaries' : 'canary'}.`, 'heading')
    for (const address of all ? found : found.slice(0, 1)) writeLines(out, telescopeLines(view, BigInt(address), 1))
    if (!all && found.length > 1) out.line('Additional results hidden. Use --all to see them.', 'value')
  },
}
