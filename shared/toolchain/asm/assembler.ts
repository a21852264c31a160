/**
 * The assembler: NASM-flavoured Intel syntax → relocatable object (see object.ts).
 *
 * Labels: `name:` (or `name db ...` without a colon). A label starting with `.` is local to the
 * previous non-local label (NASM), except `.L...` labels, which are file-local assembler labels
 * (GNU convention, as gcc emits `.L2`, `.LC0`) and do not appear in the symbol table.
 *
 * Layout runs in passes until every label is stable; branches start short and grow to their
 * long form when the target is out of reach (they never shrink back, so it converges). Only the
 * first pass and the last encode: the first measures every statement and records how its size
 * can change (most cannot; relative branches to labels of their own section can grow; a few, such
 * as `align` or `times` with a position-dependent count, are re-evaluated); the passes between
 * only add up sizes, and the last, at the fixed point, emits bytes and relocations.
 */
import { Register } from 'iced-x86'
import { AsmSyntaxError, parseLine, type DataItem, type ExprNode, type Operand, type ParsedLine, type Statement } from './parse'
import { EncodeError, encodeInstruction, relativeBranchForms, type RelativeBranchForm, type RelativeBranchForms, type ResolvedOperand, type Value, type ValueBase } from './encode'
import type { Diagnostic, LocalLabel, ObjectFile, ObjectSection, ObjectSymbol, Relocation, SectionName, SourceLine } from './object'
import { SECTION_NAMES } from './object'

export interface AssembleResult {
  /** Present when there were no errors. */
  readonly object?: ObjectFile
  readonly diagnostics: readonly Diagnostic[]
}

/** One statement in source order, with its layout state. A class, so every entry has one shape. */
class SourceStatement {
  /** Relaxation state for branches. */
  longBranch = false
  /** Bytes of an instruction that encodes the same wherever it lands (reused by later passes). */
  encoded: Uint8Array | undefined = undefined
  /** How relaxation passes size this statement (set after the first pass). */
  plan: SizePlan | undefined = undefined

  constructor(
    readonly line: number,
    readonly statement: Statement,
    readonly section: SectionName,
    /** Label defined on this line, fully qualified. */
    readonly label: string | undefined,
    /** Qualification scope for `.local` labels referenced on this line. */
    readonly scope: string,
    /** The label's index in the offset arrays; -1 for none. */
    readonly slot: number,
  ) {}
}

/**
 * Parsed lines by text, shared by every assembly: compiled code repeats lines (`push rbp`,
 * `mov DWORD PTR [rbp-4], edi`, ...) within a file and from one file or build to the next.
 * Parsed lines are never modified, so sharing them is safe.
 */
const PARSED_LINES = new Map<string, ParsedLine | AsmSyntaxError>()
const PARSED_LINES_LIMIT = 1 << 15

/** Bytes of position-independent instructions, per parsed statement: the same line in any file
 *  encodes to the same bytes (statements are shared through PARSED_LINES). */
const POSITION_INDEPENDENT_BYTES = new WeakMap<Statement, Uint8Array>()
const BRANCH_FORMS = new WeakMap<Statement, RelativeBranchForms | null>()

/** The statement of a line that only defines a label. */
const LABEL_ONLY: Statement = { kind: 'data', unit: 1, items: [], column: 1 }

/**
 * How a relaxation pass finds a statement's size without encoding it:
 * - fixed: the size the first pass measured, whatever the labels' values;
 * - branch: a relative branch to `label + addend` in its own section (`label` undefined = `$`):
 *   short while the target is in reach, long from the first time it is not (or always, without
 *   a short form: call);
 * - externalBranch: a relative branch to an external symbol: near, with a plt32 relocation;
 * - align: padding to a multiple of `value`;
 * - equ: no bytes, records where the equ stands (for `$` in its value);
 * - evaluate: anything else, emitted (without keeping bytes) as in a full pass.
 */
type SizePlan =
  | { readonly kind: 'fixed'; readonly size: number }
  | { readonly kind: 'branch'; readonly slot: number | undefined; readonly addend: number; readonly short?: RelativeBranchForm; readonly long: RelativeBranchForm }
  | { readonly kind: 'externalBranch'; readonly symbol: string; readonly addend: number; readonly long: RelativeBranchForm }
  | { readonly kind: 'align'; readonly value: number }
  | { readonly kind: 'equ'; readonly slot: number }
  | { readonly kind: 'evaluate' }

/** One step of a relaxation pass: `entry` (if any) sized by its plan, then `fixed` more bytes. */
interface MeasureStep {
  readonly entry: SourceStatement | undefined
  readonly section: SectionName
  fixed: number
}

/** How an expression's value depends on where labels land. */
const enum Dependency {
  /** A number (registers included): the same in every pass. */
  None,
  /** One label, `$` or external symbol plus a number: a relocatable value whose encoding has one size. */
  Relocatable,
  /** Anything else (label differences, arithmetic on `$`, ...): re-evaluated in every pass. */
  Other,
}

const MAX_PASSES = 24

const PAGE = 4096
const MAX_SECTION_SIZE = 64 << 20
const MAX_BSS_SIZE = 1 << 30

const DEFAULT_ALIGN: Record<SectionName, number> = { '.text': 16, '.rodata': 4, '.data': 4, '.bss': 4 }

class Fatal extends Error {}

/** The key of an equ's own position (`$` in its value) among the label slots. */
function equPosition(name: string): string {
  return '$equ:' + name
}

function sectionFor(name: string): SectionName | 'note' | undefined {
  const lower = name.toLowerCase()
  if (lower === '.note.gnu-stack') return 'note'
  for (const section of SECTION_NAMES) if (lower === section || lower.startsWith(section + '.')) return section
  if (lower === 'text' || lower === 'code') return '.text'
  if (lower === 'data') return '.data'
  if (lower === 'bss') return '.bss'
  if (lower === 'rodata') return '.rodata'
  return undefined
}

export interface AssembleOptions {
  /** gas's -g: a file without `.loc` directives of its own gets a line-table row for each source
   *  line that puts bytes in .text, so a debugger can follow the assembly source itself. */
  readonly sourceLineRows?: boolean
}

export function assemble(source: string, fileName = 'input.s', options: AssembleOptions = {}): AssembleResult {
  return new Assembly(source.split('\n'), fileName, options).run()
}

class Assembly {
  private readonly diagnostics: Diagnostic[] = []
  private readonly statements: SourceStatement[] = []
  private readonly labels = new Map<string, { section: SectionName; line: number; column: number; nasmLocal: boolean }>()
  private readonly equates = new Map<string, { expr: ExprNode; line: number; scope: string; section: SectionName }>()
  private readonly globals = new Map<string, { line: number; column: number; type?: 'function' | 'data' }>()
  private readonly externs = new Set<string>()
  private readonly sectionAlign: Record<SectionName, number> = { ...DEFAULT_ALIGN }
  private readonly usedSections = new Set<SectionName>()
  private defaultRelative = false
  private execStack = false
  private sourceFile: string | undefined
  private lineTable: SourceLine[] = []
  /** Index of each label and of each equ's `$` (`$equ:NAME`) in the offset arrays, given while parsing. */
  private readonly slots = new Map<string, number>()
  /** Offsets by slot from the previous layout pass and this one (NaN = not placed), and how many
   *  each placed: arrays rather than Maps by name, as every label is placed in every pass. */
  private offsets = new Float64Array(0)
  private nextOffsets = new Float64Array(0)
  private placedBefore = 0
  private placedNow = 0
  private finalPass = false
  private equateStack = new Set<string>()
  /** Labels placed in this pass at another offset than in the previous one. */
  private movedLabels = 0
  /** How many branches have grown to their long form so far (a pass that grows one is not stable). */
  private branchGrowths = 0

  constructor(
    private readonly lines: readonly string[],
    private readonly fileName: string,
    private readonly options: AssembleOptions,
  ) {}

  private error(line: number, column: number, message: string): void {
    this.diagnostics.push({ file: this.fileName, line, column, severity: 'error', message })
  }

  run(): AssembleResult {
    this.parse()
    this.offsets = new Float64Array(this.slots.size).fill(NaN)
    this.nextOffsets = new Float64Array(this.slots.size)
    const parseDiagnostics = [...this.diagnostics]
    let pass = 0
    let growthsBefore = 0
    // Every pass after the first knows every label (from the pass before), so it reports errors;
    // the first pass whose labels and branch sizes equal the previous one's is the final layout.
    const begin = (): void => {
      this.nextOffsets.fill(NaN)
      this.placedNow = 0
      this.finalPass = pass > 0
      this.diagnostics.length = 0
      this.diagnostics.push(...parseDiagnostics)
      growthsBefore = this.branchGrowths
      this.movedLabels = 0
    }
    const end = (): boolean => {
      const stable = this.branchGrowths === growthsBefore && this.movedLabels === 0 && this.placedBefore === this.placedNow
      ;[this.offsets, this.nextOffsets] = [this.nextOffsets, this.offsets]
      this.placedBefore = this.placedNow
      pass++
      return stable
    }
    this.planBeforeFirstPass()
    begin()
    const firstSizes = this.firstPass()
    end()
    this.planSizes(firstSizes)
    const steps = this.measureSteps()
    while (pass < MAX_PASSES - 1) {
      begin()
      this.measure(steps)
      if (end()) break
    }
    // Emit at the fixed point. Sizes only differ from the measured ones around statements in
    // error; then full passes continue as long as the layout moves.
    let layout: Layout
    for (;;) {
      begin()
      layout = this.layout()
      if (end() || pass >= MAX_PASSES) break
    }
    if (this.hasErrors()) return { diagnostics: this.sorted() }
    const object = this.buildObject(layout)
    return { object, diagnostics: this.sorted() }
  }

  private sorted(): Diagnostic[] {
    return [...this.diagnostics].sort((a, b) => a.line - b.line || a.column - b.column)
  }

  private hasErrors(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error')
  }

  // -------------------------------------------------------------------------------------------
  // Parsing: statements, labels, directives that do not emit bytes
  // -------------------------------------------------------------------------------------------

  private parse(): void {
    let section: SectionName = '.text'
    let scope = ''
    /** After `section .note.GNU-stack`: a marker section that must stay empty. */
    let inStackNote = false
    const parsedTexts = PARSED_LINES.size > PARSED_LINES_LIMIT ? (PARSED_LINES.clear(), PARSED_LINES) : PARSED_LINES
    for (let index = 0; index < this.lines.length; index++) {
      const text = this.lines[index] as string
      const line = index + 1
      let parsed = parsedTexts.get(text)
      if (parsed === undefined) {
        try {
          parsed = parseLine(text)
        } catch (error) {
          if (!(error instanceof AsmSyntaxError)) {
            this.error(line, 1, `cannot parse line: ${String(error)}`)
            continue
          }
          parsed = error
        }
        parsedTexts.set(text, parsed)
      }
      if (parsed instanceof AsmSyntaxError) {
        this.error(line, parsed.column, parsed.message)
        continue
      }
      if (inStackNote && (parsed.label !== undefined || emitsIntoSection(parsed.statement))) {
        this.error(line, parsed.label?.column ?? parsed.statement?.column ?? 1, "section .note.GNU-stack holds no code, data or labels (switch to .text, .data, ... first)")
        continue
      }
      let label: string | undefined
      if (parsed.label !== undefined) {
        const name = parsed.label.name
        if (!name.startsWith('.') || name.startsWith('.L')) {
          if (!name.startsWith('.L')) scope = name
          label = name
        } else {
          label = scope + name
        }
        if (this.labels.has(label) || this.equates.has(label)) this.error(line, parsed.label.column, `symbol '${label}' redefined`)
        else this.labels.set(label, { section, line, column: parsed.label.column, nasmLocal: label !== name })
      }
      const statement = parsed.statement
      if (statement === undefined) {
        if (label !== undefined) this.statements.push(new SourceStatement(line, LABEL_ONLY, section, label, scope, this.defineSlot(label)))
        continue
      }
      switch (statement.kind) {
        case 'section': {
          const target = sectionFor(statement.name)
          if (target === undefined) {
            this.error(line, statement.column, `unknown section '${statement.name}' (use .text, .rodata, .data or .bss)`)
          } else if (target === 'note') {
            // NASM's `exec` attribute or gas's "x" flag; `noexec`, `progbits`, ... or nothing: no.
            this.execStack = statement.flags.includes('exec') || statement.gasFlags.includes('x')
            inStackNote = true
          } else {
            inStackNote = false
            section = target
            const alignFlag = statement.flags.find((flag) => flag.startsWith('align='))
            if (alignFlag !== undefined) this.sectionAlign[section] = Math.max(this.sectionAlign[section], Number(alignFlag.slice(6)) || 1)
          }
          break
        }
        case 'global':
          for (const entry of statement.names) this.globals.set(entry.name, { line, column: statement.column, ...(entry.type === undefined ? {} : { type: entry.type }) })
          break
        case 'extern':
          for (const entry of statement.names) this.externs.add(entry.name)
          break
        case 'equ': {
          const name = statement.name.startsWith('.') && !statement.name.startsWith('.L') ? scope + statement.name : statement.name
          if (this.labels.has(name) || this.equates.has(name)) this.error(line, statement.column, `symbol '${name}' redefined`)
          else this.equates.set(name, { expr: statement.value, line, scope, section })
          // Kept in the statement list so layout records where `$` is for this equ.
          this.defineSlot(equPosition(name))
          this.statements.push(new SourceStatement(line, { ...statement, name }, section, undefined, scope, -1))
          break
        }
        case 'default':
          this.defaultRelative = statement.relative
          break
        case 'file':
          this.sourceFile = statement.name
          break
        default:
          this.statements.push(new SourceStatement(line, statement, section, label, scope, label === undefined ? -1 : this.defineSlot(label)))
          this.usedSections.add(section)
          continue
      }
      if (label !== undefined) this.statements.push(new SourceStatement(line, LABEL_ONLY, section, label, scope, this.defineSlot(label)))
    }
    for (const [name, where] of this.globals) {
      if (!this.labels.has(name) && !this.externs.has(name)) this.error(where.line, where.column, `symbol '${name}' declared global but not defined`)
    }
  }

  // -------------------------------------------------------------------------------------------
  // Expressions
  // -------------------------------------------------------------------------------------------

  private qualify(name: string, scope: string): string {
    return name.startsWith('.') && !name.startsWith('.L') ? scope + name : name
  }

  /** Evaluate an expression that contains no registers. */
  private evaluate(expr: ExprNode, context: EvalContext): Value {
    const linear = this.linear(expr, context)
    if (linear.registers.length > 0) throw new EncodeError('registers are only allowed inside [ ]', expr.column)
    return linear.value
  }

  private linear(expr: ExprNode, context: EvalContext): Linear {
    switch (expr.kind) {
      case 'number':
        return constant(expr.value)
      case 'here':
        return { registers: [], value: { base: { kind: 'section', section: context.section }, addend: BigInt(context.offset), unknown: false } }
      case 'sectionStart':
        return { registers: [], value: { base: { kind: 'section', section: context.section }, addend: 0n, unknown: false } }
      case 'register':
        return { registers: [{ register: expr.register.register, scale: 1n, column: expr.column }], value: { addend: 0n, unknown: false } }
      case 'symbol':
        return { registers: [], value: this.symbolValue(this.qualify(expr.name, context.scope), expr.column) }
      case 'unary': {
        const operand = this.linear(expr.operand, context)
        if (expr.op === '+') return operand
        if (operand.registers.length > 0 || operand.value.base !== undefined) throw new EncodeError(`cannot apply '${expr.op}' to a register or label`, expr.column)
        const value = operand.value.addend
        return { registers: [], value: { addend: expr.op === '-' ? -value : ~value, unknown: operand.value.unknown } }
      }
      case 'binary':
        return this.binary(expr, context)
    }
  }

  private binary(expr: ExprNode & { kind: 'binary' }, context: EvalContext): Linear {
    const left = this.linear(expr.left, context)
    const right = this.linear(expr.right, context)
    const unknown = left.value.unknown || right.value.unknown
    if (expr.op === '+') {
      if (left.value.base !== undefined && right.value.base !== undefined) throw new EncodeError('cannot add two labels', expr.column)
      const negated = left.value.negatedSection ?? right.value.negatedSection
      const base = left.value.base ?? right.value.base
      return {
        registers: [...left.registers, ...right.registers],
        value: { ...(base === undefined ? {} : { base }), ...(negated === undefined ? {} : { negatedSection: negated }), addend: left.value.addend + right.value.addend, unknown },
      }
    }
    if (expr.op === '-') {
      if (right.registers.length > 0) throw new EncodeError('cannot subtract a register', expr.column)
      let base = left.value.base
      let negatedSection = left.value.negatedSection
      const rightBase = right.value.base
      if (rightBase !== undefined) {
        if (base !== undefined && sameBase(base, rightBase)) base = undefined
        else if (rightBase.kind === 'section' && negatedSection === undefined) negatedSection = rightBase.section
        else throw new EncodeError('cannot subtract a label from another section or an external symbol', expr.column)
      }
      if (base?.kind === 'section' && negatedSection === base.section) {
        base = undefined
        negatedSection = undefined
      }
      return {
        registers: left.registers,
        value: { ...(base === undefined ? {} : { base }), ...(negatedSection === undefined ? {} : { negatedSection }), addend: left.value.addend - right.value.addend, unknown },
      }
    }
    if (expr.op === '*') {
      // reg*scale or constant arithmetic
      if (left.registers.length === 1 && right.registers.length === 0 && isPlain(left) && isPlainValue(right.value)) {
        const only = left.registers[0] as LinearRegister
        return { registers: [{ ...only, scale: only.scale * right.value.addend }], value: { addend: 0n, unknown } }
      }
      if (right.registers.length === 1 && left.registers.length === 0 && isPlain(right) && isPlainValue(left.value)) {
        const only = right.registers[0] as LinearRegister
        return { registers: [{ ...only, scale: only.scale * left.value.addend }], value: { addend: 0n, unknown } }
      }
    }
    if (left.registers.length > 0 || right.registers.length > 0) throw new EncodeError(`operator '${expr.op}' cannot be applied to registers`, expr.column)
    if (!isPlainValue(left.value) || !isPlainValue(right.value)) {
      if (unknown) return constant(0n, true)
      throw new EncodeError(`operator '${expr.op}' needs numbers, not labels`, expr.column)
    }
    const a = left.value.addend
    const b = right.value.addend
    let result: bigint
    switch (expr.op) {
      case '*':
        result = a * b
        break
      case '/':
      case '%':
        if (b === 0n) {
          if (unknown) return constant(0n, true)
          throw new EncodeError('division by zero', expr.column)
        }
        result = expr.op === '/' ? a / b : a % b
        break
      case '<<':
        result = b > 64n || b < 0n ? 0n : a << b
        break
      case '>>':
        result = b > 64n || b < 0n ? 0n : a >> b
        break
      case '&':
        result = a & b
        break
      case '|':
        result = a | b
        break
      case '^':
        result = a ^ b
        break
      default:
        throw new EncodeError(`unknown operator '${expr.op}'`, expr.column)
    }
    return constant(result, unknown)
  }

  private symbolValue(name: string, column: number): Value {
    const equate = this.equates.get(name)
    if (equate !== undefined) {
      if (this.equateStack.has(name)) throw new EncodeError(`'${name}' is defined in terms of itself`, column)
      this.equateStack.add(name)
      try {
        // `$` inside an equ means the position of the equ line in its own section.
        const position = this.offsetOf(equPosition(name)) ?? 0
        return this.evaluate(equate.expr, { section: equate.section, scope: equate.scope, offset: position })
      } finally {
        this.equateStack.delete(name)
      }
    }
    const label = this.labels.get(name)
    if (label !== undefined) {
      const offset = this.offsetOf(name)
      if (offset === undefined) return { base: { kind: 'section', section: label.section }, addend: 0n, unknown: true }
      return { base: { kind: 'section', section: label.section }, addend: BigInt(offset), unknown: false }
    }
    if (this.externs.has(name)) return { base: { kind: 'symbol', name }, addend: 0n, unknown: false }
    throw new EncodeError(`symbol '${name}' not defined (declare it with 'extern')`, column)
  }

  // -------------------------------------------------------------------------------------------
  // Layout and emission
  // -------------------------------------------------------------------------------------------

  /** The slot of a label or an equ's `$`, new or as given before (a redefinition shares it). */
  private defineSlot(name: string): number {
    let slot = this.slots.get(name)
    if (slot === undefined) {
      slot = this.slots.size
      this.slots.set(name, slot)
    }
    return slot
  }

  /** Where a label (or an equ's `$`) is: in this pass if placed already, else in the last one. */
  private offsetOf(name: string): number | undefined {
    const slot = this.slots.get(name)
    if (slot === undefined) return undefined
    return this.placedOffset(slot)
  }

  private placedOffset(slot: number): number | undefined {
    const now = this.nextOffsets[slot] as number
    if (!Number.isNaN(now)) return now
    const before = this.offsets[slot] as number
    return Number.isNaN(before) ? undefined : before
  }

  /** Record where a label (or an equ's `$`) is in this pass. */
  private place(slot: number, offset: number): void {
    if (Number.isNaN(this.nextOffsets[slot])) this.placedNow++
    this.nextOffsets[slot] = offset
    if (this.offsets[slot] !== offset) this.movedLabels++
  }

  /** A full pass: bytes, relocations and line rows. */
  private layout(): Layout {
    const buffers = new Map<SectionName, SectionBuilder>()
    for (const name of SECTION_NAMES) buffers.set(name, new SectionBuilder(true))
    this.lineTable = []
    const rowPerLine = this.options.sourceLineRows === true && !this.statements.some((entry) => entry.statement.kind === 'loc')
    for (const entry of this.statements) {
      const builder = buffers.get(entry.section) as SectionBuilder
      if (entry.slot >= 0) this.place(entry.slot, builder.size)
      const start = builder.size
      this.emitChecked(entry, builder)
      if (rowPerLine && entry.section === '.text' && builder.size > start) this.lineTable.push({ offset: start, line: entry.line, column: 0 })
    }
    return { sections: buffers }
  }

  /**
   * The first pass, labels not placed yet: planned statements take their planned size, the others
   * are emitted (bytes not kept). Returns each statement's size, -1 when it failed.
   */
  private firstPass(): number[] {
    const sizes: number[] = []
    const ends: Record<SectionName, number> = { '.text': 0, '.rodata': 0, '.data': 0, '.bss': 0 }
    const scratch = new SectionBuilder(false)
    for (const entry of this.statements) {
      const start = ends[entry.section]
      if (entry.slot >= 0) this.place(entry.slot, start)
      let end: number
      if (entry.plan !== undefined) {
        end = this.advance(entry, entry.plan, start, scratch)
      } else {
        scratch.size = start
        end = this.emitChecked(entry, scratch) ? scratch.size : -1
      }
      sizes.push(end < 0 ? -1 : end - start)
      ends[entry.section] = end < 0 ? scratch.size : end
    }
    return sizes
  }

  /** Emit one statement; an error is reported (from the second pass on) and skipped. */
  private emitChecked(entry: SourceStatement, builder: SectionBuilder): boolean {
    // Most instructions: bytes known since their first encoding.
    if (entry.encoded !== undefined) {
      builder.append(entry.encoded)
      return true
    }
    try {
      this.emitStatement(entry, entry.statement, builder)
      return true
    } catch (error) {
      if (error instanceof EncodeError) {
        if (this.finalPass) this.error(entry.line, error.column ?? entry.statement.column, error.message)
        // Keep the layout moving in earlier passes.
        return false
      }
      if (error instanceof Fatal) return false
      throw error
    }
  }

  /** A relaxation pass: label offsets and branch sizes from the plans, no bytes. */
  private measure(steps: readonly MeasureStep[]): void {
    const sizes: Record<SectionName, number> = { '.text': 0, '.rodata': 0, '.data': 0, '.bss': 0 }
    const scratch = new SectionBuilder(false)
    for (const step of steps) {
      let size = sizes[step.section]
      const entry = step.entry
      if (entry !== undefined) {
        if (entry.slot >= 0) this.place(entry.slot, size)
        size = this.advance(entry, entry.plan as SizePlan, size, scratch)
      }
      sizes[step.section] = size + step.fixed
    }
  }

  /** The section's size after `entry`, which starts at `size`, sized by its plan. */
  private advance(entry: SourceStatement, plan: SizePlan, size: number, scratch: SectionBuilder): number {
    switch (plan.kind) {
      case 'fixed':
        return size + plan.size
      case 'branch':
        return size + this.branchForm(entry, plan, size).form.length
      case 'externalBranch':
        return size + plan.long.length
      case 'align':
        return size + ((plan.value - (size % plan.value)) % plan.value)
      case 'equ':
        this.place(plan.slot, size)
        return size
      case 'evaluate':
        scratch.size = size
        this.emitChecked(entry, scratch)
        return scratch.size
    }
  }

  /** The statements as relaxation passes walk them: runs of unlabelled fixed-size statements of
   *  one section are a single step. */
  private measureSteps(): MeasureStep[] {
    const steps: MeasureStep[] = []
    for (const entry of this.statements) {
      const plan = entry.plan as SizePlan
      const last = steps[steps.length - 1]
      if (plan.kind === 'fixed' && entry.label === undefined) {
        if (last !== undefined && last.section === entry.section) last.fixed += plan.size
        else steps.push({ entry: undefined, section: entry.section, fixed: plan.size })
      } else {
        steps.push({ entry, section: entry.section, fixed: 0 })
      }
    }
    return steps
  }

  /**
   * The form of a planned branch at `ip` and its displacement: short while the target is in
   * reach and the branch has never been long, as encodeBranch decides.
   */
  private branchForm(entry: SourceStatement, plan: SizePlan & { kind: 'branch' }, ip: number): { form: RelativeBranchForm; displacement: number } {
    // A label not placed yet (a forward one in the first pass) is taken to be here, as encodeBranch does.
    const placed = plan.slot === undefined ? ip : this.placedOffset(plan.slot)
    const target = placed === undefined ? ip : placed + plan.addend
    if (plan.short !== undefined && !entry.longBranch) {
      const displacement = target - (ip + plan.short.length)
      if (displacement >= -0x80 && displacement < 0x80) return { form: plan.short, displacement }
      entry.longBranch = true
      this.branchGrowths++
    }
    return { form: plan.long, displacement: target - (ip + plan.long.length) }
  }

  private emitBranch(entry: SourceStatement, plan: SizePlan & { kind: 'branch' }, builder: SectionBuilder): void {
    const { form, displacement } = this.branchForm(entry, plan, builder.size)
    const bytes = new Uint8Array(form.length)
    bytes.set(form.opcode)
    const at = form.opcode.length
    if (form.length - at === 1) bytes[at] = displacement & 0xff
    else new DataView(bytes.buffer).setInt32(at, displacement, true)
    builder.append(bytes)
  }

  // -------------------------------------------------------------------------------------------
  // Size plans
  // -------------------------------------------------------------------------------------------

  /** Decide, from the first pass's sizes, how relaxation passes size each statement. */
  /**
   * Relative branches to labels of their own section or to external symbols are planned before
   * the first pass (their size follows from their form and target alone), so no pass encodes them;
   * so are data (a field's width is its unit) and `.loc` rows.
   */
  private planBeforeFirstPass(): void {
    for (const entry of this.statements) {
      const statement = entry.statement
      if (statement.kind === 'instruction' && entry.section !== '.bss') entry.plan = this.branchPlan(entry, statement)
      else if (statement.kind === 'data' && (entry.section !== '.bss' || statement.items.length === 0)) entry.plan = { kind: 'fixed', size: dataSize(statement) }
      else if (statement.kind === 'loc' && entry.section === '.text') entry.plan = { kind: 'fixed', size: 0 }
    }
  }

  private planSizes(firstSizes: readonly number[]): void {
    this.statements.forEach((entry, index) => {
      if (entry.plan !== undefined) return
      const size = firstSizes[index] ?? -1
      // Instructions that encoded to the same bytes anywhere (most of them) keep their size.
      if (entry.encoded !== undefined) entry.plan = { kind: 'fixed', size }
      else entry.plan = size < 0 ? { kind: 'evaluate' } : this.planFor(entry, entry.statement, size)
    })
  }

  private planFor(entry: SourceStatement, statement: Statement, size: number): SizePlan {
    const evaluate: SizePlan = { kind: 'evaluate' }
    switch (statement.kind) {
      case 'equ':
        return { kind: 'equ', slot: this.slots.get(equPosition(statement.name)) as number }
      case 'align': {
        if (this.dependency(statement.value, entry.scope) !== Dependency.None) return evaluate
        const value = this.evaluate(statement.value, { section: entry.section, offset: 0, scope: entry.scope }).addend
        return { kind: 'align', value: Number(value) }
      }
      case 'instruction':
        return this.instructionPlan(entry, statement, size)
      default:
        return this.hasStableSize(statement, entry.scope) ? { kind: 'fixed', size } : evaluate
    }
  }

  /** Whether a statement takes the same number of bytes wherever labels land. */
  private hasStableSize(statement: Statement, scope: string): boolean {
    switch (statement.kind) {
      case 'data':
      case 'loc':
      case 'file':
        // A data field's width is its unit, whatever the value.
        return true
      case 'reserve':
        return this.dependency(statement.count, scope) === Dependency.None
      case 'times':
        return this.dependency(statement.count, scope) === Dependency.None && this.hasStableSize(statement.body, scope)
      case 'instruction':
        return this.branchFormsOf(statement) === undefined && statement.operands.every((operand) => this.operandDependency(operand, scope) === Dependency.None)
      default:
        return false
    }
  }

  private instructionPlan(entry: SourceStatement, statement: Statement & { kind: 'instruction' }, size: number): SizePlan {
    const operand = statement.operands[0]
    if (this.branchFormsOf(statement) !== undefined && statement.operands.length === 1 && operand?.kind === 'immediate') {
      // A branch to a label (a plain one was planned before the first pass): evaluated each time.
      return { kind: 'evaluate' }
    }
    // Relocatable operands become relocations or rip-relative displacements: fixed widths.
    return statement.operands.every((candidate) => this.operandDependency(candidate, entry.scope) !== Dependency.Other) ? { kind: 'fixed', size } : { kind: 'evaluate' }
  }

  /** The plan of `mnemonic target` when it is a relative branch to a label of this section or an
   *  external symbol (plus or minus a number), with no size keyword or hint. */
  private branchPlan(entry: SourceStatement, statement: Statement & { kind: 'instruction' }): SizePlan | undefined {
    const operand = statement.operands[0]
    if (statement.operands.length !== 1 || operand?.kind !== 'immediate' || operand.size !== 0 || operand.branchHint !== undefined) return undefined
    const branch = this.branchFormsOf(statement)
    if (branch?.long === undefined) return undefined
    const target = this.branchTarget(operand.value, entry)
    if (target === undefined) return undefined
    if ('symbol' in target) return { kind: 'externalBranch', symbol: target.symbol, addend: target.addend, long: branch.long }
    const slot = target.label === undefined ? undefined : this.slots.get(target.label)
    return { kind: 'branch', slot, addend: target.addend, ...(branch.short === undefined ? {} : { short: branch.short }), long: branch.long }
  }

  /** The relative-branch forms of an instruction's mnemonic, undefined when it has none (or its
   *  prefixes make one impossible: then it is evaluated like any other instruction). */
  private branchFormsOf(statement: Statement & { kind: 'instruction' }): RelativeBranchForms | undefined {
    let forms = BRANCH_FORMS.get(statement)
    if (forms === undefined) {
      try {
        forms = relativeBranchForms(statement.mnemonic, statement.prefixes) ?? null
      } catch (error) {
        if (!(error instanceof EncodeError)) throw error
        forms = null
      }
      BRANCH_FORMS.set(statement, forms)
    }
    return forms ?? undefined
  }

  /**
   * The target of a relative branch when it is `label`, `$` or an external symbol, plus or minus
   * a number: in this section (sized by relaxation) or external (always near). Undefined for
   * anything else (a label of another section, an equ, ...), which is evaluated in every pass.
   */
  private branchTarget(expr: ExprNode, entry: SourceStatement): { label: string | undefined; addend: number } | { symbol: string; addend: number } | undefined {
    let base = expr
    let addend = 0
    if (expr.kind === 'binary' && (expr.op === '+' || expr.op === '-') && expr.right.kind === 'number' && expr.right.value < 0x10000000n) {
      base = expr.left
      addend = expr.op === '+' ? Number(expr.right.value) : -Number(expr.right.value)
    }
    if (base.kind === 'here') return { label: undefined, addend }
    if (base.kind !== 'symbol') return undefined
    const name = this.qualify(base.name, entry.scope)
    if (this.equates.has(name)) return undefined
    const label = this.labels.get(name)
    if (label !== undefined) return label.section === entry.section ? { label: name, addend } : undefined
    return this.externs.has(name) ? { symbol: name, addend } : undefined
  }

  private operandDependency(operand: Operand, scope: string): Dependency {
    switch (operand.kind) {
      case 'register':
        return Dependency.None
      case 'memory':
        return this.dependency(operand.address, scope)
      case 'immediate':
        return this.dependency(operand.value, scope)
    }
  }

  private dependency(expr: ExprNode, scope: string, depth = 0): Dependency {
    switch (expr.kind) {
      case 'number':
      case 'register':
        return Dependency.None
      case 'here':
      case 'sectionStart':
        return Dependency.Relocatable
      case 'symbol': {
        const name = this.qualify(expr.name, scope)
        const equate = this.equates.get(name)
        if (equate !== undefined) return depth > 32 ? Dependency.Other : this.dependency(equate.expr, equate.scope, depth + 1)
        return this.labels.has(name) || this.externs.has(name) ? Dependency.Relocatable : Dependency.Other
      }
      case 'unary':
        return this.dependency(expr.operand, scope, depth) === Dependency.None ? Dependency.None : Dependency.Other
      case 'binary': {
        const left = this.dependency(expr.left, scope, depth)
        const right = this.dependency(expr.right, scope, depth)
        if (left === Dependency.None && right === Dependency.None) return Dependency.None
        if (expr.op === '+' && (left === Dependency.None || right === Dependency.None) && left !== Dependency.Other && right !== Dependency.Other) return Dependency.Relocatable
        if (expr.op === '-' && left === Dependency.Relocatable && right === Dependency.None) return Dependency.Relocatable
        return Dependency.Other
      }
    }
  }

  private emitStatement(entry: SourceStatement, statement: Statement, builder: SectionBuilder): void {
    switch (statement.kind) {
      case 'instruction':
        return this.emitInstruction(entry, statement, builder)
      case 'data':
        if (entry.section === '.bss' && statement.items.length > 0) throw new EncodeError('.bss holds no data: use resb/resw/resd/resq', statement.column)
        for (const item of statement.items) this.emitDataItem(item, statement.unit, builder, entry)
        return
      case 'reserve': {
        const count = this.constantOf(statement.count, here(entry, builder), 'reservation count')
        const bytes = count * statement.unit
        builder.reserve(this.checkedSize(builder.size, bytes, entry.section, statement.column), entry.section === '.bss')
        return
      }
      case 'times': {
        const count = this.constantOf(statement.count, here(entry, builder), 'times count')
        if (count === 0) return
        const before = builder.size
        this.emitStatement(entry, statement.body, builder)
        const step = builder.size - before
        if (before + step * count > MAX_SECTION_SIZE) throw new EncodeError(`section ${entry.section} would exceed ${MAX_SECTION_SIZE} bytes`, statement.column)
        if (isPositionIndependent(statement.body)) {
          // Same bytes every time: copy them instead of encoding again.
          builder.repeatLast(step, count - 1, entry.section === '.bss')
          return
        }
        for (let i = 1; i < count; i++) this.emitStatement(entry, statement.body, builder)
        return
      }
      case 'equ':
        this.place(this.slots.get(equPosition(statement.name)) as number, builder.size)
        return
      case 'loc':
        if (entry.section !== '.text') throw new EncodeError('.loc belongs in .text', statement.column)
        this.lineTable.push({ offset: builder.size, line: statement.line, column: statement.sourceColumn })
        return
      case 'align': {
        const value = this.constantOf(statement.value, here(entry, builder), 'alignment')
        if (value <= 0 || (value & (value - 1)) !== 0) throw new EncodeError('alignment must be a power of two', statement.column)
        this.sectionAlign[entry.section] = Math.max(this.sectionAlign[entry.section], value)
        if (value > PAGE) throw new EncodeError(`alignment ${value} is larger than a page`, statement.column)
        const padding = (value - (builder.size % value)) % value
        if (entry.section === '.bss') builder.reserve(padding, true)
        else builder.append(new Uint8Array(padding).fill(entry.section === '.text' ? 0x90 : 0))
        return
      }
      default:
        return
    }
  }

  /** Keep sections within what a learner's program can need (and what memory allows). */
  private checkedSize(current: number, extra: number, section: SectionName, column: number): number {
    const limit = section === '.bss' ? MAX_BSS_SIZE : MAX_SECTION_SIZE
    if (current + extra > limit) throw new EncodeError(`section ${section} would exceed ${limit} bytes`, column)
    return extra
  }

  private constantOf(expr: ExprNode, context: EvalContext, what: string): number {
    const value = this.evaluate(expr, context)
    if (value.unknown && !this.finalPass) return 0
    if (value.base !== undefined || value.negatedSection !== undefined || value.unknown) throw new EncodeError(`${what} must be a constant`, expr.column)
    if (value.addend < 0n || value.addend > 0x7fffffffn) throw new EncodeError(`${what} out of range`, expr.column)
    return Number(value.addend)
  }

  private emitDataItem(item: DataItem, unit: 1 | 2 | 4 | 8, builder: SectionBuilder, entry: SourceStatement): void {
    if (item.kind === 'bytes') {
      // A string padded with zeros to whole units.
      builder.append(item.bytes)
      builder.reserve(Math.ceil(item.bytes.length / unit) * unit - item.bytes.length, false)
      return
    }
    const value = this.evaluate(item.expr, here(entry, builder))
    const field = new Uint8Array(unit)
    if (value.base !== undefined || value.negatedSection !== undefined) {
      const offset = builder.size
      if (value.negatedSection !== undefined) {
        if (value.negatedSection !== entry.section || unit !== 4 || value.base === undefined) throw new EncodeError('unsupported label difference', item.expr.column)
        // X - L with L in this section: a PC-relative field with addend adjusted by the distance from L.
        builder.relocate({ offset, kind: 'pc32', target: baseTarget(value.base), addend: value.addend + BigInt(offset) })
      } else if (unit === 8 || unit === 4) {
        builder.relocate({ offset, kind: unit === 8 ? 'abs64' : 'abs32', target: baseTarget(value.base as ValueBase), addend: value.addend })
      } else {
        throw new EncodeError('a label address needs dd or dq', item.expr.column)
      }
    } else {
      let bits = value.addend
      const limit = 1n << BigInt(unit * 8)
      if (!value.unknown && (bits >= limit || bits < -(limit >> 1n))) throw new EncodeError(`value ${bits} does not fit in ${unit} byte${unit > 1 ? 's' : ''}`, item.expr.column)
      if (bits < 0n) bits += limit
      for (let i = 0; i < unit; i++) field[i] = Number((bits >> BigInt(8 * i)) & 0xffn)
    }
    builder.append(field)
  }

  private emitInstruction(entry: SourceStatement, statement: Statement & { kind: 'instruction' }, builder: SectionBuilder): void {
    if (entry.section === '.bss') throw new EncodeError('instructions are not allowed in .bss', statement.column)
    const own = entry.statement === statement
    if (entry.encoded !== undefined && own) {
      builder.append(entry.encoded)
      return
    }
    const plan = entry.plan
    if (plan?.kind === 'branch' && own) {
      this.emitBranch(entry, plan, builder)
      return
    }
    if (plan?.kind === 'externalBranch' && own) {
      // As encodeBranch writes it: the near form, its field zero, S + A - P with A = addend - 4.
      const bytes = new Uint8Array(plan.long.length)
      bytes.set(plan.long.opcode)
      const offset = builder.size + plan.long.opcode.length
      builder.append(bytes)
      builder.relocate({ offset, kind: 'plt32', target: { kind: 'symbol', name: plan.symbol }, addend: BigInt(plan.addend) - 4n })
      return
    }
    const shared = POSITION_INDEPENDENT_BYTES.get(statement)
    if (shared !== undefined) {
      if (own) entry.encoded = shared
      builder.append(shared)
      return
    }
    const context = here(entry, builder)
    const operands = statement.operands.map((operand) => this.resolveOperand(operand, context))
    let result
    try {
      result = encodeInstruction({
        mnemonic: statement.mnemonic,
        prefixes: statement.prefixes,
        operands,
        ip: BigInt(builder.size),
        section: entry.section,
        forceLongBranch: entry.longBranch,
        absoluteTargets: false,
      })
    } catch (error) {
      if (error instanceof EncodeError && error.column === undefined) throw new EncodeError(error.message, statement.column)
      throw error
    }
    if (result.needsLongBranch && !entry.longBranch) {
      entry.longBranch = true
      this.branchGrowths++
    }
    if (result.fixups.length === 0 && isPositionIndependent(statement)) {
      POSITION_INDEPENDENT_BYTES.set(statement, result.bytes)
      if (own) entry.encoded = result.bytes
    }
    const start = builder.size
    builder.append(result.bytes)
    for (const fixup of result.fixups) builder.relocate({ offset: start + fixup.offset, kind: fixup.kind, target: baseTarget(fixup.base), addend: fixup.addend })
  }

  private resolveOperand(operand: Operand, context: EvalContext): ResolvedOperand {
    switch (operand.kind) {
      case 'register':
        return { kind: 'register', info: operand.register, column: operand.column }
      case 'immediate':
        return {
          kind: 'immediate',
          size: operand.size,
          value: this.evaluate(operand.value, context),
          column: operand.column,
          ...(operand.branchHint === undefined ? {} : { branchHint: operand.branchHint }),
        }
      case 'memory':
        return resolveMemory(operand, this.linear(operand.address, context), this.defaultRelative)
    }
  }

  // -------------------------------------------------------------------------------------------
  // Object file
  // -------------------------------------------------------------------------------------------

  private buildObject(layout: Layout): ObjectFile {
    const sections: ObjectSection[] = []
    for (const name of SECTION_NAMES) {
      const builder = layout.sections.get(name) as SectionBuilder
      if (builder.size === 0 && !this.usedSections.has(name)) continue
      sections.push({
        name,
        bytes: name === '.bss' ? new Uint8Array(0) : builder.bytes(),
        size: builder.size,
        align: this.sectionAlign[name],
        relocations: builder.relocations,
      })
    }
    const symbols: ObjectSymbol[] = []
    const localLabels: LocalLabel[] = []
    const placed: { name: string; section: SectionName; offset: number; nasmLocal: boolean }[] = []
    for (const [name, label] of this.labels) {
      const offset = this.offsetOf(name) ?? 0
      if (name.startsWith('.L')) localLabels.push({ name, section: label.section, offset })
      else placed.push({ name, section: label.section, offset, nasmLocal: label.nasmLocal })
    }
    // Size: up to the next non-local label in the same section (what .size would say). Offsets of
    // those labels per section, ascending, for a binary search.
    const boundaries = new Map<SectionName, number[]>()
    for (const symbol of placed) {
      if (symbol.nasmLocal) continue
      const list = boundaries.get(symbol.section) ?? []
      list.push(symbol.offset)
      boundaries.set(symbol.section, list)
    }
    for (const list of boundaries.values()) list.sort((a, b) => a - b)
    for (const symbol of placed) {
      const isNasmLocal = symbol.nasmLocal
      const sectionSize = layout.sections.get(symbol.section)?.size ?? 0
      const following = firstAbove(boundaries.get(symbol.section) ?? [], symbol.offset) ?? sectionSize
      const declared = this.globals.get(symbol.name)
      const type = declared?.type === 'data' ? 'object' : declared?.type === 'function' ? 'function' : isNasmLocal ? 'none' : symbol.section === '.text' ? 'function' : 'object'
      symbols.push({
        name: symbol.name,
        binding: declared !== undefined ? 'global' : 'local',
        section: symbol.section,
        offset: symbol.offset,
        type,
        size: isNasmLocal ? 0 : following - symbol.offset,
      })
    }
    for (const name of this.externs) {
      if (!this.labels.has(name)) symbols.push({ name, binding: 'global', offset: 0, type: 'none', size: 0 })
    }
    return {
      fileName: this.fileName,
      ...(this.sourceFile === undefined ? {} : { sourceFile: this.sourceFile }),
      ...(this.lineTable.length === 0 ? {} : { lines: this.lineTable }),
      sections,
      symbols,
      ...(localLabels.length === 0 ? {} : { localLabels }),
      execStack: this.execStack,
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

interface EvalContext {
  readonly section: SectionName
  readonly offset: number
  readonly scope: string
}

/** Where `entry` is being emitted: built only when an expression is evaluated (most statements
 *  emit bytes known since the first pass). */
function here(entry: SourceStatement, builder: SectionBuilder): EvalContext {
  return { section: entry.section, offset: builder.size, scope: entry.scope }
}

interface LinearRegister {
  readonly register: Register
  readonly scale: bigint
  readonly column: number
}

interface Linear {
  readonly registers: readonly LinearRegister[]
  readonly value: Value
}

interface Layout {
  readonly sections: Map<SectionName, SectionBuilder>
}

/** Bytes of a `db`/`dw`/`dd`/`dq` statement: strings padded to whole units, one unit per value. */
function dataSize(statement: Statement & { kind: 'data' }): number {
  let size = 0
  for (const item of statement.items) size += item.kind === 'bytes' ? Math.ceil(item.bytes.length / statement.unit) * statement.unit : statement.unit
  return size
}

/** The first value of an ascending list greater than `value`. */
function firstAbove(sorted: readonly number[], value: number): number | undefined {
  let low = 0
  let high = sorted.length
  while (low < high) {
    const middle = (low + high) >> 1
    if ((sorted[middle] as number) > value) high = middle
    else low = middle + 1
  }
  return sorted[low]
}

/** Whether a statement places anything (bytes, space, alignment, line rows) in its section. */
function emitsIntoSection(statement: Statement | undefined): boolean {
  switch (statement?.kind) {
    case undefined:
    case 'section':
    case 'global':
    case 'extern':
    case 'equ':
    case 'default':
    case 'file':
      return false
    default:
      return true
  }
}

/** Whether a statement encodes to the same bytes wherever it is placed. */
function isPositionIndependent(statement: Statement): boolean {
  const plain = (expr: ExprNode): boolean => {
    switch (expr.kind) {
      case 'number':
      case 'register':
        return true
      case 'symbol':
      case 'here':
      case 'sectionStart':
        return false
      case 'unary':
        return plain(expr.operand)
      case 'binary':
        return plain(expr.left) && plain(expr.right)
    }
  }
  switch (statement.kind) {
    case 'data':
      return statement.items.every((item) => item.kind === 'bytes' || plain(item.expr))
    case 'reserve':
      return plain(statement.count)
    case 'instruction':
      if (/^(j|call|loop|jrcxz|jecxz|xbegin)/.test(statement.mnemonic)) return false
      return statement.operands.every((operand) => operand.kind === 'register' || (operand.kind === 'memory' ? plain(operand.address) : plain(operand.value)))
    default:
      return false
  }
}

function constant(value: bigint, unknown = false): Linear {
  return { registers: [], value: { addend: value, unknown } }
}

function isPlain(linear: Linear): boolean {
  return isPlainValue(linear.value) && linear.value.addend === 0n
}

function isPlainValue(value: Value): boolean {
  return value.base === undefined && value.negatedSection === undefined
}

function sameBase(a: ValueBase, b: ValueBase): boolean {
  return a.kind === 'section' ? b.kind === 'section' && a.section === b.section : b.kind === 'symbol' && a.name === b.name
}

function baseTarget(base: ValueBase): Relocation['target'] {
  return base.kind === 'section' ? { kind: 'section', section: base.section } : { kind: 'symbol', name: base.name }
}

function resolveMemory(operand: Operand & { kind: 'memory' }, linear: Linear, defaultRelative: boolean): ResolvedOperand {
  const only = linear.registers[0]
  if (linear.registers.length === 1 && only !== undefined && only.scale === 1n) {
    // The common `[rbp-20]` / `[rax]` case.
    return {
      kind: 'memory',
      size: operand.size,
      segment: operand.segment?.register ?? Register.None,
      base: only.register,
      index: Register.None,
      scale: 1,
      displacement: linear.value,
      ripTarget: only.register === Register.RIP && (linear.value.base !== undefined || linear.value.unknown),
      column: operand.column,
    }
  }
  // Merge repeated registers (`[rax+rax]` = rax*2).
  const merged = new Map<Register, LinearRegister>()
  for (const entry of linear.registers) {
    const existing = merged.get(entry.register)
    merged.set(entry.register, existing === undefined ? entry : { ...entry, scale: existing.scale + entry.scale })
  }
  const registers = [...merged.values()].filter((entry) => entry.scale !== 0n)
  let base = Register.None
  let index = Register.None
  let scale = 1
  const scaled = registers.filter((entry) => entry.scale !== 1n)
  const plain = registers.filter((entry) => entry.scale === 1n)
  if (scaled.length > 1 || registers.length > 2) throw new EncodeError('too many registers in a memory operand', operand.column)
  for (const entry of scaled) {
    if (![2n, 4n, 8n].includes(entry.scale)) {
      // [rax*3] = [rax + rax*2], [rax*5] = [rax + rax*4], [rax*9] = [rax + rax*8], as NASM does.
      if ([3n, 5n, 9n].includes(entry.scale) && plain.length === 0) {
        base = entry.register
        index = entry.register
        scale = Number(entry.scale - 1n)
        continue
      }
      throw new EncodeError(`invalid scale ${entry.scale}`, entry.column)
    }
    index = entry.register
    scale = Number(entry.scale)
  }
  if (plain.length === 2) {
    const [first, second] = plain as [LinearRegister, LinearRegister]
    // rsp cannot be an index register.
    if (second.register === Register.RSP) {
      base = second.register
      index = first.register
    } else {
      base = first.register
      index = second.register
    }
  } else if (plain.length === 1) {
    if (base !== Register.None) throw new EncodeError('too many registers in a memory operand', operand.column)
    base = (plain[0] as LinearRegister).register
  }
  if (index === Register.RSP) throw new EncodeError('rsp cannot be an index register', operand.column)
  const hasLabel = linear.value.base !== undefined || linear.value.unknown
  const relative = operand.relative ?? defaultRelative
  if (base === Register.RIP) {
    if (index !== Register.None) throw new EncodeError('rip cannot be combined with an index register', operand.column)
  } else if (base === Register.None && index === Register.None && hasLabel && relative) {
    base = Register.RIP
  }
  return {
    kind: 'memory',
    size: operand.size,
    segment: operand.segment?.register ?? Register.None,
    base,
    index,
    scale,
    displacement: linear.value,
    ripTarget: hasLabel,
    column: operand.column,
  }
}

/** A section's contents as they are emitted; with `keepBytes` false, only its size. The bytes
 *  go straight into one buffer that doubles as it fills (not one array per statement, joined at
 *  the end). */
class SectionBuilder {
  private buffer = new Uint8Array(0)
  size = 0
  readonly relocations: Relocation[] = []

  constructor(private readonly keepBytes: boolean) {}

  /** Room for the section to grow to `end` bytes (new room reads as zeros). */
  private reach(end: number): void {
    if (end <= this.buffer.length) return
    const grown = new Uint8Array(Math.max(end, 2 * this.buffer.length, 4096))
    grown.set(this.buffer.subarray(0, this.size))
    this.buffer = grown
  }

  /** Append `times` more copies of the last `length` bytes (which carry no relocations). */
  repeatLast(length: number, times: number, virtualOnly: boolean): void {
    if (length === 0 || times <= 0) return
    if (virtualOnly || !this.keepBytes) {
      this.size += length * times
      return
    }
    this.reach(this.size + length * times)
    for (let i = 0; i < times; i++) {
      this.buffer.copyWithin(this.size, this.size - length, this.size)
      this.size += length
    }
  }

  append(bytes: Uint8Array): void {
    if (this.keepBytes) {
      this.reach(this.size + bytes.length)
      this.buffer.set(bytes, this.size)
    }
    this.size += bytes.length
  }

  /** `count` more zero bytes (only counted when `virtualOnly`, as in .bss). */
  reserve(count: number, virtualOnly: boolean): void {
    if (!virtualOnly && this.keepBytes) this.reach(this.size + count)
    this.size += count
  }

  relocate(relocation: Relocation): void {
    if (this.keepBytes) this.relocations.push(relocation)
  }

  bytes(): Uint8Array {
    return this.buffer.slice(0, this.size)
  }
}
