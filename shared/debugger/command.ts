// What a debugger command is. Each command lives in its own file under commands/ and is listed
// once in commands/index.ts; the dispatcher knows nothing about any particular command.

import type { OutputBuilder } from './output'
import type { DebugSession } from './session'

/** What a command may look at while it runs. */
export interface CommandContext {
  /** All registered commands (`help` lists them). */
  readonly commands: CommandTable
  /** The program, the run and everything the commands share. */
  readonly session: DebugSession
}

/**
 * gdb's command classes (`help CLASS`), with two of pwndbg's: the heap and memory views. The
 * text is what `help` prints beside the class name and as the class's own heading.
 */
export const COMMAND_CLASSES = {
  breakpoints: 'Making program stop at certain points.',
  data: 'Examining data.',
  exploitation: 'Exploitation helpers: payloads, cyclic patterns, protections.',
  files: 'Specifying and examining files.',
  heap: 'The glibc heap: chunks and bins, as pwndbg shows them.',
  memory: 'Memory as pwndbg shows it: mappings, pointer chains, searches.',
  running: 'Running the program.',
  stack: 'Examining the stack.',
  status: 'Status inquiries.',
  support: 'Support facilities.',
} as const

export type CommandClass = keyof typeof COMMAND_CLASSES

export interface Command {
  /** Full name, typed or abbreviated to any unambiguous prefix. */
  readonly name: string
  /** Where `help` lists it. */
  readonly category: CommandClass
  /** Exact alternative names (gdb's `h` for `help`). */
  readonly aliases?: readonly string[]
  /**
   * What Enter on an empty line does after this command, as in gdb: 'same' runs the line again
   * (next, step, continue), 'bare' runs the command word alone (x and list go on from where
   * they stopped); absent, nothing.
   */
  readonly repeat?: 'same' | 'bare'
  /** The command gets its argument text with trailing blanks kept (`complete b ` differs from `complete b`). */
  readonly rawArguments?: boolean
  /** The command runs the program (run, continue, step...): the worker's own run loop pauses first. */
  readonly runsProgram?: boolean
  /** One line for the `help` list; starts with a capital, ends with a period. */
  readonly summary: string
  /** Full documentation printed by `help NAME` (first line normally repeats the summary). */
  readonly documentation: string
  /**
   * Runs the command on the raw argument text (leading and trailing blanks removed), as gdb
   * hands it over: commands such as `echo` need the text unsplit. Throws CommandError for
   * user mistakes.
   */
  run(args: string, out: OutputBuilder, context: CommandContext): void | Promise<void>
}

/** A mistake by the user, printed as the command's error message (not an internal failure). */
export class CommandError extends Error {
  override readonly name = 'CommandError'
}

export type Lookup =
  | { kind: 'found'; command: Command }
  | { kind: 'undefined' }
  | { kind: 'ambiguous'; candidates: string[] }

export interface CommandTable {
  readonly all: readonly Command[]
  lookup(word: string): Lookup
}
