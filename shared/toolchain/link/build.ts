/**
 * The back end in one call, for the CLI and the app: IR (or assembly text) → executable.
 * The assembly text the code generator produced is returned too, because it is what the
 * learner looks at.
 */
import { unitFromBuild, writeDwarf, type BuildDebugOptions } from '../../debuginfo'
import { assemble } from '../asm/assembler'
import { formatDiagnostic, type ObjectFile } from '../asm/object'
import type { IrModule } from '../ir/types'
import { CodegenError, generateAssembly, type CodegenOptions } from '../x86/codegen'
import type { FrameLayout } from '../x86/frame'
import { link, type LinkOptions, type LinkResult } from './linker'

export interface BuildOptions extends CodegenOptions {
  /** -z execstack */
  readonly execStack?: boolean
  /** Entry symbol (default `_start`, which the libc's start code defines). */
  readonly entry?: string
  /** -g: describe the module in DWARF 5 sections of the executable (compilation directory and
   *  producer as DW_AT_comp_dir / DW_AT_producer). Ignored by `buildFromAssembly`. A module
   *  the debug writer cannot describe throws a `DwarfError`. */
  readonly debugInfo?: BuildDebugOptions
}

export interface BuildResult {
  /** The ELF executable; absent when there were errors. */
  readonly executable?: Uint8Array
  /** The generated assembly (empty when building from assembly source). */
  readonly assembly: string
  /** Frame layouts of the compiled functions (rbp offsets of every local and parameter). */
  readonly frames: readonly FrameLayout[]
  /** `file:line:col: error: ...` messages from code generation, assembly and linking. */
  readonly errors: readonly string[]
  readonly warnings: readonly string[]
  /** Symbols, sections and the line table of the executable (empty when it failed). */
  readonly link?: LinkResult
}

/** Compile an IR module and link it with `libraries` (objects such as the libc and its start code). */
export function buildFromIr(module: IrModule, options: BuildOptions, libraries: readonly ObjectFile[] = []): BuildResult {
  let generated
  try {
    generated = generateAssembly(module, options)
  } catch (error) {
    if (error instanceof CodegenError) return { assembly: '', frames: [], errors: [`${module.sourceFile}: error: ${error.message}`], warnings: [] }
    throw error
  }
  const assemblyName = module.sourceFile.replace(/\.[^./]*$/, '') + '.s'
  const { frames } = generated
  const debugInfo = options.debugInfo
  const debugSections: LinkOptions['debugSections'] =
    debugInfo === undefined ? undefined : (placed) => Object.entries(writeDwarf([unitFromBuild(module, frames, placed, debugInfo)])).map(([name, bytes]) => ({ name, bytes }))
  const result = linkAssembly(generated.assembly, assemblyName, options, libraries, debugSections)
  return { ...result, assembly: generated.assembly, frames }
}

/** Assemble a source file and link it with `libraries`. */
export function buildFromAssembly(source: string, fileName: string, options: BuildOptions, libraries: readonly ObjectFile[] = []): BuildResult {
  return linkAssembly(source, fileName, options, libraries, undefined)
}

function linkAssembly(source: string, fileName: string, options: BuildOptions, libraries: readonly ObjectFile[], debugSections: LinkOptions['debugSections']): BuildResult {
  const assembled = assemble(source, fileName)
  const diagnostics = assembled.diagnostics.map(formatDiagnostic)
  if (assembled.object === undefined) {
    return { assembly: '', frames: [], errors: diagnostics.filter((d) => d.includes(': error: ')), warnings: diagnostics.filter((d) => !d.includes(': error: ')) }
  }
  const linked = link([assembled.object, ...libraries], {
    pie: options.pie,
    ...(options.execStack === undefined ? {} : { execStack: options.execStack }),
    ...(options.entry === undefined ? {} : { entry: options.entry }),
    ...(debugSections === undefined ? {} : { debugSections }),
  })
  return {
    ...(linked.bytes === undefined ? {} : { executable: linked.bytes }),
    assembly: '',
    frames: [],
    errors: linked.errors,
    warnings: [...diagnostics, ...linked.warnings],
    link: linked,
  }
}
