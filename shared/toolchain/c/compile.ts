/**
 * The C front end's entry point: preprocess, parse and check, lower to the shared IR.
 */
import type { IrModule } from '../ir/types'
import { DiagnosticSink, formatDiagnostics, type Diagnostic } from './diagnostics'
import { lowerTranslationUnit } from './lower'
import { parseTranslationUnit } from './parser'
import { preprocess, type PreprocessOptions } from './preprocess'

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
  const diags = new DiagnosticSink(options.maxErrors === 0 ? Number.POSITIVE_INFINITY : (options.maxErrors ?? 50))
  const defines = { ...optionMacros(options), ...(options.defines ?? {}) }
  let ir: IrModule | undefined
  try {
    const tokens = preprocess(files, mainFile, { ...options, defines }, diags)
    if (!diags.tooManyErrors) {
      const unit = parseTranslationUnit(tokens, diags)
      if (diags.errorCount === 0) {
        const lowered = lowerTranslationUnit(unit, mainFile, diags, { builtins: options.builtins ?? true })
        if (diags.errorCount === 0) ir = lowered
      }
    }
  } catch (e) {
    // The parser bounds its own nesting; a huge flat expression can still be too deep to walk.
    if (!(e instanceof RangeError)) throw e
    diags.error(undefined, 'program too complex: nesting exceeds the compiler\'s limits')
    ir = undefined
  }
  return { ir, diagnostics: diags.diagnostics, text: formatDiagnostics(diags.diagnostics, files), errorCount: diags.errorCount }
}
