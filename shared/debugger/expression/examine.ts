// gdb's `x` command: memory shown in units of a size and a format, rows labelled with the
// address and its symbol, and the last format, size and address remembered for a bare `x`.

import { ExpressionError, type ExpressionContext, type ExamineState } from './environment'
import { decay } from './evaluate'
import { charLiteral, formatFloat, formatString, PRINT_ELEMENTS, readString } from './format-value'
import { parseExpression } from './parser'
import { evaluate } from './evaluate'
import { BUILTIN, pointerTo, resolve, type ExprType } from './types'
import { bytesToUnsigned, Value } from './values'

type Size = ExamineState['size']

const SIZE_BYTES: Record<Size, number> = { b: 1, h: 2, w: 4, g: 8 }
const PER_ROW: Record<Size, number> = { b: 8, h: 8, w: 4, g: 2 }
const UNIT_TYPES: Record<Size, ExprType> = { b: BUILTIN.int8, h: BUILTIN.int16, w: BUILTIN.int32, g: BUILTIN.int64 }
const FORMATS = 'xduotacfsiz'

export interface ExamineFormat {
  readonly count: number
  readonly format: string | undefined
  readonly size: Size | undefined
}

/** `/4xg` → count 4, format x, size g. Letters may come in any order after the count. */
export function parseExamineFormat(text: string): ExamineFormat {
  const m = /^(-?[0-9]*)([a-zA-Z]*)$/.exec(text)
  if (!m) throw new ExpressionError(`Invalid number "${text}".`)
  let format: string | undefined
  let size: Size | undefined
  for (const letter of m[2] as string) {
    if ('bhwg'.includes(letter)) size = letter as Size
    else if (FORMATS.includes(letter)) format = letter
    else throw new ExpressionError(`Undefined output format "${letter}".`)
  }
  const count = m[1] === '' ? 1 : Number(m[1])
  return { count, format, size }
}

/** What `x` printed (`text`, exactly as gdb's standard output) and the error that stopped it, if one did. */
export interface ExamineResult {
  readonly text: string
  readonly error?: string
}

/** Runs `x` with the text after the command name (`/4xw &arr`, `$sp`, or nothing). */
export function examine(args: string, context: ExpressionContext): ExamineResult {
  const state = context.session.examine
  let rest = args.trim()
  let parsed: ExamineFormat = { count: 1, format: undefined, size: undefined }
  if (rest.startsWith('/')) {
    const end = rest.search(/\s|$/)
    parsed = parseExamineFormat(rest.slice(1, end))
    rest = rest.slice(end).trim()
  } else if (rest === '') parsed = { count: state.count, format: undefined, size: undefined }
  if (parsed.count < 0) throw new ExpressionError('Negative repeat counts are not supported.')

  const format = parsed.format ?? state.format
  const size = unitSize(format, parsed.size, state.size)
  let address: bigint
  if (rest !== '') address = startAddress(evaluate(parseExpression(rest, context.env), context))
  else if (state.next !== undefined) address = state.next
  else throw new ExpressionError('Argument required (starting display address).')

  state.format = format
  state.size = format === 's' ? 'b' : size
  state.count = parsed.count
  const lines: string[] = []
  try {
    if (format === 's') examineStrings(address, parsed.count, lines, context)
    else if (format === 'i') examineInstructions(address, parsed.count, lines, context)
    else examineUnits(address, parsed.count, format, size, lines, context)
  } catch (e) {
    if (!(e instanceof ExpressionError)) throw e
    return { text: lines.join('\n'), error: e.message }
  }
  return { text: lines.join('\n') }
}

function unitSize(format: string, given: Size | undefined, last: Size): Size {
  if (format === 'a') return 'g'
  if (format === 'c') return given ?? 'b'
  if (format === 'f') {
    const s = given ?? last
    return s === 'w' || s === 'g' ? s : 'g'
  }
  return given ?? last
}

/** Where an expression points: a pointer's or integer's value, an array's or function's address. */
function startAddress(v: Value): bigint {
  const t = resolve(v.type)
  if ((t.kind === 'struct' || t.kind === 'union') && v.address !== undefined) return v.address
  const d = decay(v)
  const dt = resolve(d.type)
  if (dt.kind !== 'pointer' && dt.kind !== 'base' && dt.kind !== 'enum') throw new ExpressionError('Invalid cast.')
  return BigInt.asUintN(64, d.integer())
}

function label(address: bigint, context: ExpressionContext): string {
  const symbol = context.env.symbolize(address)
  return `0x${address.toString(16)}${symbol ? ` <${symbol}>` : ''}:`
}

function remember(context: ExpressionContext, last: bigint, type: ExprType | undefined, next: bigint): void {
  context.session.examine.next = next
  const unitType = type ?? BUILTIN.int8
  context.session.convenience.set('_', Value.fromInteger(pointerTo(unitType), last))
  context.session.convenience.set('__', type ? Value.at(type, last, context.env) : Value.void())
}

function examineUnits(start: bigint, count: number, format: string, size: Size, lines: string[], context: ExpressionContext): void {
  const bytes = SIZE_BYTES[size]
  const type = format === 'f' ? (size === 'w' ? BUILTIN.float : BUILTIN.double) : UNIT_TYPES[size]
  let line = ''
  for (let i = 0; i < count; i++) {
    const address = start + BigInt(i * bytes)
    if (i % PER_ROW[size] === 0) {
      if (line) lines.push(line)
      line = label(address, context)
    }
    const data = context.env.readMemory(address, bytes)
    if (!data) {
      lines.push(`${line}\t`)
      remember(context, address, type, address)
      throw new ExpressionError(`Cannot access memory at address 0x${address.toString(16)}`)
    }
    line += `\t${formatUnit(data, format, context)}`
    remember(context, address, type, address + BigInt(bytes))
  }
  if (line) lines.push(line)
}

function formatUnit(data: Uint8Array, format: string, context: ExpressionContext): string {
  const unsigned = bytesToUnsigned(data)
  const bits = data.length * 8
  switch (format) {
    case 'x':
    case 'z':
      return `0x${unsigned.toString(16).padStart(data.length * 2, '0')}`
    case 'd':
      return String(BigInt.asIntN(bits, unsigned))
    case 'u':
      return String(unsigned)
    case 'o':
      return unsigned === 0n ? '0' : `0${unsigned.toString(8)}`
    case 't':
      return unsigned.toString(2).padStart(bits, '0')
    case 'c':
      return `${BigInt.asIntN(8, unsigned & 0xffn)} ${charLiteral(Number(unsigned & 0xffn))}`
    case 'a': {
      const symbol = context.env.symbolize(unsigned)
      return `0x${unsigned.toString(16)}${symbol ? ` <${symbol}>` : ''}`
    }
    default:
      return formatFloat(data)
  }
}

function examineStrings(start: bigint, count: number, lines: string[], context: ExpressionContext): void {
  let address = start
  for (let i = 0; i < count; i++) {
    const { bytes, complete, error } = readString(context, address, PRINT_ELEMENTS)
    const text = bytes.length > 0 || error === undefined ? formatString(bytes, !complete && error === undefined) : ''
    const suffix = error !== undefined ? `<error: Cannot access memory at address 0x${error.toString(16)}>` : ''
    lines.push(`${label(address, context)}\t${text}${suffix}`)
    if (error !== undefined) {
      remember(context, address, undefined, error)
      return
    }
    const next = address + BigInt(bytes.length + (complete ? 1 : 0))
    remember(context, address, undefined, next)
    address = next
  }
}

/** The pc `=>` marks; none before the program runs (x/i then reads the executable file). */
function currentPc(context: ExpressionContext): bigint | undefined {
  try {
    return context.env.readRegister('rip')
  } catch (error) {
    if (error instanceof ExpressionError) return undefined
    throw error
  }
}

function examineInstructions(start: bigint, count: number, lines: string[], context: ExpressionContext): void {
  const disassemble = context.env.disassemble
  if (!disassemble) throw new ExpressionError('Disassembly is not available.')
  const pc = currentPc(context)
  for (const insn of disassemble.call(context.env, start, count)) {
    const marker = insn.address === pc ? '=> ' : '   '
    lines.push(`${marker}${label(insn.address, context)}\t${insn.text}`)
    remember(context, insn.address, BUILTIN.int8, insn.address + BigInt(insn.length))
  }
}
