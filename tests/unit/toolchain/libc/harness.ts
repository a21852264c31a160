/**
 * Builds test programs three ways — gcc with glibc, gcc with Memscape's libc, Memscape's own
 * toolchain with Memscape's libc — and runs them natively, so their behaviour can be compared.
 */
import { execFile, execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, isAbsolute, join } from 'node:path'
import { signalName } from '../../../../shared/machine/kernel/signals'
import { Machine } from '../../../../shared/machine/machine'
import { assemble } from '../../../../shared/toolchain/asm/assembler'
import { formatDiagnostic } from '../../../../shared/toolchain/asm/object'
import { compile, type StackProtector } from '../../../../shared/toolchain/c/compile'
import { buildLibc, LIBC_INCLUDE_DIR, libcFiles } from '../../../../shared/toolchain/libc'
import { link } from '../../../../shared/toolchain/link/linker'
import { generateAssembly } from '../../../../shared/toolchain/x86/codegen'

export const FIXTURES = join(import.meta.dirname, '../../../fixtures/libc')
const LIBC_ROOT = join(import.meta.dirname, '../../../../shared/toolchain/libc')

/** A fixture's path (names are relative to tests/fixtures/libc; absolute paths are used as they are). */
export function sourcePath(name: string): string {
  return isAbsolute(name) ? name : join(FIXTURES, name)
}

export function fixture(name: string): string {
  return readFileSync(sourcePath(name), 'utf8')
}

let scratch: string | undefined
function scratchDir(): string {
  scratch ??= mkdtempSync(join(tmpdir(), 'memscape-libc-'))
  return scratch
}

let counter = 0
/** A new file path whose base name is `name`, so every build of a program has the same
 *  argv[0] base name (glibc prints it in assertion messages). */
export function freshPath(name: string): string {
  counter += 1
  const dir = join(scratchDir(), String(counter))
  mkdirSync(dir)
  return join(dir, name)
}

/** gcc flags for each stack-protector level, as the compiler spells them. */
export function protectorFlag(level: StackProtector): string {
  return { none: '-fno-stack-protector', default: '-fstack-protector', strong: '-fstack-protector-strong', all: '-fstack-protector-all' }[level]
}

const FREESTANDING = ['-O0', '-w', '-ffreestanding', '-fno-builtin', '-nostdinc', '-fno-pie', '-I', join(LIBC_ROOT, 'include')]

let gccLibcObjects: string[] | undefined
/** The libc compiled by gcc (and nasm for the assembly files), once per test file. */
function gccLibc(): string[] {
  if (gccLibcObjects !== undefined) return gccLibcObjects
  const dir = join(scratchDir(), 'gcc-libc')
  mkdirSync(dir, { recursive: true })
  const objects: string[] = []
  for (const file of readdirSync(join(LIBC_ROOT, 'src'))) {
    const source = join(LIBC_ROOT, 'src', file)
    const object = join(dir, `${file}.o`)
    if (file.endsWith('.asm')) execFileSync('nasm', ['-f', 'elf64', '-o', object, source])
    else if (file.endsWith('.c')) execFileSync('gcc', ['-c', ...FREESTANDING, '-fno-stack-protector', '-I', join(LIBC_ROOT, 'src'), '-o', object, source])
    else continue
    objects.push(object)
  }
  gccLibcObjects = objects
  return objects
}

export interface BuildOptions {
  readonly stackProtector?: StackProtector
  /** libc source files to leave out of the link (the program provides them itself). */
  readonly excludeUnits?: readonly string[]
  /** More translation units linked into the program (compiled by the same compiler). */
  readonly extraSources?: readonly string[]
}

/** The gcc command line that builds against the system's glibc, and the executable it writes. */
function glibcBuild(sourceName: string, options: BuildOptions): { args: string[]; out: string } {
  const out = freshPath(basename(sourceName, '.c'))
  const sources = [sourceName, ...(options.extraSources ?? [])].map(sourcePath)
  return { args: ['-O0', '-w', protectorFlag(options.stackProtector ?? 'none'), '-o', out, ...sources], out }
}

/** gcc -O0 against the system's glibc (a normal dynamic PIE, as learners build on Linux). */
export function buildWithGlibc(sourceName: string, options: BuildOptions = {}): string {
  const { args, out } = glibcBuild(sourceName, options)
  execFileSync('gcc', args, { stdio: 'pipe' })
  return out
}

/** buildWithGlibc in a child process the caller does not wait for (gcc runs on another core
 *  while the test process compiles with Memscape). */
export function buildWithGlibcInBackground(sourceName: string, options: BuildOptions = {}): Promise<string> {
  const { args, out } = glibcBuild(sourceName, options)
  return new Promise((resolve, reject) => {
    execFile('gcc', args, (error, _stdout, stderr) => (error === null ? resolve(out) : reject(new Error(`gcc failed on ${sourceName}:\n${stderr}`))))
  })
}

/** gcc -O0, static, with Memscape's headers, start-up and libc instead of glibc's. */
export function buildWithGccAndLibc(sourceName: string, options: BuildOptions = {}): string {
  const object = freshPath(`${basename(sourceName, '.c')}.o`)
  execFileSync('gcc', ['-c', ...FREESTANDING, protectorFlag(options.stackProtector ?? 'none'), '-o', object, sourcePath(sourceName)])
  const out = freshPath(basename(sourceName, '.c'))
  // ld defines no __rela_dyn_* symbols; a -no-pie executable has no relative relocations to apply.
  const excluded = new Set((options.excludeUnits ?? []).map((unit) => `${unit}.o`))
  const libc = gccLibc().filter((path) => !excluded.has(basename(path)))
  execFileSync('gcc', ['-static', '-nostdlib', '-no-pie', '-z', 'noexecstack', '-o', out, ...libc, object,
    '-Wl,--defsym=__rela_dyn_start=0', '-Wl,--defsym=__rela_dyn_end=0'])
  return out
}

export interface MemscapeBuildOptions extends BuildOptions {
  readonly pie: boolean
}

/** Memscape's compiler, assembler and linker with Memscape's libc. Throws with the messages on failure. */
export function buildWithMemscape(sourceName: string, options: MemscapeBuildOptions): string {
  const stackProtector = options.stackProtector ?? 'none'
  const libc = buildLibc({ pie: options.pie })
  if (libc.errors.length > 0) throw new Error(`libc does not build:\n${libc.errors.join('\n')}`)
  const path = `/home/user/${basename(sourceName)}`
  const files = { ...libcFiles(), [path]: fixture(sourceName) }
  const compiled = compile(files, path, { pie: options.pie, stackProtector, systemIncludeDirs: [LIBC_INCLUDE_DIR] })
  if (compiled.ir === undefined) throw new Error(compiled.text)
  const { assembly } = generateAssembly(compiled.ir, { pie: options.pie, stackProtector })
  const assembled = assemble(assembly, path.replace(/\.c$/, '.s'))
  if (assembled.object === undefined) throw new Error(assembled.diagnostics.map(formatDiagnostic).join('\n'))
  const linked = link([...libc.objects, assembled.object], { pie: options.pie })
  if (linked.bytes === undefined) throw new Error(linked.errors.join('\n'))
  const out = freshPath(basename(sourceName, '.c'))
  writeFileSync(out, linked.bytes)
  chmodSync(out, 0o755)
  return out
}

export interface RunOptions {
  readonly args?: readonly string[]
  readonly input?: string
  readonly env?: Readonly<Record<string, string>>
  /** Send stderr into the same pipe as stdout (2>&1), to see how the two streams interleave. */
  readonly mergeStderr?: boolean
  /** Run with stdout and stderr on a terminal (a pseudo-terminal from script(1)) and stdin from
   *  /dev/null; both streams arrive in `stdout`, with the terminal's CR LF turned back into LF. */
  readonly terminal?: boolean
}

export interface RunResult {
  readonly stdout: string
  readonly stderr: string
  readonly status: number | null
  readonly signal: NodeJS.Signals | null
}

export const TEST_ENV: Readonly<Record<string, string>> = { MEMSCAPE_TEST: 'original', LANG: 'C' }

export function run(path: string, options: RunOptions = {}): RunResult {
  const args = options.args ?? []
  const env = { ...(options.env ?? TEST_ENV) }
  if (options.terminal) {
    const command = ['exec', ...[path, ...args].map((word) => `'${word.replaceAll("'", "'\\''")}'`), '< /dev/null'].join(' ')
    const result = spawnSync('script', ['-qec', command, '/dev/null'], { input: '', env, encoding: 'latin1', timeout: 20_000 })
    return { stdout: result.stdout.replaceAll('\r\n', '\n'), stderr: '', status: result.status, signal: result.signal }
  }
  const result = options.mergeStderr
    ? spawnSync('/bin/sh', ['-c', 'exec "$0" "$@" 2>&1', path, ...args], { input: options.input ?? '', env, encoding: 'latin1', timeout: 20_000 })
    : spawnSync(path, args, { input: options.input ?? '', env, encoding: 'latin1', timeout: 20_000 })
  // A program that could not be started says why (not as a run with no output and no status).
  if (result.error !== undefined) throw new Error(`cannot run ${path}: ${result.error.message}`)
  return { stdout: result.stdout, stderr: result.stderr, status: result.status, signal: result.signal }
}

const INSTRUCTION_LIMIT = 2_000_000_000

/** Test programs are small. Each machine reserves its whole guest memory until it is garbage
 *  collected, and a test file runs dozens: with the machine's default 512 MiB, forking the next
 *  native run fails with ENOMEM once the dead machines' reservations pass the host's RAM. */
const TEST_GUEST_MEMORY_BYTES = 64 * 1024 * 1024

/** Runs an executable in Memscape's machine with the same arguments, environment and input. */
export function runInMachine(path: string, options: RunOptions): RunResult {
  const machine = Machine.fromElf(readFileSync(path), {
    argv: [path, ...(options.args ?? [])],
    env: Object.entries(options.env ?? TEST_ENV).map(([key, value]) => `${key}=${value}`),
    seed: 7,
    aslr: 2,
    stdin: new TextEncoder().encode(options.input ?? ''),
    stdinClosed: true,
    terminal: options.terminal ?? false,
    maxMemoryBytes: TEST_GUEST_MEMORY_BYTES,
  })
  let stdout = ''
  let stderr = ''
  const text = (bytes: Uint8Array): string => String.fromCharCode(...bytes)
  machine.onOutput = (fd, bytes) => {
    if (fd === 1 || options.mergeStderr || options.terminal) stdout += text(bytes)
    else stderr += text(bytes)
  }
  const status = machine.run(INSTRUCTION_LIMIT)
  if (status.state === 'exited') return { stdout, stderr, status: status.code, signal: null }
  if (status.state === 'signaled') return { stdout, stderr, status: null, signal: signalName(status.signal) as NodeJS.Signals }
  throw new Error(`program did not finish: ${status.state}`)
}
