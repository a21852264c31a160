// `memscape` command line: dispatches to the subcommand named by the first argument.

import { PRODUCT_NAME, VERSION } from '../../../shared/version'
import { subcommands } from './registry'
import { USAGE_ERROR, type CliIo, type Subcommand } from './subcommand'

export function usage(commands: readonly Subcommand[]): string {
  const width = Math.max(...commands.map((command) => `${command.name} ${command.usage}`.trim().length))
  const rows = commands.map((command) => `  ${`${command.name} ${command.usage}`.trim().padEnd(width)}  ${command.summary}`)
  return [
    `${PRODUCT_NAME} ${VERSION}: study how a Linux x86-64 process uses memory, byte by byte.`,
    '',
    'Usage: memscape COMMAND [ARGS]',
    '',
    'Commands:',
    ...rows,
    '',
    'Options:',
    '  -h, --help     show this help (memscape COMMAND --help: help on COMMAND)',
    '  -v, --version  print the version',
    '',
  ].join('\n')
}

export async function runCli(args: string[], io: CliIo, commands: readonly Subcommand[] = subcommands): Promise<number> {
  const [name, ...rest] = args
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.out(usage(commands))
    return name === undefined ? USAGE_ERROR : 0
  }
  if (name === '--version' || name === '-v') return runCli(['version', ...rest], io, commands)
  const command = commands.find((candidate) => candidate.name === name)
  if (!command) {
    io.err(`memscape: unknown command "${name}"; see "memscape --help"\n`)
    return USAGE_ERROR
  }
  return command.run(rest, io)
}
