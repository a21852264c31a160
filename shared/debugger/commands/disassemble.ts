// gdb's `disassemble`: the function around the selected frame's pc or an address, or a range,
// in the flavour `set disassembly-flavor` chose, with `=> ` at the pc, `/r` raw bytes, `/s`
// source lines in address order and `/m` in source order. Before `run` it reads the file.

import { CommandError, type Command } from '../command'
import { gdbInstructionsBetween, type GdbInstruction } from '../disassembly'
import { asAddress } from '../expression/evaluate'
import { functionAround, lookingTarget, type FunctionBounds, type LookingTarget } from '../looking'
import type { OutputBuilder } from '../output'
import { hex, hex16 } from '../report'
import type { DebugSession } from '../session'
import { displayName } from '../source-files'

interface Modifiers {
  raw: boolean
  source: boolean
  sourceCentric: boolean
}

/** What to dump: a function (labels `<+N>`) or a range (labels `<sym+N>`). */
interface Dump {
  low: bigint
  high: bigint
  fn: FunctionBounds | null
}

/** x86-64's bytes per line in libopcodes: /r pads the bytes to 7 of them (3 columns each, less 2). */
const RAW_COLUMNS = 7 * 3 - 2

function parseModifiers(args: string): { modifiers: Modifiers; rest: string } {
  const modifiers: Modifiers = { raw: false, source: false, sourceCentric: false }
  const match = /^\/(\S*)\s*(.*)$/s.exec(args)
  if (!match) return { modifiers, rest: args }
  for (const letter of match[1]!) {
    if (letter === 'r' || letter === 'b') modifiers.raw = true
    else if (letter === 's') modifiers.source = true
    else if (letter === 'm') modifiers.sourceCentric = true
    else throw new CommandError('Invalid disassembly modifier.')
  }
  if (modifiers.source && modifiers.sourceCentric) throw new CommandError('Cannot specify both /m and /s.')
  return { modifiers, rest: match[2]! }
}

/** Splits `START,END` at its top-level comma (an expression may hold commas in parentheses). */
function splitRange(text: string): [string, string] | null {
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (c === '(' || c === '[') depth++
    else if (c === ')' || c === ']') depth--
    else if (c === ',' && depth === 0) return [text.slice(0, i).trim(), text.slice(i + 1).trim()]
  }
  return null
}

const MASK = (1n << 64n) - 1n

function address(session: DebugSession, expression: string): bigint {
  return BigInt.asUintN(64, asAddress(session.evaluate(expression)))
}

/** Beyond what the machine's memory can hold: nothing there can be read. */
const unreachable = (at: bigint): boolean => at > BigInt(Number.MAX_SAFE_INTEGER)

function whatToDump(session: DebugSession, target: LookingTarget, rest: string): Dump {
  if (rest === '') {
    if (!target.inferior) throw new CommandError('No frame selected.')
    const frame = session.selectedFrame()
    // A return address belongs to the call before it.
    const fn = functionAround(target, frame.level === 0 ? frame.pc : frame.pc - 1)
    if (!fn) throw new CommandError('No function contains program counter for selected frame.')
    return { low: BigInt(fn.low), high: BigInt(fn.high), fn }
  }
  const range = splitRange(rest)
  if (!range) {
    const at = address(session, rest)
    const fn = unreachable(at) ? null : functionAround(target, Number(at))
    if (!fn) throw new CommandError('No function contains specified address.')
    return { low: BigInt(fn.low), high: BigInt(fn.high), fn }
  }
  const low = address(session, range[0])
  const high = range[1].startsWith('+') ? (low + address(session, range[1].slice(1))) & MASK : address(session, range[1])
  return { low, high, fn: null }
}

/** The pc `=>` marks: the selected frame's (its resume address in an outer frame). */
function markedPc(session: DebugSession, target: LookingTarget): number | null {
  return target.inferior ? session.selectedFrame().pc : null
}

/** `=> 0x0000000000401649 <+37>:\t`: the marker, the address and its label. */
function linePrefix(target: LookingTarget, dump: Dump, at: number, pc: number | null): string {
  let label = ''
  if (dump.fn) label = ` <+${at - dump.fn.low}>`
  else {
    const symbol = target.minimalSymbol(at)
    if (symbol) label = ` <${symbol.name}+${symbol.offset}>`
  }
  return `${at === pc ? '=> ' : '   '}${hex16(at)}${label}:\t`
}

function instructionLine(target: LookingTarget, dump: Dump, instruction: GdbInstruction, pc: number | null, modifiers: Modifiers): string {
  const raw = modifiers.raw ? `${[...instruction.bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ').padEnd(RAW_COLUMNS)}\t` : ''
  return `${linePrefix(target, dump, instruction.address, pc)}${raw}${instruction.text}`
}

/** The source position of an instruction: file and line from the line table. */
function lineOf(target: LookingTarget, address: number): { file: string; line: number } | null {
  const span = target.program.debug?.spanAt(target.link(address))
  return span && span.line > 0 ? { file: span.file, line: span.line } : null
}

function sourceText(target: LookingTarget, file: string, line: number): string {
  const text = target.program.sourceLine(file, line)
  return text === undefined ? `${line}\tin ${file}` : `${line}\t${text}`
}

/** /s: instructions in address order, each new line's source before it (and skipped lines without code). */
function printAddressOrder(out: OutputBuilder, target: LookingTarget, dump: Dump, instructions: GdbInstruction[], pc: number | null, modifiers: Modifiers): void {
  const linesWithCode = new Set<string>()
  for (const instruction of instructions) {
    const where = lineOf(target, instruction.address)
    if (where) linesWithCode.add(`${where.file}:${where.line}`)
  }
  let lastFile: string | null = null
  let lastLine = 0
  for (const instruction of instructions) {
    const where = lineOf(target, instruction.address)
    if (where && (where.file !== lastFile || where.line !== lastLine)) {
      if (lastFile !== null) out.line()
      let first = where.line
      if (where.file !== lastFile) out.line(`${displayName(target.program, where.file)}:`)
      else if (where.line > lastLine + 1) {
        // Lines skipped since the last one shown, back to one that has code of its own here.
        let l = where.line - 1
        while (l > lastLine && !linesWithCode.has(`${where.file}:${l}`)) l--
        first = l + 1
      }
      for (let l = first; l <= where.line; l++) out.line(sourceText(target, where.file, l))
      lastFile = where.file
      lastLine = where.line
    }
    out.line(instructionLine(target, dump, instruction, pc, modifiers))
  }
}

/** /m: source lines in order, each with its instructions; lines without code go with the next one that has some. */
function printSourceOrder(out: OutputBuilder, target: LookingTarget, dump: Dump, instructions: GdbInstruction[], pc: number | null, modifiers: Modifiers): void {
  const byLine = new Map<string, { file: string; line: number; instructions: GdbInstruction[] }>()
  const withoutLine: GdbInstruction[] = []
  for (const instruction of instructions) {
    const where = lineOf(target, instruction.address)
    if (!where) {
      withoutLine.push(instruction)
      continue
    }
    const key = `${where.file}:${where.line}`
    const group = byLine.get(key) ?? { ...where, instructions: [] }
    group.instructions.push(instruction)
    byLine.set(key, group)
  }
  const groups = [...byLine.values()].sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1))
  let previous: { file: string; line: number } | null = null
  for (const group of groups) {
    const first = previous && previous.file === group.file ? previous.line + 1 : group.line
    for (let l = first; l <= group.line; l++) out.line(sourceText(target, group.file, l))
    for (const instruction of group.instructions) out.line(instructionLine(target, dump, instruction, pc, modifiers))
    out.line()
    previous = group
  }
  for (const instruction of withoutLine) out.line(instructionLine(target, dump, instruction, pc, modifiers))
}

export const disassembleCommand: Command = {
  name: 'disassemble',
  category: 'data',
  summary: 'Disassemble a specified section of memory.',
  documentation: [
    'Disassemble a specified section of memory.',
    'Usage: disassemble[/m|/r|/s] START [, END]',
    'Default is the function surrounding the pc of the selected frame.',
    'With a single argument, the function surrounding that address is dumped.',
    'Two arguments (separated by a comma) are taken as a range of memory to dump,',
    '  in the form of "start,end", or "start,+length".',
    '/r shows the raw instruction bytes in hex, /s the source lines with the',
    'instructions in address order, /m in source line order.',
    '`set disassembly-flavor intel` switches from AT&T to Intel syntax.',
    'Example: disassemble /s main',
  ].join('\n'),
  run(args, out, { session }) {
    const { modifiers, rest } = parseModifiers(args.trim())
    if (rest === '' && !session.inferior) throw new CommandError('No frame selected.')
    const target = lookingTarget(session)
    const dump = whatToDump(session, target, rest)
    const pc = markedPc(session, target)
    out.line(dump.fn ? `Dump of assembler code for function ${dump.fn.name}:` : `Dump of assembler code from ${hex(dump.low)} to ${hex(dump.high)}:`)
    if (dump.low < dump.high && unreachable(dump.low)) {
      out.line(`   0x${dump.low.toString(16).padStart(16, '0')}:\t`)
      throw new CommandError(`Cannot access memory at address ${hex(dump.low)}`)
    }
    const end = unreachable(dump.high) ? Number.MAX_SAFE_INTEGER : Number(dump.high)
    const instructions = dump.low < dump.high ? gdbInstructionsBetween(target.memory, Number(dump.low), end, session.disassemblyFlavor, (at) => target.symbol(at)) : []
    const unreadable = instructions.find((instruction) => !instruction.mapped)
    const readable = instructions.filter((instruction) => instruction.mapped)
    // Source lines come from the line table of the first address; without one, gdb shows code alone.
    const withSource = readable.length > 0 && lineOf(target, readable[0]!.address) !== null
    if (modifiers.source && withSource) printAddressOrder(out, target, dump, readable, pc, modifiers)
    else if (modifiers.sourceCentric && withSource) printSourceOrder(out, target, dump, readable, pc, modifiers)
    else for (const instruction of readable) out.line(instructionLine(target, dump, instruction, pc, modifiers))
    if (unreadable) {
      // gdb has printed the address before it finds the memory unreadable.
      out.line(linePrefix(target, dump, unreadable.address, pc))
      throw new CommandError(`Cannot access memory at address ${hex(unreadable.address)}`)
    }
    out.line('End of assembler dump.')
  },
}
