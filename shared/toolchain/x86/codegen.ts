/**
 * IR → x86-64 Intel-syntax assembly text in gcc -O0's shape (frame pointer, every variable in
 * its stack slot, expressions computed in rax with rcx/rdx as helpers, System V calls), in the
 * dialect shared/toolchain/asm accepts. One path: the text is what learners see and what the
 * assembler encodes.
 *
 * Register conventions inside a function: an expression's value ends up in rax. A value of an
 * 8- or 16-bit type is kept sign- or zero-extended to 32 bits; 32-bit values live in eax.
 * Intermediate values are saved with push/pop; `stackDepth` tracks them so every call still
 * sees a 16-byte aligned rsp.
 */
import type { BinaryOp, CallArg, CompareOp, DataRelocation, Expr, IntType, IrFunction, IrGlobal, IrModule, IrModuleData, Stmt } from '../ir/types'
import { isSigned, sizeOfType, typeOfExpr } from '../ir/types'
import { registerByName } from '../asm/registers'
import { analyzeBody, consecutive, containsCall, layoutFrame, type BlockLabels, type FrameLayout, type StackProtector } from './frame'

export interface CodegenOptions {
  /** -pie (default for gcc on Debian) or -no-pie. */
  readonly pie: boolean
  readonly stackProtector: StackProtector
}

export interface CodegenResult {
  /** Joined at once: the text is one flat string outside the young generation, where the lines'
   *  many small pieces, kept alive through assembly, would be copied by every scavenge. */
  readonly assembly: string
  readonly frames: readonly FrameLayout[]
}

export class CodegenError extends Error {}

/** A lexical block's label line (`.LBB3:` / `.LBE3:`): it marks a range for debug info and, unlike
 *  a jump target, is no place where control flow joins. */
function isBlockLabel(line: string): boolean {
  return line.startsWith('.LBB') || line.startsWith('.LBE')
}

const ARGUMENT_REGISTERS = ['rdi', 'rsi', 'rdx', 'rcx', 'r8', 'r9'] as const
/** Registers no leaf-function code uses otherwise (r11 holds a postfix update's old value and
 *  the pieces of odd-sized loads and stores, rsi/rdi addresses): intermediate values wait there. */
const LEAF_HOLDERS = ['r8', 'r9', 'r10'] as const

const REGISTER_NAMES: Record<string, readonly [string, string, string, string]> = {
  rax: ['al', 'ax', 'eax', 'rax'],
  rbx: ['bl', 'bx', 'ebx', 'rbx'],
  rcx: ['cl', 'cx', 'ecx', 'rcx'],
  rdx: ['dl', 'dx', 'edx', 'rdx'],
  r12: ['r12b', 'r12w', 'r12d', 'r12'],
  r13: ['r13b', 'r13w', 'r13d', 'r13'],
  r14: ['r14b', 'r14w', 'r14d', 'r14'],
  r15: ['r15b', 'r15w', 'r15d', 'r15'],
  rsi: ['sil', 'si', 'esi', 'rsi'],
  rdi: ['dil', 'di', 'edi', 'rdi'],
  r8: ['r8b', 'r8w', 'r8d', 'r8'],
  r9: ['r9b', 'r9w', 'r9d', 'r9'],
  r10: ['r10b', 'r10w', 'r10d', 'r10'],
  r11: ['r11b', 'r11w', 'r11d', 'r11'],
}

/**
 * Words NASM reserves besides register names (checked with nasm -f elf64: these cannot be a
 * label, a `global`/`extern` name or an operand symbol), and the gas-style words our assembler
 * also reads (`offset`, `ptr`, data and reserve units). Instruction mnemonics are not reserved.
 */
const RESERVED_WORDS = new Set([
  'byte', 'word', 'dword', 'qword', 'tword', 'oword', 'yword', 'zword', 'xmmword', 'ymmword', 'zmmword', 'ptr', 'offset',
  'rel', 'abs', 'wrt', 'seg', 'strict', 'near', 'far', 'short', 'to', 'nosplit', 'times', 'equ', 'dup', 'incbin',
  'db', 'dw', 'dd', 'dq', 'dt', 'do', 'dy', 'dz', 'resb', 'resw', 'resd', 'resq', 'rest', 'reso', 'resy', 'resz',
  'section', 'segment', 'global', 'extern', 'common', 'static', 'align', 'alignb', 'default', 'bits', 'use16', 'use32',
  'use64', 'cpu', 'float', 'org', 'struc', 'endstruc', 'istruc', 'at', 'iend', '__sect__', 'lock', 'rep', 'repe',
  'repz', 'repne', 'repnz', 'xacquire', 'xrelease', 'bnd', 'nobnd', 'o16', 'o32', 'o64', 'a16', 'a32', 'a64',
])

/** A symbol as the assembly spells it: NASM's `$name` when the name is also a register or a
 *  reserved word (a C function or variable may be called `byte`, `offset` or `rax`). */
export function symbolText(name: string): string {
  return registerByName(name) !== undefined || RESERVED_WORDS.has(name.toLowerCase()) ? `$${name}` : name
}

function register(name: string, size: number): string {
  const names = REGISTER_NAMES[name]
  if (names === undefined) throw new CodegenError(`internal: unknown register ${name}`)
  return names[size === 1 ? 0 : size === 2 ? 1 : size === 4 ? 2 : 3]
}

const SIZE_NAMES: Record<number, string> = { 1: 'BYTE', 2: 'WORD', 4: 'DWORD', 8: 'QWORD' }

function memory(size: number, address: string): string {
  return `${SIZE_NAMES[size] ?? 'QWORD'} PTR [${address}]`
}

function workSize(type: IntType): 4 | 8 {
  return sizeOfType(type) === 8 ? 8 : 4
}

/** A realigned frame's slot before `ins` adds the stack depth: `{slot:OFFSET}` [+WITHIN]
 *  (braces never occur in assembly text otherwise). */
const PENDING_SLOT = /\{slot:(-?\d+)\}([+-]\d+)?/g
/** ... and before the end of the function adds the frame allocation: `{placed:OFFSET}`. */
const PLACED_SLOT = /\{placed:(-?\d+)\}/g

/** `sub rsp, N` that covers every slot of the frame. */
function wholeFrameSize(frame: FrameLayout): number {
  const boundary = frame.realignment ?? 16
  return Math.ceil(frame.frameSize / boundary) * boundary - (frame.realignment === undefined ? 8 * frame.calleeSaved.length : 0)
}

function signedOffset(base: string, offset: number): string {
  return offset === 0 ? base : offset > 0 ? `${base}+${offset}` : `${base}${offset}`
}

function fitsImm32(value: bigint): boolean {
  return value >= -(1n << 31n) && value < 1n << 31n
}

/** A constant as the width it is used at: 32-bit values print signed like gcc (-1, not 4294967295). */
function constantText(value: bigint, size: number): string {
  const bits = BigInt(size * 8)
  const wrapped = BigInt.asIntN(Number(bits), value)
  return wrapped.toString()
}

export function generateAssembly(module: IrModule, options: CodegenOptions): CodegenResult {
  const writer = new AssemblyWriter(options)
  for (const fn of module.functions) writer.addFunction(fn)
  return writer.finish(module)
}

/**
 * Writes a module's assembly a function at a time: a front end that hands each function on as
 * soon as it is lowered keeps only that function's IR alive, not the whole module's.
 */
export class AssemblyWriter {
  private labelCounter = 0
  private blockCounter = 0
  /** Each function's text. */
  private readonly text: string[] = []
  private readonly frames: FrameLayout[] = []
  private readonly functionNames: string[] = []
  private readonly rodataExtra: string[] = []
  readonly referenced = new Set<string>()

  constructor(readonly options: CodegenOptions) {}

  newLabel(): string {
    return `.L${this.labelCounter++}`
  }

  /** gcc numbers its lexical block labels (.LBB<n>, .LBE<n>) apart from its other labels. */
  newBlockNumber(): number {
    return this.blockCounter++
  }

  addRodata(lines: string[]): void {
    this.rodataExtra.push(...lines)
  }

  /** Generates `fn`'s code and returns its frame layout. Each function's text is joined at once:
   *  one flat string survives until `finish`, not its many small lines (see `CodegenResult`). */
  addFunction(fn: IrFunction): FrameLayout {
    const emitter = new FunctionEmitter(this, fn)
    this.text.push(emitter.emit())
    this.frames.push(emitter.frame)
    this.functionNames.push(fn.name)
    return emitter.frame
  }

  /** The whole unit's text: the functions added so far, then `unit`'s globals. */
  finish(unit: IrModuleData): CodegenResult {
    const defined = new Set<string>([...this.functionNames, ...unit.globals.map((g) => g.name)])
    for (const global of unit.globals) for (const relocation of global.relocations ?? []) this.referenced.add(relocation.symbol)
    for (const name of unit.externs ?? []) this.referenced.add(name)
    const externs = [...this.referenced].filter((name) => !defined.has(name)).sort()
    const out: string[] = [`; ${unit.sourceFile} — generated by memscape (gcc -O0 style, ${this.options.pie ? '-pie' : '-no-pie'})`, `\t.file\t"${unit.sourceFile.replace(/["\\]/g, '_')}"`]
    if (externs.length > 0) out.push(`\textern\t${externs.map(symbolText).join(', ')}`)
    out.push('\tsection .text')
    for (const functionText of this.text) out.push(functionText)
    // Under -pie, constant data holding addresses is patched at start-up (R_X86_64_RELATIVE), so
    // it goes to writable memory, as gcc's .data.rel.ro does.
    const sectionOf = (global: IrGlobal): IrGlobal['section'] =>
      this.options.pie && global.section === 'rodata' && (global.relocations?.length ?? 0) > 0 ? 'data' : global.section
    const bySection = (section: IrGlobal['section']): IrGlobal[] => unit.globals.filter((global) => sectionOf(global) === section)
    const rodata = bySection('rodata')
    if (rodata.length > 0 || this.rodataExtra.length > 0) {
      out.push('\tsection .rodata')
      for (const global of rodata) emitGlobal(global, out)
      for (const line of this.rodataExtra) out.push(line)
    }
    const data = bySection('data')
    if (data.length > 0) {
      out.push('\tsection .data')
      for (const global of data) emitGlobal(global, out)
    }
    const bss = bySection('bss')
    if (bss.length > 0) {
      out.push('\tsection .bss')
      for (const global of bss) emitGlobal(global, out)
    }
    return { assembly: out.join('\n') + '\n', frames: this.frames }
  }
}

/** Appends the lines defining `global` to `lines`. */
function emitGlobal(global: IrGlobal, lines: string[]): void {
  if (global.linkage === 'global') lines.push(`\tglobal\t${symbolText(global.name)}:${global.section === 'bss' || global.section === 'data' || global.section === 'rodata' ? 'data' : 'function'}`)
  if (global.align > 1) lines.push(`\talign\t${global.align}`)
  lines.push(`${symbolText(global.name)}:`)
  if (global.section === 'bss' || global.init === undefined) {
    lines.push(`\tresb\t${global.size}`)
    return
  }
  const init = global.init
  const relocations = [...(global.relocations ?? [])].sort((a, b) => a.offset - b.offset)
  let position = 0
  const flushBytes = (end: number): void => {
    while (position < end) {
      const chunkEnd = Math.min(end, position + 16)
      lines.push(`\tdb\t${bytesText(init.subarray(position, chunkEnd))}`)
      position = chunkEnd
    }
  }
  for (const relocation of relocations) {
    flushBytes(relocation.offset)
    lines.push(`\t${relocation.size === 8 ? 'dq' : 'dd'}\t${relocationText(relocation)}`)
    position = relocation.offset + relocation.size
  }
  flushBytes(global.size)
}

function relocationText(relocation: DataRelocation): string {
  return signedOffset(symbolText(relocation.symbol), relocation.addend)
}

/** Bytes as a db operand list, printable runs as strings ("hello", 10, 0). */
function bytesText(bytes: Uint8Array): string {
  const parts: string[] = []
  let run = ''
  for (const byte of bytes) {
    if (byte >= 0x20 && byte < 0x7f && byte !== 0x22 && byte !== 0x5c) {
      run += String.fromCharCode(byte)
      continue
    }
    if (run !== '') parts.push(`"${run}"`)
    run = ''
    parts.push(String(byte))
  }
  if (run !== '') parts.push(`"${run}"`)
  return parts.join(', ')
}

// ---------------------------------------------------------------------------------------------

class FunctionEmitter {
  frame: FrameLayout
  private readonly lines: string[] = []
  private readonly labels = new Map<string, string>()
  private stackDepth = 0
  /** Where each saved intermediate value is (`push`/`pop`): a holder register or the stack. */
  private readonly held: string[] = []
  /** How many callee-saved registers currently hold values (gcc's rbx, r12, ... across calls). */
  private calleeDepth = 0
  private adjustsStack = false
  private returnLabel: string | undefined
  private lastRow: { readonly line: number; readonly column: number } | undefined
  private readonly blocks: BlockLabels[] = []
  private readonly openBlocks: BlockLabels[] = []
  private readonly objects: Map<number, IrFunction['frame'][number]>

  constructor(
    private readonly writer: AssemblyWriter,
    private readonly fn: IrFunction,
  ) {
    const facts = analyzeBody(fn.body)
    this.frame = layoutFrame(fn, writer.options.stackProtector, facts)
    this.objects = new Map(fn.frame.map((object) => [object.id, object]))
  }

  private ins(mnemonic: string, operands = ''): void {
    // Slots of a realigned frame are rsp-relative: the values pushed at this point move them.
    const resolved =
      this.frame.realignment === undefined
        ? operands
        : operands.replace(PENDING_SLOT, (_, offset: string, within: string | undefined) => `{placed:${Number(offset) + Number(within ?? 0) + 8 * this.stackDepth}}`)
    this.lines.push(resolved === '' ? `\t${mnemonic}` : `\t${mnemonic}\t${resolved}`)
  }

  private label(name: string): void {
    this.lines.push(`${name}:`)
  }

  private irLabel(name: string): string {
    let label = this.labels.get(name)
    if (label === undefined) {
      label = this.writer.newLabel()
      this.labels.set(name, label)
    }
    return label
  }

  /**
   * Saves an intermediate value. A leaf function keeps its locals in the red zone, below rsp,
   * where a push would land: there the value waits in a free register while one is left (gcc
   * never pushes at -O0, so its leaf frames have no `sub rsp`, and ours match); otherwise it is
   * pushed, and a leaf function then allocates its whole frame (see `emit`).
   */
  private push(registerName = 'rax'): void {
    const holder = this.frame.leaf ? LEAF_HOLDERS[this.held.length] : undefined
    if (holder !== undefined && this.stackDepth === 0) {
      this.held.push(holder)
      this.ins('mov', `${holder}, ${registerName}`)
      return
    }
    this.held.push('stack')
    this.ins('push', registerName)
    this.stackDepth++
    this.adjustsStack = true
  }

  private pop(registerName: string): void {
    const holder = this.held.pop()
    if (holder !== undefined && holder !== 'stack') {
      this.ins('mov', `${registerName}, ${holder}`)
      return
    }
    this.ins('pop', registerName)
    this.stackDepth--
  }

  /** Appends the function's lines to `out`. */
  /** The function's assembly text. */
  emit(): string {
    const fn = this.fn
    const frame = this.frame
    // gcc gives the prologue the body's `{`, and the canary load a row of its own there.
    const prologueLoc = fn.bodyLoc ?? fn.loc
    this.sourceLine(prologueLoc)
    this.ins('push', 'rbp')
    this.ins('mov', 'rbp, rsp')
    for (const saved of [...frame.calleeSaved].reverse()) this.ins('push', saved)
    if (frame.realignment !== undefined) this.ins('and', `rsp, -${frame.realignment}`)
    const allocationIndex = this.lines.length
    this.spillParameters()
    if (frame.canaryOffset !== undefined) {
      this.sourceLine(prologueLoc, true)
      this.ins('mov', 'rax, QWORD PTR fs:40')
      this.ins('mov', `${memory(8, this.slot(frame.canaryOffset))}, rax`)
      this.ins('xor', 'eax, eax')
    }
    const body = fn.body
    // Scope markers emit no code: a `return` followed only by them is still the last statement.
    const lastCode = body.findLastIndex((stmt) => stmt.kind !== 'scopeBegin' && stmt.kind !== 'scopeEnd')
    body.forEach((stmt, index) => this.statement(stmt, index >= lastCode))
    if (this.returnLabel !== undefined) this.label(this.returnLabel)
    this.sourceLine(fn.endLoc)
    // A leaf function keeps its locals in the red zone below rsp, where our push/pop temporaries
    // would land: then it allocates its whole frame (gcc never pushes at -O0, so it never needs to).
    const fullFrame = wholeFrameSize(frame)
    if (this.adjustsStack && frame.stackAllocation < fullFrame) this.frame = { ...frame, stackAllocation: fullFrame }
    const allocation = this.frame.stackAllocation
    // gcc prints `add rsp, -128` because -128 fits in a byte and 128 does not.
    if (allocation === 128) this.lines.splice(allocationIndex, 0, '\tadd\trsp, -128')
    else if (allocation > 0) this.lines.splice(allocationIndex, 0, `\tsub\trsp, ${allocation}`)
    this.epilogue()
    if (this.blocks.length > 0) this.frame = { ...this.frame, blocks: this.blocks }
    const lines = this.frame.realignment === undefined ? this.lines : this.lines.map((line) => line.replace(PLACED_SLOT, (_, offset: string) => signedOffset('rsp', allocation + Number(offset))))
    const name = symbolText(fn.name)
    return `${fn.linkage === 'global' ? `\tglobal\t${name}:function\n` : ''}${name}:\n${lines.join('\n')}`
  }

  private spillParameters(): void {
    const frame = this.frame
    const offsetOf = (id: number): number => frame.offsets.get(id) as number
    // Registers first: copying stack-passed parameters below uses rax, and nothing may clobber
    // an argument register (or al, the vector-register count of a variadic call) before.
    if (frame.structReturnSlot !== undefined) this.ins('mov', `${memory(8, this.slot(frame.structReturnSlot))}, rdi`)
    for (const param of frame.params) {
      if (param.registers.length === 0) continue
      const offset = offsetOf(param.object)
      if (param.type.kind === 'int') {
        const size = sizeOfType(param.type.type)
        this.ins('mov', `${memory(size, this.slot(offset))}, ${register(ARGUMENT_REGISTERS[param.registers[0] as number] as string, size)}`)
      } else {
        param.registers.forEach((registerIndex, word) => {
          const remaining = (param.type as { size: number }).size - word * 8
          this.storePieces(ARGUMENT_REGISTERS[registerIndex] as string, this.slot(offset, word * 8), 0, Math.min(8, remaining))
        })
      }
    }
    if (this.fn.variadic && frame.registerSaveArea !== undefined) {
      const area = frame.registerSaveArea
      for (let i = frame.namedRegisterCount; i < 6; i++) this.ins('mov', `${memory(8, this.slot(area, i * 8))}, ${ARGUMENT_REGISTERS[i]}`)
      const skip = this.writer.newLabel()
      this.ins('test', 'al, al')
      this.ins('je', skip)
      for (let i = 0; i < 8; i++) this.ins('movaps', `XMMWORD PTR [${this.slot(area, 48 + i * 16)}], xmm${i}`)
      this.label(skip)
    }
    // Stack-passed parameters gcc copies into the frame (see frame.ts), through rax.
    for (const param of frame.params) {
      const offset = offsetOf(param.object)
      if (param.registers.length > 0 || param.stackOffset === undefined || param.stackOffset === offset) continue
      if (param.type.kind === 'int') {
        const size = sizeOfType(param.type.type)
        this.ins('mov', `${register('rax', size === 8 ? 8 : 4)}, ${memory(size === 8 ? 8 : 4, signedOffset('rbp', param.stackOffset))}`)
        this.ins('mov', `${memory(size, this.slot(offset))}, ${register('rax', size)}`)
        continue
      }
      let done = 0
      for (const piece of [8, 4, 2, 1]) {
        while (param.type.size - done >= piece) {
          this.ins('mov', `${register('rax', piece)}, ${memory(piece, signedOffset('rbp', param.stackOffset + done))}`)
          this.ins('mov', `${memory(piece, this.slot(offset, done))}, ${register('rax', piece)}`)
          done += piece
        }
      }
    }
  }

  /** Store the low `size` bytes of `source` at [base+offset] (size 1..8; base is an address
   *  text such as `rbp-16`, `rcx` or `rel name`). */
  private storePieces(source: string, base: string, offset: number, size: number): void {
    if (size === 8 || size === 4 || size === 2 || size === 1) {
      this.ins('mov', `${memory(size, signedOffset(base, offset))}, ${register(source, size)}`)
      return
    }
    // 3, 5, 6, 7 bytes: store in pieces, shifting the register down.
    let done = 0
    this.ins('mov', `r11, ${source}`)
    for (const piece of [4, 2, 1]) {
      if (size - done >= piece) {
        this.ins('mov', `${memory(piece, signedOffset(base, offset + done))}, ${register('r11', piece)}`)
        this.ins('shr', `r11, ${piece * 8}`)
        done += piece
      }
    }
  }

  /** Load `size` bytes (1..8) from [base+offset] into `target` (zero-extended). */
  private loadPieces(target: string, base: string, offset: number, size: number): void {
    if (size === 8 || size === 4) {
      this.ins('mov', `${register(target, size)}, ${memory(size, signedOffset(base, offset))}`)
      return
    }
    if (size === 2 || size === 1) {
      this.ins('movzx', `${register(target, 4)}, ${memory(size, signedOffset(base, offset))}`)
      return
    }
    this.ins('xor', `${register(target, 4)}, ${register(target, 4)}`)
    let done = 0
    for (const piece of [4, 2, 1]) {
      if (size - done >= piece) {
        if (piece === 4) this.ins('mov', `r11d, ${memory(4, signedOffset(base, offset + done))}`)
        else this.ins('movzx', `r11d, ${memory(piece, signedOffset(base, offset + done))}`)
        if (done > 0) this.ins('shl', `r11, ${done * 8}`)
        this.ins('or', `${target}, r11`)
        done += piece
      }
    }
  }

  private epilogue(): void {
    const frame = this.frame
    const returnsValue = this.fn.returns.kind !== 'void'
    // gcc's nop after a final call in a void function (it carries the closing brace's line).
    if (!returnsValue && this.lastInstruction().startsWith('\tcall\t')) this.ins('nop')
    if (frame.canaryOffset !== undefined) {
      const scratch = this.fn.returns.kind === 'aggregate' && this.fn.returns.size <= 16 ? 'rcx' : returnsValue ? 'rdx' : 'rax'
      const ok = this.writer.newLabel()
      this.ins('mov', `${scratch}, ${memory(8, this.slot(frame.canaryOffset))}`)
      this.ins('sub', `${scratch}, QWORD PTR fs:40`)
      this.ins('je', ok)
      this.ins('call', '__stack_chk_fail')
      this.writer.referenced.add('__stack_chk_fail')
      this.label(ok)
    }
    // Callee-saved registers were pushed in reverse order: rbx is nearest to the locals.
    const saved = frame.calleeSaved
    saved.forEach((name, i) => this.ins('mov', `${name}, ${memory(8, signedOffset('rbp', -8 * (saved.length - i)))}`))
    if (frame.stackAllocation > 0 || this.adjustsStack || saved.length > 0 || frame.realignment !== undefined) this.ins('leave')
    else this.ins('pop', 'rbp')
    this.ins('ret')
  }

  /** The last line emitted other than a `.loc` row or a block label ('' when there is none). */
  private lastInstruction(): string {
    for (let index = this.lines.length - 1; index >= 0; index--) {
      const line = this.lines[index] as string
      if (!line.startsWith('\t.loc') && !isBlockLabel(line)) return line
    }
    return ''
  }

  // -------------------------------------------------------------------------------------------
  // Statements
  // -------------------------------------------------------------------------------------------

  /**
   * gcc -g's `.loc 1 LINE COLUMN`: the assembler turns these into the line table. `again` adds a
   * row even where the last one was, as gcc does for the canary load after the prologue.
   */
  private sourceLine(loc: { line: number; column?: number } | undefined, again = false): void {
    if (loc === undefined) return
    const column = loc.column ?? 0
    if (loc.line === this.lastRow?.line && column === this.lastRow.column && !again) return
    this.lastRow = { line: loc.line, column }
    this.lines.push(`\t.loc 1 ${loc.line} ${column}`)
  }

  private statement(stmt: Stmt, isLast: boolean): void {
    switch (stmt.kind) {
      case 'scopeBegin': {
        const number = this.writer.newBlockNumber()
        const parent = this.openBlocks.at(-1)?.scope
        const block = { scope: stmt.scope, ...(parent === undefined ? {} : { parent }), begin: `.LBB${number}`, end: `.LBE${number}` }
        this.blocks.push(block)
        this.openBlocks.push(block)
        return this.label(block.begin)
      }
      case 'scopeEnd': {
        const block = this.openBlocks.pop()
        if (block?.scope !== stmt.scope) throw new CodegenError(`scopeEnd ${stmt.scope} in '${this.fn.name}' does not close the innermost open scope`)
        return this.label(block.end)
      }
      case 'label':
        break
      default:
        this.sourceLine(stmt.loc)
    }
    switch (stmt.kind) {
      case 'eval':
        return this.evalStatement(stmt.expr)
      case 'store':
        return this.store(stmt.type, stmt.addr, stmt.value)
      case 'copy':
        return this.blockCopy(stmt.dst, stmt.src, stmt.size)
      case 'zero':
        return this.blockZero(stmt.dst, stmt.size)
      case 'label':
        return this.label(this.irLabel(stmt.label))
      case 'jump':
        return this.ins('jmp', this.irLabel(stmt.target))
      case 'branch':
        return this.condition(stmt.cond, stmt.when, this.irLabel(stmt.target))
      case 'switch':
        return this.switchStatement(stmt)
      case 'return':
        this.returnStatement(stmt.value)
        if (!isLast) {
          this.returnLabel ??= this.writer.newLabel()
          this.ins('jmp', this.returnLabel)
        }
        return
      case 'vaStart':
        return this.vaStart(stmt.list)
    }
  }

  private evalStatement(expr: Expr): void {
    // `x++;` / `x += 3;` on a variable: one read-modify-write instruction, as gcc emits.
    if (expr.kind === 'update' && expr.type === expr.opType && sizeOfType(expr.type) >= 4 && expr.operand.kind === 'const' && fitsImm32(expr.operand.value)) {
      const place = this.directAddress(expr.addr)
      if (place !== undefined && (expr.op === 'add' || expr.op === 'sub' || expr.op === 'and' || expr.op === 'or' || expr.op === 'xor')) {
        const size = sizeOfType(expr.type)
        this.ins(expr.op, `${memory(size, place)}, ${constantText(expr.operand.value, size)}`)
        return
      }
    }
    this.expression(expr)
  }

  private store(type: IntType, addr: Expr, value: Expr): void {
    const size = sizeOfType(type)
    const place = this.directAddress(addr)
    if (place !== undefined) {
      if (value.kind === 'const' && fitsImm32(BigInt.asIntN(size * 8, value.value))) {
        this.ins('mov', `${memory(size, place)}, ${constantText(value.value, size)}`)
        return
      }
      this.expression(value)
      this.ins('mov', `${memory(size, place)}, ${register('rax', size)}`)
      return
    }
    if (this.isLeaf(value)) {
      this.expression(addr)
      this.leafInto(value, 'rdx')
      this.ins('mov', `${memory(size, 'rax')}, ${register('rdx', size)}`)
      return
    }
    this.expression(value)
    this.push()
    this.expression(addr)
    this.pop('rdx')
    this.ins('mov', `${memory(size, 'rax')}, ${register('rdx', size)}`)
  }

  /** Evaluate the destination and source addresses into rdi and rsi. */
  private twoAddresses(dst: Expr, src: Expr): void {
    if (this.isLeaf(src)) {
      this.expression(dst)
      this.ins('mov', 'rdi, rax')
      this.leafInto(src, 'rsi')
      return
    }
    this.expression(src)
    this.push()
    this.expression(dst)
    this.ins('mov', 'rdi, rax')
    this.pop('rsi')
  }

  private blockCopy(dst: Expr, src: Expr, size: number): void {
    this.twoAddresses(dst, src)
    this.copyBytes('rdi', 'rsi', size)
  }

  /** Copy `size` bytes from [from] to [to] (registers other than rax/rcx). */
  private copyBytes(to: string, from: string, size: number): void {
    if (size > 64) {
      this.ins('mov', `ecx, ${Math.floor(size / 8)}`)
      this.ins('rep movsq')
      let remainder = size % 8
      for (const [piece, mnemonic] of [[4, 'movsd'], [2, 'movsw'], [1, 'movsb']] as const) {
        if (remainder >= piece) {
          this.ins(mnemonic)
          remainder -= piece
        }
      }
      return
    }
    let done = 0
    for (const piece of [8, 4, 2, 1]) {
      while (size - done >= piece) {
        this.ins('mov', `${register('rax', piece)}, ${memory(piece, signedOffset(from, done))}`)
        this.ins('mov', `${memory(piece, signedOffset(to, done))}, ${register('rax', piece)}`)
        done += piece
      }
    }
  }

  private blockZero(dst: Expr, size: number): void {
    this.expression(dst)
    this.ins('mov', 'rdi, rax')
    this.ins('xor', 'eax, eax')
    let remaining = size
    if (size > 64) {
      // rep stosq leaves rdi just past the cleared quadwords.
      this.ins('mov', `ecx, ${Math.floor(size / 8)}`)
      this.ins('rep stosq')
      remaining = size % 8
    }
    let done = 0
    for (const piece of [8, 4, 2, 1]) {
      while (remaining - done >= piece) {
        this.ins('mov', `${memory(piece, signedOffset('rdi', done))}, ${register('rax', piece)}`)
        done += piece
      }
    }
  }

  private returnStatement(value: Expr | undefined): void {
    if (value === undefined) return
    const returns = this.fn.returns
    if (returns.kind === 'aggregate') {
      this.expression(value)
      if (returns.size > 16) {
        const slot = this.frame.structReturnSlot as number
        this.ins('mov', 'rsi, rax')
        this.ins('mov', `rdi, ${memory(8, this.slot(slot))}`)
        this.copyBytes('rdi', 'rsi', returns.size)
        this.ins('mov', `rax, ${memory(8, this.slot(slot))}`)
      } else {
        this.ins('mov', 'rsi, rax')
        if (returns.size > 8) this.loadPieces('rdx', 'rsi', 8, returns.size - 8)
        this.loadPieces('rax', 'rsi', 0, Math.min(8, returns.size))
      }
      return
    }
    this.expression(value)
  }

  private vaStart(list: Expr): void {
    const frame = this.frame
    if (frame.registerSaveArea === undefined) throw new CodegenError(`va_start in '${this.fn.name}', which is not variadic`)
    this.expression(list)
    this.ins('mov', `${memory(4, 'rax')}, ${frame.namedRegisterCount * 8}`)
    this.ins('mov', `${memory(4, 'rax+4')}, 48`)
    this.ins('lea', `rdx, [rbp+${16 + frame.namedStackBytes}]`)
    this.ins('mov', `${memory(8, 'rax+8')}, rdx`)
    this.ins('lea', `rdx, [${this.slot(frame.registerSaveArea)}]`)
    this.ins('mov', `${memory(8, 'rax+16')}, rdx`)
  }

  private switchStatement(stmt: Stmt & { kind: 'switch' }): void {
    const type = typeOfExpr(stmt.value)
    if (type === 'void') throw new CodegenError('switch on a void value')
    const size = workSize(type)
    const reg = register('rax', size)
    this.expression(stmt.value)
    const defaultLabel = this.irLabel(stmt.defaultTarget)
    const values = stmt.cases.map((entry) => entry.value)
    const min = values.reduce((a, b) => (b < a ? b : a), values[0] ?? 0n)
    const max = values.reduce((a, b) => (b > a ? b : a), values[0] ?? 0n)
    const range = max - min
    // gcc: a jump table for at least 5 cases when the range is at most 10x the case count.
    if (stmt.cases.length >= 5 && range <= BigInt(stmt.cases.length) * 10n && range < 1n << 20n) {
      if (min !== 0n) this.ins('sub', `${reg}, ${constantText(min, size)}`)
      this.ins('cmp', `${reg}, ${range}`)
      this.ins('ja', defaultLabel)
      const table = this.writer.newLabel()
      const targets: string[] = []
      for (let value = min; value <= max; value++) {
        const entry = stmt.cases.find((c) => c.value === value)
        targets.push(entry === undefined ? defaultLabel : this.irLabel(entry.target))
      }
      if (size === 4) this.ins('mov', 'eax, eax')
      if (this.writer.options.pie) {
        this.ins('lea', `rdx, [rel ${table}]`)
        this.ins('movsxd', 'rax, DWORD PTR [rdx+rax*4]')
        this.ins('add', 'rax, rdx')
        this.ins('jmp', 'rax')
        this.writer.addRodata(['\talign\t4', `${table}:`, ...targets.map((target) => `\tdd\t${target} - ${table}`)])
      } else {
        this.ins('mov', `rax, QWORD PTR [${table}+rax*8]`)
        this.ins('jmp', 'rax')
        this.writer.addRodata(['\talign\t8', `${table}:`, ...targets.map((target) => `\tdq\t${target}`)])
      }
      return
    }
    for (const entry of stmt.cases) {
      if (fitsImm32(BigInt.asIntN(size * 8, entry.value))) this.ins('cmp', `${reg}, ${constantText(entry.value, size)}`)
      else {
        this.ins('mov', `rcx, ${entry.value}`)
        this.ins('cmp', 'rax, rcx')
      }
      this.ins('je', this.irLabel(entry.target))
    }
    this.ins('jmp', defaultLabel)
  }

  // -------------------------------------------------------------------------------------------
  // Addresses and leaves
  // -------------------------------------------------------------------------------------------

  /**
   * Address text of the byte `within` bytes into the frame slot at `slotOffset`: rbp-relative,
   * or in a realigned frame rsp-relative (the slot's distance from rsp grows with every value
   * pushed since the prologue). Stack-passed parameters (positive offsets) are always above rbp.
   */
  private slot(slotOffset: number, within = 0): string {
    const realigned = this.frame.realignment !== undefined && slotOffset < 0
    if (!realigned) return signedOffset('rbp', slotOffset + within)
    // Resolved in two steps: the stack depth when the instruction is emitted (`ins`), then the
    // frame allocation, final only at the end of the function (`emit`).
    return `{slot:${slotOffset + within}}`
  }

  /** `rbp-20` / `rel name+4` when the address is a frame slot or a symbol; otherwise undefined. */
  private directAddress(addr: Expr): string | undefined {
    if (addr.kind === 'frameAddr') return this.slot(this.frameOffset(addr.object), addr.offset)
    if (addr.kind === 'symbolAddr') {
      this.writer.referenced.add(addr.symbol)
      return `rel ${signedOffset(symbolText(addr.symbol), addr.offset)}`
    }
    return undefined
  }

  private frameOffset(id: number): number {
    const offset = this.frame.offsets.get(id)
    if (offset === undefined) {
      const object = this.objects.get(id)
      throw new CodegenError(`frame object ${object?.name ?? id} of '${this.fn.name}' has no stack slot`)
    }
    return offset
  }

  /** Expressions computed with one register and no side effects. */
  private isLeaf(expr: Expr): boolean {
    switch (expr.kind) {
      case 'const':
      case 'frameAddr':
      case 'symbolAddr':
        return true
      case 'load':
        return this.directAddress(expr.addr) !== undefined
      case 'convert':
        return this.isLeaf(expr.value)
      default:
        return false
    }
  }

  /** Compute a leaf expression into `target` (any general register). */
  private leafInto(expr: Expr, target: string): void {
    switch (expr.kind) {
      case 'const': {
        const size = workSize(expr.type)
        if (size === 8 && !fitsImm32(BigInt.asIntN(64, expr.value))) this.ins('mov', `${target}, ${BigInt.asUintN(64, expr.value)}`)
        else this.ins('mov', `${register(target, size)}, ${constantText(expr.value, size)}`)
        return
      }
      case 'frameAddr':
        this.ins('lea', `${target}, [${this.slot(this.frameOffset(expr.object), expr.offset)}]`)
        return
      case 'symbolAddr':
        this.writer.referenced.add(expr.symbol)
        if (this.writer.options.pie) this.ins('lea', `${target}, [rel ${signedOffset(symbolText(expr.symbol), expr.offset)}]`)
        else this.ins('mov', `${register(target, 4)}, ${signedOffset(symbolText(expr.symbol), expr.offset)}`)
        return
      case 'load':
        this.loadInto(expr.type, this.directAddress(expr.addr) as string, target)
        return
      case 'convert': {
        this.leafInto(expr.value, target)
        const from = typeOfExpr(expr.value)
        if (from !== 'void') this.convertRegister(from, expr.type, target)
        return
      }
      default:
        throw new CodegenError(`internal: ${expr.kind} is not a leaf`)
    }
  }

  private loadInto(type: IntType, address: string, target: string): void {
    const size = sizeOfType(type)
    if (size === 8) this.ins('mov', `${register(target, 8)}, ${memory(8, address)}`)
    else if (size === 4) this.ins('mov', `${register(target, 4)}, ${memory(4, address)}`)
    else this.ins(isSigned(type) ? 'movsx' : 'movzx', `${register(target, 4)}, ${memory(size, address)}`)
  }

  /** Re-establish the invariant for narrow types after arithmetic. */
  private normalize(type: IntType, target = 'rax'): void {
    const size = sizeOfType(type)
    if (size < 4) this.ins(isSigned(type) ? 'movsx' : 'movzx', `${register(target, 4)}, ${register(target, size)}`)
  }

  // -------------------------------------------------------------------------------------------
  // Expressions (result in rax)
  // -------------------------------------------------------------------------------------------

  private expression(expr: Expr): void {
    switch (expr.kind) {
      case 'const':
      case 'frameAddr':
      case 'symbolAddr':
        return this.leafInto(expr, 'rax')
      case 'convert':
        return this.convert(expr.value, expr.type)
      case 'load': {
        const place = this.directAddress(expr.addr)
        if (place !== undefined) return this.loadInto(expr.type, place, 'rax')
        this.expression(expr.addr)
        return this.loadInto(expr.type, 'rax', 'rax')
      }
      case 'binary':
        return this.binary(expr.op, expr.type, expr.left, expr.right)
      case 'unary':
        return this.unary(expr.op, expr.type, expr.value)
      case 'compare': {
        const type = typeOfExpr(expr.left)
        if (type === 'void') throw new CodegenError('comparison of a void value')
        this.compareOperands(expr.left, expr.right, type)
        this.ins(`set${conditionSuffix(expr.op, isSigned(type))}`, 'al')
        this.ins('movzx', 'eax, al')
        return
      }
      case 'logical':
      case 'select':
        return this.conditionalValue(expr)
      case 'assign': {
        const size = sizeOfType(expr.type)
        const place = this.directAddress(expr.addr)
        this.expression(expr.value)
        if (place !== undefined) {
          this.ins('mov', `${memory(size, place)}, ${register('rax', size)}`)
          return
        }
        this.push()
        this.expression(expr.addr)
        this.ins('mov', 'rdx, rax')
        this.pop('rax')
        this.ins('mov', `${memory(size, 'rdx')}, ${register('rax', size)}`)
        return
      }
      case 'update':
        return this.update(expr)
      case 'comma':
        this.expression(expr.first)
        return this.expression(expr.then)
      case 'call':
        return this.call(expr)
      case 'vaArg':
        return this.vaArg(expr.type, expr.list)
    }
  }

  private convert(value: Expr, to: IntType): void {
    this.expression(value)
    const from = typeOfExpr(value)
    if (from === 'void') throw new CodegenError('conversion of a void value')
    this.convertRegister(from, to)
  }

  /** Left in rax, right in rcx (or an immediate), choosing the cheapest order. */
  private operands(left: Expr, right: Expr, type: IntType): string {
    const size = workSize(type)
    if (right.kind === 'const' && fitsImm32(BigInt.asIntN(size * 8, right.value))) {
      this.expression(left)
      return constantText(right.value, size)
    }
    if (this.isLeaf(right)) {
      this.expression(left)
      this.leafInto(right, 'rcx')
      return register('rcx', size)
    }
    const holder = this.frame.calleeSaved[this.calleeDepth]
    if (holder !== undefined && containsCall(right)) {
      // gcc keeps the left value in a callee-saved register while the right side calls.
      this.expression(left)
      this.ins('mov', `${holder}, rax`)
      this.calleeDepth++
      this.expression(right)
      this.calleeDepth--
      this.ins('mov', 'rcx, rax')
      this.ins('mov', `rax, ${holder}`)
      return register('rcx', size)
    }
    this.expression(left)
    this.push()
    this.expression(right)
    this.ins('mov', 'rcx, rax')
    this.pop('rax')
    return register('rcx', size)
  }

  private binary(op: BinaryOp, type: IntType, left: Expr, right: Expr): void {
    const size = workSize(type)
    const acc = register('rax', size)
    switch (op) {
      case 'add':
      case 'sub':
      case 'and':
      case 'or':
      case 'xor': {
        const operand = this.operands(left, right, type)
        this.ins(op, `${acc}, ${operand}`)
        break
      }
      case 'mul': {
        const operand = this.operands(left, right, type)
        if (/^-?\d+$/.test(operand)) this.ins('imul', `${acc}, ${acc}, ${operand}`)
        else this.ins('imul', `${acc}, ${operand}`)
        break
      }
      case 'div':
      case 'rem': {
        let operand = this.operands(left, right, type)
        if (/^-?\d+$/.test(operand)) {
          this.ins('mov', `${register('rcx', size)}, ${operand}`)
          operand = register('rcx', size)
        }
        if (isSigned(type)) {
          this.ins(size === 8 ? 'cqo' : 'cdq')
          this.ins('idiv', operand)
        } else {
          this.ins('mov', 'edx, 0')
          this.ins('div', operand)
        }
        if (op === 'rem') this.ins('mov', `${acc}, ${register('rdx', size)}`)
        break
      }
      case 'shl':
      case 'shr': {
        const mnemonic = op === 'shl' ? 'sal' : isSigned(type) ? 'sar' : 'shr'
        if (right.kind === 'const') {
          this.expression(left)
          this.ins(mnemonic, `${acc}, ${Number(BigInt.asUintN(8, right.value))}`)
        } else {
          const rightType = typeOfExpr(right)
          this.operands(left, right, rightType === 'void' ? type : rightType)
          this.ins(mnemonic, `${acc}, cl`)
        }
        break
      }
    }
    this.normalize(type)
  }

  private unary(op: 'neg' | 'not' | 'lnot', type: IntType, value: Expr): void {
    this.expression(value)
    const size = workSize(type)
    if (op === 'lnot') {
      this.ins('cmp', `${register('rax', size)}, 0`)
      this.ins('sete', 'al')
      this.ins('movzx', 'eax, al')
      return
    }
    this.ins(op, register('rax', size))
    this.normalize(type)
  }

  private compareOperands(left: Expr, right: Expr, type: IntType): void {
    const size = workSize(type)
    const operand = this.operands(left, right, type)
    this.ins('cmp', `${register('rax', size)}, ${operand}`)
  }

  /** Jump to `target` when `cond` is (when=true) or is not (when=false) non-zero. */
  private condition(cond: Expr, when: boolean, target: string): void {
    switch (cond.kind) {
      case 'compare': {
        const type = typeOfExpr(cond.left)
        if (type === 'void') throw new CodegenError('comparison of a void value')
        this.compareOperands(cond.left, cond.right, type)
        const op = when ? cond.op : negate(cond.op)
        this.ins(`j${conditionSuffix(op, isSigned(type))}`, target)
        return
      }
      case 'logical': {
        const isAnd = cond.op === 'and'
        if (isAnd === when) {
          // jump if (a && b): skip unless a; or jump if !(a || b): skip if a.
          const skip = this.writer.newLabel()
          this.condition(cond.left, !when, skip)
          this.condition(cond.right, when, target)
          this.label(skip)
        } else {
          this.condition(cond.left, when, target)
          this.condition(cond.right, when, target)
        }
        return
      }
      case 'unary':
        if (cond.op === 'lnot') return this.condition(cond.value, !when, target)
        break
      case 'const':
        if ((cond.value !== 0n) === when) this.ins('jmp', target)
        return
    }
    const type = typeOfExpr(cond)
    if (type === 'void') throw new CodegenError('condition of a void value')
    const size = workSize(type)
    const place = cond.kind === 'load' ? this.directAddress(cond.addr) : undefined
    if (place !== undefined && cond.kind === 'load' && sizeOfType(cond.type) >= 4) {
      this.ins('cmp', `${memory(sizeOfType(cond.type), place)}, 0`)
    } else {
      this.expression(cond)
      this.ins('test', `${register('rax', size)}, ${register('rax', size)}`)
    }
    this.ins(when ? 'jne' : 'je', target)
  }

  private conditionalValue(expr: Expr & { kind: 'logical' | 'select' }): void {
    const end = this.writer.newLabel()
    if (expr.kind === 'logical') {
      const isAnd = expr.op === 'and'
      const decided = this.writer.newLabel()
      // and: any false operand → 0; or: any true operand → 1.
      this.condition(expr.left, !isAnd, decided)
      this.condition(expr.right, !isAnd, decided)
      this.ins('mov', `eax, ${isAnd ? 1 : 0}`)
      this.ins('jmp', end)
      this.label(decided)
      this.ins('mov', `eax, ${isAnd ? 0 : 1}`)
      this.label(end)
      return
    }
    const otherwise = this.writer.newLabel()
    this.condition(expr.cond, false, otherwise)
    this.expression(expr.then)
    this.ins('jmp', end)
    this.label(otherwise)
    this.expression(expr.otherwise)
    this.label(end)
  }

  private update(expr: Expr & { kind: 'update' }): void {
    const size = sizeOfType(expr.type)
    const opSize = workSize(expr.opType)
    const operandIsLeaf = this.isLeaf(expr.operand)
    if (!operandIsLeaf) {
      this.expression(expr.operand)
      this.push()
    }
    let place = this.directAddress(expr.addr)
    if (place === undefined) {
      this.expression(expr.addr)
      this.ins('mov', 'rsi, rax')
      place = 'rsi'
    }
    this.loadInto(expr.type, place, 'rax')
    this.convertRegister(expr.type, expr.opType)
    if (expr.postfix) this.ins('mov', 'r11, rax')
    if (operandIsLeaf) this.leafInto(expr.operand, 'rcx')
    else this.pop('rcx')
    const acc = register('rax', opSize)
    const rcx = register('rcx', opSize)
    switch (expr.op) {
      case 'add':
      case 'sub':
      case 'and':
      case 'or':
      case 'xor':
        this.ins(expr.op, `${acc}, ${rcx}`)
        break
      case 'mul':
        this.ins('imul', `${acc}, ${rcx}`)
        break
      case 'div':
      case 'rem':
        if (isSigned(expr.opType)) {
          this.ins(opSize === 8 ? 'cqo' : 'cdq')
          this.ins('idiv', rcx)
        } else {
          this.ins('mov', 'edx, 0')
          this.ins('div', rcx)
        }
        if (expr.op === 'rem') this.ins('mov', `${acc}, ${register('rdx', opSize)}`)
        break
      case 'shl':
        this.ins('sal', `${acc}, cl`)
        break
      case 'shr':
        this.ins(isSigned(expr.opType) ? 'sar' : 'shr', `${acc}, cl`)
        break
    }
    this.normalize(expr.opType)
    this.convertRegister(expr.opType, expr.type)
    this.ins('mov', `${memory(size, place)}, ${register('rax', size)}`)
    if (expr.postfix) {
      this.ins('mov', 'rax, r11')
      this.normalize(expr.type)
    }
  }

  /** Convert the value in `target` (rax by default) from one type to another (no evaluation). */
  private convertRegister(from: IntType, to: IntType, target = 'rax'): void {
    const fromSize = sizeOfType(from)
    const toSize = sizeOfType(to)
    if (toSize > fromSize && toSize === 8) {
      if (isSigned(from)) this.ins(target === 'rax' ? 'cdqe' : 'movsxd', target === 'rax' ? '' : `${target}, ${register(target, 4)}`)
      else if (fromSize === 4) this.ins('mov', `${register(target, 4)}, ${register(target, 4)}`)
    } else if (toSize < 4 && (toSize < fromSize || isSigned(from) !== isSigned(to))) {
      this.normalize(to, target)
    }
  }

  private vaArg(type: IntType, list: Expr): void {
    const overflow = this.writer.newLabel()
    const done = this.writer.newLabel()
    this.expression(list)
    this.ins('mov', 'rsi, rax')
    this.ins('mov', `eax, ${memory(4, 'rsi')}`)
    this.ins('cmp', 'eax, 47')
    this.ins('ja', overflow)
    this.ins('mov', `rdx, ${memory(8, 'rsi+16')}`)
    this.ins('mov', 'eax, eax')
    this.ins('add', 'rax, rdx')
    this.ins('add', `${memory(4, 'rsi')}, 8`)
    this.ins('jmp', done)
    this.label(overflow)
    this.ins('mov', `rax, ${memory(8, 'rsi+8')}`)
    this.ins('lea', 'rdx, [rax+8]')
    this.ins('mov', `${memory(8, 'rsi+8')}, rdx`)
    this.label(done)
    this.loadInto(type, 'rax', 'rax')
  }

  // -------------------------------------------------------------------------------------------
  // Calls (System V: integer class only)
  // -------------------------------------------------------------------------------------------

  private call(expr: Expr & { kind: 'call' }): void {
    const aggregateResult = typeof expr.type === 'object' ? expr.type.aggregate : undefined
    const hiddenPointer = aggregateResult !== undefined && aggregateResult > 16
    const startDepth = this.stackDepth
    // Where a small aggregate result goes, when it is not a simple slot: saved before the call.
    const resultPlace = aggregateResult !== undefined && !hiddenPointer && expr.resultAddr !== undefined ? this.directAddress(expr.resultAddr) : undefined
    if (aggregateResult !== undefined && !hiddenPointer && resultPlace === undefined) {
      if (expr.resultAddr === undefined) throw new CodegenError('a call returning an aggregate needs resultAddr')
      this.expression(expr.resultAddr)
      this.push()
    }
    // Classify arguments.
    type Planned = { arg: CallArg; registers: number[] }
    let nextRegister = hiddenPointer ? 1 : 0
    const planned: Planned[] = expr.args.map((arg) => {
      const words = arg.kind === 'int' ? 1 : Math.ceil(arg.size / 8)
      if ((arg.kind === 'int' || arg.size <= 16) && nextRegister + words <= 6) {
        const registers = consecutive(nextRegister, words)
        nextRegister += words
        return { arg, registers }
      }
      return { arg, registers: [] }
    })
    const stackArgs = planned.filter((p) => p.registers.length === 0)
    const stackBytes = stackArgs.reduce((sum, p) => sum + (p.arg.kind === 'int' ? 8 : Math.ceil(p.arg.size / 8) * 8), 0)
    // Indirect callee that needs real work: evaluate first and keep it on the stack.
    const callee = expr.callee
    const calleeOnStack = callee.kind === 'indirect' && !this.isLeaf(callee.address)
    if (calleeOnStack && callee.kind === 'indirect') {
      this.expression(callee.address)
      this.push()
    }
    const padding = (this.stackDepth * 8 + stackBytes) % 16 === 0 ? 0 : 8
    if (padding > 0) {
      this.ins('sub', 'rsp, 8')
      this.stackDepth++
      this.adjustsStack = true
    }
    // Stack arguments, last first.
    for (const { arg } of [...stackArgs].reverse()) {
      if (arg.kind === 'int') {
        if (arg.value.kind === 'const' && fitsImm32(BigInt.asIntN(64, arg.value.value))) {
          this.ins('push', constantText(arg.value.value, 8))
          this.stackDepth++
          this.adjustsStack = true
        } else {
          this.expression(arg.value)
          this.push()
        }
      } else {
        const bytes = Math.ceil(arg.size / 8) * 8
        this.expression(arg.addr)
        this.ins('sub', `rsp, ${bytes}`)
        this.stackDepth += bytes / 8
        this.adjustsStack = true
        this.ins('mov', 'rsi, rax')
        this.ins('mov', 'rdi, rsp')
        this.copyBytes('rdi', 'rsi', arg.size)
      }
    }
    // Register arguments: directly when every one is a leaf, otherwise through the stack.
    const registerArgs = planned.filter((p) => p.registers.length > 0)
    const allLeaves = registerArgs.every((p) => p.arg.kind === 'int' && this.isLeaf(p.arg.value)) && (!hiddenPointer || this.isLeaf(expr.resultAddr as Expr))
    if (allLeaves) {
      for (const { arg, registers } of [...registerArgs].reverse()) {
        const target = ARGUMENT_REGISTERS[registers[0] as number] as string
        if (arg.kind === 'int') this.argumentInto(arg.value, target)
      }
      if (hiddenPointer) this.leafInto(expr.resultAddr as Expr, 'rdi')
    } else {
      // Arguments are evaluated last to first. A value that must survive a later argument's call
      // waits in a callee-saved register (gcc: `call g; mov ebx, eax; ... call g; mov esi, ebx`);
      // one followed only by simple arguments goes straight to its register.
      const pushed: string[] = []
      const held: { holder: string; target: string; size: number }[] = []
      const heldBase = this.calleeDepth
      const order = [...registerArgs].reverse()
      const laterExpressions = (index: number): Expr[] => [
        ...order.slice(index + 1).map(({ arg }) => (arg.kind === 'int' ? arg.value : arg.addr)),
        ...(hiddenPointer ? [expr.resultAddr as Expr] : []),
      ]
      for (const [index, { arg, registers }] of order.entries()) {
        if (arg.kind === 'int') {
          const later = laterExpressions(index)
          const laterCalls = later.some(containsCall)
          const target = ARGUMENT_REGISTERS[registers[0] as number] as string
          const valueType = typeOfExpr(arg.value)
          const size = valueType === 'void' ? 8 : workSize(valueType)
          this.expression(arg.value)
          const holder = this.frame.calleeSaved[this.calleeDepth]
          if (laterCalls && holder !== undefined) {
            this.ins('mov', `${holder}, rax`)
            this.calleeDepth++
            held.push({ holder, target, size })
          } else if (!laterCalls && later.every((next) => this.isLeaf(next)) && order.slice(index + 1).every((next) => next.arg.kind === 'int')) {
            // (aggregate arguments use rsi and r11 as scratch, so they rule this out)
            this.ins('mov', `${register(target, size)}, ${register('rax', size)}`)
          } else {
            this.push()
            pushed.push(target)
          }
        } else {
          this.expression(arg.addr)
          this.ins('mov', 'rsi, rax')
          for (let word = registers.length - 1; word >= 0; word--) {
            this.loadPieces('rax', 'rsi', word * 8, Math.min(8, arg.size - word * 8))
            this.push()
            pushed.push(ARGUMENT_REGISTERS[registers[word] as number] as string)
          }
        }
      }
      if (hiddenPointer) {
        this.expression(expr.resultAddr as Expr)
        this.ins('mov', 'rdi, rax')
      }
      for (const target of pushed.reverse()) this.pop(target)
      for (const { holder, target, size } of held) this.ins('mov', `${register(target, size)}, ${register(holder, size)}`)
      this.calleeDepth = heldBase
    }
    if (expr.variadic) this.ins('mov', 'eax, 0')
    if (callee.kind === 'direct') {
      this.writer.referenced.add(callee.name)
      this.ins('call', symbolText(callee.name))
    } else if (calleeOnStack) {
      this.ins('mov', `r10, ${memory(8, `rsp+${stackBytes + padding}`)}`)
      this.ins('call', 'r10')
    } else {
      this.leafInto(callee.address, 'r10')
      this.ins('call', 'r10')
    }
    const release = stackBytes + padding + (calleeOnStack ? 8 : 0)
    if (release > 0) {
      this.ins('add', `rsp, ${release}`)
      this.stackDepth -= release / 8
    }
    const resultType = expr.type
    if (aggregateResult !== undefined && !hiddenPointer) {
      if (resultPlace !== undefined) {
        this.storeResultPieces(resultPlace, aggregateResult)
        this.ins('lea', `rax, [${resultPlace}]`)
      } else {
        this.pop('rcx')
        this.storeResultPieces('rcx', aggregateResult)
        this.ins('mov', 'rax, rcx')
      }
    } else if (typeof resultType === 'string' && resultType !== 'void') {
      this.normalize(resultType)
    }
    if (this.stackDepth !== startDepth) throw new CodegenError('internal: unbalanced stack around a call')
  }

  private storeResultPieces(place: string, size: number): void {
    this.storePieces('rax', place, 0, Math.min(8, size))
    if (size > 8) this.storePieces('rdx', place, 8, size - 8)
  }

  private argumentInto(value: Expr, target: string): void {
    if (value.kind === 'const' || value.kind === 'frameAddr' || value.kind === 'symbolAddr') {
      // gcc loads addresses through rax first (lea rax, ...; mov rdi, rax); constants directly.
      if (value.kind === 'const') this.leafInto(value, target)
      else {
        this.leafInto(value, 'rax')
        this.ins('mov', `${target}, rax`)
      }
      return
    }
    this.leafInto(value, 'rax')
    const type = typeOfExpr(value)
    const size = type === 'void' ? 8 : workSize(type)
    this.ins('mov', `${register(target, size)}, ${register('rax', size)}`)
  }
}

function conditionSuffix(op: CompareOp, signed: boolean): string {
  switch (op) {
    case 'eq':
      return 'e'
    case 'ne':
      return 'ne'
    case 'lt':
      return signed ? 'l' : 'b'
    case 'le':
      return signed ? 'le' : 'be'
    case 'gt':
      return signed ? 'g' : 'a'
    case 'ge':
      return signed ? 'ge' : 'ae'
  }
}

function negate(op: CompareOp): CompareOp {
  return ({ eq: 'ne', ne: 'eq', lt: 'ge', ge: 'lt', le: 'gt', gt: 'le' } as const)[op]
}
