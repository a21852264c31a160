// What the looking commands (disassemble, list, info symbol, telescope...) read: the running
// program's memory at runtime addresses, or, before `run` and after the program exits, the
// executable file's sections at link-time addresses, as gdb reads the exec file then. Symbols
// follow gdb's minimal-symbol rule (minimal-symbols.ts).

import { disassemble, type DisassembledLine, type DisassemblySyntax, type PeekableMemory } from '../machine/disasm'
import { FileMemory } from './file-memory'
import type { Inferior } from './inferior'
import { minimalSymbolAt, symbolText, type MinimalSymbol } from './minimal-symbols'
import type { Program } from './program'
import type { DebugSession } from './session'

export interface LookingTarget {
  readonly program: Program
  /** The live inferior (alive or stopped at a fatal signal); null when reading the file. */
  readonly inferior: Inferior | null
  readonly memory: PeekableMemory & { read(address: number, length: number): Uint8Array | null }
  /** Link-time address of a runtime address (the same number without a live PIE). */
  link(address: number): number
  runtime(link: number): number
  /** gdb's `main+38` for an address, or null. */
  symbol(address: number): string | null
  minimalSymbol(address: number): MinimalSymbol | null
}

export function lookingTarget(session: DebugSession): LookingTarget {
  const program = session.requireProgram()
  const inferior = session.inferior && session.inferior.phase !== 'gone' ? session.inferior : null
  if (inferior) {
    const memory = inferior.machine.memory
    return {
      program,
      inferior,
      memory: { peek: (address, length) => memory.peek(address, length), read: (address, length) => inferior.read(address, length) },
      link: (address) => inferior.linkAddress(address),
      runtime: (link) => inferior.runtimeAddress(link),
      symbol: (address) => symbolText(program, inferior.linkAddress(address)),
      minimalSymbol: (address) => minimalSymbolAt(program, inferior.linkAddress(address)),
    }
  }
  const memory = new FileMemory(program)
  return {
    program,
    inferior: null,
    memory,
    link: (address) => address,
    runtime: (link) => link,
    symbol: (address) => symbolText(program, address),
    minimalSymbol: (address) => minimalSymbolAt(program, address),
  }
}

export interface FunctionBounds {
  readonly name: string
  /** Runtime addresses: [low, high). */
  readonly low: number
  readonly high: number
}

/** The function holding an address, as gdb's find_pc_partial_function finds it (debug info first, then the symbol). */
export function functionAround(target: LookingTarget, address: number): FunctionBounds | null {
  const link = target.link(address)
  const fn = target.program.debug?.functionAt(link)
  if (fn) {
    const range = fn.ranges.find((r) => link >= r.low && link < r.high) ?? fn.ranges[0]!
    return { name: fn.name, low: target.runtime(range.low), high: target.runtime(range.high) }
  }
  const symbol = minimalSymbolAt(target.program, link)
  if (!symbol) return null
  return { name: symbol.name, low: target.runtime(symbol.start), high: target.runtime(symbol.end) }
}

/** Up to `before` instructions ending just before `pc` (decoded from its function's start, the
 *  only place x86 decodes from with certainty), then `pc` and `after` more. */
export function instructionsAround(target: LookingTarget, pc: number, before: number, after: number, syntax: DisassemblySyntax): DisassembledLine[] {
  const previous: DisassembledLine[] = []
  const fn = functionAround(target, pc)
  if (fn && before > 0 && fn.low < pc) {
    const decoded = disassemble(target.memory, fn.low, pc - fn.low, { syntax })
    const boundary = decoded.findIndex((line) => line.address >= pc)
    // Only when the function's instructions meet pc exactly do they lead up to it.
    if (boundary >= 0 && decoded[boundary]!.address === pc) previous.push(...decoded.slice(Math.max(0, boundary - before), boundary))
  }
  const following = disassemble(target.memory, pc, after + 1, { syntax })
  return [...previous, ...following].filter((line) => line.mapped)
}
