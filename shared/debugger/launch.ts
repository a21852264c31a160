// Starting the program for run, start and starti: the argument line (with "< FILE" for
// standard input, as a shell would take it), gdb's "Starting program:" line, and a new
// inferior whose every instruction is recorded.

import { LoadError } from '../machine/loader'
import { CommandError } from './command'
import type { Inferior } from './inferior'
import type { OutputBuilder } from './output'
import type { DebugSession } from './session'

/** Splits an argument line as a shell would (quotes, backslashes) and takes out "< FILE". */
export function parseRunArguments(text: string): { args: string[]; stdinFile: string | null } {
  const words: string[] = []
  let stdinFile: string | null = null
  let word: string | null = null
  let redirect = false
  const finish = (): void => {
    if (word === null) return
    if (redirect) {
      stdinFile = word
      redirect = false
    } else words.push(word)
    word = null
  }
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (c === ' ' || c === '\t') finish()
    else if (c === '<' && word === null) redirect = true
    else if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1)
      if (end < 0) throw new CommandError(`Unterminated quoted string: ${text.slice(i)}`)
      word = (word ?? '') + text.slice(i + 1, end)
      i = end
    } else if (c === '\\' && i + 1 < text.length) word = (word ?? '') + text[++i]
    else word = (word ?? '') + c
  }
  finish()
  if (redirect) throw new CommandError('Missing file name after "<".')
  return { args: words, stdinFile }
}

/** Kills any old inferior and starts a new one; prints "Starting program: PATH ARGS". */
export function startInferior(session: DebugSession, argumentText: string, out: OutputBuilder): Inferior {
  const program = session.requireProgram()
  if (argumentText.trim() !== '') {
    const { args, stdinFile } = parseRunArguments(argumentText)
    session.run.args = args
    if (stdinFile !== null) {
      const bytes = session.readFile?.(stdinFile) ?? null
      if (bytes === null) throw new CommandError(`${stdinFile}: No such file or directory.`)
      session.run.stdin = bytes
    }
  }
  let inferior: Inferior
  try {
    inferior = session.launch()
  } catch (error) {
    // The kernel refusing the arguments (a NUL byte, too long a list) is the user's to fix.
    if (error instanceof LoadError) throw new CommandError(error.message)
    throw error
  }
  out.line(`Starting program: ${program.path} ${session.run.args.join(" ")}`)
  return inferior
}
