// `memscape run PROGRAM [ARGS...]`: runs a static x86-64 Linux ELF in a Memscape machine as a
// shell would run it natively (a C or assembly source PROGRAM is first built in memory, as
// `memscape cc` builds it: see cc.ts). The guest's stdout and stderr go to ours byte for byte, our
// stdin is its stdin (read as it asks for it), and our exit status is its status (128 + the
// signal when a signal ends it). A crash adds one line on stderr saying what, where and why.
//
// The environment is ours, as a shell passes it on, unless --clear-env; --env K=V adds or
// replaces variables. The seed defaults to 1, so two runs are identical; pass --seed to get
// another address-space layout (ASLR is on, level 2, unless --aslr says otherwise).

import { existsSync } from 'node:fs'
import { readFile, writeFile } from 'node:fs/promises'
import { basename } from 'node:path'
import { Machine, describeTermination, shellStatus, type MachineStatus } from '../../../shared/machine/machine'
import { ElfError } from '../../../shared/machine/elf'
import { LoadError } from '../../../shared/machine/loader'
import { signalName } from '../../../shared/machine/kernel/signals'
import { buildForRun } from './cc'
import { USAGE_ERROR, type Subcommand } from './subcommand'

/** Instructions per slice between output flushes and input checks. */
const SLICE = 5_000_000
/** Shell statuses: the command could not be executed / was not found. */
const CANNOT_EXECUTE = 126
const NOT_FOUND = 127

export const RUN_USAGE = `Usage: memscape run [OPTIONS] PROGRAM [ARGS...]

Runs PROGRAM, a static x86-64 Linux ELF executable, in a simulated process.
Its output is this command's output; its exit status is this command's status.
PROGRAM may be a source file instead (FILE.c, FILE.s, FILE.asm): it is compiled with
Memscape's toolchain and libc as "memscape cc -g FILE" would (PIE, no stack protector,
debug information for the views; --cc -g0 leaves it out), then run; compile errors are
printed as gcc prints them and the status is 1.

Options (before PROGRAM):
  --seed N          seed of all randomness: ASLR, the stack canary, getrandom (default 1)
  --aslr 0|1|2      randomize_va_space: 0 off, 1 no brk randomisation, 2 full (default 2)
  --env K=V         set an environment variable (repeatable)
  --clear-env       start from an empty environment instead of this one
  --report FILE     write a JSON report: exit or signal, fault, instruction count, regions
  --cc OPTION       a compiler option for a source PROGRAM, as memscape cc spells it
                    (repeatable): --cc -fstack-protector-strong --cc -no-pie
  -h, --help        show this help
`

export interface RunStreams {
  stdout: NodeJS.WritableStream
  stderr: NodeJS.WritableStream
  stdin: NodeJS.ReadableStream & { isTTY?: boolean }
  /** The guest's stdout is a terminal (isatty, line buffering), as ours is. */
  terminal: boolean
  env: NodeJS.ProcessEnv
}

interface RunOptions {
  seed: number
  aslr: 0 | 1 | 2
  env: string[]
  report: string | null
  /** Compiler options for a source PROGRAM. */
  cc: string[]
  program: string
  args: string[]
}

class UsageError extends Error {}

function parseRunArgs(args: string[], callerEnv: NodeJS.ProcessEnv): RunOptions | 'help' {
  let seed = 1
  let aslr: 0 | 1 | 2 = 2
  let clearEnv = false
  let report: string | null = null
  const extraEnv: string[] = []
  const cc: string[] = []
  let i = 0
  const value = (option: string): string => {
    const next = args[++i]
    if (next === undefined) throw new UsageError(`${option} needs a value`)
    return next
  }
  for (; i < args.length; i++) {
    const arg = args[i]!
    if (arg === '--') {
      i++
      break
    }
    if (!arg.startsWith('-') || arg === '-') break
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined]
    const take = () => inline ?? value(name)
    switch (name) {
      case '-h':
      case '--help':
        return 'help'
      case '--seed': {
        const text = take()
        if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(Number(text))) throw new UsageError(`--seed needs an integer, got "${text}"`)
        seed = Number(text)
        break
      }
      case '--aslr': {
        const text = take()
        if (text !== '0' && text !== '1' && text !== '2') throw new UsageError(`--aslr needs 0, 1 or 2, got "${text}"`)
        aslr = Number(text) as 0 | 1 | 2
        break
      }
      case '--env': {
        const text = take()
        if (!text.includes('=') || text.startsWith('=')) throw new UsageError(`--env needs NAME=VALUE, got "${text}"`)
        extraEnv.push(text)
        break
      }
      case '--clear-env':
        clearEnv = true
        break
      case '--report':
        report = take()
        break
      case '--cc':
        cc.push(take())
        break
      default:
        throw new UsageError(`unknown option "${arg}"`)
    }
  }
  const program = args[i]
  if (program === undefined) throw new UsageError('no PROGRAM given')
  const env = new Map<string, string>()
  if (!clearEnv) for (const [k, v] of Object.entries(callerEnv)) if (v !== undefined) env.set(k, v)
  for (const kv of extraEnv) {
    const at = kv.indexOf('=')
    env.delete(kv.slice(0, at))
    env.set(kv.slice(0, at), kv.slice(at + 1))
  }
  return { seed, aslr, env: [...env].map(([k, v]) => `${k}=${v}`), report, cc, program, args: args.slice(i + 1) }
}

/** Writes and waits for the stream to accept more when its buffer is full. */
function write(stream: NodeJS.WritableStream, bytes: Uint8Array): Promise<void> {
  if (stream.write(bytes)) return Promise.resolve()
  return new Promise((resolve) => stream.once('drain', () => resolve()))
}

/** The one line a shell user reads when the program dies of a signal. */
export function crashLine(program: string, status: Extract<MachineStatus, { state: 'signaled' }>): string {
  const what = `${describeTermination(status.signal)} (${signalName(status.signal)})`
  const fault = status.fault
  if (!fault) return `memscape: ${program}: ${what}\n`
  return `memscape: ${program}: ${what} at ip ${fault.ip}: ${fault.message}\n`
}

async function loadProgram(path: string, cc: readonly string[], stderr: NodeJS.WritableStream): Promise<Uint8Array | number> {
  if (/\.(c|s|asm)$/.test(path)) {
    if (!existsSync(path)) {
      stderr.write(`memscape run: ${path}: No such file or directory\n`)
      return NOT_FOUND
    }
    return buildForRun(path, cc, (text) => stderr.write(text))
  }
  if (/\.(h|S)$/.test(path)) {
    const what = path.endsWith('.h') ? 'a header, not a program' : 'assembly for the C preprocessor, which Memscape does not run on assembly (use .s or .asm)'
    stderr.write(`memscape run: ${path} is ${what}\n`)
    return CANNOT_EXECUTE
  }
  try {
    return new Uint8Array(await readFile(path))
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    stderr.write(`memscape run: ${path}: ${code === 'ENOENT' ? 'No such file or directory' : code === 'EISDIR' ? 'Is a directory' : (error as Error).message}\n`)
    return code === 'ENOENT' ? NOT_FOUND : CANNOT_EXECUTE
  }
}

export async function runCommand(args: string[], streams: RunStreams = processStreams()): Promise<number> {
  const { stdout, stderr } = streams
  let options: RunOptions | 'help'
  try {
    options = parseRunArgs(args, streams.env)
  } catch (error) {
    if (!(error instanceof UsageError)) throw error
    stderr.write(`memscape run: ${error.message}\n\n${RUN_USAGE}`)
    return USAGE_ERROR
  }
  if (options === 'help') {
    stdout.write(RUN_USAGE)
    return 0
  }
  const image = await loadProgram(options.program, options.cc, stderr)
  if (typeof image === 'number') return image

  let machine: Machine
  try {
    machine = Machine.fromElf(image, {
      argv: [options.program, ...options.args],
      env: options.env,
      seed: options.seed,
      aslr: options.aslr,
      terminal: streams.terminal,
    })
  } catch (error) {
    if (error instanceof ElfError || error instanceof LoadError) {
      stderr.write(`memscape run: ${options.program}: ${error.message}\n`)
      return CANNOT_EXECUTE
    }
    throw error
  }

  const pending: { fd: 1 | 2; bytes: Uint8Array }[] = []
  machine.onOutput = (fd, bytes) => pending.push({ fd, bytes: bytes.slice() })
  const flush = async () => {
    for (let item = pending.shift(); item; item = pending.shift()) await write(item.fd === 1 ? stdout : stderr, item.bytes)
  }
  // Standard input is read only when the program waits for it, so a program that never reads
  // it does not consume (or wait for) ours.
  let input: AsyncIterator<Buffer | string> | null = null

  let status = machine.status
  for (;;) {
    status = machine.run(SLICE)
    await flush()
    if (status.state === 'exited' || status.state === 'signaled') break
    if (machine.sleepingForever) {
      // pause() with nothing that could wake it: natively the process would sit there until
      // killed, and so does this command (Ctrl-C ends it).
      stderr.write(`memscape: note: ${basename(options.program)} waits for a signal that nothing will send (pause() with no timer armed); press Ctrl-C to end it\n`)
      await new Promise<never>(() => setInterval(() => {}, 1 << 30))
    }
    if (status.state === 'waiting-input') {
      input ??= streams.stdin[Symbol.asyncIterator]() as AsyncIterator<Buffer | string>
      const chunk = await input.next()
      if (chunk.done) machine.closeStdin()
      else machine.feedStdin(typeof chunk.value === 'string' ? new TextEncoder().encode(chunk.value) : new Uint8Array(chunk.value))
    } else {
      // Let stdin and output callbacks run between slices.
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
  await flush()
  await input?.return?.()
  if (status.state === 'signaled') stderr.write(crashLine(basename(options.program), status))
  const missing = machine.unimplementedSyscalls
  if (missing.length > 0) {
    const list = missing.map((m) => (m.count > 1 ? `${m.name} (${m.count} times)` : m.name)).join(', ')
    stderr.write(`memscape: note: the program made system calls Memscape does not implement (they returned ENOSYS): ${list}\n`)
  }
  if (options.report) {
    const report = {
      program: options.program,
      argv: [options.program, ...options.args],
      seed: options.seed,
      aslr: options.aslr,
      ...machine.report(),
    }
    await writeFile(options.report, JSON.stringify(report, null, 2) + '\n')
  }
  return shellStatus(status) ?? 1
}

function processStreams(): RunStreams {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    terminal: Boolean(process.stdout.isTTY),
    env: process.env,
  }
}

export const runSubcommand: Subcommand = {
  name: 'run',
  summary: 'run a static x86-64 Linux program (or a C or assembly file) in a simulated process',
  usage: '[OPTIONS] PROGRAM [ARGS...]',
  run: (args: string[]) => runCommand(args),
}
