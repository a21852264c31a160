// Every debugger command, one file each. A new command is one new file plus one line here.

import type { Command } from '../command'
import { echoCommand } from './echo'
import { helpCommand } from './help'
import { versionCommand } from './version'

export const builtinCommands: readonly Command[] = [echoCommand, helpCommand, versionCommand]
