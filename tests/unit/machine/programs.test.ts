// Differential tests: every C program in tests/programs is built here with gcc -static (-O0 and
// -O2, and musl-gcc -static -O2 when installed), run natively and in Memscape, and must produce
// the same stdout, stderr, exit status and signal, byte for byte.
//
// Conventions in a program's leading comment lines:
//   //! args: a "b c"      extra arguments (double quotes group words)
//   //! env: K=V K2=V2     the environment (default: empty, as with env -i)
//   //! cflags: ...        extra compiler flags;  //! ldflags: ... extra link flags
//   //! glibc-only         skip the musl build (the program tests glibc behaviour)
// and NAME.stdin next to NAME.c is fed to standard input (otherwise stdin is empty), then closed.

import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs'
import { constants, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Machine, shellStatus } from '../../../shared/machine/machine'

const PROGRAMS_DIR = fileURLToPath(new URL('../../programs', import.meta.url))
const INSTRUCTION_LIMIT = 3_000_000_000

interface Program {
  name: string
  args: string[]
  env: string[]
  cflags: string[]
  ldflags: string[]
  glibcOnly: boolean
  stdin: Uint8Array
}

interface Build {
  program: Program
  compiler: 'gcc' | 'musl-gcc'
  optimisation: '-O0' | '-O2'
  label: string
  binary: string
}

function words(text: string): string[] {
  return [...text.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!)
}

function directive(source: string, name: string): string[] {
  const line = source.split('\n').find((l) => l.startsWith(`//! ${name}:`))
  return line ? words(line.slice(`//! ${name}:`.length)) : []
}

function loadPrograms(): Program[] {
  return readdirSync(PROGRAMS_DIR)
    .filter((f) => f.endsWith('.c'))
    .sort()
    .map((file) => {
      const name = file.slice(0, -2)
      const source = readFileSync(join(PROGRAMS_DIR, file), 'utf8')
      const stdinPath = join(PROGRAMS_DIR, `${name}.stdin`)
      return {
        name,
        args: directive(source, 'args'),
        env: directive(source, 'env'),
        cflags: directive(source, 'cflags'),
        ldflags: directive(source, 'ldflags'),
        glibcOnly: source.includes('//! glibc-only'),
        stdin: existsSync(stdinPath) ? new Uint8Array(readFileSync(stdinPath)) : new Uint8Array(0),
      }
    })
}

const hasMusl = spawnSync('musl-gcc', ['--version']).status === 0
const programs = loadPrograms()
const workDir = mkdtempSync(join(tmpdir(), 'memscape-programs-'))

const builds: Build[] = []
for (const program of programs) {
  for (const optimisation of ['-O0', '-O2'] as const) {
    builds.push({ program, compiler: 'gcc', optimisation, label: `${program.name} gcc ${optimisation}`, binary: join(workDir, `${program.name}${optimisation}`) })
  }
  if (hasMusl && !program.glibcOnly) {
    builds.push({ program, compiler: 'musl-gcc', optimisation: '-O2', label: `${program.name} musl -O2`, binary: join(workDir, `${program.name}-musl`) })
  }
}

function compile(build: Build): Promise<string | null> {
  const { program } = build
  const args = [build.optimisation, '-static', ...program.cflags, '-o', build.binary, join(PROGRAMS_DIR, `${program.name}.c`), ...program.ldflags]
  return new Promise((resolve) => {
    const child = spawn(build.compiler, args, { stdio: ['ignore', 'ignore', 'pipe'] })
    let errors = ''
    child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()))
    child.on('close', (code) => resolve(code === 0 ? null : `${build.compiler} ${args.join(' ')} failed:\n${errors}`))
  })
}

/**
 * Two compilers at a time (the machine has two cores shared with everyone), working through the
 * builds in order while the tests run the ones already built; a test waiting for a build that
 * is not started yet moves it to the front.
 */
class CompilePool {
  private readonly queue = [...builds]
  private readonly results = new Map<Build, Promise<string | null>>()
  private readonly waiting = new Map<Build, (error: string | null) => void>()
  private readonly inFlight = new Set<Promise<unknown>>()

  constructor() {
    for (const build of builds) this.results.set(build, new Promise((resolve) => this.waiting.set(build, resolve)))
  }

  start(): void {
    while (this.inFlight.size < 2 && this.queue.length > 0) {
      const build = this.queue.shift()!
      const job = compile(build).then((error) => {
        this.inFlight.delete(job)
        this.waiting.get(build)!(error)
        this.start()
      })
      this.inFlight.add(job)
    }
  }

  /** Drops the builds no test asked for (a filtered run) and waits for the compilers running. */
  async stop(): Promise<void> {
    this.queue.length = 0
    while (this.inFlight.size > 0) await Promise.all(this.inFlight)
  }

  result(build: Build): Promise<string | null> {
    const at = this.queue.indexOf(build)
    if (at > 0) this.queue.unshift(...this.queue.splice(at, 1))
    this.start()
    return this.results.get(build)!
  }
}

interface Outcome {
  stdout: string
  stderr: string
  status: number | null
  signal: number | null
}


function envObject(env: string[]): Record<string, string> {
  return Object.fromEntries(env.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]))
}

function runNative(build: Build): Outcome {
  const { program } = build
  const result = spawnSync(build.binary, program.args, { input: program.stdin, env: envObject(program.env), cwd: workDir, maxBuffer: 64 << 20 })
  const signal = result.signal ? constants.signals[result.signal] : null
  return { stdout: result.stdout.toString('latin1'), stderr: result.stderr.toString('latin1'), status: signal === null ? result.status : 128 + signal, signal }
}

function runMemscape(build: Build): Outcome {
  const { program } = build
  const machine = Machine.fromElf(new Uint8Array(readFileSync(build.binary)), {
    argv: [build.binary, ...program.args],
    env: program.env,
    seed: 1,
    aslr: 2,
    stdin: program.stdin,
    stdinClosed: true,
  })
  const out: Record<1 | 2, Buffer[]> = { 1: [], 2: [] }
  machine.onOutput = (fd, bytes) => out[fd].push(Buffer.from(bytes))
  const status = machine.run(INSTRUCTION_LIMIT)
  return {
    stdout: Buffer.concat(out[1]).toString('latin1'),
    stderr: Buffer.concat(out[2]).toString('latin1'),
    status: shellStatus(status),
    signal: status.state === 'signaled' ? status.signal : null,
  }
}

const pool = new CompilePool()

beforeAll(() => pool.start())

afterAll(async () => {
  await pool.stop()
  rmSync(workDir, { recursive: true, force: true })
})

describe('C programs behave as natively', () => {
  test('the corpus has at least 40 programs', () => {
    expect(programs.length).toBeGreaterThanOrEqual(40)
  })

  test.each(builds.map((b) => [b.label, b] as const))('%s', async (_label, build) => {
    expect(await pool.result(build)).toBeNull()
    const native = runNative(build)
    const emulated = runMemscape(build)
    expect(emulated).toEqual(native)
  }, 300_000)
})
