// Changing the running program from the debugger: bytes or instructions written into memory
// (patch, asm), the program counter moved (jump), the selected frame popped (return), a
// function of the program called (call). Every change goes through Inferior.write and
// Inferior.setRegister, which record it as an edit at the current instruction count: going
// back in history and forward again replays it at the same moment, so the run stays exact.

import { disassemble, type PeekableMemory } from '../machine/disasm'
import { AssembleLineError, assembleLine } from '../toolchain/asm/line'
import type { DwarfType } from '../debuginfo'
import { CommandError } from './command'
import { resume, type StopReason } from './execution'
import { asAddress, cast, decay } from './expression/evaluate'
import { parseExpression } from './expression/parser'
import { formatValue } from './expression/format-value'
import { isFloat, resolve, sizeOf } from './expression/types'
import type { Value } from './expression/values'
import type { Frame } from './frames'
import type { Inferior } from './inferior'
import { returnedValue } from './return-value'
import type { OutputBuilder } from './output'
import { GENERAL_REGISTERS } from './registers'
import { goTo } from './reverse'
import type { DebugSession } from './session'
import { reportStop } from './stop'

/**
 * A program stopped at a fatal signal is stopped before the faulting instruction runs, but
 * the machine has already ended it; changing it (jump, return, call) needs it alive again at
 * that same instruction, which replaying up to it gives. The signal is then discarded, as
 * gdb discards it when it resumes the program at another place.
 */
export function reviveBeforeSignal(session: DebugSession, inferior: Inferior): void {
  if (inferior.phase !== 'signaled') return
  const count = inferior.instructionCount
  if (count <= inferior.recorder.earliestReachable) throw new CommandError('The program cannot be changed before its first instruction.')
  goTo(session, inferior, count - 1)
  goTo(session, inferior, count)
}

/** Instructions separated by ';' or new lines (pwntools' way), encoded one after the other from `address`. */
export function assembleInstructions(text: string, address: number): Uint8Array {
  const parts: Uint8Array[] = []
  let at = address
  for (const line of text.split(/[;\n]/)) {
    const instruction = line.trim()
    if (instruction === '') continue
    let bytes: Uint8Array
    try {
      bytes = assembleLine(instruction, BigInt(at))
    } catch (error) {
      if (!(error instanceof AssembleLineError)) throw error
      const message = error.message.slice(error.message.indexOf(':') + 1).trim()
      throw new CommandError(`Cannot assemble "${instruction}": ${message} (column ${error.column}).`)
    }
    parts.push(bytes)
    at += bytes.length
  }
  const all = new Uint8Array(at - address)
  let offset = 0
  for (const part of parts) {
    all.set(part, offset)
    offset += part.length
  }
  if (all.length === 0) throw new CommandError('Nothing to assemble.')
  return all
}

/** Bytes written as hex: "90 90", "9090", "\x90\x90" or "0x90 0x90"; null for anything else (instructions). */
export function parseHexBytes(text: string): Uint8Array | null {
  const trimmed = text.trim()
  let digits: string
  if (/^(\\x[0-9a-f]{2})+$/i.test(trimmed)) digits = trimmed.replace(/\\x/gi, '')
  else if (/^(0x[0-9a-f]{2})(\s+0x[0-9a-f]{2})*$/i.test(trimmed)) digits = trimmed.replace(/0x|\s+/gi, '')
  else if (/^([0-9a-f]{2}\s*)+$/i.test(trimmed)) digits = trimmed.replace(/\s+/g, '')
  else return null
  return Uint8Array.from(digits.match(/../g)!, (pair) => parseInt(pair, 16))
}

/** The instructions in `bytes` as if placed at `address`, "; "-separated (pwndbg's patch list). */
export function describeInstructions(bytes: Uint8Array, address: number): string {
  const memory: PeekableMemory = {
    peek(at, length) {
      const data = new Uint8Array(length)
      const mapped = new Uint8Array(length)
      for (let i = 0; i < length; i++) {
        const offset = at + i - address
        if (offset < 0 || offset >= bytes.length) continue
        data[i] = bytes[offset]!
        mapped[i] = 1
      }
      return { data, mapped }
    },
  }
  const texts: string[] = []
  for (let at = address; at < address + bytes.length; ) {
    const [line] = disassemble(memory, at, 1)
    if (!line || line.bytes.length === 0) break
    texts.push(line.valid ? line.text : `(bad)`)
    at += line.bytes.length
  }
  return texts.join('; ')
}

/** Writes bytes into the program's memory as a recorded edit; gdb's error when it is not mapped. */
export function writeMemory(inferior: Inferior, address: number, bytes: Uint8Array): void {
  if (!inferior.write(address, bytes)) throw new CommandError(`Cannot access memory at address 0x${address.toString(16)}`)
}

// --- return ------------------------------------------------------------------------------

/**
 * Pops frames up to and including `frame`: the caller resumes at the return address with the
 * stack pointer at the frame's CFA and the caller's rbp back, as `return` does; `value` (already
 * of the function's return type) goes where the System V ABI returns it.
 */
export function popFrame(session: DebugSession, frame: Frame, value: Value | null): void {
  const inferior = session.requireLive()
  const returnAddress = frame.returnAddressAt === null ? null : inferior.readU64(frame.returnAddressAt)
  if (returnAddress === null) throw new CommandError('Can not force return from the outermost frame.')
  const savedRbp = frame.savedRbpAt === null ? null : inferior.readU64(frame.savedRbpAt)
  if (value) storeReturnValue(inferior, value)
  inferior.setRegister('rip', returnAddress)
  inferior.setRegister('rsp', BigInt(frame.cfa))
  inferior.setRegister('rbp', savedRbp ?? BigInt(frame.rbp))
  session.invalidateFrames()
}

/** rax (integers, pointers) or xmm0 (float, double), as a function would have left it. */
function storeReturnValue(inferior: Inferior, value: Value): void {
  const type = resolve(value.type)
  const size = sizeOf(type)
  const bytes = value.contents()
  if (isFloat(type) && size <= 8) {
    const xmm = new Uint8Array(inferior.machine.cpu.r.xmm.buffer, 0, 16)
    const low = new Uint8Array(16)
    low.set(bytes)
    inferior.recorder.edit(() => xmm.set(low))
    return
  }
  if (size > 8) throw new CommandError('Returning a value larger than a register is not supported.')
  const mask = size === 8 ? (1n << 64n) - 1n : (1n << BigInt(size * 8)) - 1n
  const old = inferior.register('rax') ?? 0n
  let raw = 0n
  for (let i = size - 1; i >= 0; i--) raw = (raw << 8n) | BigInt(bytes[i]!)
  inferior.setRegister('rax', (old & ~mask) | raw)
}

// --- call --------------------------------------------------------------------------------

/** Arguments in registers, in the System V ABI's order. */
const ARGUMENT_REGISTERS = ['rdi', 'rsi', 'rdx', 'rcx', 'r8', 'r9'] as const
/** Below the stack pointer: the red zone (128 bytes) a leaf function may be using, and a margin. */
const STACK_GAP = 256

/** A call to make: where, with what, and what type its result has (null: void or unknown). */
export interface FunctionCall {
  name: string
  address: number
  arguments: readonly (bigint | Uint8Array)[]
  returns: DwarfType | null
}

/**
 * Calls a function of the program as gdb does: arguments in rdi, rsi, rdx, rcx, r8, r9 (strings
 * copied onto the stack), a return address the debugger watches for (the program's entry
 * point, with the stack pointer just above it), the program run until the function returns
 * there; then the registers are put back as they were. If something else stops the program
 * first, that stop is reported and the registers are put back too (the context before the
 * call is restored, as gdb's `unwindonsignal` does). Returns the result, or null.
 */
export async function callFunction(session: DebugSession, call: FunctionCall, out: OutputBuilder): Promise<Value | null> {
  const inferior = session.requireLive()
  reviveBeforeSignal(session, inferior)
  const cpu = inferior.machine.cpu
  const saved = savedRegisters(inferior)
  const savedVectors = new Uint8Array(cpu.r.xmm.buffer.slice(0))

  let sp = Number(saved.get('rsp')!) - STACK_GAP
  const registerArguments: bigint[] = []
  for (const argument of call.arguments) {
    if (typeof argument === 'bigint') {
      registerArguments.push(argument)
      continue
    }
    sp -= argument.length
    writeMemory(inferior, sp, argument)
    registerArguments.push(BigInt(sp))
  }
  sp -= sp % 16
  const returnAddress = inferior.machine.process.entry
  const returnSlot = new Uint8Array(8)
  new DataView(returnSlot.buffer).setBigUint64(0, BigInt(returnAddress), true)
  sp -= 8
  writeMemory(inferior, sp, returnSlot)
  registerArguments.forEach((value, i) => inferior.setRegister(ARGUMENT_REGISTERS[i]!, value))
  // No vector registers carry arguments (what al says to a variadic function such as printf).
  inferior.setRegister('rax', 0n)
  inferior.setRegister('rsp', BigInt(sp))
  inferior.setRegister('rip', BigInt(call.address))
  session.invalidateFrames()

  const returned = sp + 8
  const stop = await resume(session, { stops: [{ address: returnAddress, accept: (at) => at.registerNumber('rsp') === returned }] })
  if (stop.kind === 'arrived') {
    const result = call.returns === null ? null : returnedValue(inferior, call.returns)
    restoreRegisters(session, inferior, saved, savedVectors)
    return result
  }
  abandonCall(session, inferior, stop, call.name, saved, savedVectors, out)
  return null
}

/** The stop that ended a call early, and gdb's explanation; the context before the call comes back when the program is still there. */
function abandonCall(
  session: DebugSession,
  inferior: Inferior,
  stop: StopReason,
  name: string,
  saved: Map<string, bigint>,
  savedVectors: Uint8Array,
  out: OutputBuilder,
): void {
  reportStop(session, stop, out, 'frame-and-source')
  const gone = stop.kind === 'exited' || stop.kind === 'terminated'
  if (gone) out.line('The program being debugged exited while in a function called from GDB.')
  else {
    out.line(
      stop.kind === 'signal' ? 'The program being debugged was signaled while in a function called from GDB.' : 'The program being debugged stopped while in a function called from GDB.',
    )
    out.line('GDB has restored the context to what it was before the call.')
    reviveBeforeSignal(session, inferior)
    restoreRegisters(session, inferior, saved, savedVectors)
  }
  out.line('Evaluation of the expression containing the function')
  out.line(`(${name}) will be abandoned.`)
}

function savedRegisters(inferior: Inferior): Map<string, bigint> {
  const saved = new Map<string, bigint>()
  for (const name of [...GENERAL_REGISTERS, 'rip', 'eflags']) saved.set(name, inferior.register(name) ?? 0n)
  return saved
}

function restoreRegisters(session: DebugSession, inferior: Inferior, saved: Map<string, bigint>, vectors: Uint8Array): void {
  for (const [name, value] of saved) inferior.setRegister(name, value)
  const xmm = new Uint8Array(inferior.machine.cpu.r.xmm.buffer)
  const copy = vectors.slice()
  inferior.recorder.edit(() => xmm.set(copy))
  session.invalidateFrames()
}

/** One argument of `call`: a string literal (copied into the program), or a value passed as an integer or address. */
export function callArgument(session: DebugSession, text: string, parameter: DwarfType | undefined): bigint | Uint8Array {
  return session.withExpressions(({ env }) => {
    const expr = parseExpression(text, env)
    if (expr.kind === 'string') return expr.bytes[expr.bytes.length - 1] === 0 ? expr.bytes : Uint8Array.of(...expr.bytes, 0)
    let value = decay(session.evaluate(text))
    if (parameter) value = cast(value, parameter)
    if (isFloat(value.type)) throw new CommandError('Floating-point arguments are not supported by "call" (only integers and pointers).')
    if (sizeOf(value.type) > 8) throw new CommandError(`Argument "${text}" is larger than a register: pass its address.`)
    return asAddress(value)
  })
}

/** "$N = value", recorded in the value history as print records it. */
export function printCallResult(session: DebugSession, value: Value, out: OutputBuilder): void {
  session.withExpressions((context) => {
    const text = formatValue(value, context)
    out.line(`$${context.session.history.record(value)} = ${text}`)
  })
}
