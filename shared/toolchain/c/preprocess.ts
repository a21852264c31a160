/**
 * The C preprocessor (translation phase 4): directives, conditional inclusion, and macro expansion
 * with Prosser's hide-set algorithm (the one gcc's cpplib and the C standard's examples follow).
 *
 * Files come from an in-memory map (shared/ has no filesystem): user files by the names the caller
 * chose, bundled headers under the system include directories.
 */
import { DiagnosticSink, type SourceLocation } from './diagnostics'
import { Lexer, PPToken, tokenize } from './lexer'

export interface PreprocessOptions {
  /** Searched for #include "..." after the including file's directory, and for #include <...>. */
  readonly includeDirs?: readonly string[]
  /** Searched for #include <...> after includeDirs (the bundled headers). */
  readonly systemIncludeDirs?: readonly string[]
  /** -D NAME=VALUE (value "1" when given as -D NAME). */
  readonly defines?: Readonly<Record<string, string>>
  /** -U NAME, applied after the predefined macros and -D. */
  readonly undefines?: readonly string[]
  /** Values of __DATE__ and __TIME__; fixed by default so builds are reproducible. */
  readonly date?: string
  readonly time?: string
}

interface Macro {
  readonly name: string
  readonly functionLike: boolean
  readonly params: readonly string[]
  /** The last parameter collects the variable arguments (named `__VA_ARGS__` unless GNU `name...`). */
  readonly variadic: boolean
  readonly body: readonly PPToken[]
  readonly loc: SourceLocation | undefined
  readonly builtin?: (at: PPToken) => PPToken
}

interface Conditional {
  /** Some branch of this #if chain was already taken. */
  taken: boolean
  sawElse: boolean
  /** The opening directive (`if`, `ifdef`, `ifndef`) and its line, which gcc names without a column. */
  readonly directive: string
  readonly line: SourceLocation
}

interface Buffer {
  /** A source file's current line (see `available`), or a macro expansion's tokens. */
  tokens: readonly PPToken[]
  pos: number
  /** Set for source files (not macro expansions): directives are only recognised here. */
  readonly file?: FileState
  /** A source file's lexer, which makes its tokens a line at a time. */
  readonly lexer?: Lexer
}

interface FileState {
  readonly path: string
  /** The #include lines that brought this file in, innermost first (none for the main file). */
  readonly includedFrom: readonly SourceLocation[]
  presumedName: string
  /** #line adjustment added to physical line numbers. */
  lineDelta: number
  readonly conditionals: Conditional[]
}

const MAX_INCLUDE_DEPTH = 200

/** gcc's predefined macros that programs commonly test, for gnu17 on x86-64 Linux. */
export const PREDEFINED_MACROS: Readonly<Record<string, string>> = {
  __STDC__: '1',
  __STDC_VERSION__: '201710L',
  __STDC_HOSTED__: '1',
  __STDC_UTF_16__: '1',
  __STDC_UTF_32__: '1',
  __x86_64__: '1',
  __x86_64: '1',
  __amd64__: '1',
  __amd64: '1',
  __linux__: '1',
  __linux: '1',
  __gnu_linux__: '1',
  linux: '1',
  __unix__: '1',
  __unix: '1',
  unix: '1',
  __ELF__: '1',
  __LP64__: '1',
  _LP64: '1',
  __NO_INLINE__: '1',
  __CHAR_BIT__: '8',
  __SIZEOF_SHORT__: '2',
  __SIZEOF_INT__: '4',
  __SIZEOF_LONG__: '8',
  __SIZEOF_LONG_LONG__: '8',
  __SIZEOF_POINTER__: '8',
  __SIZEOF_SIZE_T__: '8',
  __SIZEOF_PTRDIFF_T__: '8',
  __SIZEOF_WCHAR_T__: '4',
  __SCHAR_MAX__: '0x7f',
  __SHRT_MAX__: '0x7fff',
  __INT_MAX__: '0x7fffffff',
  __LONG_MAX__: '0x7fffffffffffffffL',
  __LONG_LONG_MAX__: '0x7fffffffffffffffLL',
  __SIZE_MAX__: '0xffffffffffffffffUL',
  __PTRDIFF_MAX__: '0x7fffffffffffffffL',
  __INTMAX_MAX__: '0x7fffffffffffffffL',
  __UINTMAX_MAX__: '0xffffffffffffffffUL',
  __SIZE_TYPE__: 'long unsigned int',
  __PTRDIFF_TYPE__: 'long int',
  __WCHAR_TYPE__: 'int',
  __INTMAX_TYPE__: 'long int',
  __UINTMAX_TYPE__: 'long unsigned int',
  __INTPTR_TYPE__: 'long int',
  __UINTPTR_TYPE__: 'long unsigned int',
  __CHAR16_TYPE__: 'short unsigned int',
  __CHAR32_TYPE__: 'unsigned int',
  __ORDER_LITTLE_ENDIAN__: '1234',
  __ORDER_BIG_ENDIAN__: '4321',
  __ORDER_PDP_ENDIAN__: '3412',
  __BYTE_ORDER__: '__ORDER_LITTLE_ENDIAN__',
}

export function dirname(path: string): string {
  const slash = path.lastIndexOf('/')
  return slash < 0 ? '' : slash === 0 ? '/' : path.slice(0, slash)
}

/** POSIX-style join and normalisation of '.' and '..' (no filesystem, so no symlinks). */
export function joinPath(dir: string, name: string): string {
  const full = name.startsWith('/') || dir === '' ? name : `${dir}/${name}`
  const absolute = full.startsWith('/')
  const parts: string[] = []
  for (const part of full.split('/')) {
    if (part === '' || part === '.') continue
    if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop()
    else if (part === '..' && absolute) continue
    else parts.push(part)
  }
  return (absolute ? '/' : '') + parts.join('/')
}

/** Spells a string literal the way # does: quotes and backslashes inside literals are escaped. */
function quoteForStringize(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`
}

export class Preprocessor {
  private readonly macros = new Map<string, Macro>()
  private readonly stack: Buffer[] = []
  /** Open source files, innermost last (kept apart from `stack`, which argument pre-expansion swaps out). */
  private readonly fileStates: FileState[] = []
  /** The final 'eof', once it has been returned: `next` returns it again from then on. */
  private end: PPToken | undefined
  private readonly onceFiles = new Set<string>()
  private counter = 0
  private includeDepth = 0

  /** Preprocesses `mainFile`, a token at a time as `next` is called. */
  constructor(
    private readonly files: Readonly<Record<string, string>>,
    private readonly mainFile: string,
    private readonly options: PreprocessOptions,
    private readonly diags: DiagnosticSink,
  ) {
    for (const [name, value] of Object.entries(PREDEFINED_MACROS)) this.defineFromString(name, value)
    for (const [name, value] of Object.entries(options.defines ?? {})) this.defineFromString(name, value)
    for (const name of options.undefines ?? []) this.macros.delete(name)
    this.defineBuiltins()
    const text = files[mainFile]
    if (text === undefined) {
      diags.error(undefined, `${mainFile}: No such file or directory`)
      this.end = PPToken.eof({ file: mainFile, line: 1, column: 1 }, false, true)
    } else {
      this.pushFile(mainFile, text)
    }
  }

  /**
   * The next preprocessed token; the last is an 'eof', returned again by every later call. Throws
   * FatalPreprocessError when an #include cannot be found (it has been reported).
   */
  next(): PPToken {
    if (this.end !== undefined) return this.end
    for (;;) {
      const t = this.expandNext()
      if (t.kind === 'eof') {
        if (this.closeFile()) continue
        this.end = t
        return t
      }
      if (this.diags.tooManyErrors) this.end = PPToken.eof(t, t.spaceBefore, t.lineStart)
      return t
    }
  }

  // ---- macro table ------------------------------------------------------------------------

  private defineFromString(name: string, value: string): void {
    const body = tokenize(value, '<command-line>', this.diags).filter((t) => t.kind !== 'eof')
    this.macros.set(name, { name, functionLike: false, params: [], variadic: false, body, loc: undefined })
  }

  private defineBuiltins(): void {
    const builtin = (name: string, make: (at: PPToken) => PPToken): void => {
      this.macros.set(name, { name, functionLike: false, params: [], variadic: false, body: [], loc: undefined, builtin: make })
    }
    builtin('__FILE__', (at) => at.withText('string', quoteForStringize(this.presumedFileName())))
    builtin('__BASE_FILE__', (at) => at.withText('string', quoteForStringize(this.mainFile)))
    builtin('__LINE__', (at) => at.withText('number', String(at.loc.line)))
    builtin('__COUNTER__', (at) => at.withText('number', String(this.counter++)))
    builtin('__INCLUDE_LEVEL__', (at) => at.withText('number', String(this.includeDepth - 1)))
    builtin('__DATE__', (at) => at.withText('string', `"${this.options.date ?? 'Jan  1 1970'}"`))
    builtin('__TIME__', (at) => at.withText('string', `"${this.options.time ?? '00:00:00'}"`))
  }

  private currentFile(): FileState {
    const f = this.fileStates[this.fileStates.length - 1]
    return f ?? { path: this.mainFile, includedFrom: [], presumedName: this.mainFile, lineDelta: 0, conditionals: [] }
  }

  private presumedFileName(): string {
    return this.currentFile().presumedName
  }

  // ---- token input --------------------------------------------------------------------------

  private pushFile(path: string, text: string, includedFrom: readonly SourceLocation[] = []): void {
    this.includeDepth++
    const file: FileState = { path, includedFrom, presumedName: path, lineDelta: 0, conditionals: [] }
    this.diags.inclusions.set(path, includedFrom)
    this.fileStates.push(file)
    this.stack.push({ tokens: [], pos: 0, file, lexer: new Lexer(text, path, this.diags) })
  }

  /** Whether `b` has a token at `pos`, lexing a source file's next line when the last is used up. */
  private available(b: Buffer): boolean {
    if (b.pos < b.tokens.length) return true
    if (b.lexer === undefined || b.lexer.done) return false
    b.tokens = b.lexer.line()
    b.pos = 0
    return true
  }

  /** At a file's end: report open conditionals and return to the includer (false at the main file's end). */
  private closeFile(): boolean {
    const file = this.fileStates[this.fileStates.length - 1]
    if (file) {
      for (const c of [...file.conditionals].reverse()) this.diags.error(c.line, `unterminated #${c.directive}`)
      file.conditionals.length = 0
    }
    if (this.stack.length <= 1) return false
    this.stack.pop()
    this.fileStates.pop()
    this.includeDepth--
    return true
  }

  /** Next raw token; macro buffers that run dry are dropped, a file's 'eof' is returned as is. */
  private nextRaw(): PPToken {
    for (;;) {
      const top = this.stack[this.stack.length - 1] as Buffer
      if (this.available(top)) {
        const t = top.tokens[top.pos++] as PPToken
        const f = top.file
        if (f && (f.lineDelta !== 0 || f.presumedName !== f.path)) return this.presumed(t, f)
        return t
      }
      if (top.file) return top.tokens[top.tokens.length - 1] as PPToken
      this.stack.pop()
    }
  }

  private presumed(t: PPToken, file: FileState): PPToken {
    return new PPToken(t.kind, t.text, file.presumedName, t.line + file.lineDelta, t.column, t.spaceBefore, t.lineStart, t.hideset)
  }

  private peekRaw(): PPToken {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const b = this.stack[i] as Buffer
      if (this.available(b)) return b.tokens[b.pos] as PPToken
      if (b.file) return b.tokens[b.tokens.length - 1] as PPToken
    }
    throw new Error('preprocessor input stack is empty')
  }

  private pushTokens(tokens: readonly PPToken[]): void {
    if (tokens.length > 0) this.stack.push({ tokens, pos: 0 })
  }

  /** True when the next token comes straight from a source file (not from a macro expansion). */
  private atFileLevel(): boolean {
    for (let i = this.stack.length - 1; i >= 0; i--) {
      const b = this.stack[i] as Buffer
      if (b.file) return true
      if (this.available(b)) return false
    }
    return false
  }

  /** Rest of the current directive line (the tokens before the next line start). */
  private restOfLine(): PPToken[] {
    const out: PPToken[] = []
    for (;;) {
      const t = this.peekRaw()
      if (t.lineStart || t.kind === 'eof') return out
      out.push(this.nextRaw())
    }
  }

  // ---- expansion ----------------------------------------------------------------------------

  /** Next fully macro-expanded token, handling directives at the start of source lines. */
  private expandNext(): PPToken {
    for (;;) {
      const atFile = this.atFileLevel()
      const t = this.nextRaw()
      if (t.kind === 'eof') return t
      if (atFile && t.lineStart && t.kind === 'punct' && t.text === '#') {
        this.directive()
        continue
      }
      if (t.kind === 'ident' && t.text === '_Pragma') {
        this.pragmaOperator(t)
        continue
      }
      if (t.kind !== 'ident' || !this.tryExpand(t)) return t
    }
  }

  /** If `t` names a macro that may expand here, pushes its expansion and returns true. */
  private tryExpand(t: PPToken): boolean {
    const macro = this.macros.get(t.text)
    if (!macro || t.hideset?.has(macro.name)) return false
    if (macro.builtin) {
      this.pushTokens([macro.builtin(t)])
      return true
    }
    if (!macro.functionLike) {
      const hs = addToHideset(t.hideset, macro.name)
      this.pushTokens(this.substitute(macro, [], hs, t))
      return true
    }
    const next = this.peekRaw()
    if (next.kind !== 'punct' || next.text !== '(') return false
    this.nextRaw()
    const collected = this.collectArguments(macro, t)
    if (!collected) return true
    const hs = addToHideset(intersectHidesets(t.hideset, collected.rparen.hideset), macro.name)
    this.pushTokens(this.substitute(macro, collected.args, hs, t))
    return true
  }

  private collectArguments(macro: Macro, nameToken: PPToken): { args: PPToken[][]; rparen: PPToken } | undefined {
    const args: PPToken[][] = [[]]
    let depth = 0
    for (;;) {
      const t = this.nextRaw()
      if (t.kind === 'eof') {
        this.diags.error(nameToken.loc, `unterminated argument list invoking macro "${macro.name}"`, macro.name.length)
        this.pushTokens([t])
        return undefined
      }
      if (this.atFileLevel() && t.lineStart && t.kind === 'punct' && t.text === '#') {
        // gcc processes directives inside macro arguments; we support the common #ifdef-in-args idiom the same way.
        this.directive()
        continue
      }
      if (t.kind === 'punct') {
        if (t.text === '(') depth++
        else if (t.text === ')') {
          if (depth === 0) {
            return this.checkArgumentCount(macro, nameToken, args) ? { args, rparen: t } : undefined
          }
          depth--
        } else if (t.text === ',' && depth === 0) {
          const collectsRest = macro.variadic && args.length === macro.params.length
          if (!collectsRest) {
            args.push([])
            continue
          }
        }
      }
      // Inside arguments, line starts are ordinary whitespace.
      ;(args[args.length - 1] as PPToken[]).push(t.lineStart ? t.withSpacing(true, false) : t)
    }
  }

  private checkArgumentCount(macro: Macro, nameToken: PPToken, args: PPToken[][]): boolean {
    const want = macro.params.length
    if (want === 0 && args.length === 1 && (args[0] as PPToken[]).length === 0) {
      args.length = 0
      return true
    }
    if (macro.variadic && args.length === want - 1) {
      args.push([]) // `F(a)` for `F(x, ...)`: gcc allows omitting the variable arguments entirely
      return true
    }
    if (args.length === want) return true
    const message =
      args.length > want
        ? `macro "${macro.name}" passed ${args.length} arguments, but takes just ${want}`
        : `macro "${macro.name}" requires ${want} arguments, but only ${args.length} given`
    this.diags.error(nameToken.loc, message, macro.name.length)
    return false
  }

  /** Builds the replacement list: parameters replaced, # and ## applied, hide set and location set. */
  private substitute(macro: Macro, args: PPToken[][], hideset: ReadonlySet<string>, site: PPToken): PPToken[] {
    const body = macro.body
    const paramIndex = (t: PPToken | undefined): number =>
      t && t.kind === 'ident' && macro.functionLike ? macro.params.indexOf(t.text) : -1
    const expandedCache = new Map<number, PPToken[]>()
    const expandedArg = (i: number): PPToken[] => {
      let e = expandedCache.get(i)
      if (!e) {
        e = this.expandIsolated(args[i] ?? [])
        expandedCache.set(i, e)
      }
      return e
    }
    const out: PPToken[] = []
    // Tokens that must be pasted onto the previous output token.
    let pasteNext = false
    for (let i = 0; i < body.length; i++) {
      const t = body[i] as PPToken
      const nextIsPaste = body[i + 1]?.kind === 'punct' && body[i + 1]?.text === '##'
      if (macro.functionLike && t.kind === 'punct' && t.text === '#' && paramIndex(body[i + 1]) >= 0) {
        const arg = args[paramIndex(body[i + 1])] ?? []
        const str = t.withText('string', stringize(arg))
        this.appendPiece(out, [str], pasteNext, site)
        pasteNext = false
        i++
        continue
      }
      if (t.kind === 'punct' && t.text === '##') {
        pasteNext = true
        continue
      }
      const p = paramIndex(t)
      if (p >= 0) {
        // GNU comma elision: `, ## __VA_ARGS__` drops the comma when the variable arguments are empty.
        const isVarArgs = macro.variadic && p === macro.params.length - 1
        if (pasteNext && isVarArgs && out.length > 0 && out[out.length - 1]?.text === ',') {
          const raw = args[p] ?? []
          if (raw.length === 0) out.pop()
          else out.push(...raw.map((a, k) => (k === 0 ? a.withSpacing(false, a.lineStart) : a)))
          pasteNext = false
          continue
        }
        const raw = args[p] ?? []
        const piece = pasteNext || nextIsPaste ? raw : expandedArg(p)
        const placed = piece.map((a, k) => (k === 0 ? a.withSpacing(t.spaceBefore, a.lineStart) : a))
        this.appendPiece(out, placed, pasteNext, site)
        pasteNext = false
        continue
      }
      if (t.kind === 'ident' && t.text === '__VA_OPT__' && macro.variadic && body[i + 1]?.text === '(') {
        // C2x __VA_OPT__(tokens): the tokens only when the variable arguments are non-empty.
        let depth = 0
        let j = i + 1
        const inner: PPToken[] = []
        for (; j < body.length; j++) {
          const b = body[j] as PPToken
          if (b.text === '(') depth++
          else if (b.text === ')') {
            depth--
            if (depth === 0) break
          }
          if (!(depth === 1 && b.text === '(' && j === i + 1)) inner.push(b)
        }
        const vaArgs = args[macro.params.length - 1] ?? []
        if (expandedArg(macro.params.length - 1).length > 0 || vaArgs.length > 0) {
          const sub = this.substitute({ ...macro, body: inner }, args, new Set(), site)
          this.appendPiece(out, sub, pasteNext, site)
        }
        pasteNext = false
        i = j
        continue
      }
      this.appendPiece(out, [t], pasteNext, site)
      pasteNext = false
    }
    return out.map(
      (t, k) => new PPToken(t.kind, t.text, site.file, site.line, site.column, k === 0 ? site.spaceBefore : t.spaceBefore, false, unionHidesets(t.hideset, hideset)),
    )
  }

  private appendPiece(out: PPToken[], piece: readonly PPToken[], paste: boolean, site: PPToken): void {
    if (!paste || out.length === 0 || piece.length === 0) {
      out.push(...piece)
      return
    }
    const left = out.pop() as PPToken
    const right = piece[0] as PPToken
    const text = left.text + right.text
    // Failures to re-lex are reported as a paste error below, so the lexer's own diagnostics are dropped.
    const relexed = tokenize(text, site.loc.file, new DiagnosticSink()).filter((x) => x.kind !== 'eof')
    if (relexed.length !== 1) {
      this.diags.error(site.loc, `pasting "${left.text}" and "${right.text}" does not give a valid preprocessing token`)
      out.push(left, ...piece)
      return
    }
    const pasted = relexed[0] as PPToken
    out.push(new PPToken(pasted.kind, pasted.text, left.file, left.line, left.column, left.spaceBefore, left.lineStart, undefined), ...piece.slice(1))
  }


  /** Fully macro-expands a token list on its own (an argument before substitution). */
  private expandIsolated(tokens: readonly PPToken[]): PPToken[] {
    if (tokens.length === 0) return []
    const sentinel = PPToken.eof(tokens[0] as PPToken, false, false)
    const saved = this.stack.splice(0, this.stack.length)
    this.stack.push({ tokens: [...tokens, sentinel], pos: 0, file: undefined })
    const out: PPToken[] = []
    try {
      for (;;) {
        const t = this.nextIsolated()
        if (t === sentinel || t.kind === 'eof') break
        if (t.kind === 'ident' && this.tryExpandIsolated(t)) continue
        out.push(t)
      }
    } finally {
      this.stack.splice(0, this.stack.length, ...saved)
    }
    return out
  }

  private nextIsolated(): PPToken {
    for (;;) {
      const top = this.stack[this.stack.length - 1] as Buffer
      if (top.pos < top.tokens.length) return top.tokens[top.pos++] as PPToken
      if (this.stack.length === 1) return top.tokens[top.tokens.length - 1] as PPToken
      this.stack.pop()
    }
  }

  private tryExpandIsolated(t: PPToken): boolean {
    const macro = this.macros.get(t.text)
    if (!macro || t.hideset?.has(macro.name)) return false
    if (!macro.functionLike) return this.tryExpand(t)
    // A function-like macro name at the end of an argument stays unexpanded (it may take the
    // following tokens after substitution); peek without leaving the argument.
    let bi = this.stack.length - 1
    let next: PPToken | undefined
    while (bi >= 0) {
      const b = this.stack[bi] as Buffer
      if (b.pos < b.tokens.length) {
        next = b.tokens[b.pos]
        break
      }
      bi--
    }
    if (!next || next.kind === 'eof' || next.text !== '(') return false
    return this.tryExpand(t)
  }

  // ---- directives ---------------------------------------------------------------------------

  private directive(): void {
    const ahead = this.peekRaw()
    if (ahead.lineStart || ahead.kind === 'eof') return // the null directive
    const nameTok = this.nextRaw()
    const name = nameTok.text
    const file = this.currentFile()
    switch (name) {
      case 'define':
        return this.defineDirective()
      case 'undef': {
        const line = this.restOfLine()
        const id = line[0]
        if (!id || id.kind !== 'ident') this.diags.error(id?.loc ?? nameTok.loc, 'macro names must be identifiers')
        else {
          this.macros.delete(id.text)
          if (line.length > 1) this.diags.warning(line[1]?.loc, 'extra tokens at end of #undef directive')
        }
        return
      }
      case 'include':
      case 'include_next':
        return this.includeDirective(nameTok)
      case 'if': {
        const value = this.evaluateCondition(nameTok)
        return this.enterConditional(file, nameTok, value)
      }
      case 'ifdef':
      case 'ifndef': {
        const line = this.restOfLine()
        const id = line[0]
        if (!id || id.kind !== 'ident') {
          this.diags.error(id?.loc ?? nameTok.loc, 'no macro name given in #' + name + ' directive')
          return this.enterConditional(file, nameTok, false)
        }
        const defined = this.macros.has(id.text)
        return this.enterConditional(file, nameTok, name === 'ifdef' ? defined : !defined)
      }
      case 'elif':
      case 'else': {
        const top = file.conditionals[file.conditionals.length - 1]
        if (!top) {
          this.diags.error(nameTok.loc, `#${name} without #if`, name.length)
          this.restOfLine()
          return
        }
        if (top.sawElse) this.afterElse(top, nameTok)
        if (name === 'else') top.sawElse = true
        this.restOfLine()
        // The group before this directive was being processed, so every later group is skipped.
        top.taken = true
        return this.skipGroup(file)
      }
      case 'endif': {
        if (!file.conditionals.pop()) this.diags.error(nameTok.loc, '#endif without #if', name.length)
        this.restOfLine()
        return
      }
      case 'error': {
        const line = this.restOfLine()
        this.diags.error(nameTok.loc, `#error ${renderLine(line)}`, name.length)
        return
      }
      case 'warning': {
        const line = this.restOfLine()
        this.diags.warning(nameTok.loc, `#warning ${renderLine(line)} [-Wcpp]`, name.length)
        return
      }
      case 'line':
        return this.lineDirective(nameTok)
      case 'pragma': {
        const line = this.restOfLine()
        if (line[0]?.text === 'once') this.onceFiles.add(file.path)
        // Other pragmas (GCC diagnostic, pack, ...) are accepted and ignored.
        return
      }
      case 'ident':
      case 'sccs':
        this.restOfLine()
        return
      default:
        if (nameTok.kind === 'number') {
          // `# 33 "file"` is the GNU spelling of #line.
          this.stack[this.stack.length - 1]!.pos--
          return this.lineDirective(nameTok)
        }
        this.diags.error(nameTok.loc, `invalid preprocessing directive #${name}`, name.length)
        this.restOfLine()
    }
  }

  private enterConditional(file: FileState, directive: PPToken, value: boolean): void {
    const cond: Conditional = { taken: value, sawElse: false, directive: directive.text, line: { file: directive.file, line: directive.line, column: 0 } }
    file.conditionals.push(cond)
    if (!value) this.skipGroup(file)
  }

  /** An #else or #elif after the #else of `conditional`, reported as gcc does, with where it began. */
  private afterElse(conditional: Conditional, directive: PPToken): void {
    this.diags.error(directive.loc, `#${directive.text} after #else`, directive.text.length)
    this.diags.error(conditional.line, 'the conditional began here')
  }

  /**
   * Skips tokens of a group that is not processed, until the #elif/#else/#endif that belongs to the
   * innermost open conditional, handling that directive as it comes.
   */
  private skipGroup(file: FileState): void {
    const buffer = this.stack[this.stack.length - 1] as Buffer
    let depth = 0
    while (this.available(buffer)) {
      const t = buffer.tokens[buffer.pos] as PPToken
      if (t.kind === 'eof') return
      buffer.pos++
      if (!(t.lineStart && t.kind === 'punct' && t.text === '#')) continue
      // A directive's name is on the line of its '#'; a line ending at the '#' is a null directive.
      const d = buffer.tokens[buffer.pos]
      if (d === undefined || d.lineStart || d.kind !== 'ident') continue
      const name = d.text
      if (name === 'if' || name === 'ifdef' || name === 'ifndef') {
        depth++
        continue
      }
      if (depth > 0) {
        if (name === 'endif') depth--
        continue
      }
      const top = file.conditionals[file.conditionals.length - 1] as Conditional
      if (name === 'endif') {
        buffer.pos++
        this.restOfLine()
        file.conditionals.pop()
        return
      }
      if (name === 'else') {
        buffer.pos++
        this.restOfLine()
        if (top.sawElse) this.afterElse(top, d)
        top.sawElse = true
        if (!top.taken) {
          top.taken = true
          return
        }
        continue
      }
      if (name === 'elif') {
        buffer.pos++
        if (top.sawElse) this.afterElse(top, d)
        if (top.taken) {
          this.restOfLine()
          continue
        }
        if (this.evaluateCondition(d)) {
          top.taken = true
          return
        }
      }
    }
  }

  private defineDirective(): void {
    const line = this.restOfLine()
    const nameTok = line[0]
    if (!nameTok || nameTok.kind !== 'ident') {
      this.diags.error(nameTok?.loc ?? this.peekRaw().loc, nameTok ? 'macro names must be identifiers' : 'no macro name given in #define directive')
      return
    }
    if (nameTok.text === 'defined') {
      this.diags.error(nameTok.loc, '"defined" cannot be used as a macro name', 7)
      return
    }
    const second = line[1]
    if (second && second.text === '(' && !second.spaceBefore) {
      const params: string[] = []
      let variadic = false
      let i = 2
      let ok = false
      for (; i < line.length; i++) {
        const t = line[i] as PPToken
        if (t.text === ')' && params.length === 0 && !variadic) {
          ok = true
          break
        }
        if (t.text === '...') {
          params.push('__VA_ARGS__')
          variadic = true
          ok = line[i + 1]?.text === ')'
          i++
          break
        }
        if (t.kind !== 'ident') break
        if (params.includes(t.text)) {
          this.diags.error(t.loc, `duplicate macro parameter "${t.text}"`, t.text.length)
          return
        }
        params.push(t.text)
        const sep = line[i + 1]
        if (sep?.text === '...') {
          variadic = true // GNU named variadic parameter `args...`
          ok = line[i + 2]?.text === ')'
          i += 2
          break
        }
        if (sep?.text === ')') {
          ok = true
          i++
          break
        }
        if (sep?.text !== ',') break
        i++
      }
      if (!ok) {
        this.diags.error(line[Math.min(i, line.length - 1)]?.loc ?? nameTok.loc, "expected ')' in macro parameter list")
        return
      }
      const body = line.slice(i + 1)
      if (!this.checkBody(body, params)) return
      this.setMacro({ name: nameTok.text, functionLike: true, params, variadic, body, loc: nameTok.loc })
      return
    }
    if (second && !second.spaceBefore) this.diags.warning(second.loc, `missing whitespace after the macro name`)
    const body = line.slice(1)
    if (!this.checkBody(body, undefined)) return
    this.setMacro({ name: nameTok.text, functionLike: false, params: [], variadic: false, body, loc: nameTok.loc })
  }

  private checkBody(body: readonly PPToken[], params: readonly string[] | undefined): boolean {
    const first = body[0]
    const last = body[body.length - 1]
    if (first?.text === '##' && first.kind === 'punct') {
      this.diags.error(first.loc, "'##' cannot appear at either end of a macro expansion", 2)
      return false
    }
    if (last && last !== first && last.text === '##' && last.kind === 'punct') {
      this.diags.error(last.loc, "'##' cannot appear at either end of a macro expansion", 2)
      return false
    }
    if (params) {
      for (let i = 0; i < body.length; i++) {
        const t = body[i] as PPToken
        if (t.kind === 'punct' && t.text === '#') {
          const next = body[i + 1]
          if (!next || next.kind !== 'ident' || !params.includes(next.text)) {
            this.diags.error(t.loc, "'#' is not followed by a macro parameter")
            return false
          }
        }
      }
    }
    return true
  }

  private setMacro(m: Macro): void {
    const old = this.macros.get(m.name)
    if (old && old.builtin) {
      this.diags.warning(m.loc, `"${m.name}" redefined`)
    } else if (old && !sameDefinition(old, m)) {
      this.diags.warning(m.loc, `"${m.name}" redefined`, m.name.length)
      if (old.loc) this.diags.note(old.loc, 'this is the location of the previous definition', m.name.length)
    }
    this.macros.set(m.name, m)
  }

  private includeDirective(directiveTok: PPToken): void {
    let line = this.restOfLine()
    const first = line[0]
    if (!first) {
      this.diags.error(directiveTok.loc, '#include expects "FILENAME" or <FILENAME>')
      return
    }
    if (first.kind === 'ident') {
      line = this.expandIsolated(line) // #include MACRO
    }
    const head = line[0]
    let name: string
    let angled: boolean
    /** How much of the line gcc underlines under a header it cannot find: the whole name. */
    let spelledLength = head?.text.length ?? 1
    if (head?.kind === 'string' && head.text.startsWith('"')) {
      name = head.text.slice(1, -1)
      angled = false
    } else if (head?.text === '<') {
      const close = line.findIndex((t) => t.text === '>')
      if (close < 0) {
        this.diags.error(head.loc, "missing terminating > character")
        return
      }
      name = line
        .slice(1, close)
        .map((t, k) => (k > 0 && t.spaceBefore ? ' ' : '') + t.text)
        .join('')
      angled = true
      spelledLength = Math.max(1, (line[close] as PPToken).column + 1 - head.column)
    } else {
      this.diags.error(head?.loc ?? directiveTok.loc, '#include expects "FILENAME" or <FILENAME>')
      return
    }
    if (name === '') {
      this.diags.error(head.loc, 'empty filename in #include')
      return
    }
    const current = this.currentFile().path
    const path = this.resolveInclude(name, angled, current)
    if (path === undefined) {
      // gcc stops compilation at a missing include: everything after it would be noise.
      this.diags.fatal(head.loc, `${name}: No such file or directory`, spelledLength)
      throw new FatalPreprocessError()
    }
    if (this.onceFiles.has(path)) return
    if (this.includeDepth >= MAX_INCLUDE_DEPTH) {
      // gcc points just past the header's name.
      const past = { file: head.file, line: head.line, column: head.column + spelledLength }
      this.diags.error(past, `#include nested depth ${this.includeDepth} exceeds maximum of ${MAX_INCLUDE_DEPTH} (use -fmax-include-depth=DEPTH to increase the maximum)`)
      return
    }
    // gcc names the including line without a column ("In file included from main.c:3:").
    const site = { file: directiveTok.file, line: directiveTok.line, column: 0 }
    this.pushFile(path, this.files[path] as string, [site, ...this.currentFile().includedFrom])
  }

  private resolveInclude(name: string, angled: boolean, fromFile: string): string | undefined {
    if (name.startsWith('/')) return this.files[joinPath('', name)] !== undefined ? joinPath('', name) : undefined
    const dirs: string[] = []
    if (!angled) dirs.push(dirname(fromFile))
    dirs.push(...(this.options.includeDirs ?? []), ...(this.options.systemIncludeDirs ?? []))
    for (const dir of dirs) {
      const candidate = joinPath(dir, name)
      if (this.files[candidate] !== undefined) return candidate
    }
    return undefined
  }

  private lineDirective(directiveTok: PPToken): void {
    const line = this.expandIsolated(this.restOfLine())
    const num = line[0]
    if (!num || num.kind !== 'number' || !/^\d+$/.test(num.text)) {
      this.diags.error(num?.loc ?? directiveTok.loc, `"${num?.text ?? ''}" after #line is not a positive integer`)
      return
    }
    const file = this.currentFile()
    // The line after the directive gets number N.
    const physicalNext = directiveTok.loc.line - file.lineDelta + 1
    file.lineDelta = Number(num.text) - physicalNext
    const name = line[1]
    if (name?.kind === 'string') file.presumedName = name.text.slice(1, -1)
  }

  private pragmaOperator(t: PPToken): void {
    // _Pragma("...") is consumed; pragmas have no effect in this compiler.
    const open = this.nextRaw()
    const str = open.text === '(' ? this.nextRaw() : open
    const close = str.kind === 'string' ? this.nextRaw() : str
    if (open.text !== '(' || str.kind !== 'string' || close.text !== ')') {
      this.diags.error(t.loc, '_Pragma takes a parenthesized string literal', 7)
    }
  }

  // ---- #if expressions ----------------------------------------------------------------------

  private evaluateCondition(directiveTok: PPToken): boolean {
    const line = this.restOfLine()
    // `defined X` and `defined(X)` are resolved before macro expansion.
    const resolved: PPToken[] = []
    for (let i = 0; i < line.length; i++) {
      const t = line[i] as PPToken
      if (t.kind === 'ident' && t.text === 'defined') {
        let j = i + 1
        const paren = line[j]?.text === '('
        if (paren) j++
        const id = line[j]
        if (!id || id.kind !== 'ident') {
          this.diags.error(t.loc, 'operator "defined" requires an identifier', 7)
          return false
        }
        if (paren) {
          if (line[j + 1]?.text !== ')') {
            this.diags.error(t.loc, 'missing \')\' after "defined"', 7)
            return false
          }
          j++
        }
        resolved.push(t.withText('number', this.macros.has(id.text) ? '1' : '0'))
        i = j
        continue
      }
      if (t.kind === 'ident' && (t.text === '__has_include' || t.text === '__has_include_next')) {
        const r = this.hasInclude(line, i)
        if (!r) {
          this.diags.error(t.loc, `missing '(' before "${t.text}" operand`)
          return false
        }
        resolved.push(t.withText('number', r.found ? '1' : '0'))
        i = r.end
        continue
      }
      resolved.push(t)
    }
    const expanded = this.expandIsolated(resolved)
    if (expanded.length === 0) {
      this.diags.error(directiveTok.loc, `#${directiveTok.text} with no expression`)
      return false
    }
    const evaluator = new ConditionEvaluator(expanded, this.diags, directiveTok)
    const v = evaluator.evaluate()
    return v !== undefined && v.value !== 0n
  }

  private hasInclude(line: readonly PPToken[], at: number): { found: boolean; end: number } | undefined {
    if (line[at + 1]?.text !== '(') return undefined
    const arg = line[at + 2]
    if (arg?.kind === 'string') {
      if (line[at + 3]?.text !== ')') return undefined
      return { found: this.resolveInclude(arg.text.slice(1, -1), false, this.currentFile().path) !== undefined, end: at + 3 }
    }
    if (arg?.text === '<') {
      const close = line.findIndex((t, k) => k > at + 2 && t.text === '>')
      if (close < 0 || line[close + 1]?.text !== ')') return undefined
      const name = line.slice(at + 3, close).map((t) => t.text).join('')
      return { found: this.resolveInclude(name, true, this.currentFile().path) !== undefined, end: close + 1 }
    }
    return undefined
  }
}

/** A missing #include ends preprocessing (gcc: "compilation terminated."). */
export class FatalPreprocessError extends Error {
  constructor() {
    super('compilation terminated.')
  }
}

function sameDefinition(a: Macro, b: Macro): boolean {
  if (a.functionLike !== b.functionLike || a.variadic !== b.variadic || a.params.join(',') !== b.params.join(',')) return false
  if (a.body.length !== b.body.length) return false
  return a.body.every((t, i) => {
    const u = b.body[i] as PPToken
    return t.text === u.text && (i === 0 || t.spaceBefore === u.spaceBefore)
  })
}

function addToHideset(hs: ReadonlySet<string> | undefined, name: string): ReadonlySet<string> {
  const out = new Set(hs)
  out.add(name)
  return out
}

function intersectHidesets(a: ReadonlySet<string> | undefined, b: ReadonlySet<string> | undefined): ReadonlySet<string> {
  if (!a || !b) return new Set()
  return new Set([...a].filter((x) => b.has(x)))
}

function unionHidesets(a: ReadonlySet<string> | undefined, b: ReadonlySet<string>): ReadonlySet<string> {
  if (!a || a.size === 0) return b
  const out = new Set(a)
  for (const x of b) out.add(x)
  return out
}

/** The # operator: spelling of the argument with each whitespace run collapsed to one space. */
function stringize(arg: readonly PPToken[]): string {
  let s = ''
  arg.forEach((t, i) => {
    if (i > 0 && t.spaceBefore) s += ' '
    s += t.kind === 'string' || t.kind === 'char' ? t.text.replace(/\\/g, '\\\\').replace(/"/g, '\\"') : t.text
  })
  return `"${s}"`
}

function renderLine(tokens: readonly PPToken[]): string {
  return tokens.map((t, i) => (i > 0 && t.spaceBefore ? ' ' : '') + t.text).join('')
}

/**
 * Renders tokens as text with a line break wherever a source line started, which is what
 * `gcc -E -P` prints modulo whitespace.
 */
export function renderTokens(tokens: readonly PPToken[]): string {
  let out = ''
  let previous: PPToken | undefined
  for (const t of tokens) {
    if (t.kind === 'eof') break
    if (t.lineStart && out !== '') out += '\n'
    else if (previous && (t.spaceBefore || wouldMerge(previous, t))) out += ' '
    out += t.text
    previous = t
  }
  return out + '\n'
}

/** Two adjacent tokens that would lex as one (or differently) without a space, like `+` `+`. */
function wouldMerge(a: PPToken, b: PPToken): boolean {
  const joined = a.text + b.text
  const relexed = tokenize(joined, '', new DiagnosticSink())
  return relexed.length !== 3 || relexed[0]?.text !== a.text
}

interface PPValue {
  value: bigint
  unsigned: boolean
}

const MASK64 = (1n << 64n) - 1n

function wrap(v: bigint, unsigned: boolean): PPValue {
  return { value: unsigned ? BigInt.asUintN(64, v) : BigInt.asIntN(64, v), unsigned }
}

/**
 * #if arithmetic: every value is intmax_t or uintmax_t (64 bits), with the usual conversions
 * between the two; identifiers left after expansion are 0.
 */
class ConditionEvaluator {
  private pos = 0
  private failed = false

  constructor(
    private readonly tokens: readonly PPToken[],
    private readonly diags: DiagnosticSink,
    private readonly directive: PPToken,
  ) {}

  evaluate(): PPValue | undefined {
    const v = this.conditional(true)
    if (this.failed) return undefined
    const extra = this.tokens[this.pos]
    if (extra) {
      this.fail(extra, `missing binary operator before token "${extra.text}"`)
      return undefined
    }
    return v
  }

  private fail(at: PPToken | undefined, message: string): PPValue {
    if (!this.failed) this.diags.error((at ?? this.directive).loc, message)
    this.failed = true
    return { value: 0n, unsigned: false }
  }

  private peek(): string | undefined {
    const t = this.tokens[this.pos]
    return t && t.kind === 'punct' ? t.text : undefined
  }

  private conditional(live: boolean): PPValue {
    const c = this.binary(0, live)
    if (this.peek() !== '?') return c
    this.pos++
    const a = this.conditional(live && c.value !== 0n)
    if (this.peek() !== ':') return this.fail(this.tokens[this.pos], "expected ':' in #if conditional")
    this.pos++
    const b = this.conditional(live && c.value === 0n)
    const unsigned = a.unsigned || b.unsigned
    return wrap(c.value !== 0n ? a.value : b.value, unsigned)
  }

  private static readonly PRECEDENCE: Readonly<Record<string, number>> = {
    '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7,
    '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
  }

  private binary(minPrec: number, live: boolean): PPValue {
    let left = this.unary(live)
    for (;;) {
      const op = this.peek()
      const prec = op ? ConditionEvaluator.PRECEDENCE[op] : undefined
      if (op === undefined || prec === undefined || prec <= minPrec) return left
      const opTok = this.tokens[this.pos] as PPToken
      this.pos++
      if (op === '&&' || op === '||') {
        const rightLive = live && (op === '&&' ? left.value !== 0n : left.value === 0n)
        const right = this.binary(prec, rightLive)
        const result = op === '&&' ? left.value !== 0n && right.value !== 0n : left.value !== 0n || right.value !== 0n
        left = { value: result ? 1n : 0n, unsigned: false }
        continue
      }
      const right = this.binary(prec, live)
      left = this.apply(op, left, right, live, opTok)
    }
  }

  private apply(op: string, a: PPValue, b: PPValue, live: boolean, at: PPToken): PPValue {
    if (op === '<<' || op === '>>') {
      // The result has the left operand's type; a negative count shifts the other way, as in cpplib.
      let count = b.unsigned ? b.value : b.value
      let left = op === '<<'
      if (!b.unsigned && count < 0n) {
        count = -count
        left = !left
      }
      if (count >= 64n) return wrap(left || a.unsigned || a.value >= 0n ? 0n : -1n, a.unsigned)
      const av = a.unsigned ? a.value : a.value
      return wrap(left ? av << count : av >> count, a.unsigned)
    }
    const unsigned = a.unsigned || b.unsigned
    const x = unsigned ? BigInt.asUintN(64, a.value) : a.value
    const y = unsigned ? BigInt.asUintN(64, b.value) : b.value
    const bool = (v: boolean): PPValue => ({ value: v ? 1n : 0n, unsigned: false })
    switch (op) {
      case '*': return wrap(x * y, unsigned)
      case '/':
      case '%':
        if (y === 0n) {
          if (live) return this.fail(at, 'division by zero in #if')
          return { value: 0n, unsigned }
        }
        return wrap(op === '/' ? x / y : x % y, unsigned)
      case '+': return wrap(x + y, unsigned)
      case '-': return wrap(x - y, unsigned)
      case '<': return bool(x < y)
      case '>': return bool(x > y)
      case '<=': return bool(x <= y)
      case '>=': return bool(x >= y)
      case '==': return bool(x === y)
      case '!=': return bool(x !== y)
      case '&': return wrap(x & y, unsigned)
      case '^': return wrap(x ^ y, unsigned)
      case '|': return wrap(x | y, unsigned)
      default: return this.fail(at, `token "${op}" is not valid in preprocessor expressions`)
    }
  }

  private unary(live: boolean): PPValue {
    const t = this.tokens[this.pos]
    if (!t) return this.fail(undefined, `#${this.directive.text} with no expression`)
    this.pos++
    if (t.kind === 'punct') {
      switch (t.text) {
        case '(': {
          const v = this.conditional(live)
          if (this.peek() !== ')') return this.fail(this.tokens[this.pos], "missing ')' in expression")
          this.pos++
          return v
        }
        case '-': {
          const v = this.unary(live)
          return wrap(-v.value, v.unsigned)
        }
        case '+':
          return this.unary(live)
        case '~': {
          const v = this.unary(live)
          return wrap(~v.value, v.unsigned)
        }
        case '!': {
          const v = this.unary(live)
          return { value: v.value === 0n ? 1n : 0n, unsigned: false }
        }
      }
      return this.fail(t, `token "${t.text}" is not valid in preprocessor expressions`)
    }
    if (t.kind === 'number') return this.number(t)
    if (t.kind === 'char') {
      const v = parseCharConstantValue(t.text)
      if (v === undefined) return this.fail(t, `invalid character constant ${t.text}`)
      return { value: v, unsigned: false }
    }
    if (t.kind === 'ident') {
      if (this.peek() === '(' && this.tokens[this.pos - 1] === t) {
        return this.fail(t, `function-like macro "${t.text}" is not defined`)
      }
      return { value: 0n, unsigned: false }
    }
    if (t.kind === 'string') return this.fail(t, `token "${t.text}" is not valid in preprocessor expressions`)
    return this.fail(t, `token "${t.text}" is not valid in preprocessor expressions`)
  }

  private number(t: PPToken): PPValue {
    const m = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)([uUlL]*)$/.exec(t.text)
    if (!m) {
      if (/^[0-9.]/.test(t.text) && /[.eEpP]/.test(t.text) && !/^0[xX][0-9a-fA-F]+$/.test(t.text)) {
        return this.fail(t, 'floating constant in preprocessor expression')
      }
      return this.fail(t, `invalid integer constant "${t.text}" in #if`)
    }
    const digits = m[1] as string
    const suffix = (m[2] as string).toLowerCase()
    if (!/^(u?(l|ll)?|(l|ll)u)$/.test(suffix)) return this.fail(t, `invalid suffix "${m[2]}" on integer constant`)
    const value = /^0[bB]/.test(digits) ? BigInt(digits) : digits.length > 1 && digits[0] === '0' && !/^0[xX]/.test(digits) ? BigInt('0o' + digits.slice(1)) : BigInt(digits)
    if (value > MASK64) {
      this.diags.error(t.loc, 'integer constant is too large for its type')
      return { value: BigInt.asUintN(64, value), unsigned: true }
    }
    const unsigned = suffix.includes('u') || value > (1n << 63n) - 1n
    return wrap(value, unsigned)
  }
}

/** Value of a plain character constant as an int (chars are signed on x86-64). */
export function parseCharConstantValue(text: string): bigint | undefined {
  const m = /^(L|u|U|u8)?'(.*)'$/s.exec(text)
  if (!m) return undefined
  const bytes = decodeEscapes(m[2] as string)
  if (!bytes || bytes.length === 0) return undefined
  if (m[1]) return BigInt(bytes.codePoints[0] ?? 0)
  let v = 0n
  for (const b of bytes.bytes) v = (v << 8n) | BigInt(b)
  return bytes.bytes.length === 1 ? BigInt.asIntN(8, v) : BigInt.asIntN(32, v)
}

export interface DecodedLiteral {
  /** UTF-8 bytes (with \x and octal escapes taken as raw byte values). */
  readonly bytes: number[]
  /** Code points (each escape giving one value), for wide literals. */
  readonly codePoints: number[]
  readonly length: number
  /** First malformed escape, if any. */
  readonly badEscape?: string
}

const UTF8 = new TextEncoder()

/** The value of each one-character escape (`\\e` is gcc's ESC). */
const SIMPLE_ESCAPES = new Map(Object.entries({ n: 10, t: 9, r: 13, a: 7, b: 8, f: 12, v: 11, e: 27, E: 27, '\\': 92, "'": 39, '"': 34, '?': 63 }))

/** Decodes the body of a character or string literal (between the quotes). */
export function decodeEscapes(body: string): DecodedLiteral | undefined {
  const bytes: number[] = []
  const codePoints: number[] = []
  let badEscape: string | undefined
  const pushCodePoint = (cp: number): void => {
    codePoints.push(cp)
    const encoded = UTF8.encode(String.fromCodePoint(cp))
    for (const b of encoded) bytes.push(b)
  }
  for (let i = 0; i < body.length; ) {
    const c = body[i] as string
    if (c !== '\\') {
      const cp = body.codePointAt(i) as number
      if (cp < 0x80) {
        bytes.push(cp)
        codePoints.push(cp)
      } else pushCodePoint(cp)
      i += cp > 0xffff ? 2 : 1
      continue
    }
    const e = body[i + 1]
    i += 2
    const simple = e === undefined ? undefined : SIMPLE_ESCAPES.get(e)
    if (simple !== undefined) {
      bytes.push(simple)
      codePoints.push(simple)
      continue
    }
    if (e !== undefined && e >= '0' && e <= '7') {
      let v = Number(e)
      for (let k = 0; k < 2 && body[i] !== undefined && body[i]! >= '0' && body[i]! <= '7'; k++) v = v * 8 + Number(body[i++])
      bytes.push(v & 0xff)
      codePoints.push(v)
      continue
    }
    if (e === 'x') {
      let hex = ''
      while (i < body.length && /[0-9a-fA-F]/.test(body[i] as string)) hex += body[i++]
      if (hex === '') {
        badEscape ??= '\\x used with no following hex digits'
        continue
      }
      const v = BigInt('0x' + hex)
      bytes.push(Number(v & 0xffn))
      codePoints.push(Number(v & 0xffffffffn))
      continue
    }
    if (e === 'u' || e === 'U') {
      const n = e === 'u' ? 4 : 8
      const hex = body.slice(i, i + n)
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(hex)) {
        badEscape ??= `incomplete universal character name \\${e}${hex}`
        continue
      }
      i += n
      pushCodePoint(Number.parseInt(hex, 16))
      continue
    }
    badEscape ??= `unknown escape sequence: '\\${e ?? ''}'`
    if (e !== undefined) {
      bytes.push(e.charCodeAt(0) & 0xff)
      codePoints.push(e.charCodeAt(0))
    }
  }
  return { bytes, codePoints, length: bytes.length, badEscape }
}

/** All of `mainFile`'s preprocessed tokens (ending with 'eof'), as `gcc -E` gives them. */
export function preprocess(
  files: Readonly<Record<string, string>>,
  mainFile: string,
  options: PreprocessOptions,
  diags: DiagnosticSink,
): PPToken[] {
  const pp = new Preprocessor(files, mainFile, options, diags)
  const tokens: PPToken[] = []
  try {
    for (let t = pp.next(); ; t = pp.next()) {
      tokens.push(t)
      if (t.kind === 'eof') return tokens
    }
  } catch (e) {
    if (e instanceof FatalPreprocessError) {
      return [PPToken.eof({ file: mainFile, line: 1, column: 1 }, false, true)]
    }
    throw e
  }
}
