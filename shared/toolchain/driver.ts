/**
 * The toolchain driver: what `gcc` is to cc1, as and ld. It turns a program's sources — C files
 * and NASM-flavoured assembly files — into one static x86-64 ELF executable, or into diagnostics
 * printed the way gcc prints them.
 *
 *   C file   → compileFunctions() (front end, IR) → AssemblyWriter (back end) → assemble() ─┐
 *   .s/.asm  → assemble() ────────────────────────────────────────────────────────────────────┤→ link()
 *   libc     → buildLibc() (once per -pie/-no-pie, cached; or handed in by the caller) ───────┘
 *
 * The front end hands each function's IR to the back end as soon as it is lowered, so a unit's
 * tokens, syntax trees and IR are never all alive at once.
 *
 * Every compilation unit is processed even when an earlier one failed, so one run reports the
 * errors of all files (as gcc does); linking happens only when there were none.
 *
 * With `debugInfo` (-g) each C unit is described in DWARF 5 (shared/debuginfo) once the linker
 * has placed it, and the linker appends the .debug_* sections to the executable, as gcc -g does;
 * each assembly unit gets a line row per source line of its code, as `gcc -g prog.s` (gas -g).
 *
 * Nothing here touches a filesystem: `files` maps paths to text (the CLI hands in a map that reads
 * the disk on demand; the app hands in its editor buffers). The libc headers are added to it.
 */
import { DwarfError, unitFromAssembly, unitFromBuild, writeDwarf, type UnitInput } from '../debuginfo'
import { VERSION } from '../version'
import { assemble, type AssembleOptions } from './asm/assembler'
import type { Diagnostic as AssemblerDiagnostic, ObjectFile } from './asm/object'
import { compileFunctions, type StackProtector } from './c/compile'
import { formatDiagnostic, formatDiagnostics } from './c/diagnostics'
import { buildLibc, LIBC_INCLUDE_DIR, libcFiles, type LibcBuild } from './libc'
import type { IrFunction, IrModule } from './ir/types'
import { link, type LinkResult, type NonLoadedSection, type PlacedProgram } from './link/linker'
import { AssemblyWriter, CodegenError } from './x86/codegen'
import type { FrameLayout } from './x86/frame'

export type { StackProtector }

export interface DriverOptions {
  /** -pie (static PIE, ET_DYN) or -no-pie (ET_EXEC at 0x400000). Debian's gcc 12 defaults to PIE. */
  readonly pie?: boolean
  /** -fstack-protector* / -fno-stack-protector. Debian's gcc 12 enables none by default
   *  (`gcc -Q --help=common` lists every -fstack-protector* as [disabled]). */
  readonly stackProtector?: StackProtector
  /** -z execstack: PT_GNU_STACK becomes RWX. */
  readonly execStack?: boolean
  /** -I DIR, searched for #include "..." after the including file's directory. */
  readonly includeDirs?: readonly string[]
  /** -D NAME[=VALUE] (VALUE "1" when absent, as gcc). */
  readonly defines?: Readonly<Record<string, string>>
  /** -U NAME */
  readonly undefines?: readonly string[]
  /** -g: DWARF 5 debug information for the C units (line table, functions, parameters, locals,
   *  globals, types, lexical blocks) and the assembly units (line table) in .debug_* sections of
   *  the executable. Off by default, as in gcc. */
  readonly debugInfo?: boolean
  /** The directory the sources are relative to, recorded as DW_AT_comp_dir (gcc records its
   *  working directory). Defaults to ".". */
  readonly compilationDirectory?: string
  /** false for -fno-builtin: the front end keeps printf/fprintf/fputs calls as written instead of
   *  turning `printf("hi\n")` into `puts("hi")` as gcc does even at -O0. Defaults to true. */
  readonly builtins?: boolean
  /** -ffreestanding: no hosted environment is assumed, so no builtins (as -fno-builtin) and
   *  __STDC_HOSTED__ is 0 (a -D of it still wins, as with gcc). */
  readonly freestanding?: boolean
  /** -w: drop warnings from the report. */
  readonly suppressWarnings?: boolean
  /** -nostdlib: link only the given files, without the libc and its start-up code. */
  readonly noStdlib?: boolean
  /** false: stop after assembling each unit (gcc -S / -c); no executable. */
  readonly link?: boolean
  /** The libc objects for a mode. Defaults to `buildLibc` (compiled in this process, cached per
   *  mode); the CLI passes a function that reads them from its disk cache first. */
  readonly libc?: (pie: boolean) => LibcBuild
}

/** One compiled or assembled input. */
export interface DriverUnit {
  readonly source: string
  readonly kind: 'c' | 'assembly'
  /** The assembly the code generator produced (what `gcc -S -masm=intel` shows); for an
   *  assembly input, its own text. Empty when compiling failed. */
  readonly assembly: string
  /** Frame layouts of the unit's functions (C inputs only). */
  readonly frames: readonly FrameLayout[]
  readonly object?: ObjectFile
}

/** Milliseconds spent in each stage (summed over units). */
export interface DriverTimings {
  frontEnd: number
  backEnd: number
  assembler: number
  libc: number
  link: number
}

export interface DriverResult {
  /** The ELF executable; absent when any stage reported an error. */
  readonly executable?: Uint8Array
  /** Everything to show the user, errors and warnings, formatted like gcc (ends with a newline when not empty). */
  readonly diagnostics: string
  readonly errorCount: number
  readonly units: readonly DriverUnit[]
  /** Symbols, sections and the line table of the executable. */
  readonly link?: LinkResult
  readonly timings: DriverTimings
}

/** How a source file is handled, by its name (as gcc decides by suffix). */
export function sourceKind(path: string): 'c' | 'assembly' | undefined {
  if (/\.c$/.test(path)) return 'c'
  if (/\.(s|asm)$/.test(path)) return 'assembly'
  return undefined
}

export const ENTRY_SYMBOL = '_start'

/** Whether an object defines the entry point itself (then it is linked without the libc start-up code). */
export function definesEntry(object: ObjectFile): boolean {
  return object.symbols.some((symbol) => symbol.name === ENTRY_SYMBOL && symbol.binding === 'global' && symbol.section !== undefined)
}

/**
 * Builds an executable from `sources` (paths in `files`, in command-line order).
 *
 * The libc (with its `_start`) is linked unless `noStdlib` is set or an input defines `_start`
 * itself — a hand-written program with its own entry point links alone, like `ld prog.o`.
 */
export function buildProgram(files: Readonly<Record<string, string>>, sources: readonly string[], options: DriverOptions = {}): DriverResult {
  const pie = options.pie ?? true
  const stackProtector = options.stackProtector ?? 'none'
  const timings: DriverTimings = { frontEnd: 0, backEnd: 0, assembler: 0, libc: 0, link: 0 }
  const messages: string[] = []
  let errorCount = 0
  const units: DriverUnit[] = []
  /** The C units' IR and frame layouts, which -g describes once the linker has placed them. */
  const described: { module: IrModule; frames: readonly FrameLayout[] }[] = []
  /** The assembly sources, which -g describes as GNU as -g does (line rows, code range). */
  const describedAssembly: string[] = []
  // The user's files take precedence over nothing: the bundled headers live under /usr/include,
  // which is only searched for <...> and absolute paths.
  const fileMap = withLibcHeaders(files)

  const timed = <T>(stage: keyof DriverTimings, work: () => T): T => {
    const start = performance.now()
    try {
      return work()
    } finally {
      timings[stage] += performance.now() - start
    }
  }

  const assembleUnit = (text: string, name: string, assemblerOptions: AssembleOptions = {}): { object?: ObjectFile } => {
    const assembled = timed('assembler', () => assemble(text, name, assemblerOptions))
    const shown = assembled.diagnostics.filter((d) => d.severity === 'error' || !options.suppressWarnings)
    for (const diagnostic of shown) messages.push(quoteAssemblerDiagnostic(diagnostic, text))
    errorCount += assembled.diagnostics.filter((d) => d.severity === 'error').length
    return assembled.object === undefined ? {} : { object: assembled.object }
  }

  for (const source of sources) {
    const kind = sourceKind(source)
    const text = fileMap[source]
    if (kind === undefined || text === undefined) {
      messages.push(kind === undefined ? `${source}: error: file format not recognized (expected .c, .s or .asm)\n` : `${source}: error: No such file or directory\n`)
      errorCount++
      continue
    }
    if (kind === 'assembly') {
      units.push({ source, kind, assembly: text, frames: [], ...assembleUnit(text, source, { sourceLineRows: options.debugInfo === true }) })
      if (options.debugInfo === true) describedAssembly.push(source)
      continue
    }
    const writer = new AssemblyWriter({ pie, stackProtector })
    const debugFunctions: IrFunction[] = []
    let codegenError: CodegenError | undefined
    const backEndBefore = timings.backEnd
    const compiled = timed('frontEnd', () =>
      compileFunctions(
        fileMap,
        source,
        {
          pie,
          stackProtector,
          systemIncludeDirs: [LIBC_INCLUDE_DIR],
          ...(options.includeDirs === undefined ? {} : { includeDirs: options.includeDirs }),
          builtins: (options.builtins ?? true) && !options.freestanding,
          ...(options.freestanding ? { defines: { __STDC_HOSTED__: '0', ...options.defines } } : options.defines === undefined ? {} : { defines: options.defines }),
          ...(options.undefines === undefined ? {} : { undefines: options.undefines }),
        },
        (fn) => {
          if (codegenError !== undefined) return
          if (options.debugInfo === true) debugFunctions.push(fn)
          try {
            timed('backEnd', () => writer.addFunction(fn))
          } catch (error) {
            if (!(error instanceof CodegenError)) throw error
            codegenError = error
          }
        },
      ),
    )
    // The back end ran inside the front end's call (a function at a time): count it once.
    timings.frontEnd -= timings.backEnd - backEndBefore
    const shown = options.suppressWarnings ? compiled.diagnostics.filter((d) => d.severity !== 'warning') : compiled.diagnostics
    const report = options.suppressWarnings ? formatDiagnostics(shown, fileMap) : compiled.text
    if (report !== '') messages.push(report)
    errorCount += compiled.errorCount
    const unit = compiled.data
    if (unit !== undefined && codegenError !== undefined) {
      messages.push(`${source}: error: ${codegenError.message}\n`)
      errorCount++
    }
    if (unit === undefined || codegenError !== undefined) {
      units.push({ source, kind, assembly: '', frames: [] })
      continue
    }
    const generated = timed('backEnd', () => writer.finish(unit))
    const assemblyName = source.replace(/\.c$/, '.s')
    units.push({ source, kind, assembly: generated.assembly, frames: generated.frames, ...assembleUnit(generated.assembly, assemblyName) })
    if (options.debugInfo === true) described.push({ module: { ...unit, functions: debugFunctions }, frames: generated.frames })
  }

  if (sources.length === 0) {
    messages.push('error: no input files\n')
    errorCount++
  }
  const objects = units.flatMap((unit) => (unit.object === undefined ? [] : [unit.object]))
  if (errorCount > 0 || options.link === false) return { diagnostics: messages.join(''), errorCount, units, timings }

  const standalone = options.noStdlib === true || objects.some(definesEntry)
  let libraries: readonly ObjectFile[] = []
  if (!standalone) {
    const libc = timed('libc', () => (options.libc ?? ((mode: boolean) => buildLibc({ pie: mode })))(pie))
    if (libc.errors.length > 0) {
      messages.push(`error: the bundled libc does not build:\n${libc.errors.join('\n')}\n`)
      return { diagnostics: messages.join(''), errorCount: errorCount + 1, units, timings }
    }
    libraries = libc.objects
  }
  // The libc goes first, as in the libc's own tests: start-up code at the start of .text.
  const debugSections = (program: PlacedProgram): readonly NonLoadedSection[] => {
    const compDir = options.compilationDirectory ?? '.'
    const producer = debugProducer(pie, stackProtector)
    const dwarfUnits: UnitInput[] = described.map(({ module, frames }) => unitFromBuild(module, frames, program, { compDir, producer }))
    for (const source of describedAssembly) {
      const unit = unitFromAssembly(source, program, { compDir, producer: `Memscape AS ${VERSION}` })
      if (unit !== undefined) dwarfUnits.push(unit)
    }
    return Object.entries(writeDwarf(dwarfUnits)).map(([name, bytes]) => ({ name, bytes }))
  }
  let linked: LinkResult
  try {
    linked = timed('link', () =>
      link([...libraries, ...objects], {
        pie,
        ...(options.execStack === undefined ? {} : { execStack: options.execStack }),
        ...(options.debugInfo === true && described.length + describedAssembly.length > 0 ? { debugSections } : {}),
      }),
    )
  } catch (error) {
    // Our own back end's output not describable is a Memscape bug; report it, do not crash.
    if (!(error instanceof DwarfError)) throw error
    messages.push(`error: cannot write debug information (-g): ${error.message}\n`)
    return { diagnostics: messages.join(''), errorCount: errorCount + 1, units, timings }
  }
  // Named like GNU ld's messages (`/usr/bin/ld: ...`), so the learner sees which stage complained.
  if (!options.suppressWarnings) for (const warning of linked.warnings) messages.push(`ld: ${warning}\n`)
  for (const error of linked.errors) messages.push(`ld: ${error}\n`)
  errorCount += linked.errors.length
  return {
    ...(linked.bytes === undefined || linked.errors.length > 0 ? {} : { executable: linked.bytes }),
    diagnostics: messages.join(''),
    errorCount,
    units,
    link: linked,
    timings,
  }
}

/** DW_AT_producer: the compiler and the options that shaped the code, in the spirit of gcc's
 *  "GNU C17 12.2.0 -mtune=generic -march=x86-64 -g -O0 -fstack-protector-all". */
function debugProducer(pie: boolean, stackProtector: StackProtector): string {
  const protector = { none: [], default: ['-fstack-protector'], strong: ['-fstack-protector-strong'], all: ['-fstack-protector-all'] }[stackProtector]
  return ['Memscape C', VERSION, '-g', '-O0', ...protector, pie ? '-fPIE' : '-fno-PIE'].join(' ')
}

/** An assembler message shown like the C compiler's: location, message, the line and a caret. */
function quoteAssemblerDiagnostic(diagnostic: AssemblerDiagnostic, text: string): string {
  const location = { file: diagnostic.file, line: diagnostic.line, column: diagnostic.column }
  return formatDiagnostic({ severity: diagnostic.severity, message: diagnostic.message, location, length: 1 }, { [diagnostic.file]: text })
}

/** The caller's files with the bundled libc headers added (a Proxy-backed map keeps its laziness). */
function withLibcHeaders(files: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
  const libc = libcFiles()
  return new Proxy(files, {
    get: (target, key) => (typeof key === 'string' && Object.hasOwn(libc, key) ? libc[key] : Reflect.get(target, key)),
    has: (target, key) => (typeof key === 'string' && Object.hasOwn(libc, key)) || Reflect.has(target, key),
  })
}
