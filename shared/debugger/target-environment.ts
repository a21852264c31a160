// Expressions over the stopped program: the selected frame's variables (from the debug
// information, addressed from the frame's CFA so they are right even inside a prologue), its
// registers, globals, ELF symbols and named types, and memory. Writes are recorded edits.

import type { DebugVariable, DwarfType } from '../debuginfo'
import { gdbInstructions, type DisassemblyFlavor } from './disassembly'
import { cannotAccess, type EvalEnvironment } from './expression/environment'
import { programTypes, symbolEntry, typeLookups } from './file-environment'
import { symbolText } from './minimal-symbols'
import type { Frame } from './frames'
import type { Inferior } from './inferior'
import type { Program } from './program'

/** DWARF register numbers on x86-64 (System V psABI), as gdb names them. */
const DWARF_REGISTERS = ['rax', 'rdx', 'rcx', 'rbx', 'rsi', 'rdi', 'rbp', 'rsp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'rip']

/** The address a variable lives at in `frame`, or a register, or undefined when not addressable. */
export function variablePlace(variable: DebugVariable, frame: Frame | null, inferior: Inferior): { address: bigint } | { register: string } | undefined {
  const location = variable.location
  switch (location.kind) {
    case 'static':
      return { address: BigInt(inferior.runtimeAddress(location.address)) }
    case 'frame':
      // rbp + offset once the prologue ran, which is CFA - 16 + offset at any point of the frame.
      return frame ? { address: BigInt(frame.cfa - 16 + location.rbpOffset) } : undefined
    case 'stack':
      return frame ? { address: BigInt(frame.rsp + location.rspOffset) } : undefined
    case 'register': {
      const name = DWARF_REGISTERS[location.register]
      return name === undefined ? undefined : { register: name }
    }
    default:
      return undefined
  }
}

/** The variables in scope at a frame's pc, innermost first (a return address counts as its call). */
export function frameVariables(program: Program, inferior: Inferior, frame: Frame): DebugVariable[] {
  const pc = frame.level === 0 ? frame.pc : frame.pc - 1
  return (program.debug?.variablesAt(inferior.linkAddress(pc)) ?? []).reverse()
}

export function targetEnvironment(inferior: Inferior, frame: Frame | null, flavor: DisassemblyFlavor = 'att'): EvalEnvironment {
  const program = inferior.program
  const debug = program.debug
  const types = programTypes(program)
  return {
    readMemory: (address, length) => (address > BigInt(Number.MAX_SAFE_INTEGER) ? null : inferior.read(Number(address), length)),
    writeMemory: (address, bytes) => address <= BigInt(Number.MAX_SAFE_INTEGER) && inferior.write(Number(address), bytes),
    readRegister: (name) => (frame && frame.level > 0 ? outerRegister(frame, name) : undefined) ?? inferior.register(name),
    writeRegister: (name, value) => inferior.setRegister(name, value),
    lookupVariable(name) {
      const local = frame ? frameVariables(program, inferior, frame).find((v) => v.name === name) : undefined
      const variable = local ?? debug?.global(name)
      if (!variable) return undefined
      const place = variablePlace(variable, frame, inferior)
      return place && { type: variable.type, ...place }
    },
    lookupFunction(name) {
      const fn = debug?.functionNamed(name)
      if (!fn) return undefined
      const type: DwarfType = { kind: 'function', returns: fn.returns, params: fn.params.map((p) => p.type), variadic: false, prototyped: true }
      return { address: BigInt(inferior.runtimeAddress(fn.ranges[0]!.low)), type }
    },
    lookupSymbol(name) {
      const entry = symbolEntry(program, name)
      return entry && { ...entry, address: entry.address + BigInt(inferior.loadBias) }
    },
    ...typeLookups(types),
    symbolize: (address) => symbolize(program, inferior, address),
    disassemble(address, count) {
      if (address > BigInt(Number.MAX_SAFE_INTEGER)) throw cannotAccess(address)
      return gdbInstructions(inferior.machine.memory, Number(address), count, flavor, (at) => symbolText(program, inferior.linkAddress(at))).map((line) => {
        if (!line.mapped) throw cannotAccess(BigInt(line.address))
        return { address: BigInt(line.address), length: line.bytes.length, text: line.text }
      })
    },
  }
}

/** In an outer frame, rip/rsp/rbp are the frame's own (gdb unwinds them); others are frame 0's. */
function outerRegister(frame: Frame, name: string): bigint | undefined {
  if (name === 'rip' || name === 'pc') return BigInt(frame.pc)
  if (name === 'rsp' || name === 'sp') return BigInt(frame.rsp)
  if (name === 'rbp' || name === 'fp') return BigInt(frame.rbp)
  return undefined
}

/** `main+38`, or `main` at its first byte; null outside every symbol. */
export function symbolize(program: Program, inferior: Inferior, address: bigint): string | null {
  if (address < 0n || address > BigInt(Number.MAX_SAFE_INTEGER)) return null
  const link = inferior.linkAddress(Number(address))
  // Only the program's own image has symbols (gdb does not name stack or heap addresses).
  if (!program.containsLinked(link)) return null
  const hit = program.symbols.containing(link)
  if (!hit) return null
  return hit.offset === 0 ? hit.symbol.name : `${hit.symbol.name}+${hit.offset}`
}
