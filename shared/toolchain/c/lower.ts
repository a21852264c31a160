/**
 * Lowering of the checked C tree to the shared IR (shared/toolchain/ir). Statements take the
 * shapes gcc -O0 gives them (a while loop jumps to its condition at the bottom, `main` falling
 * off its end returns 0), every object gets a frame slot with the facts the back end needs for
 * gcc's frame layout and the stack protector, and file-scope data gets its bytes and relocations.
 */
import type * as IR from '../ir/types'
import type { Expr, FunctionDef, Initializer, Stmt, StringLiteral, TranslationUnit, VarSymbol } from './ast'
import { DebugTypeTable } from './debug-types'
import { CompileAbort, type DiagnosticSink, type SourceLocation } from './diagnostics'
import { VOID, alignOf, intKindOf, isSignedKind, isSignedType, pointerTo, sizeOf, typeToString, unqualified, type BitField, type CType, type IntKind } from './types'

const INT_IR: Readonly<Record<IntKind, IR.IntType>> = {
  bool: 'u8', char: 'i8', schar: 'i8', uchar: 'u8', short: 'i16', ushort: 'u16', int: 'i32', uint: 'u32',
  long: 'i64', ulong: 'u64', llong: 'i64', ullong: 'u64',
}

/** The machine type of a scalar C type. */
export function irType(t: CType): IR.IntType {
  if (t.kind === 'pointer') return 'ptr'
  const ik = intKindOf(t)
  if (ik) return INT_IR[ik]
  throw new Error(`no machine type for ${typeToString(t)}`)
}

function toIrLoc(loc: SourceLocation): IR.SourceLocation {
  return { line: loc.line, column: loc.column }
}

/** gcc's stack_protect_classify_type for an object's type (ssp-buffer-size 8). */
export function protectorClass(t: CType): IR.ProtectorClass {
  if (t.kind === 'array') {
    const elem = t.of
    const ik = elem.kind === 'int' ? elem.ik : undefined
    if (ik === 'char' || ik === 'schar' || ik === 'uchar') {
      const large = (sizeOf(t) ?? 0) >= 8
      return { smallCharArray: !large, largeCharArray: large, array: true, aggregate: false }
    }
    // gcc does not look inside other arrays' elements (char[4][10] is just an array).
    return { smallCharArray: false, largeCharArray: false, array: true, aggregate: false }
  }
  if (t.kind === 'record') {
    let c: IR.ProtectorClass = { smallCharArray: false, largeCharArray: false, array: false, aggregate: true }
    for (const m of t.info.members) {
      const mc = protectorClass(m.type)
      c = {
        smallCharArray: c.smallCharArray || mc.smallCharArray,
        largeCharArray: c.largeCharArray || mc.largeCharArray,
        array: c.array || mc.array,
        aggregate: true,
      }
    }
    return c
  }
  return { smallCharArray: false, largeCharArray: false, array: false, aggregate: false }
}

export interface LowerOptions {
  /** gcc's builtin folding of output calls whose result is unused (off with -fno-builtin). */
  readonly builtins: boolean
}

/** A call that gcc's builtin folding replaces: by another call, or by nothing at all. */
type FoldedCall = { readonly kind: 'call'; readonly call: IR.Expr } | { readonly kind: 'nothing' }

/** A call to a libc output function (its result is unused; fwrite's is a size_t). */
function outputCall(name: 'puts' | 'putchar' | 'fputs' | 'fputc' | 'fwrite', args: readonly IR.Expr[]): FoldedCall {
  const call: IR.Expr = { kind: 'call', callee: { kind: 'direct', name }, args: args.map((value) => ({ kind: 'int', value })), type: name === 'fwrite' ? 'u64' : 'i32', variadic: false }
  return { kind: 'call', call }
}

/** A one-character text as the int gcc passes for it (`"x"[0]`: plain char is signed). */
function charConstant(text: string): IR.Expr {
  return { kind: 'const', type: 'i32', value: BigInt.asIntN(8, BigInt(text.charCodeAt(0))) }
}

type StaticValue = { readonly kind: 'int'; readonly value: bigint } | { readonly kind: 'addr'; readonly symbol: string; readonly addend: bigint }

interface FunctionState {
  readonly def: FunctionDef
  readonly body: IR.Stmt[]
  readonly frame: IR.FrameObject[]
  nextObject: number
  nextLabel: number
  readonly userLabels: Map<string, string>
  readonly breakTargets: string[]
  readonly continueTargets: string[]
  readonly switchLabels: Map<number, { cases: string[]; defaultLabel: string }>
  /** Statements that must run before the statement being lowered (compound literals, struct copies). */
  pre: IR.Stmt[]
  /** Blocks that declare variables: the ones debug info describes. */
  readonly scopesWithVariables: Set<number>
}

export class Lowerer {
  private readonly stringNames = new Map<number, string>()
  private readonly stringGlobals: IR.IrGlobal[] = []
  private readonly debugTypes = new DebugTypeTable()
  private fs: FunctionState | undefined

  constructor(
    /** The unit's string literals by id, as the parser finds them. */
    private readonly strings: readonly StringLiteral[],
    private readonly diags: DiagnosticSink,
    private readonly options: LowerOptions = { builtins: true },
  ) {}

  /** One function definition's IR; undefined when it has errors (they are reported). */
  function(def: FunctionDef): IR.IrFunction | undefined {
    try {
      return this.lowerFunction(def)
    } catch (e) {
      if (!(e instanceof CompileAbort)) throw e
      return undefined
    }
  }

  /** The unit's data, once it has been parsed: its objects, its string literals and its externs. */
  data(unit: TranslationUnit, sourceFile: string): IR.IrModuleData {
    const globals: IR.IrGlobal[] = []
    for (const sym of unit.globals) {
      try {
        globals.push(this.lowerGlobal(sym))
      } catch (e) {
        if (!(e instanceof CompileAbort)) throw e
      }
    }
    const externs = unit.externs.map((s) => s.asmName)
    return { sourceFile, globals: [...globals, ...this.stringGlobals], externs }
  }

  private fail(loc: SourceLocation, message: string): never {
    this.diags.error(loc, message)
    throw new CompileAbort()
  }

  // ---- globals -------------------------------------------------------------------------------

  private stringSymbol(id: number): string {
    let name = this.stringNames.get(id)
    if (name === undefined) {
      const lit = this.strings[id]
      if (!lit) throw new Error(`unknown string literal ${id}`)
      name = this.addStringGlobal(lit.bytes, alignOf(lit.type))
      this.stringNames.set(id, name)
    }
    return name
  }

  private addStringGlobal(bytes: Uint8Array, typeAlign: number): string {
    const name = `.LC${this.stringGlobals.length}`
    // gcc's ix86_constant_alignment: string constants of 31 bytes or more are word aligned.
    const align = bytes.length >= 31 ? Math.max(8, typeAlign) : typeAlign
    this.stringGlobals.push({ name, linkage: 'static', section: 'rodata', size: bytes.length, align, init: bytes })
    return name
  }

  private literalBySymbol(symbol: string): Uint8Array | undefined {
    for (const [id, name] of this.stringNames) if (name === symbol) return this.strings[id]?.bytes
    return undefined
  }

  private lowerGlobal(sym: VarSymbol): IR.IrGlobal {
    const size = sizeOf(sym.type) ?? 0
    // An alignment the declaration asks for is taken as is (gcc raises only the type's alignment).
    const align = sym.align ?? dataAlignment(sym.type)
    const linkage: IR.Linkage = sym.external ? 'global' : 'static'
    const debug = { loc: toIrLoc(sym.loc), debugType: this.debugTypes.debugType(sym.type), ...declaredAlignment(sym) }
    // A tentative definition of an array of unknown size becomes one element (gcc warns).
    if (!sym.init) {
      if (sym.type.kind === 'array' && sym.type.length === undefined) {
        this.diags.warning(sym.loc, `array '${sym.name}' assumed to have one element`)
        const one = sizeOf(sym.type.of) ?? 1
        return { name: sym.asmName, linkage, section: 'bss', size: one, align, ...debug }
      }
      return { name: sym.asmName, linkage, section: 'bss', size, align, ...debug }
    }
    const bytes = new Uint8Array(size)
    const relocations: IR.DataRelocation[] = []
    this.fillStatic(sym.init, bytes, relocations)
    const allZero = relocations.length === 0 && bytes.every((b) => b === 0)
    if (allZero) return { name: sym.asmName, linkage, section: 'bss', size, align, ...debug }
    const readOnly = isDeepConst(sym.type)
    // gcc puts const data with relocations in .data.rel.ro for PIE; plain .rodata otherwise.
    const section: IR.DataSection = readOnly && relocations.length === 0 ? 'rodata' : 'data'
    // Initial data is emitted at least at its natural alignment, even when a typedef lowered
    // the type's (`typedef long l2 __attribute__((aligned(2))); l2 x = 7;` is 8-aligned in gcc).
    const dataAlign = sym.align ?? Math.max(align, dataAlignment({ ...sym.type, alignment: undefined }))
    return { name: sym.asmName, linkage, section, size, align: dataAlign, init: bytes, relocations, ...debug }
  }

  private fillStatic(init: Initializer, bytes: Uint8Array, relocations: IR.DataRelocation[]): void {
    const view = new DataView(bytes.buffer)
    for (const item of init.items) {
      if (item.kind === 'bytes') {
        bytes.set(item.bytes.subarray(0, Math.max(0, bytes.length - item.offset)), item.offset)
        continue
      }
      if (item.type.kind === 'record') {
        this.fail(item.expr.loc, 'initializer element is not constant')
      }
      const v = this.staticValue(item.expr)
      if (item.bitField) {
        if (v.kind === 'addr') this.fail(item.expr.loc, 'initializer element is not computable at load time')
        const bf = item.bitField
        const mask = (1n << BigInt(bf.width)) - 1n
        const unit = readInt(view, item.offset, bf.unitSize)
        const merged = (unit & ~(mask << BigInt(bf.bitOffset))) | ((BigInt.asUintN(64, v.value) & mask) << BigInt(bf.bitOffset))
        writeInt(view, item.offset, bf.unitSize, merged)
        continue
      }
      const width = sizeOf(item.type) as number
      if (v.kind === 'addr') {
        if (width !== 8) this.fail(item.expr.loc, 'initializer element is not computable at load time')
        relocations.push({ offset: item.offset, symbol: v.symbol, addend: Number(v.addend), size: 8 })
        continue
      }
      writeInt(view, item.offset, width, v.value)
    }
  }

  /** Evaluates a static initializer: an integer or an address constant (symbol + addend). */
  private staticValue(e: Expr): StaticValue {
    switch (e.k) {
      case 'num':
        return { kind: 'int', value: e.value }
      case 'cast': {
        const v = this.staticValue(e.operand)
        if (v.kind === 'int') {
          const ik = intKindOf(e.type)
          if (!ik) return v
          if (ik === 'bool') return { kind: 'int', value: v.value !== 0n ? 1n : 0n }
          const bits = (sizeOf(e.type) as number) * 8
          return { kind: 'int', value: isSignedKind(ik) ? BigInt.asIntN(bits, v.value) : BigInt.asUintN(bits, v.value) }
        }
        if (e.type.kind === 'pointer' || (sizeOf(e.type) ?? 0) === 8) return v
        return this.fail(e.loc, 'initializer element is not computable at load time')
      }
      case 'addr':
        return this.staticAddress(e.operand)
      case 'ptradd': {
        const p = this.staticValue(e.ptr)
        const i = this.staticValue(e.index)
        if (i.kind !== 'int') return this.fail(e.loc, 'initializer element is not constant')
        const delta = i.value * BigInt(e.scale) * (e.subtract ? -1n : 1n)
        return p.kind === 'addr' ? { ...p, addend: p.addend + delta } : { kind: 'int', value: p.value + delta }
      }
      case 'binary': {
        const a = this.staticValue(e.left)
        const b = this.staticValue(e.right)
        if (a.kind === 'addr' && b.kind === 'int' && (e.op === 'add' || e.op === 'sub')) return { ...a, addend: a.addend + (e.op === 'add' ? b.value : -b.value) }
        if (b.kind === 'addr' && a.kind === 'int' && e.op === 'add') return { ...b, addend: b.addend + a.value }
        return this.fail(e.loc, 'initializer element is not constant')
      }
      case 'deref':
      case 'member': {
        // An element of a string literal (`"abc"[1]`) is a constant; other objects' contents are not.
        const at = this.staticAddress(e)
        const literal = at.kind === 'addr' ? this.literalBySymbol(at.symbol) : undefined
        const width = sizeOf(e.type)
        if (at.kind === 'addr' && literal && width !== undefined && at.addend >= 0n && Number(at.addend) + width <= literal.length) {
          const view = new DataView(literal.buffer, literal.byteOffset, literal.byteLength)
          const raw = readInt(view, Number(at.addend), width)
          const ik = intKindOf(e.type)
          return { kind: 'int', value: ik && isSignedKind(ik) ? BigInt.asIntN(width * 8, raw) : raw }
        }
        return this.fail(e.loc, 'initializer element is not constant')
      }
      case 'cond': {
        const c = this.staticValue(e.cond)
        if (c.kind !== 'int') return this.fail(e.loc, 'initializer element is not constant')
        return this.staticValue(c.value !== 0n ? e.then : e.otherwise)
      }
      default:
        return this.fail(e.loc, 'initializer element is not constant')
    }
  }

  private staticAddress(e: Expr): StaticValue {
    switch (e.k) {
      case 'var':
        if (e.sym.storage !== 'global') return this.fail(e.loc, 'initializer element is not constant')
        return { kind: 'addr', symbol: e.sym.asmName, addend: 0n }
      case 'str':
        return { kind: 'addr', symbol: this.stringSymbol(e.id), addend: 0n }
      case 'member': {
        const base = this.staticAddress(e.base)
        return base.kind === 'addr' ? { ...base, addend: base.addend + BigInt(e.offset) } : { kind: 'int', value: base.value + BigInt(e.offset) }
      }
      case 'deref':
        return this.staticValue(e.pointer)
      default:
        return this.fail(e.loc, 'initializer element is not constant')
    }
  }

  // ---- functions -----------------------------------------------------------------------------

  private lowerFunction(def: FunctionDef): IR.IrFunction {
    const fs: FunctionState = {
      def, body: [], frame: [], nextObject: 0, nextLabel: 0, userLabels: new Map(), breakTargets: [], continueTargets: [],
      switchLabels: new Map(), pre: [], scopesWithVariables: new Set(),
    }
    this.fs = fs
    const locals = def.locals.filter((s) => s.storage === 'local')
    for (const sym of locals) if (!sym.name.startsWith('__compound_literal')) fs.scopesWithVariables.add(sym.scope)
    const params = def.locals.filter((s) => s.storage === 'param')
    for (const sym of [...locals, ...params]) {
      fs.frame.push(this.frameObject(sym))
      fs.nextObject = Math.max(fs.nextObject, sym.frameId + 1)
    }
    this.statement(def.body)
    const returns = unqualified(def.type.returns)
    const last = fs.body.findLast((stmt) => stmt.kind !== 'scopeEnd')
    if (def.sym.name === 'main' && returns.kind === 'int' && returns.ik === 'int' && last?.kind !== 'return') {
      // C99 5.1.2.2.3: reaching the } that ends main returns 0 (gcc emits `mov eax, 0`).
      fs.body.push({ kind: 'return', value: { kind: 'const', type: 'i32', value: 0n }, loc: toIrLoc(def.endLoc) })
    }
    this.fs = undefined
    const irParams: IR.IrParam[] = params.map((p) => ({ object: p.frameId, type: this.paramType(p.type) }))
    return {
      name: def.sym.asmName,
      linkage: def.sym.external ? 'global' : 'static',
      params: irParams,
      returns: returns.kind === 'void' ? { kind: 'void' } : returns.kind === 'record' ? { kind: 'aggregate', size: sizeOf(returns) as number } : { kind: 'int', type: irType(returns) },
      returnDebugType: this.debugTypes.debugType(def.type.returns),
      variadic: def.type.variadic,
      frame: fs.frame,
      body: fs.body,
      loc: toIrLoc(def.loc),
      bodyLoc: toIrLoc(def.body.loc),
      endLoc: toIrLoc(def.endLoc),
    }
  }

  private paramType(t: CType): IR.ParamType {
    if (t.kind === 'record') return { kind: 'aggregate', size: sizeOf(t) as number }
    return { kind: 'int', type: irType(t) }
  }

  private frameObject(sym: VarSymbol): IR.FrameObject {
    const t = sym.type
    return {
      id: sym.frameId,
      name: sym.name.startsWith('__compound_literal') ? '' : sym.name,
      kind: sym.storage === 'param' ? 'param' : sym.name.startsWith('__compound_literal') ? 'temp' : 'local',
      size: sizeOf(t) ?? 0,
      align: sym.align ?? alignOf(t),
      scalar: t.kind === 'int' || t.kind === 'enum' || t.kind === 'pointer',
      vaList: isVaList(t),
      addressTaken: sym.addressTaken,
      protector: protectorClass(t),
      scopeDepth: sym.scopeDepth,
      scope: Math.max(0, sym.scope),
      parentScope: sym.parentScope !== undefined && sym.parentScope >= 0 ? sym.parentScope : undefined,
      loc: toIrLoc(sym.loc),
      debugType: this.debugTypes.debugType(t),
      ...declaredAlignment(sym),
    }
  }

  private temp(t: CType): number {
    const fs = this.fs as FunctionState
    const id = fs.nextObject++
    fs.frame.push({
      id, name: '', kind: 'temp', size: sizeOf(t) ?? 0, align: alignOf(t), scalar: false, addressTaken: true,
      protector: protectorClass(t), scopeDepth: 0, scope: 0, debugType: this.debugTypes.debugType(t),
    })
    return id
  }

  /**
   * Lowers `body`, the code of block `scope`, between scope markers when the block declares
   * variables: debug info gives them that code range (gcc's DW_TAG_lexical_block), and it
   * describes no block without variables either.
   */
  private inScope(scope: number | undefined, body: () => void): void {
    const fs = this.fs as FunctionState
    const marked = scope !== undefined && scope > 0 && fs.scopesWithVariables.has(scope)
    if (marked) this.emit({ kind: 'scopeBegin', scope })
    body()
    if (marked) this.emit({ kind: 'scopeEnd', scope })
  }

  private label(): string {
    const fs = this.fs as FunctionState
    return `L${fs.nextLabel++}`
  }

  private userLabel(name: string): string {
    const fs = this.fs as FunctionState
    let l = fs.userLabels.get(name)
    if (!l) {
      l = this.label()
      fs.userLabels.set(name, l)
    }
    return l
  }

  private emit(s: IR.Stmt): void {
    const fs = this.fs as FunctionState
    if (fs.pre.length) {
      fs.body.push(...fs.pre)
      fs.pre = []
    }
    fs.body.push(s)
  }

  // ---- statements ----------------------------------------------------------------------------

  private statement(s: Stmt): void {
    const fs = this.fs as FunctionState
    const loc = toIrLoc(s.loc)
    switch (s.k) {
      case 'block':
        this.inScope(s.scope, () => {
          for (const item of s.items) this.statement(item)
        })
        return
      case 'empty':
        return
      case 'expr':
        return this.expressionStatement(s.expr, loc)
      case 'decl':
        if (s.init) this.initializeLocal(s.sym.frameId, s.sym.type, s.init, loc)
        return
      case 'if': {
        const elseLabel = this.label()
        this.emit({ kind: 'branch', cond: this.value(s.cond), when: false, target: elseLabel, loc: toIrLoc(s.parenLoc) })
        this.statement(s.then)
        if (s.otherwise) {
          const end = this.label()
          this.emit({ kind: 'jump', target: end })
          this.emit({ kind: 'label', label: elseLabel })
          this.statement(s.otherwise)
          this.emit({ kind: 'label', label: end })
        } else {
          this.emit({ kind: 'label', label: elseLabel })
        }
        return
      }
      case 'while': {
        const condLabel = this.label()
        const bodyLabel = this.label()
        const end = this.label()
        // gcc's rows: the '(' for the jump to the test, the condition itself for the test.
        this.emit({ kind: 'jump', target: condLabel, loc: toIrLoc(s.parenLoc) })
        this.emit({ kind: 'label', label: bodyLabel })
        this.loop(end, condLabel, () => this.statement(s.body))
        this.emit({ kind: 'label', label: condLabel })
        this.emit({ kind: 'branch', cond: this.value(s.cond), when: true, target: bodyLabel, loc: toIrLoc(s.cond.loc) })
        this.emit({ kind: 'label', label: end })
        return
      }
      case 'do': {
        const bodyLabel = this.label()
        const condLabel = this.label()
        const end = this.label()
        this.emit({ kind: 'label', label: bodyLabel })
        this.loop(end, condLabel, () => this.statement(s.body))
        this.emit({ kind: 'label', label: condLabel })
        this.emit({ kind: 'branch', cond: this.value(s.cond), when: true, target: bodyLabel, loc: toIrLoc(s.cond.loc) })
        this.emit({ kind: 'label', label: end })
        return
      }
      case 'for': {
        // The loop's exit is outside the scope its clauses open (gcc's block ends after the test).
        let end = ''
        this.inScope(s.scope, () => {
          if (s.init) this.statement(s.init)
          const condLabel = this.label()
          const bodyLabel = this.label()
          const stepLabel = this.label()
          end = this.label()
          this.emit({ kind: 'jump', target: condLabel, loc })
          this.emit({ kind: 'label', label: bodyLabel })
          this.loop(end, stepLabel, () => this.statement(s.body))
          this.emit({ kind: 'label', label: stepLabel })
          if (s.step) this.expressionStatement(s.step, toIrLoc(s.step.loc))
          this.emit({ kind: 'label', label: condLabel })
          if (s.cond) this.emit({ kind: 'branch', cond: this.value(s.cond), when: true, target: bodyLabel, loc: toIrLoc(s.cond.loc) })
          else this.emit({ kind: 'jump', target: bodyLabel })
        })
        this.emit({ kind: 'label', label: end })
        return
      }
      case 'switch': {
        const end = this.label()
        const cases = s.cases.map(() => this.label())
        const defaultLabel = s.hasDefault ? this.label() : end
        fs.switchLabels.set(s.id, { cases, defaultLabel })
        this.emit({
          kind: 'switch', value: this.value(s.value), cases: s.cases.map((c, i) => ({ value: c.value, target: cases[i] as string })),
          defaultTarget: defaultLabel, loc,
        })
        fs.breakTargets.push(end)
        try {
          this.statement(s.body)
        } finally {
          fs.breakTargets.pop()
        }
        this.emit({ kind: 'label', label: end })
        return
      }
      case 'case': {
        const labels = fs.switchLabels.get(s.switchId)
        if (!labels) throw new Error('case outside its switch')
        this.emit({ kind: 'label', label: s.caseIndex < 0 ? labels.defaultLabel : (labels.cases[s.caseIndex] as string) })
        this.statement(s.body)
        return
      }
      case 'break': {
        const target = fs.breakTargets[fs.breakTargets.length - 1]
        if (target) this.emit({ kind: 'jump', target, loc })
        return
      }
      case 'continue': {
        const target = fs.continueTargets[fs.continueTargets.length - 1]
        if (target) this.emit({ kind: 'jump', target, loc })
        return
      }
      case 'goto':
        this.emit({ kind: 'jump', target: this.userLabel(s.label), loc })
        return
      case 'label':
        this.emit({ kind: 'label', label: this.userLabel(s.label) })
        this.statement(s.body)
        return
      case 'return': {
        const returns = unqualified(fs.def.type.returns)
        if (!s.value) {
          if (returns.kind === 'void') this.emit({ kind: 'return', loc })
          // `return;` in a non-void function: the caller gets whatever is there (gcc leaves rax as is);
          // the IR needs a value, so an untouched temporary (structs) or 0 stands in.
          else this.emit({ kind: 'return', value: returns.kind === 'record' ? { kind: 'frameAddr', object: this.temp(returns), offset: 0 } : { kind: 'const', type: irType(returns), value: 0n }, loc })
          return
        }
        if (returns.kind === 'void') {
          this.expressionStatement(s.value, loc)
          this.emit({ kind: 'return', loc })
          return
        }
        const value = returns.kind === 'record' ? this.recordAddress(s.value) : this.value(s.value)
        // gcc's row for `return expr;` is at the expression (its operator, callee, ...), not at `return`.
        let returned = s.value
        while (returned.k === 'cast' && returned.implicit) returned = returned.operand
        this.emit({ kind: 'return', value, loc: toIrLoc(returned.loc) })
        return
      }
    }
  }

  private loop(breakTarget: string, continueTarget: string, body: () => void): void {
    const fs = this.fs as FunctionState
    fs.breakTargets.push(breakTarget)
    fs.continueTargets.push(continueTarget)
    try {
      body()
    } finally {
      fs.breakTargets.pop()
      fs.continueTargets.pop()
    }
  }

  private expressionStatement(e: Expr, loc: IR.SourceLocation): void {
    switch (e.k) {
      case 'vaStart':
        this.emit({ kind: 'vaStart', list: this.value(e.list), loc })
        return
      case 'vaCopy':
        this.emit({ kind: 'copy', dst: this.value(e.dst), src: this.value(e.src), size: 24, loc })
        return
      case 'assign':
        if (e.target.type.kind === 'record') {
          this.emit({ kind: 'copy', dst: this.address(e.target), src: this.recordAddress(e.value), size: sizeOf(e.target.type) as number, loc })
          return
        }
        if (e.target.k === 'member' && e.target.bitField) {
          const bf = e.target.bitField
          const unit = this.stableAddress(this.address(e.target))
          if (unit.setup) this.emit({ kind: 'eval', expr: unit.setup, loc })
          this.emit({ kind: 'store', type: UNIT_TYPES[bf.unitSize], addr: unit.addr(), value: this.mergedUnit(unit.addr(), bf, this.value(e.value)), loc })
          return
        }
        this.emit({ kind: 'store', type: irType(e.type), addr: this.address(e.target), value: this.value(e.value), loc })
        return
      case 'cast':
        if (e.type.kind === 'void') return this.expressionStatement(e.operand, loc)
        break
      case 'comma':
        this.expressionStatement(e.first, loc)
        this.expressionStatement(e.then, loc)
        return
      case 'num':
        return
    }
    const folded = e.k === 'call' && this.options.builtins ? this.foldedOutputCall(e) : undefined
    if (folded !== undefined) {
      if (folded.kind === 'call') this.emit({ kind: 'eval', expr: folded.call, loc })
      return
    }
    if (e.type.kind === 'record') {
      if (e.k === 'call') this.emit({ kind: 'eval', expr: this.callExpr(e, { kind: 'frameAddr', object: this.temp(e.type), offset: 0 }), loc })
      else this.emit({ kind: 'eval', expr: this.recordAddress(e), loc })
      return
    }
    this.emit({ kind: 'eval', expr: this.value(e), loc })
  }

  private initializeLocal(object: number, type: CType, init: Initializer, loc: IR.SourceLocation): void {
    const size = sizeOf(type) as number
    const base = (offset: number): IR.Expr => ({ kind: 'frameAddr', object, offset })
    if (init.zeroFill) this.emit({ kind: 'zero', dst: base(0), size, loc })
    for (const item of init.items) {
      if (item.kind === 'bytes') {
        this.storeBytes(base, item.offset, item.bytes, loc)
        continue
      }
      if (item.type.kind === 'record') {
        this.emit({ kind: 'copy', dst: base(item.offset), src: this.recordAddress(item.expr), size: sizeOf(item.type) as number, loc })
        continue
      }
      if (item.bitField) {
        const unit = base(item.offset)
        this.emit({ kind: 'store', type: UNIT_TYPES[item.bitField.unitSize], addr: unit, value: this.mergedUnit(unit, item.bitField, this.value(item.expr)), loc })
        continue
      }
      this.emit({ kind: 'store', type: irType(item.type), addr: base(item.offset), value: this.value(item.expr), loc })
    }
  }

  /** Stores literal bytes in 8/4/2/1-byte immediates, as gcc does for `char s[] = "..."`. */
  private storeBytes(base: (offset: number) => IR.Expr, offset: number, bytes: Uint8Array, loc: IR.SourceLocation): void {
    let i = 0
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    while (i < bytes.length) {
      const left = bytes.length - i
      const width = left >= 8 ? 8 : left >= 4 ? 4 : left >= 2 ? 2 : 1
      const value = width === 8 ? view.getBigUint64(i, true) : width === 4 ? BigInt(view.getUint32(i, true)) : width === 2 ? BigInt(view.getUint16(i, true)) : BigInt(view.getUint8(i))
      const type: IR.IntType = width === 8 ? 'u64' : width === 4 ? 'u32' : width === 2 ? 'u16' : 'u8'
      this.emit({ kind: 'store', type, addr: base(offset + i), value: { kind: 'const', type, value }, loc })
      i += width
    }
  }

  // ---- expressions ---------------------------------------------------------------------------

  /** Address of an lvalue (or of a string literal / compound literal object). */
  private address(e: Expr): IR.Expr {
    switch (e.k) {
      case 'var':
        if (e.sym.storage === 'global') return { kind: 'symbolAddr', symbol: e.sym.asmName, offset: 0 }
        return { kind: 'frameAddr', object: e.sym.frameId, offset: 0 }
      case 'str':
        return { kind: 'symbolAddr', symbol: this.stringSymbol(e.id), offset: 0 }
      case 'deref':
        return this.value(e.pointer)
      case 'member': {
        const base = e.base.type.kind === 'record' && !isAddressable(e.base) ? this.recordAddress(e.base) : this.address(e.base)
        return offsetAddress(base, e.offset)
      }
      case 'compound': {
        const fs = this.fs as FunctionState
        const saved = fs.body.length
        this.initializeLocal(e.sym.frameId, e.sym.type, e.init, toIrLoc(e.loc))
        // The initialisation runs before the statement that uses the literal.
        fs.pre.push(...fs.body.splice(saved))
        return { kind: 'frameAddr', object: e.sym.frameId, offset: 0 }
      }
      default:
        return this.fail(e.loc, 'lvalue required')
    }
  }

  /** Address of a struct/union value, materialising calls and assignments into temporaries. */
  private recordAddress(e: Expr): IR.Expr {
    switch (e.k) {
      case 'call': {
        const tmp: IR.Expr = { kind: 'frameAddr', object: this.temp(e.type), offset: 0 }
        return this.callExpr(e, tmp)
      }
      case 'assign': {
        const fs = this.fs as FunctionState
        const dst = this.address(e.target)
        fs.pre.push({ kind: 'copy', dst, src: this.recordAddress(e.value), size: sizeOf(e.type) as number })
        return this.address(e.target)
      }
      case 'cond':
        return { kind: 'select', type: 'ptr', cond: this.value(e.cond), then: this.recordAddress(e.then), otherwise: this.recordAddress(e.otherwise) }
      case 'comma':
        return { kind: 'comma', first: this.value(e.first), then: this.recordAddress(e.then) }
      default:
        return this.address(e)
    }
  }

  private value(e: Expr): IR.Expr {
    switch (e.k) {
      case 'num':
        return { kind: 'const', type: e.type.kind === 'void' ? 'i32' : irType(e.type), value: e.value }
      case 'var':
      case 'deref':
      case 'member':
      case 'compound':
        if (e.type.kind === 'record' || e.type.kind === 'array') return this.recordAddress(e)
        // A function designator used on its own (`printf;`) stands for its address.
        if (e.type.kind === 'function' && e.k === 'var') return { kind: 'symbolAddr', symbol: e.sym.asmName, offset: 0 }
        if (e.k === 'member' && e.bitField) return this.bitFieldLoad(this.address(e), e.bitField, e.type)
        return { kind: 'load', type: irType(e.type), addr: this.address(e) }
      case 'str':
        return this.address(e)
      case 'addr':
        if (e.operand.k === 'var' && e.operand.type.kind === 'function') return { kind: 'symbolAddr', symbol: e.operand.sym.asmName, offset: 0 }
        return this.address(e.operand)
      case 'cast':
        return this.castValue(e.operand, e.type)
      case 'unary':
        if (e.op === 'lnot') return { kind: 'unary', op: 'lnot', type: 'i32', value: this.condValue(e.operand) }
        return { kind: 'unary', op: e.op, type: irType(e.type), value: this.value(e.operand) }
      case 'binary':
        return { kind: 'binary', op: e.op, type: irType(e.type), left: this.value(e.left), right: this.value(e.right) }
      case 'compare':
        return { kind: 'compare', op: e.op, left: this.value(e.left), right: this.value(e.right) }
      case 'ptradd': {
        const offset = this.scaled(e.index, e.scale)
        return { kind: 'binary', op: e.subtract ? 'sub' : 'add', type: 'ptr', left: this.value(e.ptr), right: offset }
      }
      case 'ptrdiff': {
        const diff: IR.Expr = {
          kind: 'binary', op: 'sub', type: 'i64',
          left: { kind: 'convert', type: 'i64', value: this.value(e.left) },
          right: { kind: 'convert', type: 'i64', value: this.value(e.right) },
        }
        if (e.scale === 1) return diff
        return { kind: 'binary', op: 'div', type: 'i64', left: diff, right: { kind: 'const', type: 'i64', value: BigInt(e.scale) } }
      }
      case 'logical':
        return { kind: 'logical', op: e.op, left: this.condValue(e.left), right: this.condValue(e.right) }
      case 'assign': {
        if (e.type.kind === 'record') return this.recordAddress(e)
        if (e.target.k === 'member' && e.target.bitField) {
          // The value of `s.f = v` is the field after the store, i.e. v cut to the field's width.
          const bf = e.target.bitField
          const unit = this.stableAddress(this.address(e.target))
          const stored: IR.Expr = { kind: 'assign', type: UNIT_TYPES[bf.unitSize], addr: unit.addr(), value: this.mergedUnit(unit.addr(), bf, this.value(e.value)) }
          const result: IR.Expr = { kind: 'comma', first: stored, then: this.bitFieldLoad(unit.addr(), bf, e.target.type) }
          return unit.setup ? { kind: 'comma', first: unit.setup, then: result } : result
        }
        return { kind: 'assign', type: irType(e.type), addr: this.address(e.target), value: this.value(e.value) }
      }
      case 'update':
        return this.update(e)
      case 'cond': {
        if (e.type.kind === 'record') return this.recordAddress(e)
        if (e.type.kind === 'void') {
          const arm = (x: Expr): IR.Expr => ({ kind: 'comma', first: this.voidValue(x), then: { kind: 'const', type: 'i32', value: 0n } })
          return { kind: 'select', type: 'i32', cond: this.condValue(e.cond), then: arm(e.then), otherwise: arm(e.otherwise) }
        }
        return { kind: 'select', type: irType(e.type), cond: this.condValue(e.cond), then: this.value(e.then), otherwise: this.value(e.otherwise) }
      }
      case 'comma':
        return { kind: 'comma', first: this.voidValue(e.first), then: this.value(e.then) }
      case 'call':
        if (e.type.kind === 'record') return this.recordAddress(e)
        return this.callExpr(e, undefined)
      case 'vaArg':
        return { kind: 'vaArg', type: irType(e.type), list: this.value(e.list) }
      case 'vaStart':
      case 'vaCopy':
        return this.fail(e.loc, `'${e.k === 'vaStart' ? 'va_start' : 'va_copy'}' must be used as a statement`)
    }
  }

  /** An expression evaluated only for its effects, in a place where IR needs an expression. */
  private voidValue(e: Expr): IR.Expr {
    if (e.k === 'cast' && e.type.kind === 'void') return this.voidValue(e.operand)
    if (e.type.kind === 'void' && e.k !== 'call' && e.k !== 'cond' && e.k !== 'comma') return this.fail(e.loc, 'void value not ignored as it ought to be')
    return this.value(e)
  }

  /** A scalar used as a truth value: compare/logical already yield 0/1, others are tested by the back end. */
  private condValue(e: Expr): IR.Expr {
    return this.value(e)
  }

  private scaled(index: Expr, scale: number): IR.Expr {
    const i = this.value(index)
    if (i.kind === 'const') return { kind: 'const', type: 'ptr', value: BigInt.asUintN(64, i.value * BigInt(scale)) }
    const product: IR.Expr = scale === 1 ? i : { kind: 'binary', op: 'mul', type: 'i64', left: i, right: { kind: 'const', type: 'i64', value: BigInt(scale) } }
    return { kind: 'convert', type: 'ptr', value: product }
  }

  private castValue(operand: Expr, to: CType): IR.Expr {
    if (to.kind === 'void') return this.voidValue(operand)
    const v = this.value(operand)
    const target = irType(to)
    if (to.kind === 'int' && to.ik === 'bool') {
      if (operand.type.kind === 'int' && operand.type.ik === 'bool') return v
      // Conversion to _Bool tests against zero (C17 6.3.1.2), it does not truncate.
      const zero: IR.Expr = { kind: 'const', type: irType(operand.type), value: 0n }
      return { kind: 'convert', type: 'u8', value: { kind: 'compare', op: 'ne', left: v, right: zero } }
    }
    if (irType(operand.type) === target) return v
    return { kind: 'convert', type: target, value: v }
  }

  private update(e: Expr & { k: 'update' }): IR.Expr {
    if (e.target.k === 'member' && e.target.bitField) return this.bitFieldUpdate(e, e.target.bitField)
    const addr = this.address(e.target)
    const type = irType(e.type)
    const isPointer = e.opType.kind === 'pointer'
    const opType: IR.IntType = isPointer ? 'ptr' : irType(e.opType)
    const operand = isPointer ? this.ptrOperand(this.value(e.operand)) : this.value(e.operand)
    if (e.type.kind === 'int' && e.type.ik === 'bool') {
      // _Bool targets store (old op operand) != 0; gcc does the same test.
      const old: IR.Expr = { kind: 'convert', type: opType, value: { kind: 'load', type: 'u8', addr } }
      const combined: IR.Expr = { kind: 'binary', op: e.op, type: opType, left: old, right: operand }
      const truth: IR.Expr = { kind: 'convert', type: 'u8', value: { kind: 'compare', op: 'ne', left: combined, right: { kind: 'const', type: opType, value: 0n } } }
      return { kind: 'assign', type: 'u8', addr: this.address(e.target), value: truth }
    }
    return { kind: 'update', op: e.op, type, opType, addr, operand, postfix: e.postfix }
  }

  /** `s.f op= v`, `s.f++`...: old value kept in a temporary, new value merged into the unit. */
  private bitFieldUpdate(e: Expr & { k: 'update' }, bf: BitField): IR.Expr {
    const declared = irType(e.type)
    const opType = irType(e.opType)
    const unit = this.stableAddress(this.address(e.target))
    const oldSlot: IR.Expr = { kind: 'frameAddr', object: this.temp(e.type), offset: 0 }
    const old: IR.Expr = { kind: 'load', type: declared, addr: oldSlot }
    const saveOld: IR.Expr = { kind: 'assign', type: declared, addr: oldSlot, value: this.bitFieldLoad(unit.addr(), bf, e.type) }
    const combined: IR.Expr = { kind: 'binary', op: e.op, type: opType, left: { kind: 'convert', type: opType, value: old }, right: this.value(e.operand) }
    const store: IR.Expr = { kind: 'assign', type: UNIT_TYPES[bf.unitSize], addr: unit.addr(), value: this.mergedUnit(unit.addr(), bf, combined) }
    const result = e.postfix ? old : this.bitFieldLoad(unit.addr(), bf, e.type)
    const sequence: IR.Expr = { kind: 'comma', first: saveOld, then: { kind: 'comma', first: store, then: result } }
    return unit.setup ? { kind: 'comma', first: unit.setup, then: sequence } : sequence
  }

  /** An address that can be used more than once: simple ones as they are, others kept in a temporary. */
  private stableAddress(addr: IR.Expr): { setup: IR.Expr | undefined; addr: () => IR.Expr } {
    if (addr.kind === 'frameAddr' || addr.kind === 'symbolAddr') return { setup: undefined, addr: () => addr }
    const slot: IR.Expr = { kind: 'frameAddr', object: this.temp(pointerTo(VOID)), offset: 0 }
    return { setup: { kind: 'assign', type: 'ptr', addr: slot, value: addr }, addr: () => ({ kind: 'load', type: 'ptr', addr: slot }) }
  }

  /** Reads a bit-field: the unit shifted so the field's top bit is on top, then shifted back down
   *  (arithmetically for signed fields, which sign-extends them). */
  private bitFieldLoad(unitAddr: IR.Expr, bf: BitField, declared: CType): IR.Expr {
    const signed = isSignedType(declared)
    const wide = bf.unitSize === 8
    const work: IR.IntType = wide ? (signed ? 'i64' : 'u64') : signed ? 'i32' : 'u32'
    const bits = wide ? 64 : 32
    let v: IR.Expr = { kind: 'convert', type: work, value: { kind: 'load', type: UNIT_TYPES[bf.unitSize], addr: unitAddr } }
    const up = bits - bf.bitOffset - bf.width
    if (up > 0) v = { kind: 'binary', op: 'shl', type: work, left: v, right: { kind: 'const', type: 'i32', value: BigInt(up) } }
    const down = bits - bf.width
    if (down > 0) v = { kind: 'binary', op: 'shr', type: work, left: v, right: { kind: 'const', type: 'i32', value: BigInt(down) } }
    const target = irType(declared)
    return target === work ? v : { kind: 'convert', type: target, value: v }
  }

  /** The unit at `unitAddr` with the field's bits replaced by the low bits of `value`. */
  private mergedUnit(unitAddr: IR.Expr, bf: BitField, value: IR.Expr): IR.Expr {
    const wide = bf.unitSize === 8
    const work: IR.IntType = wide ? 'u64' : 'u32'
    const workMask = wide ? (1n << 64n) - 1n : (1n << 32n) - 1n
    const mask = (1n << BigInt(bf.width)) - 1n
    const unitType = UNIT_TYPES[bf.unitSize]
    const old: IR.Expr = { kind: 'convert', type: work, value: { kind: 'load', type: unitType, addr: unitAddr } }
    const cleared: IR.Expr = { kind: 'binary', op: 'and', type: work, left: old, right: { kind: 'const', type: work, value: ~(mask << BigInt(bf.bitOffset)) & workMask } }
    const field: IR.Expr = { kind: 'binary', op: 'and', type: work, left: { kind: 'convert', type: work, value }, right: { kind: 'const', type: work, value: mask } }
    const placed: IR.Expr = bf.bitOffset === 0 ? field : { kind: 'binary', op: 'shl', type: work, left: field, right: { kind: 'const', type: 'i32', value: BigInt(bf.bitOffset) } }
    const merged: IR.Expr = { kind: 'binary', op: 'or', type: work, left: cleared, right: placed }
    return unitType === work ? merged : { kind: 'convert', type: unitType, value: merged }
  }

  private ptrOperand(v: IR.Expr): IR.Expr {
    if (v.kind === 'const') return { kind: 'const', type: 'ptr', value: BigInt.asUintN(64, v.value) }
    return { kind: 'convert', type: 'ptr', value: v }
  }

  /**
   * gcc's folding of output calls whose result is unused (gimple_fold_builtin_printf, _fprintf,
   * _fputs), which it does even at -O0 — so the assembly calls what gcc's calls:
   * `printf("text\n")` → `puts("text")`, `printf("x")` or `printf("%c", c)` → `putchar`,
   * `printf("%s\n", s)` → `puts(s)`, `printf("")` → nothing; `fprintf(f, "%s", s)` →
   * `fputs(s, f)`, `fprintf(f, "%c", c)` → `fputc(c, f)`, `fprintf(f, "text")` is `fputs("text",
   * f)`, and `fputs` of a constant string becomes nothing, `fputc` or `fwrite`.
   */
  private foldedOutputCall(e: Expr & { k: 'call' }): FoldedCall | undefined {
    const callee = e.callee.k === 'addr' && e.callee.operand.k === 'var' ? e.callee.operand.sym : undefined
    if (callee === undefined || !callee.external || !e.fnType.prototyped) return undefined
    const named = (name: string, params: number, variadic: boolean): boolean =>
      callee.asmName === name && e.fnType.params.length === params && e.fnType.variadic === variadic && e.args.length >= params
    const isPointer = (arg: Expr | undefined): arg is Expr => arg !== undefined && arg.type.kind === 'pointer'
    const isInt = (arg: Expr | undefined): arg is Expr => arg !== undefined && arg.type.kind === 'int' && arg.type.ik === 'int'
    if (named('printf', 1, true)) {
      const format = this.constantString(e.args[0] as Expr)
      if (format === undefined) return undefined
      const argument = e.args[1]
      if (format === '%s' || !format.includes('%')) {
        const text = format === '%s' ? (isPointer(argument) ? this.constantString(argument) : undefined) : argument === undefined ? format : undefined
        if (text === undefined) return undefined
        if (text === '') return { kind: 'nothing' }
        if (text.length === 1) return outputCall('putchar', [charConstant(text)])
        if (text.endsWith('\n')) return outputCall('puts', [this.stringConstant(text.slice(0, -1))])
        return undefined
      }
      if (format === '%s\n' && isPointer(argument)) return outputCall('puts', [this.value(argument)])
      if (format === '%c' && isInt(argument)) return outputCall('putchar', [this.value(argument)])
      return undefined
    }
    if (named('fprintf', 2, true)) {
      const format = this.constantString(e.args[1] as Expr)
      if (format === undefined) return undefined
      const stream = e.args[0] as Expr
      const argument = e.args[2]
      if (!format.includes('%')) {
        if (argument !== undefined) return undefined
        return format === '' ? { kind: 'nothing' } : this.foldedFputs(e.args[1] as Expr, stream)
      }
      if (format === '%s' && isPointer(argument)) return this.foldedFputs(argument, stream)
      if (format === '%c' && isInt(argument)) return outputCall('fputc', [this.value(argument), this.value(stream)])
      return undefined
    }
    if (named('fputs', 2, false)) {
      const text = e.args[0] as Expr
      return this.constantString(text) === undefined ? undefined : this.foldedFputs(text, e.args[1] as Expr)
    }
    return undefined
  }

  /** `fputs(text, stream)`: a constant text is written with fputc or fwrite, or not at all. */
  private foldedFputs(text: Expr, stream: Expr): FoldedCall {
    const constant = this.constantString(text)
    if (constant === undefined) return outputCall('fputs', [this.value(text), this.value(stream)])
    if (constant === '') return { kind: 'nothing' }
    if (constant.length === 1) return outputCall('fputc', [charConstant(constant), this.value(stream)])
    const one: IR.Expr = { kind: 'const', type: 'u64', value: 1n }
    const length: IR.Expr = { kind: 'const', type: 'u64', value: BigInt(constant.length) }
    return outputCall('fwrite', [this.value(text), one, length, this.value(stream)])
  }

  /** The text of a string literal argument (up to its first NUL, as the callee would read it), as bytes in a latin1 string. */
  private constantString(e: Expr): string | undefined {
    let at = e
    while (at.k === 'cast' && at.type.kind === 'pointer') at = at.operand
    if (at.k !== 'addr' || at.operand.k !== 'str') return undefined
    const bytes = this.strings[at.operand.id]?.bytes
    if (bytes === undefined) return undefined
    const end = bytes.indexOf(0)
    return String.fromCharCode(...bytes.subarray(0, end < 0 ? bytes.length : end))
  }

  /** Address of a new string constant holding `text` (latin1 bytes) and its NUL. */
  private stringConstant(text: string): IR.Expr {
    const bytes = Uint8Array.from([...text].map((c) => c.charCodeAt(0)).concat(0))
    return { kind: 'symbolAddr', symbol: this.addStringGlobal(bytes, 1), offset: 0 }
  }

  private callExpr(e: Expr & { k: 'call' }, resultAddr: IR.Expr | undefined): IR.Expr {
    const callee: IR.Callee =
      e.callee.k === 'addr' && e.callee.operand.k === 'var' && e.callee.operand.type.kind === 'function'
        ? { kind: 'direct', name: e.callee.operand.sym.asmName }
        : { kind: 'indirect', address: this.value(e.callee) }
    const args: IR.CallArg[] = e.args.map((a) =>
      a.type.kind === 'record' ? { kind: 'aggregate', addr: this.recordAddress(a), size: sizeOf(a.type) as number } : { kind: 'int', value: this.value(a) },
    )
    const returns = unqualified(e.type)
    const type: IR.IntType | 'void' | { aggregate: number } =
      returns.kind === 'void' ? 'void' : returns.kind === 'record' ? { aggregate: sizeOf(returns) as number } : irType(returns)
    const variadic = e.fnType.variadic || !e.fnType.prototyped
    return resultAddr ? { kind: 'call', callee, args, type, resultAddr, variadic } : { kind: 'call', callee, args, type, variadic }
  }
}

/** The builtin `__builtin_va_list` type: `struct __va_list_tag[1]`. */
function isVaList(t: CType): boolean {
  return t.kind === 'array' && t.length === 1 && t.of.kind === 'record' && t.of.info.tag === '__va_list_tag'
}

/** Unsigned integer types of each storage-unit size. */
const UNIT_TYPES: Readonly<Record<BitField['unitSize'], IR.IntType>> = { 1: 'u8', 2: 'u16', 4: 'u32', 8: 'u64' }

function isAddressable(e: Expr): boolean {
  return e.k === 'var' || e.k === 'deref' || e.k === 'str' || e.k === 'compound' || (e.k === 'member' && isAddressable(e.base))
}

function offsetAddress(base: IR.Expr, offset: number): IR.Expr {
  if (offset === 0) return base
  if (base.kind === 'frameAddr' || base.kind === 'symbolAddr') return { ...base, offset: base.offset + offset }
  return { kind: 'binary', op: 'add', type: 'ptr', left: base, right: { kind: 'const', type: 'ptr', value: BigInt(offset) } }
}

/** The alignment a declaration asks for (`_Alignas`, `__attribute__((aligned))`), for debug info. */
function declaredAlignment(sym: VarSymbol): { declaredAlign?: number } {
  return sym.align === undefined ? {} : { declaredAlign: sym.align }
}

/**
 * Alignment gcc gives an object with static storage on x86-64 (ix86_data_alignment): arrays,
 * structs and unions of 32 bytes or more get 32, of 16 or more 16, of 8 or more 8; everything
 * else keeps its type's alignment. Measured with `gcc -O0 -S` on this machine.
 */
export function dataAlignment(t: CType): number {
  const natural = alignOf(t)
  if (t.kind !== 'array' && t.kind !== 'record') return natural
  const size = sizeOf(t) ?? 0
  const raised = size >= 32 ? 32 : size >= 16 ? 16 : size >= 8 ? 8 : 1
  return Math.max(natural, raised)
}

function isDeepConst(t: CType): boolean {
  if (t.kind === 'array') return isDeepConst(t.of)
  if (t.kind === 'record') return !!t.isConst || (t.info.members.length > 0 && t.info.members.every((m) => isDeepConst(m.type)))
  return !!t.isConst
}

function readInt(view: DataView, offset: number, width: number): bigint {
  switch (width) {
    case 1:
      return BigInt(view.getUint8(offset))
    case 2:
      return BigInt(view.getUint16(offset, true))
    case 4:
      return BigInt(view.getUint32(offset, true))
    default:
      return view.getBigUint64(offset, true)
  }
}

function writeInt(view: DataView, offset: number, width: number, value: bigint): void {
  switch (width) {
    case 1:
      view.setUint8(offset, Number(BigInt.asUintN(8, value)))
      return
    case 2:
      view.setUint16(offset, Number(BigInt.asUintN(16, value)), true)
      return
    case 4:
      view.setUint32(offset, Number(BigInt.asUintN(32, value)), true)
      return
    case 8:
      view.setBigUint64(offset, BigInt.asUintN(64, value), true)
      return
  }
}
