// Every `memscape` subcommand, one file each. A new subcommand is one new file plus one line here.

import { asSubcommand } from './as'
import { ccSubcommand } from './cc'
import { debugSubcommand } from './debug'
import { runSubcommand } from './run'
import type { Subcommand } from './subcommand'
import { versionSubcommand } from './version'

export const subcommands: readonly Subcommand[] = [asSubcommand, ccSubcommand, debugSubcommand, runSubcommand, versionSubcommand]
