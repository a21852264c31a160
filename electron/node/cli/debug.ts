// `memscape debug`: the debugger's command language at a prompt, over the same session host
// and worker as the app. `--batch -x FILE` runs a script and exits, as gdb does.

import { readFile } from 'node:fs/promises'
import { isAbsolute, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { toAnsi, type CommandOutput } from '../../../shared/debugger'
import { encodeBase64 } from '../../../shared/protocol/base64'
import type { ProgramSpec } from '../../../shared/protocol/api'
import { readDebugInfo } from '../../../shared/debuginfo'
import { sourceKind } from '../../../shared/toolchain/driver'
import { buildForRun } from './cc'
import { SessionHost } from '../host'
import { USAGE_ERROR, type CliIo, type Subcommand } from './subcommand'

const PROMPT = '(memscape) '
const QUIT_WORDS = new Set(['quit', 'q', 'exit'])

type Step = { kind: 'command'; line: string } | { kind: 'script'; file: string }

/** Keeps -x and -ex in command-line order, as gdb runs them. */
function parseSteps(args: string[]): { steps: Step[]; batch: boolean; program: string | null } {
  const steps: Step[] = []
  const rest: string[] = []
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === '-x' || arg === '-ex' || arg === '--command' || arg === '--eval-command') {
      const value = args[++i]
      if (value === undefined) throw new Error(`${arg} needs an argument`)
      steps.push(arg === '-x' || arg === '--command' ? { kind: 'script', file: value } : { kind: 'command', line: value })
    } else rest.push(arg)
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: { batch: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
  })
  if (values.help) throw new HelpRequested()
  if (positionals.length > 1) throw new Error(`expected at most one program, got ${positionals.length}`)
  return { steps, batch: values.batch ?? false, program: positionals[0] ?? null }
}

class HelpRequested extends Error {}

const USAGE = `Usage: memscape debug [PROGRAM] [--batch] [-x FILE]... [-ex COMMAND]...

Starts the Memscape debugger, with PROGRAM (a static x86-64 ELF) loaded if given.
  -x FILE, --command FILE         run the commands in FILE
  -ex COMMAND, --eval-command     run COMMAND
  --batch                         exit after the -x and -ex commands (status of the last one)
Without --batch, an interactive prompt follows; "quit" or end of input leaves it.
`

export const debugSubcommand: Subcommand = {
  name: 'debug',
  summary: 'debugger prompt (--batch -x FILE runs a script and exits)',
  usage: '[PROGRAM] [--batch] [-x FILE]... [-ex COMMAND]...',
  async run(args, io) {
    let parsed: ReturnType<typeof parseSteps>
    try {
      parsed = parseSteps(args)
    } catch (error) {
      if (error instanceof HelpRequested) {
        io.out(USAGE)
        return 0
      }
      io.err(`memscape debug: ${error instanceof Error ? error.message : String(error)}\n${USAGE}`)
      return USAGE_ERROR
    }
    const host = new SessionHost({ workerUrl: io.workerUrl })
    try {
      let program
      if (parsed.program) {
        program = await loadDebuggee(parsed.program, io)
        if (program === null) return 1
      }
      const session = await host.openSession(program ? { program } : {})
      const print = (output: CommandOutput): void => {
        const text = toAnsi(output, { newline: '\n', colour: io.colour })
        if (output.ok) io.out(text)
        else io.err(text)
      }
      let status = 0
      for (const step of parsed.steps) {
        if (step.kind === 'command') {
          const output = await host.execute(session.sessionId, step.line)
          print(output)
          status = output.ok ? 0 : 1
          continue
        }
        status = await runScript(step.file, io, async (line) => {
          const output = await host.execute(session.sessionId, line)
          if (output.ok) print(output)
          return output
        })
      }
      if (parsed.batch) return status
      return await prompt(io, async (line) => print(await host.execute(session.sessionId, line)))
    } catch (error) {
      io.err(`memscape debug: ${error instanceof Error ? error.message : String(error)}\n`)
      return 1
    } finally {
      await host.closeAll()
    }
  },
}

/**
 * The program to debug: an executable, or a C or assembly source built with -g as `memscape
 * run` builds it; with the source texts its debug information names, read from disk.
 */
async function loadDebuggee(file: string, io: CliIo): Promise<ProgramSpec | null> {
  let path = resolve(file)
  let image: Uint8Array
  if (sourceKind(file) !== undefined) {
    const built = buildForRun(file, [], (text) => io.err(text))
    if (typeof built === 'number') return null
    image = built
    path = resolve(file.replace(/\.(c|s|asm|S)$/, ''))
  } else {
    image = await readFile(path).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`${file}: ${error.code === 'ENOENT' ? 'No such file or directory.' : error.message}`)
    })
  }
  return { path, elfBase64: encodeBase64(image), sources: await readSources(image) }
}

/** The texts of the source files the line table names (those that can be read). */
async function readSources(image: Uint8Array): Promise<Record<string, string>> {
  const sources: Record<string, string> = {}
  let info
  try {
    info = readDebugInfo(image)
  } catch {
    return sources
  }
  for (const unit of info.units) {
    for (const file of new Set(unit.lines.map((row) => row.file))) {
      if (file in sources) continue
      const text = await readFile(isAbsolute(file) ? file : join(unit.compDir, file), 'utf8').catch(() => null)
      if (text !== null) sources[file] = text
    }
  }
  return sources
}

/** Runs a command file; stops at its first failing command with gdb's message. */
async function runScript(file: string, io: CliIo, execute: (line: string) => Promise<CommandOutput>): Promise<number> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory.' : String(error)
    io.err(`${file}: ${reason}\n`)
    return 1
  }
  const lines = text.split('\n')
  for (const [index, line] of lines.entries()) {
    const output = await execute(line)
    if (!output.ok) {
      const message = output.segments.map((segment) => segment.text).join('')
      io.err(`${file}:${index + 1}: Error in sourced command file:\n${message}`)
      return 1
    }
  }
  return 0
}

async function prompt(io: CliIo, execute: (line: string) => Promise<void>): Promise<number> {
  const lines = createInterface({ input: io.input, terminal: io.interactive, prompt: PROMPT, output: io.interactive ? process.stdout : undefined })
  if (io.interactive) lines.prompt()
  for await (const line of lines) {
    if (QUIT_WORDS.has(line.trim())) break
    await execute(line)
    if (io.interactive) lines.prompt()
  }
  lines.close()
  return 0
}
