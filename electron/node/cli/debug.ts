// `memscape debug`: the debugger's command language at a prompt, over the same session host
// and worker as the app. `--batch -x FILE` runs a script and exits, as gdb does.

import { readFile } from 'node:fs/promises'
import { isAbsolute, join, resolve } from 'node:path'
import { createInterface } from 'node:readline'
import { parseArgs } from 'node:util'
import { outputText, toAnsi, type CommandOutput } from '../../../shared/debugger'
import { decodeBase64, encodeBase64 } from '../../../shared/protocol/base64'
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
function parseSteps(all: string[]): { steps: Step[]; batch: boolean; program: string | null; programArgs: string[] } {
  const steps: Step[] = []
  const rest: string[] = []
  // gdb's --args: the program and everything after it are the program's command line.
  const argsAt = all.indexOf('--args')
  const args = argsAt < 0 ? all : all.slice(0, argsAt)
  const programLine = argsAt < 0 ? [] : all.slice(argsAt + 1)
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
  const [program, ...programArgs] = [...positionals, ...programLine]
  return { steps, batch: values.batch ?? false, program: program ?? null, programArgs }
}

class HelpRequested extends Error {}

const USAGE = `Usage: memscape debug [--batch] [-x FILE]... [-ex COMMAND]... [PROGRAM [ARGS...]]
       memscape debug [OPTIONS] --args PROGRAM ARGS...

Starts the Memscape debugger, with PROGRAM loaded if given: a static x86-64 ELF, or a C or
assembly source built with -g as "memscape run" builds it. ARGS are its arguments ("run" uses them).
  -x FILE, --command FILE         run the commands in FILE
  -ex COMMAND, --eval-command     run COMMAND
  --batch                         exit after the -x and -ex commands (status of the last one)
Without --batch, an interactive prompt follows; "quit" or end of input leaves it.
`

export const debugSubcommand: Subcommand = {
  name: 'debug',
  summary: 'debugger prompt (--batch -x FILE runs a script and exits)',
  usage: '[--batch] [-x FILE]... [-ex COMMAND]... [PROGRAM [ARGS...]]',
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
    let input: LineSource | null = null
    try {
      let program
      if (parsed.program) {
        program = await loadDebuggee(parsed.program, io)
        if (program === null) return 1
      }
      // As under gdb (set disable-randomization on), the program runs without ASLR until `aslr on`.
      const env = inferiorEnvironment()
      const session = await host.openSession(program ? { program, argv: [program.path, ...parsed.programArgs], env, aslr: 0 } : { env, aslr: 0 })
      // The program's own output goes to ours as it is produced, as a native run's would.
      const print = (output: CommandOutput): void => {
        const text = toAnsi(output, { newline: '\n', colour: io.colour })
        if (output.ok) io.out(text)
        else io.err(text)
      }
      const completions = async (line: string): Promise<string[]> => {
        const output = await host.execute(session.sessionId, `complete ${line}`)
        return output.ok ? outputText(output).split('\n').filter((candidate) => candidate !== '' && !candidate.includes('***')) : []
      }
      // Our standard input serves the prompt and, while the program reads it, the program.
      input = new LineSource(io, completions)
      const source = input
      host.subscribe((event) => {
        if (event.type === 'state' || event.sessionId !== session.sessionId) return
        if (event.type === 'console') print(event.output)
        if (event.type === 'input-request') {
          void source.next('').then((line) => host.sendInput(session.sessionId, line === null ? null : encodeBase64(new TextEncoder().encode(`${line}\n`))))
        }
        if (event.type !== 'output') return
        const text = new TextDecoder().decode(decodeBase64(event.dataBase64))
        if (event.fd === 1) io.out(text)
        else io.err(text)
      })
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
      for (let line = await source.next(PROMPT); line !== null && !QUIT_WORDS.has(line.trim()); line = await source.next(PROMPT)) {
        print(await host.execute(session.sessionId, line, { typed: true }))
      }
      return 0
    } catch (error) {
      io.err(`memscape debug: ${error instanceof Error ? error.message : String(error)}\n`)
      return 1
    } finally {
      input?.close()
      await host.closeAll()
    }
  },
}

/**
 * The program's environment: ours, as gdb passes its own on, with the LINES and COLUMNS that
 * gdb's readline sets to the screen size (24 by 80 without a terminal), in place when we have
 * them, appended otherwise. The same variables put the stack where gdb's run puts it.
 */
function inferiorEnvironment(): string[] {
  const env = new Map<string, string>()
  for (const [name, value] of Object.entries(process.env)) if (value !== undefined) env.set(name, value)
  env.set('LINES', String(process.stdout.isTTY ? process.stdout.rows : 24))
  env.set('COLUMNS', String(process.stdout.isTTY ? process.stdout.columns : 80))
  return [...env].map(([name, value]) => `${name}=${value}`)
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

/** Tab completion at the prompt, from the debugger's `complete` (readline shows the choices). */
type Completer = (line: string, done: (error: null, result: [string[], string]) => void) => void

/**
 * Lines of our standard input, one at a time, for the prompt and for the program: readline
 * reads ahead, so lines are queued until someone asks for one. At a terminal it shows the
 * prompt asked for, with history and Tab completion.
 */
class LineSource {
  private readonly lines
  private readonly queued: string[] = []
  private readonly waiting: ((line: string | null) => void)[] = []
  private ended = false

  constructor(
    private readonly io: CliIo,
    completions: (line: string) => Promise<string[]>,
  ) {
    const completer: Completer = (line, done) => {
      void completions(line).then(
        (candidates) => done(null, [candidates, line]),
        () => done(null, [[], line]),
      )
    }
    this.lines = createInterface({
      input: io.input,
      terminal: io.interactive,
      output: io.interactive ? process.stdout : undefined,
      ...(io.interactive ? { completer } : {}),
    })
    this.lines.on('line', (line) => {
      const reader = this.waiting.shift()
      if (reader) reader(line)
      else this.queued.push(line)
    })
    this.lines.on('close', () => {
      this.ended = true
      for (const reader of this.waiting.splice(0)) reader(null)
    })
  }

  /** The next line (null at the end of input), showing `prompt` first at a terminal. */
  next(prompt: string): Promise<string | null> {
    const line = this.queued.shift()
    if (line !== undefined) return Promise.resolve(line)
    if (this.ended) return Promise.resolve(null)
    if (this.io.interactive) {
      this.lines.setPrompt(prompt)
      this.lines.prompt()
    }
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  close(): void {
    this.lines.close()
  }
}
