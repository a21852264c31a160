/**
 * Recursive-descent parser for the C subset. It resolves names as it goes (C needs that to tell
 * typedef names from variables), asks `Sema` to type every expression, and recovers from errors
 * at statement and declaration boundaries so one pass reports several mistakes, like gcc.
 */
import type {
  EnumConstSymbol,
  Expr,
  FunctionDef,
  Initializer,
  InitItem,
  OrdinarySymbol,
  Stmt,
  StringLiteral,
  SwitchCase,
  TranslationUnit,
  TypedefSymbol,
  VarSymbol,
} from './ast'
import { CompileAbort, type DiagnosticSink, type SourceLocation } from './diagnostics'
import type { PPToken } from './lexer'
import { decodeEscapes, parseCharConstantValue, type DecodedLiteral } from './preprocess'
import { Sema, evalConstInt } from './sema'
import {
  CHAR,
  INT,
  LLONG,
  LONG,
  UINT,
  ULLONG,
  ULONG,
  VOID,
  alignOf,
  arrayOf,
  compatible,
  intType,
  isComplete,
  isInteger,
  isScalar,
  layoutRecord,
  newRecord,
  pointerTo,
  qualified,
  sizeOf,
  typeToString,
  unqualified,
  findMember,
  USHORT,
  type CType,
  type EnumInfo,
  type IntKind,
  type MemberDeclaration,
  type RecordInfo,
} from './types'

const KEYWORDS = new Set([
  'auto', 'break', 'case', 'char', 'const', 'continue', 'default', 'do', 'double', 'else', 'enum', 'extern', 'float', 'for',
  'goto', 'if', 'inline', 'int', 'long', 'register', 'restrict', 'return', 'short', 'signed', 'sizeof', 'static', 'struct',
  'switch', 'typedef', 'union', 'unsigned', 'void', 'volatile', 'while', '_Alignas', '_Alignof', '_Atomic', '_Bool',
  '_Complex', '_Generic', '_Imaginary', '_Noreturn', '_Static_assert', '_Thread_local', '__attribute__', '__attribute',
  '__asm__', '__asm', 'asm', '__inline', '__inline__', '__restrict', '__restrict__', '__const', '__const__', '__volatile__',
  '__volatile', '__signed__', '__signed', '__extension__', 'typeof', '__typeof__', '__typeof', '__builtin_va_list',
  '__builtin_va_start', '__builtin_va_arg', '__builtin_va_end', '__builtin_va_copy', '__builtin_offsetof', '__alignof__',
  '__alignof',
])

const TYPE_START = new Set([
  'void', 'char', 'short', 'int', 'long', 'float', 'double', 'signed', 'unsigned', '_Bool', 'struct', 'union', 'enum',
  'const', 'volatile', 'restrict', '_Atomic', '_Complex', '__builtin_va_list', 'typeof', '__typeof__', '__typeof',
  '__restrict', '__restrict__', '__const', '__const__', '__volatile__', '__volatile', '__signed__', '__signed', '_Alignas',
  '__attribute__', '__attribute', '__extension__',
])
/** Type specifiers that `combineSpecifiers` counts and combines (`unsigned long`, `short int`, ...). */
const BASIC_TYPE_WORDS = new Set(['void', 'char', 'short', 'int', 'long', 'signed', 'unsigned', '_Bool', '__signed__', '__signed'])
const STORAGE_START = new Set(['typedef', 'extern', 'static', 'auto', 'register', 'inline', '__inline', '__inline__', '_Noreturn', '_Thread_local'])

interface TagEntry {
  readonly kind: 'struct' | 'union' | 'enum'
  readonly record?: RecordInfo
  readonly enumInfo?: EnumInfo
}

class Scope {
  readonly names = new Map<string, OrdinarySymbol>()
  readonly tags = new Map<string, TagEntry>()
  constructor(
    readonly parent: Scope | undefined,
    /** Block number within the function (for the frame layout), -1 at file scope. */
    readonly block: number,
    readonly depth: number,
  ) {}
}

interface DeclSpec {
  storage: 'typedef' | 'extern' | 'static' | 'auto' | 'register' | undefined
  type: CType
  loc: SourceLocation
  /** No type specifier at all (old "implicit int"). */
  implicitInt: boolean
  isInline: boolean
  /** `_Alignas(...)` among the specifiers: the strictest alignment asked for. */
  alignas: number | undefined
  /** `__attribute__((aligned(N)))` among the specifiers (applies to each declarator). */
  attributeAlign: number | undefined
  /** `__attribute__((packed))` among the specifiers (a member's: it packs each declarator). */
  attributePacked: boolean
}

interface Declarator {
  name: string | undefined
  loc: SourceLocation
  type: CType
  /** `__attribute__((aligned(N)))` written after the declarator. */
  attributeAlign?: number
  /** `__attribute__((packed))` written after the declarator (a packed member). */
  attributePacked?: boolean
}

/** What `__attribute__((...))` lists say; other attributes are accepted and ignored. */
interface Attributes {
  packed: boolean
  /** The strictest `aligned(N)`; plain `aligned` is the target's biggest alignment. */
  aligned: number | undefined
}

/** __BIGGEST_ALIGNMENT__ on x86-64 without AVX: what a bare `aligned` attribute means. */
const BIGGEST_ALIGNMENT = 16
/** The largest alignment an ELF object file section can have (gcc's MAX_OFILE_ALIGNMENT). */
const MAX_OBJECT_FILE_ALIGNMENT = 1 << 28

interface SwitchContext {
  readonly id: number
  readonly type: CType
  readonly cases: SwitchCase[]
  hasDefault: boolean
}

interface FunctionContext {
  readonly name: string
  readonly returns: CType
  readonly locals: VarSymbol[]
  nextFrameId: number
  nextBlock: number
  readonly labelsDefined: Map<string, SourceLocation>
  readonly labelsUsed: Map<string, SourceLocation>
  readonly switches: SwitchContext[]
  loopDepth: number
  breakDepth: number
  variadic: boolean
}

/** Tree of an object's initializer while it is being parsed (flattened afterwards). */
interface InitNode {
  type: CType
  children?: InitNode[]
  /** Members' offsets for records; element size for arrays. */
  expr?: Expr
  bytes?: Uint8Array
  /** For unions: the member that is initialised. */
  activeMember?: number
  /** Array of unknown size at the top level: grows as elements are given. */
  open?: boolean
}

export class Parser {
  private pos = 0
  private scope = new Scope(undefined, -1, 0)
  private readonly fileScope = this.scope
  private readonly sema: Sema
  private readonly globals: VarSymbol[] = []
  /** The unit's string literals, by id; the lowerer reads them as functions are handed on. */
  readonly strings: StringLiteral[] = []
  /** Definitions waiting behind an inline definition, whose fate is known only at the unit's end. */
  private readonly waiting: FunctionDef[] = []
  private fn: FunctionContext | undefined
  private staticCounter = 0
  private switchCounter = 0
  private anonymousCounter = 0

  /**
   * Tokens pulled from the preprocessor as the parser looks ahead; `window[0]` is token number
   * `windowStart`. Tokens of finished top-level declarations are dropped (see `parse`), so the
   * unit's tokens are never all alive at once.
   */
  private window: PPToken[] = []
  private windowStart = 0
  /** Tokens with an unterminated quote, by the index of the token they preceded (see `next`). */
  private readonly unterminated = new Map<number, PPToken[]>()

  /**
   * Each function definition goes to `onFunction` as soon as it is certain to be emitted, in
   * definition order, so a caller can lower and generate it while the parser goes on and its
   * syntax tree dies young.
   */
  constructor(
    /** The preprocessor's next token; after the last ('eof'), 'eof' again. */
    private readonly source: () => PPToken,
    private readonly diags: DiagnosticSink,
    private readonly onFunction: (def: FunctionDef) => void,
  ) {
    this.sema = new Sema(diags)
    this.declareBuiltins()
  }

  /** Token number `index` (the 'eof' for any index past it). */
  private token(index: number): PPToken {
    const at = index - this.windowStart
    return at < this.window.length ? (this.window[at] as PPToken) : this.pull(at)
  }

  /** Pulls tokens from the source until the window has `at` (or has the 'eof'), and returns it. */
  private pull(at: number): PPToken {
    while (at >= this.window.length && this.window[this.window.length - 1]?.kind !== 'eof') {
      const t = this.source()
      // gcc's lexer drops a token with an unterminated quote after reporting it, so the parser
      // never sees it (`char c = 'a;` then parses on as `char c = <next line>`).
      if (isUnterminatedLiteral(t)) {
        const before = this.windowStart + this.window.length
        this.unterminated.set(before, [...(this.unterminated.get(before) ?? []), t])
      } else {
        this.window.push(t)
        const pulled = this.windowStart + this.window.length - 1
        if (pulled <= this.pos) this.reportUnterminated(pulled)
      }
    }
    return this.window[Math.min(at, this.window.length - 1)] as PPToken
  }

  /** Reports the dropped unterminated literals in front of token `index`, once, when the parser
   *  gets there (when it reaches the token, or pulls it having reached its place). */
  private reportUnterminated(index: number): void {
    const dropped = this.unterminated.get(index)
    if (dropped === undefined) return
    this.unterminated.delete(index)
    for (const t of dropped) this.diags.error(t.loc, `missing terminating ${t.text[0]} character`, t.text.length)
  }

  // ---- tokens --------------------------------------------------------------------------------

  private peek(k = 0): PPToken {
    return this.token(this.pos + k)
  }

  private next(): PPToken {
    const t = this.peek()
    if (t.kind !== 'eof') {
      this.pos++
      // Not pulled yet: it is reported when it is (so no token is pulled before it is needed,
      // and the preprocessor's diagnostics come when gcc's would).
      if (this.pos - this.windowStart < this.window.length) this.reportUnterminated(this.pos)
    }
    return t
  }

  private is(text: string, k = 0): boolean {
    const t = this.peek(k)
    return (t.kind === 'punct' || t.kind === 'ident') && t.text === text
  }

  private accept(text: string): boolean {
    if (!this.is(text)) return false
    this.next()
    return true
  }

  private describe(t: PPToken): string {
    switch (t.kind) {
      case 'eof':
        return 'at end of input'
      case 'number':
        return 'before numeric constant'
      case 'string':
        return 'before string constant'
      case 'char':
        return 'before character constant'
      case 'punct':
        return `before '${t.text}' token`
      default:
        return `before '${t.text}'`
    }
  }

  private expect(text: string, alternatives?: string): PPToken {
    if (this.is(text)) return this.next()
    const t = this.peek()
    const prev = this.pos > 0 ? this.token(this.pos - 1) : undefined
    // Like gcc, a single missing closing token is reported just after the previous token (where it
    // would be inserted); a choice of tokens is reported at the unexpected token.
    if (!alternatives && prev && CLOSERS.has(text)) {
      this.fail({ file: prev.loc.file, line: prev.loc.line, column: prev.loc.column + prev.text.length }, `expected '${text}' ${this.describe(t)}`)
    }
    this.fail(t.loc, `expected ${alternatives ?? `'${text}'`} ${this.describe(t)}`, t.text.length)
  }

  private fail(loc: SourceLocation, message: string, length = 1): never {
    this.diags.error(loc, message, length)
    throw new CompileAbort()
  }

  private expectIdent(what = 'identifier'): PPToken {
    const t = this.peek()
    if (t.kind === 'ident' && !KEYWORDS.has(t.text)) return this.next()
    this.fail(t.loc, `expected ${what} ${this.describe(t)}`, t.text.length)
  }

  /**
   * Bounds the parser's recursion: absurdly deep nesting gets a diagnostic instead of exhausting
   * the JavaScript stack (gcc has no fixed limit, but real programs stay far below this one).
   */
  private enterNesting(): void {
    if (this.nesting >= MAX_NESTING) this.fail(this.peek().loc, `nesting too deep (more than ${MAX_NESTING} levels)`)
    this.nesting++
  }

  private nesting = 0

  // ---- scopes --------------------------------------------------------------------------------

  private lookup(name: string): OrdinarySymbol | undefined {
    for (let s: Scope | undefined = this.scope; s; s = s.parent) {
      const found = s.names.get(name)
      if (found) return found
    }
    return undefined
  }

  private lookupTag(name: string): TagEntry | undefined {
    for (let s: Scope | undefined = this.scope; s; s = s.parent) {
      const found = s.tags.get(name)
      if (found) return found
    }
    return undefined
  }

  /** Opens a scope and returns its block number. */
  private pushScope(): number {
    const fn = this.fn
    const block = fn ? fn.nextBlock++ : -1
    this.scope = new Scope(this.scope, block, this.scope === this.fileScope ? 0 : this.scope.depth + 1)
    return block
  }

  private popScope(): void {
    this.scope = this.scope.parent as Scope
  }

  private isTypedefName(t: PPToken): boolean {
    if (t.kind !== 'ident' || KEYWORDS.has(t.text)) return false
    return this.lookup(t.text)?.kind === 'typedef'
  }

  /** Does a declaration (or type name) start at token k? */
  private startsDeclaration(k = 0): boolean {
    const t = this.peek(k)
    if (t.kind !== 'ident') return false
    return TYPE_START.has(t.text) || STORAGE_START.has(t.text) || this.isTypedefName(t)
  }

  private startsTypeName(k = 0): boolean {
    const t = this.peek(k)
    if (t.kind !== 'ident') return false
    return TYPE_START.has(t.text) || this.isTypedefName(t)
  }

  private declareBuiltins(): void {
    // The System V va_list: struct __va_list_tag { unsigned gp_offset, fp_offset; void *overflow_arg_area, *reg_save_area; }[1]
    const tag = newRecord('__va_list_tag', false)
    layoutRecord(tag, [
      { name: 'gp_offset', type: UINT },
      { name: 'fp_offset', type: UINT },
      { name: 'overflow_arg_area', type: pointerTo(VOID) },
      { name: 'reg_save_area', type: pointerTo(VOID) },
    ])
    this.vaListType = arrayOf({ kind: 'record', info: tag }, 1)
  }

  private vaListType: CType = VOID

  // ---- translation unit ----------------------------------------------------------------------

  parse(): TranslationUnit {
    while (this.peek().kind !== 'eof') {
      if (this.diags.tooManyErrors) break
      // Nothing looks back past the previous declaration's last token.
      const finished = this.pos - 1 - this.windowStart
      if (finished >= DROPPED_TOKENS) {
        this.window = this.window.slice(finished)
        this.windowStart += finished
      }
      const start = this.pos
      try {
        this.externalDeclaration()
      } catch (e) {
        if (!(e instanceof CompileAbort)) throw e
        this.fn = undefined
        this.scope = this.fileScope
        this.recoverTopLevel(start)
        this.diags.currentFunction = undefined
      }
    }
    // As gcc: a `static inline` function is emitted only when referenced, and an `inline`
    // definition with external linkage only when some declaration makes it an external definition
    // (C17 6.7.4p7); otherwise calls go to an external symbol.
    for (const f of this.waiting) {
      if (!f.sym.inlineDefinition || (f.sym.external ? f.sym.externalDefinition : f.sym.used)) this.onFunction(f)
      else f.sym.defined = false
    }
    const externs = [...this.fileScope.names.values()].filter(
      (s): s is VarSymbol => s.kind === 'var' && !s.defined && !s.tentative && s.used,
    )
    return { globals: this.globals, strings: this.strings, externs }
  }

  /** Hands a definition on, unless an inline definition before it still waits (order is kept). */
  private defined(def: FunctionDef): void {
    if (def.sym.inlineDefinition || this.waiting.length > 0) this.waiting.push(def)
    else this.onFunction(def)
  }

  /** Skips to the end of the broken declaration: a ';' or the '}' closing a top-level block. */
  private recoverTopLevel(start: number): void {
    if (this.pos === start) this.next()
    let depth = 0
    for (;;) {
      const t = this.peek()
      if (t.kind === 'eof') return
      if (t.kind === 'punct') {
        if (t.text === '{' || t.text === '(' || t.text === '[') depth++
        else if (t.text === '}' || t.text === ')' || t.text === ']') {
          depth--
          if (depth <= 0 && t.text === '}') {
            this.next()
            return
          }
          if (depth < 0) depth = 0
        } else if (t.text === ';' && depth === 0) {
          this.next()
          return
        }
      }
      this.next()
    }
  }

  private externalDeclaration(): void {
    if (this.accept(';')) return
    if (this.is('_Static_assert')) return this.staticAssert()
    if (this.is('__asm__') || this.is('asm') || this.is('__asm')) {
      this.fail(this.peek().loc, 'top-level asm is not supported')
    }
    const startTok = this.peek()
    const spec = this.declarationSpecifiers(true)
    if (spec.implicitInt) {
      if (startTok.kind !== 'ident' || KEYWORDS.has(startTok.text) || this.lookup(startTok.text) !== undefined) {
        if (!(startTok.kind === 'ident' && STORAGE_START.has(startTok.text))) this.fail(startTok.loc, `expected identifier or '(' ${this.describe(startTok)}`, startTok.text.length)
      }
      this.diags.warning(startTok.loc, `type defaults to 'int' in declaration of '${startTok.text}'`)
    }
    if (this.accept(';')) return
    let first = true
    for (;;) {
      const d = this.declarator(spec.type, false)
      if (d.type.kind === 'function' && first && (this.is('{') || this.startsDeclaration())) {
        if (!this.is('{')) this.fail(this.peek().loc, 'old-style (K&R) parameter declarations are not supported')
        this.functionDefinition(spec, d)
        return
      }
      first = false
      this.fileScopeDeclarator(spec, d)
      if (this.accept(',')) continue
      this.expect(';', "',' or ';'")
      return
    }
  }

  private staticAssert(): void {
    const kw = this.next()
    this.expect('(')
    const e = this.conditionalExpr()
    const v = this.sema.constInt(e, 'expression in static assertion')
    let message = ''
    if (this.accept(',')) message = this.stringLiteralText()
    this.expect(')')
    this.expect(';')
    if (v === 0n) this.diags.error(kw.loc, `static assertion failed${message ? `: "${message}"` : ''}`)
  }

  private stringLiteralText(): string {
    const t = this.peek()
    if (t.kind !== 'string') this.fail(t.loc, `expected string literal ${this.describe(t)}`)
    let s = ''
    while (this.peek().kind === 'string') s += this.next().text.replace(/^[LuU8]*"/, '').slice(0, -1)
    return s
  }

  private fileScopeDeclarator(spec: DeclSpec, d: Declarator): void {
    if (d.name === undefined) this.fail(d.loc, 'expected identifier or \'(\'')
    if (spec.storage === 'typedef') {
      this.declareTypedef(d, spec)
      return
    }
    if (spec.storage === 'auto' || spec.storage === 'register') this.diags.error(d.loc, `file-scope declaration of '${d.name}' specifies '${spec.storage}'`)
    const isFunction = d.type.kind === 'function'
    const align = this.objectAlignment(spec, d, isFunction ? 'function' : 'object')
    const sym = this.declareGlobal(d, spec.storage === 'static')
    if (align !== undefined) sym.align = Math.max(sym.align ?? 0, align)
    if (isFunction && (!spec.isInline || spec.storage === 'extern')) sym.externalDefinition = true
    if (this.is('=')) {
      const eq = this.next()
      if (isFunction) this.fail(eq.loc, `function '${d.name}' is initialized like a variable`)
      if (spec.storage === 'extern') this.diags.warning(d.loc, `'${d.name}' initialized and declared 'extern'`)
      if (sym.defined) this.fail(d.loc, `redefinition of '${d.name}'`, d.name.length)
      const init = this.initializer(sym)
      sym.init = init
      sym.defined = true
      sym.tentative = false
    } else if (!isFunction && spec.storage !== 'extern') {
      if (!sym.defined) sym.tentative = true
    }
    if (!isFunction && (sym.defined || sym.tentative) && !this.globals.includes(sym)) this.globals.push(sym)
    if (!isFunction && (sym.defined || spec.storage !== 'extern') && sizeOf(sym.type) === undefined && !(sym.type.kind === 'array' && sym.tentative && !sym.defined)) {
      this.diags.error(d.loc, `storage size of '${d.name}' isn't known`, d.name.length)
    }
  }

  private declareTypedef(declarator: Declarator, spec: DeclSpec): void {
    this.objectAlignment(spec, declarator, 'typedef')
    // `typedef T name __attribute__((aligned(N)))` makes a type of alignment N (gcc's user-aligned variant).
    const attributeAlign = declarator.attributeAlign ?? spec.attributeAlign
    const d = attributeAlign === undefined ? declarator : { ...declarator, type: { ...declarator.type, alignment: attributeAlign } as CType }
    const name = d.name as string
    const existing = this.scope.names.get(name)
    if (existing) {
      if (existing.kind === 'typedef' && compatible(existing.type, d.type)) return
      this.fail(d.loc, existing.kind === 'typedef' ? `conflicting types for '${name}'; have '${typeToString(d.type)}'` : `'${name}' redeclared as different kind of symbol`, name.length)
    }
    if (d.type.kind === 'record' && d.type.info.tag === undefined && d.type.info.typedefName === undefined && d.type.typedefName === undefined) {
      d.type.info.typedefName = name
    }
    const sym: TypedefSymbol = { kind: 'typedef', name, type: d.type, loc: d.loc }
    this.scope.names.set(name, sym)
  }

  /** Declares (or redeclares) an object or function with static storage at file scope. */
  private declareGlobal(d: Declarator, isStatic: boolean): VarSymbol {
    const name = d.name as string
    const existing = this.fileScope.names.get(name)
    if (existing) {
      if (existing.kind !== 'var') this.fail(d.loc, `'${name}' redeclared as different kind of symbol`, name.length)
      if (!compatible(existing.type, d.type)) {
        // An array declared without size may be completed later; anything else conflicts.
        const completes = existing.type.kind === 'array' && d.type.kind === 'array' && compatible(existing.type.of, d.type.of)
        if (!completes) {
          this.diags.error(d.loc, `conflicting types for '${name}'; have '${typeToString(d.type)}'`, name.length)
          this.diags.note(existing.loc, `previous declaration of '${name}' with type '${typeToString(existing.type)}'`, name.length)
          throw new CompileAbort()
        }
      }
      if (d.type.kind === 'array' && d.type.length !== undefined) existing.type = d.type
      if (d.type.kind === 'function' && d.type.prototyped && existing.type.kind === 'function' && !existing.type.prototyped) existing.type = d.type
      if (isStatic && existing.external) this.diags.error(d.loc, `static declaration of '${name}' follows non-static declaration`, name.length)
      return existing
    }
    const sym: VarSymbol = {
      kind: 'var', name, type: d.type, asmName: name, loc: d.loc, storage: 'global', external: !isStatic, defined: false,
      tentative: false, frameId: -1, addressTaken: false, scope: -1, parentScope: undefined, scopeDepth: 0, used: false,
      externalDefinition: false, inlineDefinition: false,
    }
    this.fileScope.names.set(name, sym)
    return sym
  }

  private functionDefinition(spec: DeclSpec, d: Declarator): void {
    const ftype = d.type as CType & { kind: 'function' }
    const name = d.name as string
    if (spec.storage === 'typedef') this.fail(d.loc, 'function definition declared \'typedef\'')
    this.objectAlignment(spec, d, 'function')
    const sym = this.declareGlobal(d, spec.storage === 'static')
    if (sym.defined) {
      this.diags.error(d.loc, `redefinition of '${name}'`, name.length)
      this.diags.note(sym.loc, `previous definition of '${name}' with type '${typeToString(sym.type)}'`, name.length)
    }
    sym.defined = true
    sym.type = ftype
    if (!spec.isInline || spec.storage === 'extern') sym.externalDefinition = true
    sym.inlineDefinition = spec.isInline
    const returns = unqualified(ftype.returns)
    if (returns.kind === 'record' && !returns.info.complete) this.diags.error(d.loc, `return type is an incomplete type`)
    this.diags.currentFunction = name
    this.fn = {
      name, returns, locals: [], nextFrameId: 0, nextBlock: 0, labelsDefined: new Map(), labelsUsed: new Map(), switches: [],
      loopDepth: 0, breakDepth: 0, variadic: ftype.variadic,
    }
    this.pushScope()
    const params: VarSymbol[] = []
    ftype.params.forEach((pt, i) => {
      const pname = ftype.paramNames[i]
      if (pname === undefined) {
        this.diags.error(d.loc, 'parameter name omitted')
        return
      }
      if (!isComplete(pt)) this.diags.error(d.loc, `parameter ${i + 1} ('${pname}') has incomplete type`)
      params.push(this.declareLocal(pname, pt, this.parameterLocations.get(ftype)?.[i] ?? d.loc, 'param'))
    })
    const body = this.compoundStatement(false)
    const endLoc = this.token(this.pos - 1).loc
    this.popScope()
    for (const [label, loc] of this.fn.labelsUsed) {
      if (!this.fn.labelsDefined.has(label)) this.diags.error(loc, `label '${label}' used but not defined`, label.length)
    }
    const locals = this.fn.locals
    this.fn = undefined
    this.diags.currentFunction = undefined
    this.defined({ sym, type: ftype, params, body, locals, loc: d.loc, endLoc })
  }

  private declareLocal(name: string, type: CType, loc: SourceLocation, storage: 'local' | 'param'): VarSymbol {
    const fn = this.fn as FunctionContext
    const existing = this.scope.names.get(name)
    if (existing) {
      this.diags.error(loc, existing.kind === 'var' && existing.storage !== 'global' ? `redeclaration of '${name}' with no linkage` : `redeclaration of '${name}'`, name.length)
    }
    const sym: VarSymbol = {
      kind: 'var', name, type, asmName: name, loc, storage, external: false, defined: true, tentative: false,
      frameId: fn.nextFrameId++, addressTaken: false, scope: this.scope.block, parentScope: this.scope.parent?.block,
      scopeDepth: this.scope.depth, used: false, externalDefinition: false, inlineDefinition: false,
    }
    this.scope.names.set(name, sym)
    fn.locals.push(sym)
    return sym
  }

  // ---- declaration specifiers ------------------------------------------------------------------

  private declarationSpecifiers(allowStorage: boolean): DeclSpec {
    const loc = this.peek().loc
    let storage: DeclSpec['storage']
    let isInline = false
    let isConst = false
    let isVolatile = false
    /** Basic type words seen: made on the first, so declarations through a typedef name or a tag need none. */
    let counts: Map<string, number> | undefined
    let named: CType | undefined
    let seenAny = false
    let alignas: number | undefined
    const attributes: Attributes = { packed: false, aligned: undefined }
    for (;;) {
      const t = this.peek()
      if (t.kind !== 'ident') break
      const w = t.text
      if (STORAGE_START.has(w)) {
        if (!allowStorage) this.fail(t.loc, `storage class specified for a type name`)
        this.next()
        seenAny = true
        if (w === 'inline' || w === '__inline' || w === '__inline__') {
          isInline = true
          continue
        }
        if (w === '_Noreturn' || w === '_Thread_local') continue
        if (storage) this.fail(t.loc, `multiple storage classes in declaration specifiers`)
        storage = w as DeclSpec['storage']
        continue
      }
      if (w === 'const' || w === '__const' || w === '__const__') {
        this.next()
        isConst = true
        seenAny = true
        continue
      }
      if (w === 'volatile' || w === '__volatile__' || w === '__volatile') {
        this.next()
        isVolatile = true
        seenAny = true
        continue
      }
      if (w === 'restrict' || w === '__restrict' || w === '__restrict__' || w === '__extension__') {
        this.next()
        continue
      }
      if (w === '__attribute__' || w === '__attribute') {
        this.attributes(attributes)
        continue
      }
      if (w === '_Alignas') {
        this.next()
        this.expect('(')
        const requested = this.startsTypeName() ? alignOf(this.typeName()) : this.requestedAlignment(this.conditionalExpr(), t.loc, true)
        this.expect(')')
        if (requested !== undefined) alignas = Math.max(alignas ?? 0, requested)
        continue
      }
      if (w === '_Atomic' || w === '_Complex' || w === '_Imaginary') this.fail(t.loc, `'${w}' is not supported`, w.length)
      if (w === 'float' || w === 'double') this.fail(t.loc, 'floating-point types are not supported yet', w.length)
      if (w === 'struct' || w === 'union') {
        if (named || counts) this.fail(t.loc, 'two or more data types in declaration specifiers')
        named = this.recordSpecifier()
        seenAny = true
        continue
      }
      if (w === 'enum') {
        if (named || counts) this.fail(t.loc, 'two or more data types in declaration specifiers')
        named = this.enumSpecifier()
        seenAny = true
        continue
      }
      if (w === '__builtin_va_list') {
        this.next()
        named = this.vaListType
        seenAny = true
        continue
      }
      if (w === 'typeof' || w === '__typeof__' || w === '__typeof') {
        this.next()
        this.expect('(')
        named = this.startsTypeName() ? this.typeName() : this.expression().type
        this.expect(')')
        seenAny = true
        continue
      }
      if (BASIC_TYPE_WORDS.has(w)) {
        if (named) this.fail(t.loc, 'two or more data types in declaration specifiers')
        this.next()
        const key = w === '__signed__' || w === '__signed' ? 'signed' : w
        counts ??= new Map()
        counts.set(key, (counts.get(key) ?? 0) + 1)
        seenAny = true
        continue
      }
      if (!named && !counts && this.isTypedefName(t)) {
        // `T x` where T is a typedef, unless T is being redeclared as a variable name (`int T`).
        this.next()
        const aliased = (this.lookup(w) as TypedefSymbol).type
        named = { ...aliased, typedefName: w } as CType
        seenAny = true
        continue
      }
      break
    }
    let type: CType
    let implicitInt = false
    if (named) type = named
    else if (!counts) {
      if (!seenAny) {
        const t = this.peek()
        this.fail(t.loc, `expected declaration specifiers ${this.describe(t)}`, t.text.length)
      }
      implicitInt = true
      type = INT
    } else type = this.combineSpecifiers(counts, loc)
    if (implicitInt && seenAny) implicitInt = false // `static x;` / `const x;` is still implicit int but gcc only warns
    return {
      storage, type: qualified(type, { isConst, isVolatile }), loc, implicitInt: !seenAny || implicitInt, isInline, alignas,
      attributeAlign: attributes.aligned, attributePacked: attributes.packed,
    }
  }

  private combineSpecifiers(counts: Map<string, number>, loc: SourceLocation): CType {
    const n = (k: string): number => counts.get(k) ?? 0
    const signed = n('signed')
    const unsigned = n('unsigned')
    if (signed && unsigned) this.fail(loc, "both 'signed' and 'unsigned' in declaration specifiers")
    if (signed > 1 || unsigned > 1 || n('int') > 1 || n('char') > 1 || n('short') > 1 || n('long') > 2 || n('void') > 1 || n('_Bool') > 1) {
      this.fail(loc, 'duplicate type specifier in declaration specifiers')
    }
    const only = (...allowed: string[]): boolean => [...counts.keys()].every((k) => allowed.includes(k))
    if (n('void')) {
      if (!only('void')) this.fail(loc, 'two or more data types in declaration specifiers')
      return VOID
    }
    if (n('_Bool')) {
      if (!only('_Bool')) this.fail(loc, 'two or more data types in declaration specifiers')
      return intType('bool')
    }
    if (n('char')) {
      if (!only('char', 'signed', 'unsigned')) this.fail(loc, 'two or more data types in declaration specifiers')
      return intType(unsigned ? 'uchar' : signed ? 'schar' : 'char')
    }
    if (n('short')) {
      if (!only('short', 'int', 'signed', 'unsigned')) this.fail(loc, 'two or more data types in declaration specifiers')
      return intType(unsigned ? 'ushort' : 'short')
    }
    if (n('long') === 2) {
      if (!only('long', 'int', 'signed', 'unsigned')) this.fail(loc, 'two or more data types in declaration specifiers')
      return intType(unsigned ? 'ullong' : 'llong')
    }
    if (n('long') === 1) {
      if (!only('long', 'int', 'signed', 'unsigned')) this.fail(loc, 'two or more data types in declaration specifiers')
      return intType(unsigned ? 'ulong' : 'long')
    }
    return intType(unsigned ? 'uint' : 'int')
  }

  /** Parses consecutive `__attribute__((...))` specifiers, adding what they say to `into`. */
  private attributes(into: Attributes = { packed: false, aligned: undefined }): Attributes {
    while (this.is('__attribute__') || this.is('__attribute')) {
      this.next()
      this.expect('(')
      this.expect('(')
      while (!this.is(')')) {
        const t = this.next()
        if (t.kind !== 'ident') this.fail(t.loc, `expected identifier ${this.describe(t)}`, t.text.length)
        // `__aligned__` is `aligned` (gcc strips the underscores of attribute names).
        const name = /^__.+__$/.test(t.text) ? t.text.slice(2, -2) : t.text
        if (name === 'aligned') {
          let requested: number | undefined = BIGGEST_ALIGNMENT
          if (this.accept('(')) {
            requested = this.requestedAlignment(this.conditionalExpr(), t.loc, false)
            this.expect(')')
          }
          if (requested !== undefined) into.aligned = Math.max(into.aligned ?? 0, requested)
        } else {
          if (name === 'packed') into.packed = true
          if (this.is('(')) this.skipBalanced()
        }
        if (!this.accept(',')) break
      }
      this.expect(')')
      this.expect(')')
    }
    return into
  }

  /** The value of `_Alignas(expr)` or `aligned(expr)`, checked as gcc does (undefined when in error
   *  or, for `_Alignas(0)`, when it asks for nothing). */
  private requestedAlignment(e: Expr, loc: SourceLocation, zeroAllowed: boolean): number | undefined {
    const v = isInteger(e.type) ? evalConstInt(e) : undefined
    if (v === undefined) {
      this.diags.error(e.loc, 'requested alignment is not an integer constant')
      return undefined
    }
    if (v === 0n && zeroAllowed) return undefined
    if (v <= 0n || (v & (v - 1n)) !== 0n) {
      this.diags.error(loc, `requested alignment '${v}' is not a positive power of 2`)
      return undefined
    }
    if (v > BigInt(MAX_OBJECT_FILE_ALIGNMENT)) {
      this.diags.error(loc, `requested alignment '${v}' exceeds object file maximum ${MAX_OBJECT_FILE_ALIGNMENT}`)
      return undefined
    }
    return Number(v)
  }

  /**
   * The alignment a declaration gives its object, or undefined for the type's own: `_Alignas`
   * may only raise it, the aligned attribute sets it (and may lower it), as in gcc.
   */
  private objectAlignment(spec: DeclSpec, d: Declarator, what: 'object' | 'member' | 'bitField' | 'parameter' | 'function' | 'typedef' | 'register'): number | undefined {
    const name = d.name ?? '<anonymous>'
    if (spec.alignas !== undefined && what !== 'object' && what !== 'member') {
      const subject = what === 'bitField' ? 'bit-field' : what === 'register' ? "'register' object" : what
      this.diags.error(d.loc, `alignment specified for ${subject} '${name}'`, name.length)
      return undefined
    }
    if (what !== 'object' && what !== 'member') return undefined
    const natural = alignOf(d.type)
    if (spec.alignas !== undefined && spec.alignas < natural) {
      this.diags.error(d.loc, `'_Alignas' specifiers cannot reduce alignment of '${name}'`, name.length)
    }
    const attribute = d.attributeAlign ?? spec.attributeAlign
    if (attribute !== undefined) return Math.max(attribute, spec.alignas ?? 0)
    return spec.alignas === undefined ? undefined : Math.max(spec.alignas, natural)
  }

  private skipBalanced(): void {
    this.expect('(')
    let depth = 1
    while (depth > 0) {
      const t = this.next()
      if (t.kind === 'eof') this.fail(t.loc, "expected ')' at end of input")
      if (t.text === '(' && t.kind === 'punct') depth++
      else if (t.text === ')' && t.kind === 'punct') depth--
    }
  }

  private recordSpecifier(): CType {
    const kw = this.next()
    const isUnion = kw.text === 'union'
    const kind = isUnion ? 'union' : 'struct'
    const recordAttributes = this.attributes()
    let tag: string | undefined
    let tagLoc = kw.loc
    if (this.peek().kind === 'ident' && !KEYWORDS.has(this.peek().text)) {
      const t = this.next()
      tag = t.text
      tagLoc = t.loc
    }
    if (!this.is('{')) {
      if (tag === undefined) this.fail(this.peek().loc, `expected '{' ${this.describe(this.peek())}`)
      // `struct S;` alone declares a new incomplete type in this scope; otherwise refer to the visible one.
      const declOnly = this.is(';')
      const existing = declOnly ? this.scope.tags.get(tag) : this.lookupTag(tag)
      if (existing) {
        if (existing.kind !== kind) this.fail(tagLoc, `'${tag}' defined as wrong kind of tag`, tag.length)
        return { kind: 'record', info: existing.record as RecordInfo }
      }
      const info = newRecord(tag, isUnion, tagLoc)
      this.scope.tags.set(tag, { kind, record: info })
      return { kind: 'record', info }
    }
    let info: RecordInfo
    const existing = tag !== undefined ? this.scope.tags.get(tag) : undefined
    if (existing) {
      if (existing.kind !== kind) this.fail(tagLoc, `'${tag}' defined as wrong kind of tag`)
      info = existing.record as RecordInfo
      if (info.complete) this.fail(tagLoc, `redefinition of '${kind} ${tag}'`, (tag as string).length)
    } else {
      info = newRecord(tag, isUnion, tagLoc)
      if (tag !== undefined) this.scope.tags.set(tag, { kind, record: info })
    }
    this.expect('{')
    const members: MemberDeclaration[] = []
    const seen = new Set<string>()
    while (!this.is('}')) {
      if (this.peek().kind === 'eof') this.fail(this.peek().loc, "expected '}' at end of input")
      if (this.accept(';')) continue
      if (this.is('_Static_assert')) {
        this.staticAssert()
        continue
      }
      const spec = this.declarationSpecifiers(false)
      if (this.accept(';')) {
        if (spec.type.kind === 'record' && spec.type.info.tag === undefined) members.push({ name: undefined, type: spec.type })
        else this.diags.warning(spec.loc, 'declaration does not declare anything')
        continue
      }
      for (;;) {
        if (this.is(':')) {
          // An unnamed bit-field: padding, or `:0` to move to the next storage unit.
          const colon = this.next()
          const width = this.bitFieldWidth(spec.type, undefined, colon.loc)
          // gcc points at the tag of a tagged record, else at the specifiers.
          if (spec.alignas !== undefined) this.diags.error(tag === undefined ? spec.loc : tagLoc, 'alignment specified for unnamed bit-field', tag === undefined ? '_Alignas'.length : 1)
          const align = this.bitFieldAlignment(spec.attributeAlign)
          members.push({ name: undefined, type: spec.type, bitWidth: width, loc: colon.loc, ...(align === undefined ? {} : { align }) })
          if (this.accept(',')) continue
          this.expect(';', "';', identifier or '('")
          break
        }
        const d = this.declarator(spec.type, false)
        const name = d.name as string
        if (this.accept(':')) {
          this.objectAlignment(spec, d, 'bitField')
          const width = this.bitFieldWidth(d.type, name, d.loc)
          if (seen.has(name)) this.diags.error(d.loc, `duplicate member '${name}'`, name.length)
          seen.add(name)
          const align = this.bitFieldAlignment(d.attributeAlign ?? spec.attributeAlign)
          members.push({ name, type: d.type, bitWidth: width, loc: d.loc, ...(align === undefined ? {} : { align }) })
          if (this.accept(',')) continue
          this.expect(';', "';', identifier or '('")
          break
        }
        if (seen.has(name)) this.diags.error(d.loc, `duplicate member '${name}'`, name.length)
        seen.add(name)
        if (d.type.kind === 'function') this.diags.error(d.loc, `field '${name}' declared as a function`, name.length)
        else if (!isComplete(d.type)) {
          const flexible = d.type.kind === 'array' && d.type.length === undefined && this.is(';') && this.is('}', 1)
          if (!flexible) this.diags.error(d.loc, `field '${name}' has incomplete type`, name.length)
        }
        const align = this.objectAlignment(spec, d, 'member')
        const packed = d.attributePacked === true || spec.attributePacked
        members.push({ name, type: d.type, loc: d.loc, ...(align === undefined ? {} : { align }), ...(packed ? { packed } : {}) })
        if (this.accept(',')) continue
        this.expect(';', "';', identifier or '('")
        break
      }
    }
    this.expect('}')
    this.attributes(recordAttributes)
    layoutRecord(info, members, recordAttributes.packed, recordAttributes.aligned)
    return { kind: 'record', info }
  }

  /** The aligned attribute of a bit-field, among the specifiers or after its width (the
   *  strictest): unlike a member's, it may ask for less than the type's alignment. */
  private bitFieldAlignment(before: number | undefined): number | undefined {
    const after = this.attributes().aligned
    return before === undefined ? after : Math.max(before, after ?? 0)
  }

  /** Width of a bit-field (after the ':'), checked as gcc does. */
  private bitFieldWidth(type: CType, name: string | undefined, loc: SourceLocation): number {
    // Problems are reported and the field gets a usable width, so the record stays complete (gcc).
    const e = this.conditionalExpr()
    const label = name !== undefined ? `'${name}'` : "'<anonymous>'"
    if (!isInteger(type)) this.fail(loc, `bit-field ${label} has invalid type`)
    const bits = BigInt(type.kind === 'int' && type.ik === 'bool' ? 1 : (sizeOf(type) as number) * 8)
    const v = evalConstInt(e)
    if (v === undefined || !isInteger(e.type)) {
      this.diags.error(e.loc, `bit-field ${label} width not an integer constant`)
      return 1
    }
    if (v < 0n) {
      this.diags.error(loc, `negative width in bit-field ${label}`)
      return 1
    }
    if (v === 0n && name !== undefined) {
      this.diags.error(loc, `zero width for bit-field ${label}`)
      return 1
    }
    if (v > bits) {
      this.diags.error(loc, `width of ${label} exceeds its type`)
      return Number(bits)
    }
    return Number(v)
  }

  private enumSpecifier(): CType {
    const kw = this.next()
    let tag: string | undefined
    if (this.peek().kind === 'ident' && !KEYWORDS.has(this.peek().text)) tag = this.next().text
    if (!this.is('{')) {
      if (tag === undefined) this.fail(this.peek().loc, `expected '{' ${this.describe(this.peek())}`)
      const existing = this.lookupTag(tag)
      if (existing) {
        if (existing.kind !== 'enum') this.fail(kw.loc, `'${tag}' defined as wrong kind of tag`)
        return { kind: 'enum', info: existing.enumInfo as EnumInfo }
      }
      const info: EnumInfo = { tag, underlying: 'uint', complete: false }
      this.scope.tags.set(tag, { kind: 'enum', enumInfo: info })
      return { kind: 'enum', info }
    }
    const info: EnumInfo = { tag, underlying: 'uint', complete: false }
    if (tag !== undefined) {
      const existing = this.scope.tags.get(tag)
      if (existing?.enumInfo?.complete) this.fail(kw.loc, `nested redefinition of 'enum ${tag}'`)
      this.scope.tags.set(tag, { kind: 'enum', enumInfo: info })
    }
    this.expect('{')
    let value = 0n
    let min = 0n
    let max = 0n
    const constants: EnumConstSymbol[] = []
    while (!this.is('}')) {
      const id = this.expectIdent()
      if (this.accept('=')) value = this.sema.constInt(this.conditionalExpr(), `enumerator value for '${id.text}'`)
      if (value < -(1n << 63n) || value >= 1n << 64n) this.diags.error(id.loc, 'enumerator value out of range')
      const existing = this.scope.names.get(id.text)
      if (existing) this.diags.error(id.loc, `redeclaration of enumerator '${id.text}'`, id.text.length)
      // Inside the list each constant has type int when it fits (gcc), otherwise the wider type.
      const ctype = value >= -(1n << 31n) && value < 1n << 31n ? INT : value < 1n << 63n ? LONG : ULONG
      const sym: EnumConstSymbol = { kind: 'enumConst', name: id.text, value, type: ctype, loc: id.loc }
      this.scope.names.set(id.text, sym)
      constants.push(sym)
      if (value < min) min = value
      if (value > max) max = value
      value++
      if (!this.accept(',')) break
    }
    this.expect('}')
    info.underlying = enumUnderlying(min, max)
    info.enumerators = constants.map((c) => ({ name: c.name, value: c.value }))
    info.complete = true
    return { kind: 'enum', info }
  }

  // ---- declarators ---------------------------------------------------------------------------

  /** Parses a (possibly abstract) declarator applied to `base`. */
  private declarator(base: CType, abstract: boolean): Declarator {
    this.enterNesting()
    try {
      return this.declaratorInner(base, abstract)
    } finally {
      this.nesting--
    }
  }

  private declaratorInner(base: CType, abstract: boolean): Declarator {
    let type = base
    while (this.is('*')) {
      this.next()
      let isConst = false
      let isVolatile = false
      const pointerAttributes: Attributes = { packed: false, aligned: undefined }
      for (;;) {
        if (this.is('const') || this.is('__const') || this.is('__const__')) isConst = true
        else if (this.is('volatile') || this.is('__volatile__') || this.is('__volatile')) isVolatile = true
        else if (this.is('restrict') || this.is('__restrict') || this.is('__restrict__') || this.is('_Atomic')) {
          /* no effect at -O0 */
        } else if (this.is('__attribute__') || this.is('__attribute')) {
          // Attributes of the pointer type itself: `aligned` makes a pointer type of that
          // alignment (raised or lowered, as a typedef's would), gcc's user-aligned variant.
          this.attributes(pointerAttributes)
          continue
        } else break
        this.next()
      }
      const aligned = pointerAttributes.aligned
      type = qualified(aligned === undefined ? pointerTo(type) : { kind: 'pointer', to: type, alignment: aligned, pointerAlignment: aligned }, { isConst, isVolatile })
    }
    const leading = this.attributes()
    // A parenthesised declarator (not a parameter list): parse the suffixes first, then the inner part.
    if (this.is('(') && (this.is('*', 1) || this.is('(', 1) || this.is('[', 1) || (this.peek(1).kind === 'ident' && !KEYWORDS.has(this.peek(1).text) && !this.isTypedefName(this.peek(1)) && !abstract) || (!abstract && this.peek(1).kind === 'ident' && !KEYWORDS.has(this.peek(1).text) && !this.isTypedefName(this.peek(1))))) {
      const innerStart = this.pos + 1
      this.next()
      let depth = 1
      while (depth > 0) {
        const t = this.next()
        if (t.kind === 'eof') this.fail(t.loc, "expected ')' at end of input")
        if (t.kind === 'punct' && t.text === '(') depth++
        else if (t.kind === 'punct' && t.text === ')') depth--
      }
      const outer = this.declaratorSuffixes(type)
      const end = this.pos
      this.pos = innerStart
      const inner = this.declarator(outer, abstract)
      this.expect(')')
      this.pos = end
      const trailing = this.attributes({ ...leading })
      const attributeAlign = trailing.aligned ?? inner.attributeAlign
      return {
        ...inner,
        ...(attributeAlign === undefined ? {} : { attributeAlign }),
        ...(trailing.packed || inner.attributePacked === true ? { attributePacked: true } : {}),
      }
    }
    let name: string | undefined
    let loc = this.peek().loc
    const t = this.peek()
    if (t.kind === 'ident' && !KEYWORDS.has(t.text)) {
      this.next()
      name = t.text
      loc = t.loc
    } else if (!abstract) {
      this.fail(t.loc, `expected identifier or '(' ${this.describe(t)}`, t.text.length)
    }
    type = this.declaratorSuffixes(type, name)
    const attributes = leading
    while (this.is('__attribute__') || this.is('__attribute') || this.is('__asm__') || this.is('asm') || this.is('__asm')) {
      if (this.is('__attribute__') || this.is('__attribute')) this.attributes(attributes)
      else {
        this.next()
        this.skipBalanced() // `int x asm("name")`: the asm label is ignored
      }
    }
    return {
      name, loc, type,
      ...(attributes.aligned === undefined ? {} : { attributeAlign: attributes.aligned }),
      ...(attributes.packed ? { attributePacked: true } : {}),
    }
  }

  private declaratorSuffixes(base: CType, name?: string): CType {
    if (this.is('[')) {
      const open = this.next()
      while (this.is('static') || this.is('const') || this.is('restrict') || this.is('volatile')) this.next()
      let length: number | undefined
      if (!this.is(']')) {
        const e = this.assignmentExpr()
        const v = evalConstInt(e)
        if (v === undefined) this.fail(e.loc, 'variable-length arrays are not supported')
        if (!isInteger(e.type)) this.fail(e.loc, 'size of array has non-integer type')
        if (v < 0n) this.fail(name !== undefined ? this.nameLoc(name) : e.loc, name !== undefined ? `size of array '${name}' is negative` : 'size of array is negative')
        length = Number(v)
      }
      this.expect(']')
      const elem = this.declaratorSuffixes(base, name)
      if (elem.kind === 'function') this.fail(open.loc, 'declaration of array of functions')
      if (!isComplete(elem)) this.fail(open.loc, `array type has incomplete element type '${typeToString(elem)}'`)
      // Elements of a type aligned beyond its size cannot be contiguous (`typedef int T __attribute__((aligned(8)))`).
      if ((sizeOf(elem) as number) % alignOf(elem) !== 0) this.fail(open.loc, 'alignment of array elements is greater than element size')
      return arrayOf(elem, length)
    }
    if (this.is('(')) {
      this.next()
      const fn = this.parameterList(base)
      if (base.kind === 'function') this.fail(this.peek().loc, 'function returning a function')
      if (base.kind === 'array') this.fail(this.peek().loc, 'function returning an array')
      return fn
    }
    return base
  }

  /** Location of the most recent token spelling `name` (the declarator's identifier). */
  private nameLoc(name: string): SourceLocation {
    for (let i = this.pos - 1; i >= this.windowStart; i--) {
      const t = this.token(i)
      if (t.kind === 'ident' && t.text === name) return t.loc
    }
    return this.peek().loc
  }

  private parameterList(returns: CType): CType {
    // `()` is an unprototyped declaration; `(void)` is a prototype with no parameters.
    if (this.accept(')')) return { kind: 'function', returns, params: [], paramNames: [], variadic: false, prototyped: false }
    if (this.is('void') && this.is(')', 1)) {
      this.next()
      this.next()
      return { kind: 'function', returns, params: [], paramNames: [], variadic: false, prototyped: true }
    }
    const params: CType[] = []
    const names: (string | undefined)[] = []
    const locs: SourceLocation[] = []
    let variadic = false
    // Parameters live in their own prototype scope (structs declared there stay there).
    this.scope = new Scope(this.scope, this.scope.block, this.scope.depth)
    try {
      for (;;) {
        if (this.accept('...')) {
          variadic = true
          break
        }
        if (!this.startsDeclaration()) {
          const t = this.peek()
          if (t.kind === 'ident' && !KEYWORDS.has(t.text)) this.fail(t.loc, `unknown type name '${t.text}'`, t.text.length)
          this.fail(t.loc, `expected declaration specifiers or '...' ${this.describe(t)}`, t.text.length)
        }
        const spec = this.declarationSpecifiers(true)
        const d = this.declarator(spec.type, true)
        this.objectAlignment(spec, d, 'parameter')
        let pt = d.type
        if (pt.kind === 'array') pt = qualified(pointerTo(pt.of), {})
        else if (pt.kind === 'function') pt = pointerTo(pt)
        if (pt.kind === 'void') this.fail(d.loc, "'void' must be the only parameter")
        params.push(pt)
        names.push(d.name)
        locs.push(d.loc)
        if (!this.accept(',')) break
      }
      this.expect(')')
    } finally {
      this.scope = this.scope.parent as Scope
    }
    const type: CType = { kind: 'function', returns, params, paramNames: names, variadic, prototyped: true }
    this.parameterLocations.set(type, locs)
    return type
  }

  /** Where each parameter of a parsed prototype was declared (for the definition's debug info). */
  private readonly parameterLocations = new WeakMap<CType, readonly SourceLocation[]>()

  private typeName(): CType {
    const spec = this.declarationSpecifiers(false)
    return this.declarator(spec.type, true).type
  }

  // ---- statements ----------------------------------------------------------------------------

  private compoundStatement(newScope = true): Stmt {
    const open = this.expect('{')
    const scope = newScope ? this.pushScope() : this.scope.block
    const items: Stmt[] = []
    try {
      while (!this.is('}')) {
        if (this.peek().kind === 'eof') {
          this.diags.error(this.peek().loc, "expected declaration or statement at end of input")
          break
        }
        if (this.diags.tooManyErrors) break
        const start = this.pos
        try {
          if (this.startsDeclaration() && !this.is(':', 1)) items.push(...this.localDeclaration())
          else items.push(this.statement())
        } catch (e) {
          if (!(e instanceof CompileAbort)) throw e
          this.recoverStatement(start)
        }
      }
      this.accept('}')
    } finally {
      if (newScope) this.popScope()
    }
    return { k: 'block', items, loc: open.loc, scope }
  }

  /** Skips the rest of a broken statement: through the next ';' at this nesting level, or a balanced block. */
  private recoverStatement(start: number): void {
    if (this.pos === start && !this.is('}')) this.next()
    let depth = 0
    for (;;) {
      const t = this.peek()
      if (t.kind === 'eof') return
      if (t.kind === 'punct') {
        if (t.text === '(' || t.text === '[') depth++
        else if (t.text === ')' || t.text === ']') depth = Math.max(0, depth - 1)
        else if (t.text === '{') {
          this.skipBlock()
          if (depth === 0) return
          continue
        } else if (t.text === '}') return
        else if (t.text === ';' && depth === 0) {
          this.next()
          return
        }
      }
      this.next()
    }
  }

  private skipBlock(): void {
    let depth = 0
    for (;;) {
      const t = this.next()
      if (t.kind === 'eof') return
      if (t.kind === 'punct' && t.text === '{') depth++
      else if (t.kind === 'punct' && t.text === '}') {
        depth--
        if (depth === 0) return
      }
    }
  }

  private localDeclaration(): Stmt[] {
    if (this.is('_Static_assert')) {
      this.staticAssert()
      return []
    }
    const spec = this.declarationSpecifiers(true)
    const out: Stmt[] = []
    if (this.accept(';')) return out
    for (;;) {
      const d = this.declarator(spec.type, false)
      const name = d.name as string
      if (spec.storage === 'typedef') {
        this.declareTypedef(d, spec)
      } else if (d.type.kind === 'function' || spec.storage === 'extern') {
        // A block-scope function or extern declaration refers to the file-scope entity.
        const align = this.objectAlignment(spec, d, d.type.kind === 'function' ? 'function' : 'object')
        const sym = this.declareGlobal(d, false)
        if (align !== undefined) sym.align = Math.max(sym.align ?? 0, align)
        if (this.scope.names.get(name) && this.scope.names.get(name) !== sym) this.diags.error(d.loc, `redeclaration of '${name}'`)
        this.scope.names.set(name, sym)
        if (this.is('=')) this.fail(this.peek().loc, `'${name}' has both 'extern' and initializer`)
      } else if (spec.storage === 'static') {
        const sym: VarSymbol = {
          kind: 'var', name, type: d.type, asmName: `${name}.${this.staticCounter++}`, loc: d.loc, storage: 'global',
          external: false, defined: true, tentative: false, frameId: -1, addressTaken: false, scope: -1,
          parentScope: undefined, scopeDepth: 0, used: false, externalDefinition: false, inlineDefinition: false,
          align: this.objectAlignment(spec, d, 'object'),
        }
        if (this.scope.names.has(name)) this.diags.error(d.loc, `redeclaration of '${name}'`, name.length)
        this.scope.names.set(name, sym)
        if (this.accept('=')) sym.init = this.initializer(sym)
        if (sizeOf(sym.type) === undefined) this.diags.error(d.loc, `storage size of '${name}' isn't known`, name.length)
        this.globals.push(sym)
      } else {
        const sym = this.declareLocal(name, d.type, d.loc, 'local')
        sym.align = this.objectAlignment(spec, d, spec.storage === 'register' ? 'register' : 'object')
        let init: Initializer | undefined
        if (this.accept('=')) init = this.initializer(sym)
        if (sizeOf(sym.type) === undefined) this.diags.error(d.loc, `storage size of '${name}' isn't known`, name.length)
        out.push({ k: 'decl', sym, init, loc: d.loc })
      }
      if (this.accept(',')) continue
      this.expect(';', "',' or ';'")
      return out
    }
  }

  private statement(): Stmt {
    this.enterNesting()
    try {
      return this.statementInner()
    } finally {
      this.nesting--
    }
  }

  private statementInner(): Stmt {
    const t = this.peek()
    const loc = t.loc
    if (t.kind === 'ident' && !KEYWORDS.has(t.text) && this.is(':', 1)) {
      this.next()
      this.next()
      const fn = this.fn as FunctionContext
      if (fn.labelsDefined.has(t.text)) this.diags.error(t.loc, `duplicate label '${t.text}'`, t.text.length)
      fn.labelsDefined.set(t.text, t.loc)
      this.attributes() // label attributes (`unused`) change nothing
      const body = this.is('}') ? ({ k: 'empty', loc } as Stmt) : this.statementOrDeclarationAfterLabel()
      return { k: 'label', label: t.text, body, loc }
    }
    if (t.kind === 'punct' && t.text === '{') return this.compoundStatement()
    if (t.kind === 'punct' && t.text === ';') {
      this.next()
      return { k: 'empty', loc }
    }
    if (t.kind === 'ident') {
      switch (t.text) {
        case 'if': {
          this.next()
          const parenLoc = this.expect('(').loc
          const cond = this.sema.condition(this.expression())
          this.expect(')')
          const then = this.statement()
          const otherwise = this.accept('else') ? this.statement() : undefined
          return { k: 'if', cond, then, otherwise, loc, parenLoc }
        }
        case 'while': {
          this.next()
          const parenLoc = this.expect('(').loc
          const cond = this.sema.condition(this.expression())
          this.expect(')')
          const body = this.loopBody()
          return { k: 'while', cond, body, loc, parenLoc }
        }
        case 'do': {
          this.next()
          const body = this.loopBody()
          this.expect('while')
          this.expect('(')
          const cond = this.sema.condition(this.expression())
          this.expect(')')
          this.expect(';')
          return { k: 'do', body, cond, loc }
        }
        case 'for': {
          this.next()
          this.expect('(')
          const scope = this.pushScope()
          try {
            let init: Stmt | undefined
            if (this.startsDeclaration()) {
              const decls = this.localDeclaration()
              init = { k: 'block', items: decls, loc }
            } else if (!this.accept(';')) {
              const e = this.expression()
              init = { k: 'expr', expr: e, loc: e.loc }
              this.expect(';')
            }
            const cond = this.is(';') ? undefined : this.sema.condition(this.expression())
            this.expect(';')
            const step = this.is(')') ? undefined : this.expression()
            this.expect(')')
            const body = this.loopBody()
            return { k: 'for', init, cond, step, body, loc, scope }
          } finally {
            this.popScope()
          }
        }
        case 'switch':
          return this.switchStatement()
        case 'case':
        case 'default':
          return this.caseLabel()
        case 'break': {
          this.next()
          const fn = this.fn as FunctionContext
          if (fn.breakDepth === 0) this.diags.error(loc, 'break statement not within loop or switch', 5)
          this.expect(';')
          return { k: 'break', loc }
        }
        case 'continue': {
          this.next()
          const fn = this.fn as FunctionContext
          if (fn.loopDepth === 0) this.diags.error(loc, 'continue statement not within a loop', 8)
          this.expect(';')
          return { k: 'continue', loc }
        }
        case 'goto': {
          this.next()
          if (this.is('*')) this.fail(this.peek().loc, 'computed goto is not supported')
          const id = this.expectIdent()
          const fn = this.fn as FunctionContext
          if (!fn.labelsUsed.has(id.text)) fn.labelsUsed.set(id.text, loc)
          this.expect(';')
          return { k: 'goto', label: id.text, loc }
        }
        case 'return':
          return this.returnStatement()
        case '__asm__':
        case 'asm':
        case '__asm':
          this.fail(t.loc, 'inline assembly is not supported', t.text.length)
      }
    }
    const e = this.expression()
    this.expect(';')
    return { k: 'expr', expr: e, loc: e.loc }
  }

  private statementOrDeclarationAfterLabel(): Stmt {
    if (this.startsDeclaration()) {
      const decls = this.localDeclaration()
      return { k: 'block', items: decls, loc: this.peek().loc }
    }
    return this.statement()
  }

  private loopBody(): Stmt {
    const fn = this.fn as FunctionContext
    fn.loopDepth++
    fn.breakDepth++
    try {
      return this.statement()
    } finally {
      fn.loopDepth--
      fn.breakDepth--
    }
  }

  private switchStatement(): Stmt {
    const loc = this.next().loc
    this.expect('(')
    const raw = this.sema.rvalue(this.expression())
    if (!isInteger(raw.type)) this.fail(raw.loc, 'switch quantity not an integer')
    const promoted = this.sema.convert(raw, promoteType(raw.type))
    this.expect(')')
    const fn = this.fn as FunctionContext
    const ctx: SwitchContext = { id: this.switchCounter++, type: promoted.type, cases: [], hasDefault: false }
    fn.switches.push(ctx)
    fn.breakDepth++
    try {
      const body = this.statement()
      return { k: 'switch', value: promoted, body, cases: ctx.cases, hasDefault: ctx.hasDefault, id: ctx.id, loc }
    } finally {
      fn.breakDepth--
      fn.switches.pop()
    }
  }

  private caseLabel(): Stmt {
    const kw = this.next()
    const fn = this.fn as FunctionContext
    const ctx = fn.switches[fn.switches.length - 1]
    let caseIndex = -1
    if (kw.text === 'case') {
      const e = this.conditionalExpr()
      let v = this.sema.constInt(e, 'case label')
      if (this.accept('...')) this.fail(kw.loc, 'case ranges are not supported')
      this.expect(':')
      if (!ctx) this.fail(kw.loc, "case label not within a switch statement", 4)
      // The case value is converted to the promoted type of the controlling expression (C17 6.8.4.2p5).
      const converted = this.sema.convert(this.sema.num(v, e.type, e.loc), ctx.type)
      if (converted.k === 'num') v = converted.value
      if (ctx.cases.some((c) => c.value === v)) this.diags.error(kw.loc, 'duplicate case value')
      caseIndex = ctx.cases.length
      ctx.cases.push({ value: v })
    } else {
      this.expect(':')
      if (!ctx) this.fail(kw.loc, "'default' label not within a switch statement", 7)
      if (ctx.hasDefault) this.diags.error(kw.loc, "multiple default labels in one switch", 7)
      ctx.hasDefault = true
    }
    const body = this.is('}') ? ({ k: 'empty', loc: kw.loc } as Stmt) : this.statementOrDeclarationAfterLabel()
    return { k: 'case', switchId: (ctx as SwitchContext).id, caseIndex, body, loc: kw.loc }
  }

  private returnStatement(): Stmt {
    const kw = this.next()
    const fn = this.fn as FunctionContext
    if (this.accept(';')) {
      if (fn.returns.kind !== 'void') this.diags.warning(kw.loc, "'return' with no value, in function returning non-void")
      return { k: 'return', value: undefined, loc: kw.loc }
    }
    const e = this.expression()
    this.expect(';')
    if (fn.returns.kind === 'void') {
      if (e.type.kind !== 'void') this.diags.warning(e.loc, "'return' with a value, in function returning void")
      return { k: 'return', value: this.sema.cast(VOID, e, e.loc), loc: kw.loc }
    }
    const value = this.sema.assignConvert(e, fn.returns, 'return', e.loc)
    return { k: 'return', value, loc: kw.loc }
  }

  // ---- initializers --------------------------------------------------------------------------

  /** Parses `= ...` for `sym` (the '=' is consumed) and completes an unknown array size. */
  private initializer(sym: VarSymbol): Initializer {
    const root: InitNode = { type: sym.type }
    if (sym.type.kind === 'array' && sym.type.length === undefined) root.open = true
    if (sym.type.kind === 'function') this.fail(sym.loc, `function '${sym.name}' is initialized like a variable`)
    if (!isComplete(sym.type) && !root.open) this.fail(sym.loc, `variable '${sym.name}' has initializer but incomplete type`)
    this.expandNode(root)
    this.initializeNode(root, true)
    if (root.open) {
      const len = root.children ? root.children.length : 0
      const elem = (sym.type as CType & { kind: 'array' }).of
      sym.type = arrayOf(elem, root.bytes ? root.bytes.length / (sizeOf(elem) as number) : len)
      root.type = sym.type
    }
    const items: InitItem[] = []
    const covered = this.flatten(root, 0, items)
    return { items, zeroFill: covered < (sizeOf(sym.type) ?? 0) }
  }

  private expandNode(node: InitNode): void {
    const t = node.type
    if (t.kind === 'array' && t.length !== undefined && !node.children) {
      node.children = Array.from({ length: t.length }, () => ({ type: t.of }))
    } else if (t.kind === 'array' && node.open && !node.children) {
      node.children = []
    } else if (t.kind === 'record' && !node.children) {
      node.children = t.info.members.map((m) => ({ type: m.type }))
    }
  }

  private childCount(node: InitNode): number {
    if (node.open) return Number.MAX_SAFE_INTEGER
    return node.children ? node.children.length : 0
  }

  private child(node: InitNode, i: number): InitNode {
    this.expandNode(node)
    const children = node.children as InitNode[]
    if (node.open) {
      const elem = (node.type as CType & { kind: 'array' }).of
      while (children.length <= i) children.push({ type: elem })
    }
    if (node.type.kind === 'record' && node.type.info.isUnion) {
      node.activeMember = i
      children.forEach((c, k) => {
        if (k !== i) clearNode(c)
      })
    }
    return children[i] as InitNode
  }

  private isStringInit(node: InitNode): boolean {
    const t = node.type
    if (t.kind !== 'array' || this.peek().kind !== 'string') return false
    const ik = t.of.kind === 'int' ? t.of.ik : undefined
    return ik === 'char' || ik === 'schar' || ik === 'uchar' || ((ik === 'int' || ik === 'uint' || ik === 'ushort') && /^[LuU]/.test(this.peek().text))
  }

  /** Initialises `node` from the input: a braced list, a string for a char array, or one expression. */
  private initializeNode(node: InitNode, top: boolean): void {
    this.enterNesting()
    try {
      this.initializeNodeInner(node, top)
    } finally {
      this.nesting--
    }
  }

  private initializeNodeInner(node: InitNode, top: boolean): void {
    this.expandNode(node)
    if (this.is('{')) {
      const open = this.next()
      if (isScalar(node.type)) {
        if (this.is('}')) this.fail(this.peek().loc, 'empty scalar initializer')
        this.initializeNode(node, false)
        if (this.accept(',') && !this.is('}')) {
          this.diags.warning(this.peek().loc, 'excess elements in scalar initializer')
          while (!this.is('}') && this.peek().kind !== 'eof') this.next()
        }
        this.expect('}')
        return
      }
      if (this.isStringInit(node) && (this.is('}', 1) || (this.is(',', 1) && this.is('}', 2)))) {
        this.stringInit(node)
        this.accept(',')
        this.expect('}')
        return
      }
      this.listInit(node, open.loc)
      return
    }
    if (this.isStringInit(node)) {
      this.stringInit(node)
      return
    }
    if (node.type.kind === 'array') {
      const t = this.peek()
      if (top) this.fail(t.loc, 'array must be initialized with a brace-enclosed initializer')
      this.elidedInit(node, undefined)
      return
    }
    const start = this.peek().loc
    const e = this.assignmentExpr()
    if (node.type.kind === 'record' && !(e.type.kind === 'record' && e.type.info === node.type.info)) {
      if (top) this.fail(e.loc, 'invalid initializer')
      this.elidedInit(node, e)
      return
    }
    // gcc reports initialization problems at the start of the initializer expression.
    node.expr = this.sema.assignConvert(e, node.type, 'initialization', start)
  }

  private stringInit(node: InitNode): void {
    const s = this.stringLiteral()
    const lit = this.strings[(s as Expr & { k: 'str' }).id] as StringLiteral
    const t = node.type as CType & { kind: 'array' }
    const elemSize = sizeOf(t.of) as number
    const litElem = sizeOf((lit.type as CType & { kind: 'array' }).of) as number
    if (litElem !== elemSize) this.fail(s.loc, 'initializer-string for array of the wrong type')
    let bytes = lit.bytes
    if (t.length !== undefined) {
      const capacity = t.length * elemSize
      if (bytes.length - elemSize > capacity) this.diags.warning(s.loc, 'initializer-string for array of \'char\' is too long')
      bytes = bytes.slice(0, Math.min(bytes.length, capacity))
    }
    node.bytes = bytes
    node.children = undefined
  }

  private designation(node: InitNode): { node: InitNode; index: number } | undefined {
    if (!this.is('.') && !this.is('[')) return undefined
    let target = node
    let index = -1
    let first = true
    while (this.is('.') || this.is('[')) {
      if (!first) target = this.child(target, index)
      first = false
      this.expandNode(target)
      if (this.accept('[')) {
        if (target.type.kind !== 'array') this.fail(this.peek().loc, 'array index in non-array initializer')
        const e = this.conditionalExpr()
        const v = this.sema.constInt(e, 'array index in initializer')
        if (this.accept('...')) this.fail(e.loc, 'designated ranges are not supported')
        this.expect(']')
        if (v < 0n || (!target.open && v >= BigInt(this.childCount(target)))) this.fail(e.loc, 'array index in initializer exceeds array bounds')
        index = Number(v)
      } else {
        this.next()
        const id = this.expectIdent()
        if (target.type.kind !== 'record') this.fail(id.loc, `field name not in record or union initializer`)
        const members = target.type.info.members
        index = members.findIndex((m) => m.name === id.text)
        if (index < 0) {
          // A member of an anonymous struct/union: designate the anonymous member first.
          const anon = members.findIndex((m) => m.name === undefined && m.type.kind === 'record' && findMember(m.type.info, id.text) !== undefined)
          if (anon < 0) this.fail(id.loc, `'${typeToString(target.type)}' has no member named '${id.text}'`)
          this.pos -= 2
          index = anon
          const inner = this.child(target, anon)
          const r = this.designation(inner)
          if (r) return r
        }
      }
    }
    this.accept('=')
    return { node: target, index }
  }

  /** A braced list for an aggregate (the '{' is consumed). */
  private listInit(node: InitNode, openLoc: SourceLocation): void {
    let i = 0
    let warned = false
    while (!this.is('}')) {
      if (this.peek().kind === 'eof') this.fail(openLoc, "expected '}' at end of input")
      const d = this.designation(node)
      let target = node
      if (d) {
        target = d.node
        i = d.index
      }
      if (i >= this.childCount(target)) {
        if (!warned) this.diags.warning(this.peek().loc, `excess elements in ${node.type.kind === 'array' ? 'array' : node.type.kind === 'record' && node.type.info.isUnion ? 'union' : 'struct'} initializer`)
        warned = true
        this.assignmentOrBraced()
      } else {
        const c = this.child(target, i)
        this.elementInit(c)
      }
      i++
      if (d && target !== node) {
        // After a nested designator, continue with the following element of the designated parent.
        i = this.continueIn(target, i)
      }
      if (node.type.kind === 'record' && node.type.info.isUnion && !d) i = Number.MAX_SAFE_INTEGER
      if (!this.accept(',')) break
    }
    this.expect('}')
  }

  /** After `.a.b = x,` the next positional elements go to the members after b (C17 6.7.9p17). */
  private continueIn(target: InitNode, i: number): number {
    while (!this.is('}') && this.is(',') && !this.is('}', 1) && !this.is('.', 1) && !this.is('[', 1) && i < this.childCount(target)) {
      this.next()
      this.elementInit(this.child(target, i))
      i++
    }
    return i
  }

  private assignmentOrBraced(): void {
    if (this.is('{')) {
      this.next()
      let depth = 1
      while (depth > 0 && this.peek().kind !== 'eof') {
        const t = this.next()
        if (t.text === '{') depth++
        else if (t.text === '}') depth--
      }
      return
    }
    this.assignmentExpr()
  }

  private elementInit(c: InitNode): void {
    if (this.is('{') || isScalar(c.type) || this.isStringInit(c)) {
      this.initializeNode(c, false)
      return
    }
    if (c.type.kind === 'record') {
      const e = this.assignmentExpr()
      if (e.type.kind === 'record' && e.type.info === c.type.info) {
        c.expr = e
        c.children = undefined
        return
      }
      this.expandNode(c)
      this.elidedInit(c, e)
      return
    }
    this.expandNode(c)
    this.elidedInit(c, undefined)
  }

  /** Brace elision: an aggregate's elements taken from the enclosing list. `first` is already parsed. */
  private elidedInit(node: InitNode, first: Expr | undefined): void {
    this.expandNode(node)
    const count = node.type.kind === 'record' && node.type.info.isUnion ? 1 : this.childCount(node)
    for (let i = 0; i < count; i++) {
      if (i > 0 || first === undefined) {
        if (i > 0) {
          if (!this.is(',') || this.is('}', 1) || this.is('.', 1) || this.is('[', 1)) return
          this.next()
        }
        if (this.is('}')) return
      }
      const c = this.child(node, i)
      if (i === 0 && first !== undefined) {
        this.fillFirst(c, first)
        continue
      }
      this.elementInit(c)
    }
  }

  private fillFirst(c: InitNode, e: Expr): void {
    if (isScalar(c.type)) {
      c.expr = this.sema.assignConvert(e, c.type, 'initialization', e.loc)
      return
    }
    if (c.type.kind === 'record' && e.type.kind === 'record' && e.type.info === c.type.info) {
      c.expr = e
      return
    }
    if (c.type.kind === 'array' && e.k === 'str') {
      this.fail(e.loc, 'string initializer needs its own braces or position here')
    }
    this.expandNode(c)
    this.elidedInit(c, e)
  }

  /** Flattens the tree into items; returns how many bytes the items cover (for zero-filling). */
  private flatten(node: InitNode, offset: number, items: InitItem[]): number {
    if (node.bytes) {
      items.push({ kind: 'bytes', offset, bytes: node.bytes })
      return node.bytes.length === sizeOf(node.type) ? node.bytes.length : -1
    }
    if (node.expr) {
      if (node.type.kind === 'record') {
        items.push({ kind: 'expr', offset, type: node.type, expr: node.expr })
        return sizeOf(node.type) as number
      }
      items.push({ kind: 'expr', offset, type: node.type, expr: node.expr })
      return sizeOf(node.type) as number
    }
    if (!node.children) return 0
    const t = node.type
    let covered = 0
    let complete = true
    if (t.kind === 'array') {
      const es = sizeOf(t.of) as number
      node.children.forEach((c, i) => {
        const n = this.flatten(c, offset + i * es, items)
        if (n !== es) complete = false
        covered += Math.max(0, n)
      })
      return complete ? covered : -1
    }
    if (t.kind === 'record') {
      const members = t.info.members
      if (t.info.isUnion) {
        const active = node.activeMember
        if (active === undefined) return 0
        const activeMember = members[active]
        const child = node.children[active] as InitNode
        if (activeMember?.bitField) {
          if (child.expr) items.push({ kind: 'expr', offset: offset + activeMember.offset, type: activeMember.type, expr: child.expr, bitField: activeMember.bitField })
          return -1
        }
        const n = this.flatten(child, offset, items)
        return n === t.info.size ? n : -1
      }
      node.children.forEach((c, i) => {
        const m = members[i]
        if (!m) return
        if (m.bitField) {
          // Bit-fields share bytes: the object is zero-filled and each field is merged in.
          complete = false
          if (c.expr) items.push({ kind: 'expr', offset: offset + m.offset, type: m.type, expr: c.expr, bitField: m.bitField })
          return
        }
        const n = this.flatten(c, offset + m.offset, items)
        if (n !== (sizeOf(m.type) ?? 0)) complete = false
        covered += Math.max(0, n)
      })
      return complete && covered === t.info.size ? covered : -1
    }
    return 0
  }

  // ---- expressions ---------------------------------------------------------------------------

  expression(): Expr {
    let e = this.assignmentExpr()
    while (this.is(',')) {
      const op = this.next()
      const r = this.assignmentExpr()
      e = this.sema.comma(e, r, op.loc)
    }
    return e
  }

  private assignmentExpr(): Expr {
    const left = this.conditionalExpr()
    const t = this.peek()
    if (t.kind === 'punct' && ASSIGN_OPS.has(t.text)) {
      this.next()
      const right = this.assignmentExpr()
      return this.sema.assign(t.text, left, right, t.loc)
    }
    return left
  }

  private conditionalExpr(): Expr {
    const cond = this.binaryExpr(0)
    if (!this.is('?')) return cond
    const q = this.next()
    if (this.is(':')) this.fail(this.peek().loc, 'the GNU "?:" operator with an omitted middle operand is not supported')
    const a = this.expression()
    const colon = this.expect(':')
    const b = this.conditionalExpr()
    return this.sema.conditional(cond, a, b, q.loc, colon.loc)
  }

  private binaryExpr(minPrec: number): Expr {
    let left = this.castExpr()
    for (;;) {
      const t = this.peek()
      const prec = t.kind === 'punct' ? BINARY_PRECEDENCE[t.text] : undefined
      if (prec === undefined || prec <= minPrec) return left
      this.next()
      const right = this.binaryExpr(prec)
      left = this.sema.binary(t.text, left, right, t.loc)
    }
  }

  private castExpr(): Expr {
    this.enterNesting()
    try {
      return this.castExprInner()
    } finally {
      this.nesting--
    }
  }

  private castExprInner(): Expr {
    if (this.is('(') && this.startsTypeName(1)) {
      const open = this.next()
      const type = this.typeName()
      this.expect(')')
      if (this.is('{')) return this.postfixTail(this.compoundLiteral(type, open.loc))
      const operand = this.castExpr()
      return this.sema.cast(type, operand, open.loc)
    }
    return this.unaryExpr()
  }

  private compoundLiteral(type: CType, loc: SourceLocation): Expr {
    if (!this.fn) this.fail(loc, 'compound literals at file scope are not supported')
    const sym = this.declareLocal(`__compound_literal.${this.anonymousCounter++}`, type, loc, 'local')
    this.scope.names.delete(sym.name)
    const init = this.initializer(sym)
    return { k: 'compound', sym, init, type: sym.type, loc }
  }

  private unaryExpr(): Expr {
    const t = this.peek()
    if (t.kind === 'punct') {
      switch (t.text) {
        case '++':
        case '--': {
          this.next()
          const operand = this.unaryExpr()
          return this.sema.incDec(operand, t.text === '++', false, t.loc)
        }
        case '&':
        case '*':
        case '+':
        case '-':
        case '~':
        case '!': {
          this.next()
          const operand = this.castExpr()
          return this.sema.unary(t.text, operand, t.loc)
        }
        case '&&':
          this.fail(t.loc, 'taking the address of a label is not supported')
      }
    }
    if (t.kind === 'ident' && (t.text === 'sizeof' || t.text === '_Alignof' || t.text === '__alignof__' || t.text === '__alignof')) {
      this.next()
      const isSize = t.text === 'sizeof'
      if (this.is('(') && this.startsTypeName(1)) {
        this.next()
        const typeLoc = this.peek().loc
        const type = this.typeName()
        this.expect(')')
        if (this.is('{')) {
          const lit = this.postfixTail(this.compoundLiteral(type, t.loc))
          return isSize ? this.sema.sizeofType(lit.type, t.loc) : this.sema.num(BigInt(alignOf(lit.type)), ULONG, t.loc)
        }
        return isSize ? this.sema.sizeofType(type, typeLoc) : this.sema.num(BigInt(alignOf(type)), ULONG, t.loc)
      }
      const operandLoc = this.peek().loc
      const operand = this.unaryExpr()
      if (operand.k === 'member' && operand.bitField) this.fail(operandLoc, `'${isSize ? 'sizeof' : '_Alignof'}' applied to a bit-field`)
      if (isSize) return this.sema.sizeofType(operand.type, t.loc)
      return this.sema.num(BigInt(objectAlignOf(operand)), ULONG, t.loc)
    }
    return this.postfixTail(this.primaryExpr())
  }

  private postfixTail(start: Expr): Expr {
    let e = start
    for (;;) {
      const t = this.peek()
      if (t.kind !== 'punct') return e
      switch (t.text) {
        case '[': {
          this.next()
          const index = this.expression()
          this.expect(']')
          e = this.sema.index(e, index, t.loc)
          continue
        }
        case '(': {
          this.next()
          const args: Expr[] = []
          if (!this.is(')')) {
            for (;;) {
              args.push(this.assignmentExpr())
              if (!this.accept(',')) break
            }
          }
          this.expect(')')
          e = this.sema.call(e, args, e.loc)
          continue
        }
        case '.':
        case '->': {
          this.next()
          const id = this.expectIdent()
          e = this.sema.member(e, id.text, t.text === '->', t.loc)
          continue
        }
        case '++':
        case '--':
          this.next()
          e = this.sema.incDec(e, t.text === '++', true, t.loc)
          continue
        default:
          return e
      }
    }
  }

  private primaryExpr(): Expr {
    const t = this.peek()
    switch (t.kind) {
      case 'number':
        this.next()
        return this.numberConstant(t)
      case 'char': {
        this.next()
        return this.charConstant(t)
      }
      case 'string':
        return this.stringLiteral()
      case 'punct':
        if (t.text === '(') {
          this.next()
          if (this.is('{')) this.fail(t.loc, 'statement expressions are not supported')
          const e = this.expression()
          this.expect(')')
          return e
        }
        break
      case 'ident':
        if (!KEYWORDS.has(t.text)) return this.identifier()
        return this.builtin(t)
      case 'eof':
        break
      case 'other':
        this.fail(t.loc, t.text === '\\' ? "stray '\\' in program" : `stray '${t.text}' in program`)
    }
    this.fail(t.loc, `expected expression ${this.describe(t)}`, t.text.length)
  }

  private builtin(t: PPToken): Expr {
    switch (t.text) {
      case '__builtin_va_start': {
        this.next()
        this.expect('(')
        const list = this.assignmentExpr()
        this.expect(',')
        this.assignmentExpr()
        this.expect(')')
        if (!this.fn?.variadic) this.fail(t.loc, "'va_start' used in function with fixed arguments")
        return { k: 'vaStart', list: this.vaListPointer(list), type: VOID, loc: t.loc }
      }
      case '__builtin_va_end': {
        this.next()
        this.expect('(')
        const list = this.assignmentExpr()
        this.expect(')')
        return this.sema.cast(VOID, this.vaListPointer(list), t.loc)
      }
      case '__builtin_va_arg': {
        this.next()
        this.expect('(')
        const list = this.assignmentExpr()
        this.expect(',')
        const type = this.typeName()
        this.expect(')')
        if (!isScalar(type)) this.fail(t.loc, 'va_arg of a struct or union type is not supported')
        return { k: 'vaArg', list: this.vaListPointer(list), type: unqualified(type), loc: t.loc }
      }
      case '__builtin_va_copy': {
        this.next()
        this.expect('(')
        const dst = this.assignmentExpr()
        this.expect(',')
        const src = this.assignmentExpr()
        this.expect(')')
        return { k: 'vaCopy', dst: this.vaListPointer(dst), src: this.vaListPointer(src), type: VOID, loc: t.loc }
      }
      case '__builtin_offsetof': {
        this.next()
        this.expect('(')
        const type = this.typeName()
        this.expect(',')
        let offset = 0
        let cur = type
        for (let first = true; ; first = false) {
          if (!first && this.accept('[')) {
            const idx = this.sema.constInt(this.expression(), 'array index in offsetof')
            this.expect(']')
            if (cur.kind !== 'array') this.fail(t.loc, 'subscripted value is neither array nor pointer')
            offset += Number(idx) * (sizeOf(cur.of) as number)
            cur = cur.of
            continue
          }
          if (!first && !this.accept('.')) break
          const id = this.expectIdent()
          if (cur.kind !== 'record') this.fail(id.loc, `request for member '${id.text}' in something not a structure or union`)
          const m = findMember(cur.info, id.text)
          if (!m) this.fail(id.loc, `'${typeToString(cur)}' has no member named '${id.text}'`)
          offset += m.offset
          cur = m.type
        }
        this.expect(')')
        return this.sema.num(BigInt(offset), ULONG, t.loc)
      }
      case '__func__':
      case '__FUNCTION__':
        return this.identifier()
    }
    this.fail(t.loc, `expected expression ${this.describe(t)}`, t.text.length)
  }

  /** A va_list argument (an array type that decays, or a parameter of pointer type) as a pointer. */
  private vaListPointer(e: Expr): Expr {
    const v = this.sema.rvalue(e)
    if (v.type.kind !== 'pointer') this.fail(e.loc, "first argument to 'va_arg' not of type 'va_list'")
    return v
  }

  private identifier(): Expr {
    const t = this.next()
    const sym = this.lookup(t.text)
    if (!sym) {
      if (t.text === '__func__' || t.text === '__FUNCTION__') {
        const name = this.fn?.name ?? ''
        return this.makeString(new TextEncoder().encode(name + '\0'), CHAR, t.loc)
      }
      if (this.is('(')) {
        // C89 implicit declaration: gcc 12 warns and assumes `int name()`.
        this.diags.warning(t.loc, `implicit declaration of function '${t.text}' [-Wimplicit-function-declaration]`, t.text.length)
        const implicit = this.declareGlobal({ name: t.text, loc: t.loc, type: { kind: 'function', returns: INT, params: [], paramNames: [], variadic: false, prototyped: false } }, false)
        return this.sema.varRef(implicit, t.loc)
      }
      this.diags.error(t.loc, `'${t.text}' undeclared${this.fn ? ' (first use in this function)' : ' here (not in a function)'}`, t.text.length)
      if (this.fn) {
        this.diags.note(t.loc, 'each undeclared identifier is reported only once for each function it appears in', t.text.length)
        // Declare it as int so later uses do not repeat the error.
        this.scope.names.set(t.text, { kind: 'enumConst', name: t.text, value: 0n, type: INT, loc: t.loc })
      }
      throw new CompileAbort()
    }
    if (sym.kind === 'typedef') this.fail(t.loc, `expected expression before '${t.text}'`, t.text.length)
    if (sym.kind === 'enumConst') return this.sema.num(sym.value, sym.type, t.loc)
    return this.sema.varRef(sym, t.loc)
  }

  private numberConstant(t: PPToken): Expr {
    const text = t.text
    // Fast path for the common case: a decimal int of at most 9 digits, which needs no wrapping.
    const small = smallDecimal(text)
    if (small >= 0) return { k: 'num', value: BigInt(small), type: INT, loc: t.loc }
    const m = /^(0[xX][0-9a-fA-F]+|0[bB][01]+|[0-9]+)([uUlL]*)$/.exec(text)
    if (!m) {
      if (/^(0[xX][0-9a-fA-F.]*[pP][+-]?\d+|[0-9]*\.[0-9]*([eE][+-]?\d+)?|[0-9]+[eE][+-]?\d+)[fFlL]?$/.test(text) && /[.eEpP]/.test(text)) {
        this.fail(t.loc, 'floating-point types are not supported yet', text.length)
      }
      const suffix = /^(?:0[xX][0-9a-fA-F]*|[0-9]*)(.*)$/.exec(text)?.[1] ?? text
      this.fail(t.loc, `invalid suffix "${suffix}" on integer constant`, text.length)
    }
    const digits = m[1] as string
    const suffix = (m[2] as string).toLowerCase()
    if (!/^(u?(l|ll)?|(l|ll)u)$/.test(suffix) || /lL|Ll/.test(m[2] as string)) this.fail(t.loc, `invalid suffix "${m[2]}" on integer constant`, text.length)
    const isDecimal = !/^0[xXbB]/.test(digits) && !(digits.length > 1 && digits[0] === '0')
    if (!isDecimal && /^0[0-7]*$/.test(digits) === false && !/^0[xXbB]/.test(digits)) this.fail(t.loc, `invalid digit "${/[89]/.exec(digits)?.[0]}" in octal constant`, text.length)
    const value = /^0[xXbB]/.test(digits) ? BigInt(digits) : !isDecimal ? BigInt('0o' + digits.slice(1)) : BigInt(digits)
    const unsigned = suffix.includes('u')
    const longs = suffix.includes('ll') ? 2 : suffix.includes('l') ? 1 : 0
    const candidates: CType[] = []
    const add = (signed: CType, uns: CType): void => {
      if (!unsigned) candidates.push(signed)
      if (unsigned || !isDecimal) candidates.push(uns)
    }
    if (longs === 0) add(INT, UINT)
    if (longs <= 1) add(LONG, ULONG)
    add(LLONG, ULLONG)
    for (const c of candidates) {
      const size = BigInt((sizeOf(c) as number) * 8)
      const max = c === INT || c === LONG || c === LLONG ? (1n << (size - 1n)) - 1n : (1n << size) - 1n
      if (value <= max) return this.sema.num(value, c, t.loc)
    }
    if (value < 1n << 64n) {
      this.diags.warning(t.loc, 'integer constant is so large that it is unsigned', text.length)
      return this.sema.num(value, ULONG, t.loc)
    }
    this.diags.error(t.loc, 'integer constant is too large for its type', text.length)
    return this.sema.num(BigInt.asUintN(64, value), ULLONG, t.loc)
  }

  private charConstant(t: PPToken): Expr {
    const body = /^(?:L|u|U|u8)?'(.*)'$/s.exec(t.text)?.[1] ?? ''
    const decoded = decodeEscapes(body)
    if (!decoded || decoded.bytes.length === 0) this.fail(t.loc, 'empty character constant', t.text.length)
    if (decoded.badEscape) this.diags.warning(t.loc, decoded.badEscape, t.text.length)
    if (!t.text.startsWith("'") && decoded.codePoints.length > 1) this.diags.warning(t.loc, 'character constant too long for its type', t.text.length)
    else if (t.text.startsWith("'") && decoded.bytes.length > 1) {
      if (decoded.bytes.length > 4) this.diags.warning(t.loc, 'character constant too long for its type', t.text.length)
      else this.diags.warning(t.loc, 'multi-character character constant [-Wmultichar]', t.text.length)
    }
    const value = parseCharConstantValue(t.text) ?? 0n
    const type = t.text.startsWith('u') ? USHORT : t.text.startsWith('U') ? UINT : INT
    return this.sema.num(value, type, t.loc)
  }

  private stringLiteral(): Expr {
    const first = this.peek()
    const pieces: DecodedLiteral[] = []
    let byteCount = 0
    let prefix = ''
    while (this.peek().kind === 'string') {
      const t = this.next()
      // The lexer only makes string tokens of an optional L, u8, u or U, then "...".
      const quote = t.text.indexOf('"')
      const p = t.text.slice(0, quote)
      if (p && p !== 'u8') {
        if (prefix && prefix !== p) this.fail(t.loc, 'unsupported non-standard concatenation of string literals')
        prefix = p
      }
      const decoded = decodeEscapes(t.text.slice(quote + 1, -1))
      if (!decoded) continue
      if (decoded.badEscape) this.diags.warning(t.loc, decoded.badEscape, t.text.length)
      pieces.push(decoded)
      byteCount += decoded.bytes.length
    }
    if (prefix === '') {
      const bytes = new Uint8Array(byteCount + 1) // the last byte stays the terminating zero
      let at = 0
      for (const piece of pieces) {
        bytes.set(piece.bytes, at)
        at += piece.bytes.length
      }
      return this.makeString(bytes, CHAR, first.loc)
    }
    // Wide literals: wchar_t (int) for L, char16_t for u, char32_t for U; one element per code point.
    const codePoints = pieces.flatMap((piece) => piece.codePoints)
    const elem = prefix === 'u' ? USHORT : prefix === 'U' ? UINT : INT
    const width = prefix === 'u' ? 2 : 4
    const out = new Uint8Array((codePoints.length + 1) * width)
    const view = new DataView(out.buffer)
    codePoints.forEach((cp, i) => (width === 2 ? view.setUint16(i * 2, cp, true) : view.setUint32(i * 4, cp, true)))
    return this.makeString(out, elem, first.loc)
  }

  private makeString(bytes: Uint8Array, elem: CType, loc: SourceLocation): Expr {
    const type = arrayOf(elem, bytes.length / (sizeOf(elem) as number))
    this.strings.push({ bytes, type })
    return { k: 'str', id: this.strings.length - 1, type, loc }
  }
}

/** The value of a decimal constant of 1 to 9 digits without suffix (no leading 0 unless just "0"), or -1. */
function smallDecimal(text: string): number {
  const n = text.length
  if (n === 0 || n > 9 || (n > 1 && text.charCodeAt(0) === 48)) return -1
  let value = 0
  for (let i = 0; i < n; i++) {
    const digit = text.charCodeAt(i) - 48
    if (digit < 0 || digit > 9) return -1
    value = value * 10 + digit
  }
  return value
}

/** What the lexer makes of a quote that is never closed (the rest of its line, as an 'other' token). */
function isUnterminatedLiteral(t: PPToken): boolean {
  return t.kind === 'other' && (t.text.startsWith("'") || t.text.startsWith('"'))
}

function clearNode(n: InitNode): void {
  n.expr = undefined
  n.bytes = undefined
  n.children = undefined
  n.activeMember = undefined
}

function promoteType(t: CType): CType {
  return isInteger(t) ? (sizeOf(t) as number) < 4 || (t.kind === 'int' && t.ik === 'bool') ? INT : t.kind === 'enum' ? intType(t.info.underlying) : t : t
}

/** gcc's choice of an enum's compatible type from its range of values. */
function enumUnderlying(min: bigint, max: bigint): IntKind {
  if (min >= 0n) return max <= 0xffffffffn ? 'uint' : 'ulong'
  if (min >= -(1n << 31n) && max < 1n << 31n) return 'int'
  return 'long'
}

const MAX_NESTING = 256

/** How many tokens of finished declarations the parser lets pile up before dropping them. */
const DROPPED_TOKENS = 1024

const CLOSERS = new Set([';', ')', ']'])

const ASSIGN_OPS = new Set(['=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>='])

const BINARY_PRECEDENCE: Readonly<Record<string, number>> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7,
  '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10,
}

/** gcc's `_Alignof(expression)`: a variable's or member's own alignment, else its type's. */
function objectAlignOf(e: Expr): number {
  if (e.k === 'var' && e.sym.align !== undefined) return e.sym.align
  if (e.k === 'member') {
    const record = e.base.type
    const member = record.kind === 'record' ? findMember(record.info, e.name) : undefined
    if (member !== undefined) return member.align
  }
  return alignOf(e.type)
}
