export { Dispatcher, parseCommandLine } from './dispatcher'
export { CommandError, type Command, type CommandContext, type DebugTarget } from './command'
export { OutputBuilder, outputText, OUTPUT_STYLES, type CommandOutput, type OutputStyle, type Segment } from './output'
export { toAnsi, type AnsiOptions } from './ansi'
export { builtinCommands } from './commands'

import type { DebugTarget } from './command'
import { Dispatcher } from './dispatcher'
import { builtinCommands } from './commands'

/** A dispatcher with every built-in command, attached to a target: what the worker uses. */
export function createDispatcher(target: DebugTarget = { machine: null }): Dispatcher {
  return new Dispatcher(builtinCommands, target)
}
