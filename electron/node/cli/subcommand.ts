// A `memscape` subcommand. Each lives in its own file and is listed once in registry.ts.

export interface CliIo {
  out(text: string): void
  err(text: string): void
  /** Interactive input (the `debug` prompt). */
  input: NodeJS.ReadableStream
  /** True when stdout is a terminal: colour and a prompt make sense. */
  interactive: boolean
  colour: boolean
  /** The built simulation worker (next to the CLI bundle). */
  workerUrl: URL
}

export interface Subcommand {
  readonly name: string
  /** One line for `memscape --help`. */
  readonly summary: string
  /** Arguments, as shown after the name in `memscape --help`. */
  readonly usage: string
  /** Runs with the arguments after the subcommand name; resolves to the exit status. */
  run(args: string[], io: CliIo): Promise<number>
}

/** Exit status for a command line the CLI cannot understand, as most Unix tools use. */
export const USAGE_ERROR = 2
