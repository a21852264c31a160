// The `info` subcommands that look at the program: line, locals, args, symbol, source,
// sharedlibrary and all-registers, each in gdb 13's words. commands/info.ts dispatches to them.

import type { DebugFunction, DebugVariable, LexicalBlock, LineRow } from '../debuginfo'
import { CommandError } from './command'
import { asAddress } from './expression/evaluate'
import { formatFloat, formatValue } from './expression/format-value'
import { BUILTIN, pointerTo } from './expression/types'
import { Value } from './expression/values'
import { listingState, resolvePlace } from './listing'
import { lookingTarget } from './looking'
import type { OutputBuilder } from './output'
import type { Program } from './program'
import type { DebugSession } from './session'
import { fullName, lineTableName, unitOf } from './source-files'
import { variablePlace } from './target-environment'

const hex = (n: number | bigint): string => `0x${n.toString(16)}`

// ---- info line -------------------------------------------------------------------------------

/**
 * `info line [LOCATION]`: where a line's code is. A line without code is reported at the next
 * line that has some; x/i goes on from the line's start, and `info line` alone then describes
 * the following line.
 */
export function infoLine(session: DebugSession, args: string, out: OutputBuilder): void {
  const program = session.requireProgram()
  const state = listingState(session)
  const target = lookingTarget(session)
  const text = args.trim()
  let file: string
  let line: number
  if (text === '') {
    if (state.file === null) {
      out.line('No line number information available.')
      return
    }
    file = state.file
    line = state.lastListed !== 0 ? state.lastListed : state.line
  } else if (text.startsWith('*')) {
    const address = Number(BigInt.asUintN(64, asAddress(session.evaluate(text.slice(1)))))
    const span = program.debug?.spanAt(target.link(address))
    if (!span || span.line === 0) {
      const symbol = target.symbol(address)
      out.line(`No line number information available for address ${hex(address)}${symbol ? ` <${symbol}>` : ''}`)
      return
    }
    file = span.file
    line = span.line
  } else {
    const place = resolvePlace(session, state, text)
    file = place.file
    line = place.line
  }
  const debug = program.debug!
  const name = lineTableName(program, file)
  const codeLine = debug.linesWithCode(file).find((l) => l >= line)
  if (codeLine === undefined) {
    out.line(`Line number ${line} is out of range for "${name}".`)
    return
  }
  const start = Math.min(...debug.addressesOf(file, codeLine))
  const where = (link: number): string => {
    const runtime = target.runtime(link)
    const symbol = target.symbol(runtime)
    return `${hex(runtime)}${symbol ? ` <${symbol}>` : ''}`
  }
  if (codeLine !== line) out.line(`Line ${line} of "${name}" is at address ${where(start)} but contains no code.`)
  else out.line(`Line ${line} of "${name}" starts at address ${where(start)} and ends at ${where(gdbLineEnd(program, start))}.`)
  // gdb sets x's next address (and $_) to the line's start, and moves `info line` to the next line.
  const address = BigInt(target.runtime(start))
  session.expressions.examine.next = address
  session.expressions.convenience.set('_', Value.fromInteger(pointerTo(BUILTIN.void), address))
  state.file = file
  state.lastListed = line + 1
}

/** A row's DW_LNE_set_discriminator; 0 where the line reader records none. */
const discriminatorOf = (row: LineRow): number => ('discriminator' in row ? Number(row.discriminator) : 0)

/**
 * Where gdb's line-table entry starting at `start` ends: at the next entry gdb keeps. gdb drops a
 * row that repeats the line before it when that line has had a non-zero discriminator (gcc
 * splits loop lines so; PR 17276), so such rows do not end the range.
 */
function gdbLineEnd(program: Program, start: number): number {
  const unit = program.debug?.info.units.find((u) => u.lines.some((row) => row.address === start && !row.endSequence))
  const fallback = program.debug?.spanAt(start)?.end ?? start
  if (!unit) return fallback
  const kept: LineRow[] = []
  let line = 1
  let lastKept: LineRow | null = null
  let discriminated = false
  for (const row of unit.lines) {
    if (row.endSequence) {
      kept.push(row)
      line = 1
      lastKept = null
      discriminated = false
      continue
    }
    const discriminator = discriminatorOf(row)
    discriminated = row.line !== line ? discriminator !== 0 : discriminated || discriminator !== 0
    line = row.line
    if (!lastKept || row.file !== lastKept.file || row.line !== lastKept.line || !discriminated) kept.push(row)
    lastKept = row
  }
  const at = kept.findIndex((row) => row.address === start && !row.endSequence)
  const next = at < 0 ? undefined : kept.slice(at + 1).find((row) => row.address > start)
  return next?.address ?? fallback
}

// ---- info locals / info args -------------------------------------------------------------------

/** The blocks in scope at `address`, innermost first, each with its variables in declaration order. */
function scopes(blocks: readonly LexicalBlock[], address: number): DebugVariable[][] {
  for (const block of blocks) {
    if (block.ranges.some((r) => address >= r.low && address < r.high)) return [...scopes(block.blocks, address), [...block.locals]]
  }
  return []
}

function printVariables(session: DebugSession, variables: readonly DebugVariable[], out: OutputBuilder): void {
  const inferior = session.requireLive('No frame selected.')
  const frame = session.selectedFrame()
  const env = session.environment()
  const context = { env, session: session.expressions }
  for (const variable of variables) {
    const place = variablePlace(variable, frame, inferior)
    let text: string
    if (!place) text = '<optimized out>'
    else {
      try {
        const value = 'address' in place ? Value.at(variable.type, place.address, env) : Value.fromInteger(variable.type, inferior.register(place.register) ?? 0n)
        text = formatValue(value, context, undefined, false)
      } catch (error) {
        if (!(error instanceof Error)) throw error
        text = `<error: ${error.message}>`
      }
    }
    out.line(`${variable.name} = ${text}`)
  }
}

/** The selected frame's function and the link-time pc in it (a return address counts as its call). */
function selectedFunction(session: DebugSession): { fn: DebugFunction | undefined; pc: number } {
  const inferior = session.requireLive('No frame selected.')
  const frame = session.selectedFrame()
  const pc = inferior.linkAddress(frame.level === 0 ? frame.pc : frame.pc - 1)
  return { fn: inferior.program.debug?.functionAt(pc), pc }
}

export function infoLocals(session: DebugSession, _args: string, out: OutputBuilder): void {
  const { fn, pc } = selectedFunction(session)
  if (!fn) {
    out.line('No symbol table info available.')
    return
  }
  const variables = [...scopes(fn.blocks, pc).flat(), ...fn.locals]
  if (variables.length === 0) out.line('No locals.')
  else printVariables(session, variables, out)
}

export function infoArgs(session: DebugSession, _args: string, out: OutputBuilder): void {
  const { fn } = selectedFunction(session)
  if (!fn) {
    out.line('No symbol table info available.')
    return
  }
  if (fn.params.length === 0) out.line('No arguments.')
  else printVariables(session, fn.params, out)
}

// ---- info symbol -------------------------------------------------------------------------------

/** `main + 38 in section .text`: the symbol an address lies in, gdb's minimal-symbol rule. */
export function infoSymbol(session: DebugSession, args: string, out: OutputBuilder): void {
  const text = args.trim()
  if (text === '') throw new CommandError('Argument required (address).')
  const target = lookingTarget(session)
  const address = Number(BigInt.asUintN(64, asAddress(session.evaluate(text))))
  const symbol = target.minimalSymbol(address)
  if (!symbol) {
    out.line(`No symbol matches ${text}.`)
    return
  }
  // With a process gdb also knows the vDSO, and names the file the symbol comes from.
  const objfile = target.inferior ? ` of ${target.program.path}` : ''
  out.line(`${symbol.offset === 0 ? symbol.name : `${symbol.name} + ${symbol.offset}`} in section ${symbol.section}${objfile}`)
}

// ---- info source / info sharedlibrary ----------------------------------------------------------

/** gdb's language names by DW_LANG. */
function languageName(code: number): string {
  if ([0x01, 0x02, 0x0c, 0x1d, 0x2c].includes(code)) return 'c'
  if ([0x04, 0x1a, 0x21, 0x2b].includes(code)) return 'c++'
  if (code === 0x8001) return 'asm'
  return 'minimal'
}

export function infoSource(session: DebugSession, _args: string, out: OutputBuilder): void {
  const program = session.program
  const state = session.program ? listingState(session) : null
  if (!program || !state || state.file === null) {
    out.line('No current source file.')
    return
  }
  const file = state.file
  const unit = unitOf(program, file)
  out.line(`Current source file is ${lineTableName(program, file)}`)
  if (unit) out.line(`Compilation directory is ${unit.compDir}`)
  out.line(`Located in ${fullName(program, file)}`)
  const count = program.lineCount(file)
  if (count !== undefined) out.line(`Contains ${count} line${count === 1 ? '' : 's'}.`)
  if (unit) {
    out.line(`Source language is ${languageName(unit.language)}.`)
    if (unit.producer) out.line(`Producer is ${unit.producer}.`)
    out.line(`Compiled with DWARF ${unit.dwarfVersion} debugging format.`)
  }
  out.line('Does not include preprocessor macro info.')
}

export function infoSharedLibrary(_session: DebugSession, _args: string, out: OutputBuilder): void {
  // Memscape runs static executables: there is no dynamic loader and no shared object.
  out.line('No shared libraries loaded at this time.')
}

// ---- info all-registers ------------------------------------------------------------------------

/** The rows `info registers` already prints, in gdb's order (fs_base and gs_base are not in "all"). */
const GENERAL_ROWS = 'rax rbx rcx rdx rsi rdi rbp rsp r8 r9 r10 r11 r12 r13 r14 r15 rip eflags cs ss ds es fs gs'
const X87_CONTROL = ['fctrl', 'fstat', 'ftag', 'fiseg', 'fioff', 'foseg', 'fooff', 'fop'] as const
const MXCSR_FLAGS: readonly [number, string][] = [
  [0, 'IE'], [1, 'DE'], [2, 'ZE'], [3, 'OE'], [4, 'UE'], [5, 'PE'], [6, 'DAZ'], [7, 'IM'], [8, 'DM'], [9, 'ZM'], [10, 'OM'], [11, 'UM'], [12, 'PM'], [15, 'FZ'],
]
/** gdb prints a run of more than this many equal elements as `<repeats N times>`. */
const REPEAT_THRESHOLD = 10

const row = (name: string, raw: string, natural: string): string => `${name.padEnd(15)}${raw.padEnd(20)}${natural}`

/** `{0xff, 0x0 <repeats 14 times>}`: lanes of `width` bytes in hex, runs collapsed as gdb does. */
function lanes(bytes: Uint8Array, width: number): string {
  const values: bigint[] = []
  for (let at = 0; at < bytes.length; at += width) {
    let value = 0n
    for (let i = width - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[at + i]!)
    values.push(value)
  }
  const parts: string[] = []
  for (let i = 0; i < values.length; ) {
    let run = 1
    while (i + run < values.length && values[i + run] === values[i]) run++
    if (run > REPEAT_THRESHOLD) {
      parts.push(`${hex(values[i]!)} <repeats ${run} times>`)
      i += run
    } else {
      parts.push(hex(values[i]!))
      i++
    }
  }
  return `{${parts.join(', ')}}`
}

function vectorRow(name: string, bytes: Uint8Array): string {
  let wide = 0n
  for (let i = 15; i >= 0; i--) wide = (wide << 8n) | BigInt(bytes[i]!)
  const fields = [
    `v8_bfloat16 = ${lanes(bytes, 2)}`, `v8_half = ${lanes(bytes, 2)}`, `v4_float = ${lanes(bytes, 4)}`, `v2_double = ${lanes(bytes, 8)}`,
    `v16_int8 = ${lanes(bytes, 1)}`, `v8_int16 = ${lanes(bytes, 2)}`, `v4_int32 = ${lanes(bytes, 4)}`, `v2_int64 = ${lanes(bytes, 8)}`,
    `uint128 = ${hex(wide)}`,
  ]
  return `${name.padEnd(15)}{${fields.join(', ')}}`
}

/** The x87 tag word gdb shows: two bits per physical register (empty, valid, zero, special). */
function tagWord(session: DebugSession): number {
  const x87 = session.requireLive().machine.cpu.x87
  let word = 0
  for (let physical = 0; physical < 8; physical++) {
    let tag = 3
    if (!x87.empty[physical]) {
      const exponent = x87.sx[physical]! & 0x7fff
      const significand = x87.m[physical]!
      if (exponent === 0 && significand === 0n) tag = 1
      else if (exponent === 0x7fff || exponent === 0 || (significand >> 63n) === 0n) tag = 2
      else tag = 0
    }
    word |= tag << (2 * physical)
  }
  return word
}

/** The rows `info all-registers` adds to `info registers`, by name; undefined for a name it does not have. */
function extraRow(session: DebugSession, name: string): string | undefined {
  const cpu = session.requireLive().machine.cpu
  const stack = /^st([0-7])$/.exec(name)
  if (stack) {
    const physical = cpu.x87.phys(Number(stack[1]))
    const sx = cpu.x87.sx[physical]!
    const significand = cpu.x87.m[physical]!
    const bytes = new Uint8Array(10)
    const view = new DataView(bytes.buffer)
    view.setBigUint64(0, significand, true)
    view.setUint16(8, sx, true)
    const raw = `0x${sx.toString(16).padStart(4, '0')}${significand.toString(16).padStart(16, '0')}`
    return row(name, formatFloat(bytes), `(raw ${raw})`)
  }
  const control: Record<string, number> = { fctrl: cpu.fpuControl, fstat: cpu.x87.statusWord(), ftag: tagWord(session), fiseg: 0, fioff: 0, foseg: 0, fooff: 0, fop: 0 }
  if (name in control) return row(name, hex(control[name]!), String(control[name]))
  const vector = /^xmm([0-9]|1[0-5])$/.exec(name)
  if (vector) return vectorRow(name, new Uint8Array(cpu.r.xmm.buffer, cpu.r.xmm.byteOffset + Number(vector[1]) * 16, 16))
  if (name === 'mxcsr') {
    const value = cpu.r.mxcsr
    const flags = MXCSR_FLAGS.filter(([bit]) => (value >> bit) & 1).map(([, flag]) => flag)
    return row(name, hex(value), `[ ${flags.join(' ')}${flags.length ? ' ' : ''}]`)
  }
  return undefined
}

const EXTRA_ROWS = [...Array.from({ length: 8 }, (_, i) => `st${i}`), ...X87_CONTROL, ...Array.from({ length: 16 }, (_, i) => `xmm${i}`), 'mxcsr']

/**
 * `info all-registers [NAME...]`: the general registers as `info registers` prints them
 * (`general`), then the x87 stack and control registers, xmm0-15 and mxcsr as gdb prints them
 * for an x86-64 CPU without AVX (Memscape's CPU has SSE2 only).
 */
export function infoAllRegisters(session: DebugSession, args: string, out: OutputBuilder, general: (session: DebugSession, names: string, out: OutputBuilder) => void): void {
  session.requireLive()
  const names = args.trim() === '' ? null : args.trim().split(/\s+/).map((n) => n.replace(/^\$/, ''))
  if (names === null) {
    general(session, GENERAL_ROWS, out)
    for (const name of EXTRA_ROWS) out.line(extraRow(session, name)!)
    return
  }
  for (const name of names) {
    const extra = extraRow(session, name)
    if (extra !== undefined) out.line(extra)
    else general(session, name, out)
  }
}
