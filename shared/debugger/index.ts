export { Dispatcher, parseCommandLine } from './dispatcher'
export { CommandError, type Command, type CommandContext } from './command'
export { OutputBuilder, outputText, OUTPUT_STYLES, type CommandOutput, type OutputStyle, type Segment } from './output'
export { toAnsi, type AnsiOptions } from './ansi'
export { builtinCommands } from './commands'
export { DebugSession, type SessionHooks } from './session'
export type { ProgramFiles } from './program'

import { Dispatcher } from './dispatcher'
import { builtinCommands } from './commands'
import type { DebugSession } from './session'

/** A dispatcher with every built-in command over a session: what the worker uses. */
export function createDispatcher(session?: DebugSession): Dispatcher {
  return new Dispatcher(builtinCommands, session)
}
