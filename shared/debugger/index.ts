export { Dispatcher, parseCommandLine } from './dispatcher'
export { CommandError, type Command, type CommandContext } from './command'
export { OutputBuilder, outputText, OUTPUT_STYLES, type CommandOutput, type OutputStyle, type Segment } from './output'
export { toAnsi, type AnsiOptions } from './ansi'
export { builtinCommands } from './commands'

import { Dispatcher } from './dispatcher'
import { builtinCommands } from './commands'

/** A dispatcher with every built-in command: what the worker and the CLI use. */
export function createDispatcher(): Dispatcher {
  return new Dispatcher(builtinCommands)
}
