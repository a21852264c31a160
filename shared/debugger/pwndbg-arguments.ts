// What pwndbg's commands share around their arguments: gdb's word splitting, numbers given as
// gdb expressions (pwndbg converts every integer argument with gdb), and its refusal to run
// without a process.

import { CommandError } from './command'
import { asAddress } from './expression/evaluate'
import type { Inferior } from './inferior'
import { ProgramView } from './pointer-chain'
import type { DebugSession } from './session'

/** Words as gdb's string_to_argv splits them: blanks separate, quotes group. */
export function splitWords(text: string): string[] {
  const words: string[] = []
  const pattern = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g
  for (const match of text.matchAll(pattern)) words.push(match[1] ?? match[2] ?? match[3]!)
  return words
}

/** An integer argument: any gdb expression (`$rsp+8`, `0x20`, `main`), as an unsigned 64-bit value. */
export function integerArgument(session: DebugSession, text: string): bigint {
  return BigInt.asUintN(64, asAddress(session.evaluate(text)))
}

/** pwndbg's OnlyWhenRunning: `telescope: The program is not being run.` */
export function runningView(session: DebugSession, command: string): { inferior: Inferior; view: ProgramView } {
  const inferior = session.inferior
  if (!inferior || inferior.phase === 'gone') throw new CommandError(`${command}: The program is not being run.`)
  return { inferior, view: new ProgramView(session, inferior) }
}

/** Splits `-x` style flags from the positional words; unknown flags are an error as argparse makes them. */
export function flagsAndWords(words: readonly string[], known: readonly string[], command: string): { flags: Set<string>; rest: string[] } {
  const flags = new Set<string>()
  const rest: string[] = []
  for (const word of words) {
    if (/^-[A-Za-z-]/.test(word)) {
      if (!known.includes(word)) throw new CommandError(`${command}: error: unrecognized arguments: ${word}`)
      flags.add(word)
    } else rest.push(word)
  }
  return { flags, rest }
}
