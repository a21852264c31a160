// Completion of a command line, as gdb's `complete` lists it: command names first, then what
// the command takes — help topics, info subcommands, registers after '$', source files before
// ':', and the program's symbols and the selected frame's variables.

import { COMMAND_CLASSES, type CommandTable } from './command'
import { parseCommandLine } from './dispatcher'
import { registerNames } from './registers'
import type { DebugSession } from './session'
import { frameVariables } from './target-environment'

/** gdb's max-completions: past this many, the list ends with a note. */
export const MAX_COMPLETIONS = 200

/** Commands whose argument is a location: functions and source files complete there. */
const LOCATION_COMMANDS = new Set(['break', 'tbreak', 'until', 'advance', 'list', 'disassemble', 'jump'])

const INFO_SUBCOMMANDS = ['all-registers', 'args', 'breakpoints', 'display', 'frame', 'line', 'locals', 'proc', 'registers', 'sharedlibrary', 'source', 'symbol', 'watchpoints']

/** Function names (gdb leaves out compiler-made local names such as `foo.isra.0`). */
function functionNames(session: DebugSession): string[] {
  const program = session.program
  if (!program) return []
  const names = new Set(program.symbols.functions().map((s) => s.name).filter((name) => !name.includes('.')))
  for (const unit of program.debug?.info.units ?? []) for (const fn of unit.functions) names.add(fn.name)
  return [...names]
}

function identifiers(session: DebugSession): string[] {
  const program = session.program
  if (!program) return []
  const names = new Set(program.symbols.names().filter((name) => !name.includes('.')))
  for (const unit of program.debug?.info.units ?? []) {
    for (const fn of unit.functions) names.add(fn.name)
    for (const global of unit.globals) names.add(global.name)
  }
  const inferior = session.inferior
  if (inferior && inferior.phase !== 'gone') {
    for (const variable of frameVariables(program, inferior, session.selectedFrame())) names.add(variable.name)
  }
  return [...names]
}

/** The completions of the word being typed at the end of `text`, given what precedes it. */
function wordCandidates(session: DebugSession, commands: CommandTable, command: string, before: string, word: string): string[] {
  if (command === 'help') return [...commands.all.map((c) => c.name), ...Object.keys(COMMAND_CLASSES), 'all']
  if (command === 'info' && before.trim() === '') return INFO_SUBCOMMANDS
  if (word.startsWith('$')) return registerNames().map((name) => `$${name}`)
  const files = session.program?.sourceFiles().map((file) => `${file.slice(file.lastIndexOf('/') + 1)}:`) ?? []
  if (LOCATION_COMMANDS.has(command)) return [...functionNames(session), ...files]
  return [...identifiers(session), ...files]
}

/** Every full line `text` can complete to, sorted, at most MAX_COMPLETIONS. */
export function complete(session: DebugSession, commands: CommandTable, text: string): string[] {
  const parsed = parseCommandLine(text)
  const typingCommand = parsed === null || (parsed.rawArgs === '' && !/\s$/.test(text))
  let candidates: string[]
  let prefix: string
  let word: string
  if (typingCommand) {
    prefix = text.slice(0, text.length - (parsed?.word.length ?? 0))
    word = parsed?.word ?? ''
    candidates = commands.all.flatMap((c) => [c.name, ...(c.aliases ?? [])])
  } else {
    const found = commands.lookup(parsed.word)
    const command = found.kind === 'found' ? found.command.name : parsed.word
    // The word being completed starts after the last blank or expression operator.
    const start = Math.max(...[' ', '(', '*', '&', '+', '-', ',', '[', '!', '='].map((c) => text.lastIndexOf(c))) + 1
    prefix = text.slice(0, start)
    word = text.slice(start)
    const argsBefore = text.slice(text.indexOf(parsed.word) + parsed.word.length, start)
    candidates = wordCandidates(session, commands, command, argsBefore, word)
  }
  const matches = [...new Set(candidates.filter((c) => c.startsWith(word)))].sort()
  return matches.slice(0, MAX_COMPLETIONS).map((match) => prefix + match)
}
