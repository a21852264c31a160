// `memscape cc FILE.c... [-o OUT] [options]`: Memscape's own C compiler, assembler, linker and
// libc, driven the way gcc is. Options are spelled as gcc spells them and default as Debian's
// gcc 12 does on this machine: PIE on (`gcc -Q --help=common`: -fPIE [enabled]) and no stack
// protector (every -fstack-protector* is [disabled]; Ubuntu's gcc differs, Debian's does not).
// Unlike gcc, the executable is always static (there is no dynamic loader in Memscape).
//
// The user's files are read from disk when the compiler asks for them, so `#include "x.h"`
// finds x.h next to the including file (or in a -I directory); <...> headers are the bundled
// libc's. The compiled libc is kept in memory and, for the bundled CLI, on disk (see libcCache).

import { createHash } from 'node:crypto'
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { basename, dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { deserialize, serialize } from 'node:v8'
import { buildProgram, sourceKind, type DriverOptions, type DriverResult, type StackProtector } from '../../../shared/toolchain/driver'
import { buildLibc, LIBC_HEADERS, LIBC_INCLUDE_DIR, LIBC_SOURCE_DIR, LIBC_SOURCES, type LibcBuild } from '../../../shared/toolchain/libc'
import { VERSION } from '../../../shared/version'
import type { CliIo, Subcommand } from './subcommand'

/** gcc's status for every failure, command-line mistakes included. */
const FAILURE = 1

export const CC_USAGE = `Usage: memscape cc [OPTIONS] FILE... [-o OUT]

Compiles C files (.c) and assembles assembly files (.s, .asm, NASM-flavoured Intel syntax)
with Memscape's own toolchain, and links them with Memscape's libc into one static x86-64
Linux executable that runs natively and in Memscape. Options as gcc spells them:

  -o FILE                   write the executable to FILE (default a.out)
  -S                        stop after compiling; write each FILE.c's assembly to FILE.s
                            (or to -o FILE for a single input)
  -I DIR                    search DIR for #include "..." (after the including file's folder)
  -D NAME[=VALUE]           define a macro (VALUE 1 by default);  -U NAME  undefine it
  -fstack-protector         canary in functions with char arrays of 8 bytes or more
  -fstack-protector-strong  canary in functions with any array or address-taken local
  -fstack-protector-all     canary in every function
  -fno-stack-protector      no canary (the default, as Debian's gcc 12)
  -pie                      static position-independent executable, ET_DYN (the default)
  -no-pie                   fixed-address executable at 0x400000, ET_EXEC
  -z execstack              executable stack (PT_GNU_STACK RWX);  -z noexecstack  (default) RW
  -nostdlib                 do not link the libc and its start-up code (_start is yours)
  -fno-builtin              keep printf/fprintf/fputs calls as written (by default, as gcc,
                            printf("hi\n") becomes puts("hi"))
  -ffreestanding            no hosted environment: -fno-builtin, and __STDC_HOSTED__ is 0
  -g                        DWARF 5 debug information (lines, functions, variables, types) in
                            .debug_* sections, as gcc -g; gdb and Memscape's views read it.
                            -g1..-g3, -ggdb, -gdwarf, -gdwarf-5 mean the same; -g0 turns it off
  -w                        do not print warnings
  -O0, -static, -Wall, -Wextra
                            accepted as gcc accepts them: code is always -O0, always static;
                            warnings are gcc's default set
  -h, --help                show this help

Errors are printed like gcc's (file:line:col: error: ..., the line, a caret), all of them in
one pass; the exit status is then 1 and no executable is written. The executable is written
with mode 755. A file that defines _start itself is linked without the libc.
`

export interface BuildCommand {
  readonly sources: string[]
  readonly output: string | undefined
  readonly assemblyOnly: boolean
  readonly options: DriverOptions
  /** Notes for options accepted but without effect (e.g. -O2), printed as gcc-style warnings. */
  readonly notes: string[]
}

export class CommandLineError extends Error {}

const STACK_PROTECTOR_FLAGS: Readonly<Record<string, StackProtector>> = {
  '-fstack-protector': 'default',
  '-fstack-protector-strong': 'strong',
  '-fstack-protector-all': 'all',
  '-fno-stack-protector': 'none',
}

/** Flags gcc accepts that change nothing here, because Memscape always does what they ask or
 *  only has that behaviour. */
const ACCEPTED_WITHOUT_EFFECT = new Set(['-O0', '-static', '-Wall', '-Wextra', '-m64'])

/** gcc's -g spellings that ask for debug information Memscape can write (DWARF 5, gcc 12's default). */
const DEBUG_INFO_FLAGS = /^-g(gdb|dwarf(-5)?|[1-3])?$/

/**
 * Parses a gcc-style command line. `allowed` limits the options to those that make sense for
 * the subcommand (`as` has no preprocessor or code generation options).
 */
export function parseBuildArgs(args: readonly string[], command: 'cc' | 'as'): BuildCommand | 'help' {
  const sources: string[] = []
  const notes: string[] = []
  let output: string | undefined
  let assemblyOnly = false
  let pie = true
  let stackProtector: StackProtector = 'none'
  let execStack = false
  let noStdlib = false
  let suppressWarnings = false
  let debugInfo = false
  let builtins = true
  let freestanding = false
  const includeDirs: string[] = []
  const defines: Record<string, string> = {}
  const undefines: string[] = []
  const forC = command === 'cc'

  /** The value of `-o FILE` / `-oFILE` style options. */
  const valueOf = (i: number, flag: string): { value: string; next: number } => {
    const arg = args[i]!
    if (arg.length > flag.length) return { value: arg.slice(flag.length), next: i }
    const value = args[i + 1]
    if (value === undefined) throw new CommandLineError(`missing ${flag === '-o' ? 'filename' : 'argument'} after '${flag}'`)
    return { value, next: i + 1 }
  }

  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!
    if (arg === '-h' || arg === '--help') return 'help'
    if (!arg.startsWith('-') || arg === '-') {
      sources.push(arg)
      continue
    }
    if (arg.startsWith('-o')) {
      const { value, next } = valueOf(i, '-o')
      output = value
      i = next
    } else if (arg === '-pie' || arg === '-static-pie') pie = true
    else if (arg === '-no-pie') pie = false
    else if (arg.startsWith('-z')) {
      const { value, next } = valueOf(i, '-z')
      i = next
      if (value === 'execstack') execStack = true
      else if (value === 'noexecstack') execStack = false
      else throw new CommandLineError(`unsupported -z keyword '${value}' (Memscape knows execstack and noexecstack)`)
    } else if (arg === '-nostdlib') noStdlib = true
    else if (arg === '-w') suppressWarnings = true
    else if (forC && arg === '-S') assemblyOnly = true
    else if (forC && arg === '-fno-builtin') builtins = false
    else if (forC && arg === '-ffreestanding') freestanding = true
    else if (forC && Object.hasOwn(STACK_PROTECTOR_FLAGS, arg)) stackProtector = STACK_PROTECTOR_FLAGS[arg]!
    else if (forC && arg.startsWith('-I')) {
      const { value, next } = valueOf(i, '-I')
      includeDirs.push(value)
      i = next
    } else if (forC && arg.startsWith('-D')) {
      const { value, next } = valueOf(i, '-D')
      i = next
      const equals = value.indexOf('=')
      const name = equals < 0 ? value : value.slice(0, equals)
      if (!/^[A-Za-z_]\w*$/.test(name)) throw new CommandLineError(`macro names must be identifiers: '-D${value}'`)
      defines[name] = equals < 0 ? '1' : value.slice(equals + 1)
    } else if (forC && arg.startsWith('-U')) {
      const { value, next } = valueOf(i, '-U')
      i = next
      if (!/^[A-Za-z_]\w*$/.test(value)) throw new CommandLineError(`macro names must be identifiers: '-U${value}'`)
      undefines.push(value)
    } else if (forC && /^-O([1-3sgz]|fast)?$/.test(arg)) {
      notes.push(`'${arg}' ignored: Memscape compiles as gcc -O0 does`)
    } else if (DEBUG_INFO_FLAGS.test(arg)) debugInfo = true
    else if (arg === '-g0') debugInfo = false
    else if (/^-gdwarf-[2-4]$/.test(arg)) {
      debugInfo = true
      notes.push(`'${arg}' treated as -gdwarf-5: Memscape writes DWARF version 5 only`)
    } else if (forC && ACCEPTED_WITHOUT_EFFECT.has(arg)) {
      // Accepted silently, as gcc would: see the help text.
    } else throw new CommandLineError(`unrecognized command-line option '${arg}'`)
  }
  return {
    sources,
    output,
    assemblyOnly,
    notes,
    options: { pie, stackProtector, execStack, noStdlib, suppressWarnings, debugInfo, builtins, freestanding, includeDirs, defines, undefines },
  }
}

/** The build command in `args`; or, when they ask for help or are wrong, the exit status after
 *  printing the usage or the error. */
export function commandOrStatus(args: readonly string[], tool: 'cc' | 'as', usage: string, io: Pick<CliIo, 'out' | 'err'>): BuildCommand | number {
  let command: BuildCommand | 'help'
  try {
    command = parseBuildArgs(args, tool)
  } catch (error) {
    if (!(error instanceof CommandLineError)) throw error
    io.err(`memscape ${tool}: error: ${error.message}\n`)
    return FAILURE
  }
  if (command !== 'help') return command
  io.out(usage)
  return 0
}

/**
 * A file map that reads the user's files from disk when the compiler looks them up (paths
 * relative to `cwd`, as given on the command line). The bundled libc owns /usr/include and its
 * source folder: those never come from this machine's disk.
 */
export function diskFiles(cwd = process.cwd()): Readonly<Record<string, string>> {
  const read = new Map<string, string | undefined>()
  const lookup = (path: string): string | undefined => {
    if (path.startsWith(`${LIBC_INCLUDE_DIR}/`) || path.startsWith(`${LIBC_SOURCE_DIR}/`)) return undefined
    if (!read.has(path)) {
      let text: string | undefined
      try {
        const full = resolve(cwd, path)
        if (statSync(full).isFile()) text = readFileSync(full, 'utf8')
      } catch {
        text = undefined
      }
      read.set(path, text)
    }
    return read.get(path)
  }
  return new Proxy({} as Record<string, string>, {
    get: (_target, key) => (typeof key === 'string' ? lookup(key) : undefined),
    has: (_target, key) => typeof key === 'string' && lookup(key) !== undefined,
  })
}

/**
 * The compiled libc: in memory for this process, and on disk next to other Memscape caches,
 * because compiling it takes seconds (3 s here) while reading it back takes milliseconds.
 *
 * The disk entry's name is a hash of everything the build depends on: the libc's sources and
 * headers, the Memscape version and the code of the toolchain itself (the bundle's JavaScript
 * files). Running from TypeScript sources (tests, development) there is no bundle to hash, so
 * only the memory cache is used. Any problem with the disk cache falls back to building.
 */
const libcInMemory = new Map<boolean, LibcBuild>()

export function cachedLibc(pie: boolean): LibcBuild {
  const known = libcInMemory.get(pie)
  if (known !== undefined) return known
  const file = libcCacheFile(pie)
  let build = file === undefined ? undefined : readCachedLibc(file)
  if (build === undefined) {
    build = buildLibc({ pie })
    if (file !== undefined && build.errors.length === 0) writeCachedLibc(file, build)
  }
  libcInMemory.set(pie, build)
  return build
}

function cacheDirectory(): string {
  const explicit = process.env.MEMSCAPE_CACHE_DIR
  if (explicit) return explicit
  const xdg = process.env.XDG_CACHE_HOME
  return join(xdg ? xdg : join(homedir(), '.cache'), 'memscape')
}

let bundleFingerprint: string | null | undefined

/** Hash of the bundled CLI's JavaScript (the folder of cli.js and its chunks), or null when running from sources. */
function codeFingerprint(): string | null {
  if (bundleFingerprint !== undefined) return bundleFingerprint
  const here = fileURLToPath(import.meta.url)
  if (!here.endsWith('.js')) return (bundleFingerprint = null)
  const root = basename(dirname(here)) === 'chunks' ? dirname(dirname(here)) : dirname(here)
  const hash = createHash('sha256')
  for (const folder of [root, join(root, 'chunks')]) {
    let names: string[]
    try {
      names = readdirSync(folder).filter((name) => name.endsWith('.js')).sort()
    } catch {
      continue
    }
    for (const name of names) hash.update(name).update(readFileSync(join(folder, name)))
  }
  return (bundleFingerprint = hash.digest('hex'))
}

function libcCacheFile(pie: boolean): string | undefined {
  const code = codeFingerprint()
  if (code === null) return undefined
  const hash = createHash('sha256').update(VERSION).update(code)
  for (const [name, text] of [...Object.entries(LIBC_HEADERS), ...Object.entries(LIBC_SOURCES)]) hash.update(name).update('\0').update(text).update('\0')
  return join(cacheDirectory(), `libc-${pie ? 'pie' : 'nopie'}-${hash.digest('hex').slice(0, 24)}.v8`)
}

function readCachedLibc(file: string): LibcBuild | undefined {
  try {
    const value: unknown = deserialize(readFileSync(file))
    if (typeof value !== 'object' || value === null) return undefined
    const { objects, errors } = value as { objects?: unknown; errors?: unknown }
    if (!Array.isArray(objects) || !Array.isArray(errors) || errors.length > 0 || objects.length === 0) return undefined
    return value as LibcBuild
  } catch {
    return undefined
  }
}

function writeCachedLibc(file: string, build: LibcBuild): void {
  try {
    mkdirSync(dirname(file), { recursive: true })
    // Written under a temporary name and renamed, so a concurrent reader never sees half a file.
    const temporary = `${file}.${process.pid}.tmp`
    writeFileSync(temporary, serialize(build))
    renameSync(temporary, file)
  } catch {
    // A read-only or full disk only costs the next run the build time.
  }
}

/** Builds from files on disk with the libc cache. `cwd` is also the compilation directory the
 *  debug information records, as gcc records its working directory. */
export function buildFromDisk(sources: readonly string[], options: DriverOptions, cwd = process.cwd()): DriverResult {
  return buildProgram(diskFiles(cwd), sources, { ...options, compilationDirectory: resolve(cwd), libc: cachedLibc })
}

/** Writes an executable with mode 755 (also when the file already existed with another mode). */
export function writeExecutable(path: string, bytes: Uint8Array): void {
  writeFileSync(path, bytes, { mode: 0o755 })
  chmodSync(path, 0o755)
}

/** Checks the inputs exist before building, with gcc's wording, so a typo is one clear line. */
function missingInputs(sources: readonly string[], cwd: string): string[] {
  return sources.filter((source) => {
    try {
      return !statSync(resolve(cwd, source)).isFile()
    } catch {
      return true
    }
  })
}

/**
 * Runs a parsed build: prints diagnostics on `io.err`, writes the output. Shared by `cc` and `as`.
 * Returns the exit status.
 */
export function runBuild(command: BuildCommand, io: Pick<CliIo, 'err'>, name: string, cwd = process.cwd()): number {
  for (const note of command.notes) io.err(`memscape ${name}: warning: ${note}\n`)
  if (command.sources.length === 0) {
    io.err(`memscape ${name}: fatal error: no input files\ncompilation terminated.\n`)
    return FAILURE
  }
  const missing = missingInputs(command.sources, cwd)
  if (missing.length > 0) {
    for (const file of missing) io.err(`memscape ${name}: error: ${file}: No such file or directory\n`)
    return FAILURE
  }
  const unknown = command.sources.filter((source) => sourceKind(source) === undefined)
  if (unknown.length > 0) {
    for (const file of unknown) io.err(`memscape ${name}: error: ${file}: file format not recognized (Memscape builds .c, .s and .asm files)\n`)
    return FAILURE
  }
  const clobbered = command.sources.find((source) => resolve(cwd, source) === resolve(cwd, command.output ?? (command.assemblyOnly ? '' : 'a.out')))
  if (clobbered !== undefined) {
    io.err(`memscape ${name}: fatal error: input file '${clobbered}' is the same as output file\ncompilation terminated.\n`)
    return FAILURE
  }
  if (command.assemblyOnly) return writeAssembly(command, io, cwd)

  const result = buildFromDisk(command.sources, command.options, cwd)
  io.err(result.diagnostics)
  if (result.executable === undefined) {
    if ((result.link?.errors.length ?? 0) > 0) io.err(`memscape ${name}: error: ld returned 1 exit status\n`)
    return FAILURE
  }
  const output = resolve(cwd, command.output ?? 'a.out')
  try {
    writeExecutable(output, result.executable)
  } catch (error) {
    // ld's wording, with the C library's text for the error (strerror).
    const code = (error as NodeJS.ErrnoException).code ?? ''
    const reason = ERRNO_TEXT[code] ?? (error as Error).message
    io.err(`memscape ${name}: error: cannot open output file ${command.output ?? 'a.out'}: ${reason}\n`)
    return FAILURE
  }
  return 0
}

const ERRNO_TEXT: Readonly<Record<string, string>> = {
  ENOENT: 'No such file or directory',
  EISDIR: 'Is a directory',
  EACCES: 'Permission denied',
  ENOTDIR: 'Not a directory',
  EROFS: 'Read-only file system',
  ENOSPC: 'No space left on device',
  ETXTBSY: 'Text file busy',
}

/** -S: the generated assembly of each C file, as gcc -S -masm=intel writes FILE.s. */
function writeAssembly(command: BuildCommand, io: Pick<CliIo, 'err'>, cwd: string): number {
  const cSources = command.sources.filter((source) => sourceKind(source) === 'c')
  if (command.output !== undefined && cSources.length > 1) {
    io.err('memscape cc: fatal error: cannot specify \'-o\' with \'-S\' with multiple files\ncompilation terminated.\n')
    return FAILURE
  }
  const result = buildProgram(diskFiles(cwd), cSources, { ...command.options, link: false })
  io.err(result.diagnostics)
  if (result.errorCount > 0) return FAILURE
  for (const unit of result.units) {
    const target = command.output ?? basename(unit.source).replace(/\.c$/, '.s')
    writeFileSync(resolve(cwd, target), unit.assembly)
  }
  return 0
}

/**
 * For `memscape run FILE.c|FILE.s`: builds the source in memory with `memscape cc`'s defaults
 * (or the gcc options in `ccArgs`) and returns the executable, or the exit status after
 * printing why it could not be built.
 *
 * Unlike `memscape cc`, debug information is on by default (`--cc -g0` turns it off): a program
 * run from its source is one the learner will want to see labelled (functions, lines, variables),
 * and the sections are not loaded, so the run itself is the same.
 */
export function buildForRun(source: string, ccArgs: readonly string[], err: (text: string) => void, cwd = process.cwd()): Uint8Array | number {
  let command: BuildCommand | 'help'
  try {
    command = parseBuildArgs(['-g', ...ccArgs, source], 'cc')
  } catch (error) {
    if (!(error instanceof CommandLineError)) throw error
    err(`memscape run: error: ${error.message}\n`)
    return FAILURE
  }
  if (command === 'help' || command.sources.length !== 1 || command.output !== undefined || command.assemblyOnly) {
    err('memscape run: error: --cc takes compiler options only (no files, -o, -S or --help)\n')
    return FAILURE
  }
  for (const note of command.notes) err(`memscape run: warning: ${note}\n`)
  const result = buildFromDisk(command.sources, command.options, cwd)
  err(result.diagnostics)
  if (result.executable === undefined) {
    if ((result.link?.errors.length ?? 0) > 0) err('memscape run: error: ld returned 1 exit status\n')
    return FAILURE
  }
  return result.executable
}

export const ccSubcommand: Subcommand = {
  name: 'cc',
  summary: 'compile C (and assembly) files into an executable, as gcc does',
  usage: 'FILE.c... [-o OUT] [gcc options]',
  async run(args, io) {
    const command = commandOrStatus(args, 'cc', CC_USAGE, io)
    return typeof command === 'number' ? command : runBuild(command, io, 'cc')
  },
}
