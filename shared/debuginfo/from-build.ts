// Debug model of a module compiled by our back end: the IR (names, debug types, scopes), the
// frame layouts codegen chose (rbp offsets; rsp offsets in realigned frames) and what the linker placed (symbol addresses, line
// rows). The result goes to writeDwarf; the linker then adds the sections to the executable.
// An assembly source is described as GNU as -g describes it: its line rows and its code range.

import type { DebugType, IntType, IrFunction, IrModule } from '../toolchain/ir/types'
import type { LinkResult } from '../toolchain/link/linker'
import { DW_LANG_Mips_Assembler } from './constants'
import type { FrameLayout } from '../toolchain/x86/frame'
import { DwarfError } from './bytes'
import type { AddressRange, DebugFunction, DebugVariable, DwarfType, LexicalBlock, VariableLocation } from './model'
import type { LineInput, UnitInput } from './writer'

export interface BuildDebugOptions {
  /** The compilation directory (gcc's DW_AT_comp_dir: the cwd of the compiler). */
  readonly compDir: string
  readonly producer: string
  readonly language?: number
}

const BYTE: DwarfType = { kind: 'base', name: 'unsigned char', size: 1, encoding: 'unsigned_char' }

/** The structured type a front end attached to IR's DebugType (`info`), if any. */
function attachedType(debugType: DebugType | undefined, size: number): DwarfType {
  // Without a structured type the bytes are still labelled, as raw bytes of the right size.
  return debugType?.info ?? { kind: 'array', of: BYTE, count: size }
}

const INT_TYPES: Record<Exclude<IntType, 'ptr'>, DwarfType> = {
  i8: { kind: 'base', name: 'signed char', size: 1, encoding: 'signed_char' },
  u8: { kind: 'base', name: 'unsigned char', size: 1, encoding: 'unsigned_char' },
  i16: { kind: 'base', name: 'short int', size: 2, encoding: 'signed' },
  u16: { kind: 'base', name: 'short unsigned int', size: 2, encoding: 'unsigned' },
  i32: { kind: 'base', name: 'int', size: 4, encoding: 'signed' },
  u32: { kind: 'base', name: 'unsigned int', size: 4, encoding: 'unsigned' },
  i64: { kind: 'base', name: 'long int', size: 8, encoding: 'signed' },
  u64: { kind: 'base', name: 'long unsigned int', size: 8, encoding: 'unsigned' },
}

/** The front end's source-level return type; failing that, the closest C spelling of the
 *  machine return type the IR keeps. */
function returnType(fn: IrFunction): DwarfType {
  if (fn.returnDebugType?.info) return fn.returnDebugType.info
  const r = fn.returns
  if (r.kind === 'void') return { kind: 'void' }
  if (r.kind === 'aggregate') return { kind: 'array', of: BYTE, count: r.size }
  return r.type === 'ptr' ? { kind: 'pointer', to: { kind: 'void' } } : INT_TYPES[r.type]
}

/** Where codegen put a frame object. */
function frameLocation(layout: FrameLayout, object: number): VariableLocation {
  const offset = layout.offsets.get(object)
  // Objects the body never mentions get no slot (as with gcc), hence no location.
  if (offset === undefined) return { kind: 'none' }
  // A realigned frame's locals hang below its aligned boundary, at no fixed distance from rbp:
  // the boundary is rsp + stackAllocation once the prologue has run (gcc -O0: DW_OP_breg7).
  // Stack-passed parameters (positive offsets) stay above rbp.
  if (layout.realignment !== undefined && offset < 0) return { kind: 'stack', rspOffset: offset + layout.stackAllocation }
  return { kind: 'frame', rbpOffset: offset }
}

/** A lexical block being assembled: its code range and what it declares. */
interface BlockInProgress {
  /** Empty when the block's declarations generate no code (`{ int unused; }`). */
  readonly ranges: readonly AddressRange[]
  readonly locals: DebugVariable[]
  readonly blocks: BlockInProgress[]
}

function lexicalBlock(block: BlockInProgress): LexicalBlock {
  return { ranges: block.ranges, locals: block.locals, blocks: block.blocks.map(lexicalBlock) }
}

function functionInfo(fn: IrFunction, layout: FrameLayout, low: number, high: number, sourceFile: string, labelAddress: (name: string) => number): DebugFunction {
  const params: DebugVariable[] = []
  const locals: DebugVariable[] = []
  const topBlocks: BlockInProgress[] = []
  // The blocks codegen put labels around, nested as their code is; a variable of any other block
  // (one whose code could not be marked) stays at function level.
  const blocks = new Map<number, BlockInProgress>()
  for (const labels of layout.blocks ?? []) {
    const low = labelAddress(labels.begin)
    const high = labelAddress(labels.end)
    const block: BlockInProgress = { ranges: high > low ? [{ low, high }] : [], locals: [], blocks: [] }
    blocks.set(labels.scope, block)
    const parent = labels.parent === undefined ? undefined : blocks.get(labels.parent)
    ;(parent?.blocks ?? topBlocks).push(block)
  }
  const paramIds = new Set(fn.params.map((p) => p.object))
  for (const object of fn.frame) {
    if (object.kind === 'temp' || object.name === '') continue
    const variable: DebugVariable = {
      name: object.name,
      type: attachedType(object.debugType, object.size),
      location: frameLocation(layout, object.id),
      ...(object.loc ? { declFile: sourceFile, declLine: object.loc.line } : {}),
      ...(object.declaredAlign !== undefined ? { alignment: object.declaredAlign } : {}),
    }
    if (object.kind === 'param' || paramIds.has(object.id)) params.push(variable)
    else (blocks.get(object.scope)?.locals ?? locals).push(variable)
  }
  // Parameters in declaration order, as the IR lists them.
  const order = new Map(fn.params.map((p, i) => [fn.frame.find((o) => o.id === p.object)?.name, i]))
  params.sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0))
  return {
    name: fn.name,
    ranges: [{ low, high }],
    returns: returnType(fn),
    external: fn.linkage === 'global',
    ...(fn.loc ? { declFile: sourceFile, declLine: fn.loc.line } : {}),
    params,
    locals,
    blocks: topBlocks.map(lexicalBlock),
  }
}

/** Index of the first row at or after `address` in rows sorted by address. */
function firstAtOrAfter(rows: readonly LineInput[], address: number): number {
  let lo = 0
  let hi = rows.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((rows[mid]?.address ?? Infinity) < address) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** Builds the writer's input for one compiled module. `link` is what the linker placed: a
 *  `LinkResult`, or the `PlacedProgram` its `debugSections` callback receives. */
export function unitFromBuild(module: IrModule, frames: readonly FrameLayout[], link: Pick<LinkResult, 'symbols' | 'lines' | 'labelAddress'>, options: BuildDebugOptions): UnitInput {
  // Static symbols of other objects may share a name; prefer the one this module's object (named
  // after the source, as buildFromIr names it) defined.
  const ownObject = module.sourceFile.replace(/\.[^./]*$/, '') + '.s'
  const symbols = new Map<string, LinkResult['symbols'][number]>()
  for (const s of link.symbols) if (!symbols.has(s.name) || s.file === ownObject) symbols.set(s.name, s)
  const layouts = new Map(frames.map((f) => [f.functionName, f]))
  const labelAddress = (name: string): number => {
    const address = link.labelAddress(ownObject, name)
    if (address === undefined) throw new DwarfError(`debug info: label ${name} was not placed by the linker`)
    return Number(address)
  }
  const placed = module.functions.map((fn) => {
    const sym = symbols.get(fn.name)
    const layout = layouts.get(fn.name)
    if (!sym || !layout) throw new DwarfError(`debug info: function ${fn.name} has no ${sym ? 'frame layout' : 'linked symbol'}`)
    if (sym.size <= 0) throw new DwarfError(`debug info: function ${fn.name} has no size in the symbol table`)
    const low = Number(sym.address)
    return { fn, layout, low, high: low + sym.size }
  })
  // The link's rows cover every object (the libc's too): keep this module's code only, sorted.
  const start = Math.min(...placed.map((p) => p.low))
  const end = Math.max(...placed.map((p) => p.high))
  const ownLines: LineInput[] = []
  for (const row of link.lines) {
    const address = Number(row.address)
    if (address >= start && address < end) ownLines.push({ address, file: row.file, line: row.line, column: row.column })
  }
  ownLines.sort((a, b) => a.address - b.address)
  const functions: DebugFunction[] = []
  const lines: LineInput[] = []
  for (const { fn, layout, low, high } of placed) {
    functions.push(functionInfo(fn, layout, low, high, module.sourceFile, labelAddress))
    // One line sequence per function: its rows, then the end of its code.
    let last: LineInput | undefined
    for (let i = firstAtOrAfter(ownLines, low), row = ownLines[i]; row && row.address < high; row = ownLines[++i]) {
      lines.push(row)
      last = row
    }
    if (last) lines.push({ address: high, file: module.sourceFile, line: last.line, endSequence: true })
  }
  const globals: DebugVariable[] = []
  for (const g of module.globals) {
    // Compiler-made objects (string literals .LC<n>) are not source variables.
    if (g.name.startsWith('.')) continue
    const sym = symbols.get(g.name)
    if (!sym) throw new DwarfError(`debug info: global ${g.name} has no linked symbol`)
    globals.push({
      name: g.name,
      type: attachedType(g.debugType, g.size),
      location: { kind: 'static', address: Number(sym.address) },
      external: g.linkage === 'global',
      ...(g.loc ? { declFile: module.sourceFile, declLine: g.loc.line } : {}),
      ...(g.declaredAlign !== undefined ? { alignment: g.declaredAlign } : {}),
    })
  }
  return { name: module.sourceFile, compDir: options.compDir, producer: options.producer, ...(options.language !== undefined ? { language: options.language } : {}), lines, functions, globals }
}

/** Builds the writer's input for an assembly source assembled with `sourceLineRows` (gas -g):
 *  the rows of its .text and that code range, no functions or variables, as GNU as writes it.
 *  Undefined when the file put no code in .text. */
export function unitFromAssembly(fileName: string, link: Pick<LinkResult, 'lines' | 'placements'>, options: BuildDebugOptions): UnitInput | undefined {
  const text = link.placements.find((placement) => placement.file === fileName && placement.section === '.text')
  if (text === undefined || text.size === 0) return undefined
  const low = Number(text.address)
  const high = low + text.size
  const lines: LineInput[] = []
  for (const row of link.lines) {
    const address = Number(row.address)
    if (address >= low && address < high) lines.push({ address, file: row.file, line: row.line, column: row.column })
  }
  lines.sort((a, b) => a.address - b.address)
  const last = lines.at(-1)
  if (last) lines.push({ address: high, file: last.file, line: last.line, endSequence: true })
  return {
    name: fileName,
    compDir: options.compDir,
    producer: options.producer,
    language: options.language ?? DW_LANG_Mips_Assembler,
    lines,
    functions: [],
    globals: [],
    codeRange: { low, high },
  }
}
