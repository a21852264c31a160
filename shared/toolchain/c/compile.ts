/**
 * The C front end's entry point: preprocess, parse and check, lower to the shared IR.
 */
import type { IrFunction, IrModule, IrModuleData } from '../ir/types'
import { DiagnosticSink, formatDiagnostics, type Diagnostic } from './diagnostics'
import { Lowerer } from './lower'
import { Parser } from './parser'
import { FatalPreprocessError, Preprocessor, type PreprocessOptions } from './preprocess'

export type StackProtector = 'none' | 'default' | 'strong' | 'all'

export interface CompileOptions extends PreprocessOptions {
  /** -fstack-protector* level: only sets the __SSP*__ macros here (the back end places the canary). */
  readonly stackProtector?: StackProtector
  /** -fPIE (default, as Debian's gcc) or -fno-PIE: sets __pie__/__PIE__/__pic__/__PIC__. Note that
   *  gcc's link-time `-no-pie` alone keeps compiling PIE code, so it leaves these macros defined. */
  readonly pie?: boolean
  /** Stop after this many errors (gcc's -fmax-errors; 0 = unlimited). */
  readonly maxErrors?: number
  /** false for -fno-builtin/-ffreestanding: calls to printf, fprintf and fputs are not turned
   *  into puts, putchar, fputc and fwrite as gcc does even at -O0. */
  readonly builtins?: boolean
}

export interface CompileResult {
  /** The lowered module; undefined when there were errors. */
  readonly ir: IrModule | undefined
  readonly diagnostics: readonly Diagnostic[]
  /** The diagnostics rendered like gcc (message, quoted line, caret). */
  readonly text: string
  readonly errorCount: number
}

/** `compileFunctions`' result: the module's data, its functions having gone to the caller. */
export interface UnitResult extends Omit<CompileResult, 'ir'> {
  /** undefined when there were errors (functions handed on before the first error stay valid). */
  readonly data: IrModuleData | undefined
}

/** Macros gcc defines for the code-generation options (checked with `gcc -dM -E`). */
export function optionMacros(options: CompileOptions): Record<string, string> {
  const macros: Record<string, string> = {}
  if (options.pie ?? true) {
    macros.__pie__ = '2'
    macros.__PIE__ = '2'
    macros.__pic__ = '2'
    macros.__PIC__ = '2'
  }
  switch (options.stackProtector ?? 'none') {
    case 'default':
      macros.__SSP__ = '1'
      break
    case 'strong':
      macros.__SSP_STRONG__ = '3'
      break
    case 'all':
      macros.__SSP_ALL__ = '2'
      break
    case 'none':
      break
  }
  return macros
}

/**
 * Compiles `mainFile` (looked up in `files`, like every #include) to IR. Never throws on bad
 * input: problems come back as diagnostics.
 */
export function compile(files: Readonly<Record<string, string>>, mainFile: string, options: CompileOptions = {}): CompileResult {
  const functions: IrFunction[] = []
  const { data, ...result } = compileFunctions(files, mainFile, options, (fn) => functions.push(fn))
  return { ...result, ir: data === undefined ? undefined : { ...data, functions } }
}

/**
 * Compiles `mainFile` like `compile`, handing each function's IR to `onFunction` as soon as it is
 * lowered, while the rest is still being parsed: a back end that generates code there keeps only
 * one function's syntax tree and IR alive at a time. Functions come in definition order, and only
 * while no error has been found.
 */
export function compileFunctions(
  files: Readonly<Record<string, string>>,
  mainFile: string,
  options: CompileOptions,
  onFunction: (fn: IrFunction) => void,
): UnitResult {
  const diags = new DiagnosticSink(options.maxErrors === 0 ? Number.POSITIVE_INFINITY : (options.maxErrors ?? 50))
  const defines = { ...optionMacros(options), ...(options.defines ?? {}) }
  let data: IrModuleData | undefined
  try {
    // Tokens go from the preprocessor to the parser as it asks for them: like the syntax trees,
    // they die young instead of all being alive until the parse ends.
    const preprocessor = new Preprocessor(files, mainFile, { ...options, defines }, diags)
    let loweringErrors = 0
    const parser = new Parser(
      () => preprocessor.next(),
      diags,
      (def) => {
        // After a syntax error the trees may be incomplete, so nothing more is lowered; a
        // lowering error stops only the hand-over (later functions still report theirs).
        if (diags.errorCount > loweringErrors) return
        const before = diags.errorCount
        const fn = lowerer.function(def)
        loweringErrors += diags.errorCount - before
        if (fn !== undefined && diags.errorCount === 0) onFunction(fn)
      },
    )
    const lowerer = new Lowerer(parser.strings, diags, { builtins: options.builtins ?? true })
    const unit = parser.parse()
    if (diags.errorCount === 0) {
      const lowered = lowerer.data(unit, mainFile)
      if (diags.errorCount === 0) data = lowered
    }
  } catch (e) {
    // A missing #include ends the compilation (it has been reported, as gcc does). The parser
    // bounds its own nesting, but a huge flat expression can still be too deep to walk.
    if (e instanceof RangeError) diags.error(undefined, 'program too complex: nesting exceeds the compiler\'s limits')
    else if (!(e instanceof FatalPreprocessError)) throw e
  }
  return { data, diagnostics: diags.diagnostics, text: formatDiagnostics(diags.diagnostics, files), errorCount: diags.errorCount }
}
