// Parses a command line, finds the command (exact name, alias or unambiguous prefix, as gdb
// does) and runs it, turning every failure into output instead of an exception.

import { CommandError, type Command, type CommandContext, type CommandTable, type Lookup } from './command'
import { DebugSession } from './session'
import { ExpressionError } from './expression/environment'
import { ambiguousCommandMessage, undefinedCommandMessage } from './errors'
import { OutputBuilder, type CommandOutput } from './output'

/** Characters gdb accepts in a command name. */
const COMMAND_WORD = /^[A-Za-z0-9_.-]+/

export interface ParsedLine {
  word: string
  args: string
  /** The text after the command word and its first blank, trailing blanks kept (for `complete`). */
  rawArgs: string
}

/** Splits a line into command word and argument text; null for blank lines and comments. */
export function parseCommandLine(line: string): ParsedLine | null {
  const text = line.trimStart()
  if (text.trim() === '' || text.startsWith('#')) return null
  const word = COMMAND_WORD.exec(text)?.[0] ?? text.split(/\s/, 1)[0]!
  const rest = text.slice(word.length)
  return { word, args: rest.trim(), rawArgs: rest.replace(/^\s/, '') }
}

export class Dispatcher implements CommandTable {
  readonly all: readonly Command[]
  private readonly byName = new Map<string, Command>()

  constructor(
    commands: readonly Command[],
    readonly session: DebugSession = new DebugSession(),
  ) {
    this.all = [...commands].sort((a, b) => a.name.localeCompare(b.name))
    for (const command of this.all) {
      for (const name of [command.name, ...(command.aliases ?? [])]) {
        if (this.byName.has(name)) throw new Error(`two debugger commands are named "${name}"`)
        this.byName.set(name, command)
      }
    }
  }

  lookup(word: string): Lookup {
    const exact = this.byName.get(word)
    if (exact) return { kind: 'found', command: exact }
    const candidates = this.all.filter((command) => command.name.startsWith(word))
    const [only] = candidates
    if (candidates.length === 1 && only) return { kind: 'found', command: only }
    if (candidates.length > 1) return { kind: 'ambiguous', candidates: candidates.map((command) => command.name) }
    return { kind: 'undefined' }
  }

  /** What an empty line runs next (gdb's command repetition): set after each command. */
  private repetition: string | null = null

  /** What Enter on an empty line runs after `line`, or null. */
  private repetitionOf(parsed: ParsedLine, command: Command, line: string): string | null {
    if (!command.repeat) return null
    return command.repeat === 'same' ? line : parsed.word
  }

  /** Whether the line names a command that runs the program. */
  runsProgram(line: string): boolean {
    const parsed = parseCommandLine(line)
    const found = parsed && this.lookup(parsed.word)
    return found?.kind === 'found' && found.command.runsProgram === true
  }

  /**
   * Runs a line. A blank line typed at a prompt (`typed`) repeats the last command if it
   * repeats (next, step, x...), as gdb does; in scripts a blank line is nothing.
   */
  async execute(line: string, typed = false): Promise<CommandOutput> {
    const out = new OutputBuilder()
    if (typed && line.trim() === '' && this.repetition !== null) line = this.repetition
    const parsed = parseCommandLine(line)
    if (!parsed) return out.build(true)
    const found = this.lookup(parsed.word)
    this.repetition = found.kind === 'found' ? this.repetitionOf(parsed, found.command, line) : null
    if (found.kind === 'undefined') return out.line(undefinedCommandMessage(parsed.word), 'error').build(false)
    if (found.kind === 'ambiguous') {
      return out.line(ambiguousCommandMessage(parsed.word, found.candidates), 'error').build(false)
    }
    const context: CommandContext = { commands: this, session: this.session }
    this.session.commandOutput = out
    try {
      await found.command.run(found.command.rawArguments ? parsed.rawArgs : parsed.args, out, context)
      return out.build(true)
    } catch (error) {
      // An expression's error is the user's mistake wherever it surfaces (a value read or
      // converted after evaluation), not only inside session.evaluate.
      if (error instanceof CommandError || error instanceof ExpressionError) return out.line(error.message, 'error').build(false)
      const reason = error instanceof Error ? error.message : String(error)
      return out.line(`Internal error in "${found.command.name}": ${reason}`, 'error').build(false)
    } finally {
      this.session.commandOutput = null
    }
  }
}
