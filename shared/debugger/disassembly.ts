// Instructions as gdb prints them: GNU's AT&T or Intel text (`set disassembly-flavor`), a
// direct branch's target named (`call   0x401624 <sum>`) and a rip-relative operand's address
// in a comment (`mov    %eax,0xa2a4b(%rip)        # 0x4a40d0 <g>`), as libopcodes and gdb's
// print_address write them.

import { disassemble, type PeekableMemory } from '../machine/disasm'
import { CommandError } from './command'

export type DisassemblyFlavor = 'att' | 'intel'

const DISASSEMBLY_FLAVORS: readonly DisassemblyFlavor[] = ['att', 'intel']

export interface GdbInstruction {
  readonly address: number
  readonly bytes: Uint8Array
  /** With gdb's annotations; `(bad)` for undecodable bytes. */
  readonly text: string
  /** False for a line standing for memory that cannot be read. */
  readonly mapped: boolean
}

/** Names an address for `<…>` (gdb's `main+38`), or null. */
export type Symbolizer = (address: number) => string | null

/** `count` instructions from `address`, annotated as gdb annotates them. */
export function gdbInstructions(memory: PeekableMemory, address: number, count: number, flavor: DisassemblyFlavor, symbolize: Symbolizer): GdbInstruction[] {
  return disassemble(memory, address, count, { syntax: flavor === 'att' ? 'gnu-att' : 'gnu-intel' }).map((line) => {
    let text = line.text
    if (line.branchTarget !== undefined) {
      const name = symbolize(line.branchTarget)
      if (name !== null) text += ` <${name}>`
    }
    if (line.ripTarget !== undefined) {
      const name = symbolize(line.ripTarget)
      text += `        # 0x${line.ripTarget.toString(16)}${name === null ? '' : ` <${name}>`}`
    }
    return { address: line.address, bytes: line.bytes, text, mapped: line.mapped }
  })
}

/** The instructions that start in [start, end). */
export function gdbInstructionsBetween(memory: PeekableMemory, start: number, end: number, flavor: DisassemblyFlavor, symbolize: Symbolizer): GdbInstruction[] {
  const found: GdbInstruction[] = []
  let at = start
  while (at < end) {
    // Each instruction is at least one byte: this many lines always reach `end`.
    const batch = gdbInstructions(memory, at, Math.min(end - at, 256), flavor, symbolize)
    for (const instruction of batch) {
      if (instruction.address >= end) return found
      found.push(instruction)
      if (!instruction.mapped) return found
    }
    const last = batch[batch.length - 1]!
    at = last.address + Math.max(last.bytes.length, 1)
  }
  return found
}

/** `set disassembly-flavor WORD`: gdb takes any unambiguous prefix of att or intel. */
export function parseDisassemblyFlavor(text: string): DisassemblyFlavor {
  const words = text.trim().split(/\s+/).filter((word) => word !== '')
  if (words.length === 0) throw new CommandError(`Requires an argument. Valid arguments are ${DISASSEMBLY_FLAVORS.join(', ')}.`)
  const [word] = words as [string]
  const matches = DISASSEMBLY_FLAVORS.filter((flavor) => flavor.startsWith(word))
  if (matches.length !== 1) throw new CommandError(matches.length === 0 ? `Undefined item: "${word}".` : `Ambiguous item "${word}".`)
  if (words.length > 1) throw new CommandError(`Junk after item "${word}": ${words.slice(1).join(' ')}`)
  return matches[0]!
}
