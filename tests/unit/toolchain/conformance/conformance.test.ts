/**
 * The conformance corpus (issue 4, "Tests"): every C program in tests/fixtures/conformance is
 * built by gcc -O0 against glibc and by Memscape's toolchain against Memscape's libc. Memscape's
 * executable is run natively and in Memscape's machine; both runs must print exactly what gcc's
 * build prints (stdout, stderr) and end the same way (exit status or signal).
 *
 * A program is one top-level `.c` file. Optional beside it:
 *   NAME.stdin        the program's standard input (otherwise empty)
 *   header files      for `#include "..."`
 *   units/*.c         further translation units, named by a directive
 * Directives are comment lines in the program:
 *   // conformance: args WORD...     command-line arguments
 *   // conformance: merge-stderr     stderr goes into stdout's pipe (2>&1), to compare interleaving
 *   // conformance: units FILE...    more translation units (paths relative to the corpus folder)
 */
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { buildProgram, type StackProtector } from '../../../../shared/toolchain/driver'
import { buildWithGlibcInBackground, freshPath, protectorFlag, run, runInMachine, type RunOptions, type RunResult } from '../libc/harness'

const CORPUS = join(import.meta.dirname, '../../../fixtures/conformance')

/**
 * Programs that Memscape's compiler gets wrong today, each with the bug it shows (reported to the
 * compiler's owner with a minimal repro). Their tests are expected to fail, and start failing (a
 * reminder to take them off this list) once the bug is fixed.
 */
const KNOWN_COMPILER_BUGS: Readonly<Record<string, string>> = {}

/** Ways to build, taken in turn by the programs in corpus order, so every mode the compiler
 *  offers meets a quarter of the corpus. gcc's build gets the same -fstack-protector* option. */
const BUILD_MODES: readonly BuildMode[] = [
  { pie: true, stackProtector: 'none' },
  { pie: false, stackProtector: 'strong' },
  { pie: true, stackProtector: 'all' },
  { pie: false, stackProtector: 'default' },
]

interface BuildMode {
  readonly pie: boolean
  readonly stackProtector: StackProtector
}

interface Program {
  readonly name: string
  readonly path: string
  readonly extraSources: readonly string[]
  readonly run: RunOptions
  readonly mode: BuildMode
}

function directive(source: string, name: string): string[] | undefined {
  const match = new RegExp(`^// conformance: ${name}\\b(.*)$`, 'm').exec(source)
  return match === null ? undefined : (match[1] ?? '').trim().split(/\s+/).filter((word) => word !== '')
}

function loadProgram(name: string, index: number): Program {
  const path = join(CORPUS, name)
  const source = readFileSync(path, 'utf8')
  const stdinPath = path.replace(/\.c$/, '.stdin')
  const args = directive(source, 'args')
  return {
    name,
    path,
    extraSources: (directive(source, 'units') ?? []).map((unit) => join(CORPUS, unit)),
    mode: BUILD_MODES[index % BUILD_MODES.length] as BuildMode,
    run: {
      ...(args === undefined ? {} : { args }),
      ...(existsSync(stdinPath) ? { input: readFileSync(stdinPath, 'latin1') } : {}),
      ...(directive(source, 'merge-stderr') === undefined ? {} : { mergeStderr: true }),
    },
  }
}

/** Every file of the corpus by absolute path, the paths gcc sees too (so `__FILE__` agrees). */
function corpusFiles(dir: string, files: Record<string, string> = {}): Record<string, string> {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry)
    if (statSync(path).isDirectory()) corpusFiles(path, files)
    else if (/\.[ch]$/.test(entry)) files[path] = readFileSync(path, 'utf8')
  }
  return files
}

const files = corpusFiles(CORPUS)

/** Memscape's driver, as `memscape cc` runs it, in the program's build mode. */
function buildWithMemscapeDriver(program: Program): string {
  const built = buildProgram(files, [program.path, ...program.extraSources], program.mode)
  if (built.executable === undefined) throw new Error(`Memscape could not build ${program.name}:\n${built.diagnostics}`)
  const out = freshPath(basename(program.name, '.c'))
  writeFileSync(out, built.executable)
  chmodSync(out, 0o755)
  return out
}

const programs = readdirSync(CORPUS)
  .filter((entry) => entry.endsWith('.c'))
  .sort()
  .map(loadProgram)

/** gcc builds run in the background, at most two at a time, while this process builds and runs
 *  Memscape's executables: the program a test asks for first, then the ones after it in corpus
 *  order (the order the tests run in). */
const GCC_JOBS = 2
const gccBuilds = new Map<string, Promise<string>>()
let gccBuildsRunning = 0

function startGccBuild(program: Program): Promise<string> {
  gccBuildsRunning++
  const build = buildWithGlibcInBackground(program.path, { extraSources: program.extraSources, stackProtector: program.mode.stackProtector })
  gccBuilds.set(program.name, build)
  const settled = (): void => {
    gccBuildsRunning--
  }
  build.then(settled, settled)
  return build
}

function gccExecutable(program: Program): Promise<string> {
  const build = gccBuilds.get(program.name) ?? startGccBuild(program)
  for (const next of programs.slice(programs.indexOf(program) + 1)) {
    if (gccBuildsRunning >= GCC_JOBS) break
    if (!gccBuilds.has(next.name)) startGccBuild(next)
  }
  return build
}

it('the corpus has at least 150 programs, and every known bug names one of them', () => {
  expect(programs.length).toBeGreaterThanOrEqual(150)
  for (const name of Object.keys(KNOWN_COMPILER_BUGS)) expect(programs.map((program) => program.name)).toContain(name)
})

for (const program of programs) {
  describe(`${program.name} (${program.mode.pie ? '-pie' : '-no-pie'}, ${protectorFlag(program.mode.stackProtector)})`, () => {
    const knownBug = KNOWN_COMPILER_BUGS[program.name]
    const test = knownBug === undefined ? it : it.fails
    const suffix = knownBug === undefined ? '' : ` (known compiler bug: ${knownBug})`
    let expected: RunResult | undefined
    let ours: string | undefined
    const gccResult = async (): Promise<RunResult> => {
      expected ??= run(await gccExecutable(program), program.run)
      return expected
    }
    const ourProgram = (): string => {
      ours ??= buildWithMemscapeDriver(program)
      return ours
    }

    test(`Memscape's build run natively prints what gcc's prints${suffix}`, async () => {
      const executable = ourProgram()
      const reference = await gccResult()
      expect(reference.stdout, 'the gcc build printed nothing').not.toBe('')
      expect(run(executable, program.run)).toEqual(reference)
    })

    test(`Memscape's build run in the machine prints what gcc's prints${suffix}`, async () => {
      const executable = ourProgram()
      expect(runInMachine(executable, program.run)).toEqual(await gccResult())
    })
  })
}
