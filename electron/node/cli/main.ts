// Entry point of the CLI bundle (out/main/cli.js), started by bin/memscape.

import { runCli } from './cli'
import type { CliIo } from './subcommand'

function processIo(): CliIo {
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY)
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    input: process.stdin,
    interactive,
    colour: Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined,
    // This file is the entry of out/main/cli.js, which sits next to the worker bundle.
    workerUrl: new URL('./simulation-worker.js', import.meta.url),
  }
}

runCli(process.argv.slice(2), processIo()).then(
  (status) => {
    process.exitCode = status
  },
  (error: unknown) => {
    process.stderr.write(`memscape: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
    process.exitCode = 1
  },
)
