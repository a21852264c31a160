// Disassembly of guest memory for the views and the debugger: Intel syntax from iced-x86's
// formatter, or GNU's AT&T or Intel text (what objdump and gdb print). Reads with peek (any
// mapped page, whatever its protection) and never throws: unmapped bytes and undecodable bytes
// come back as lines that say so.

import { Code, Decoder, DecoderError, DecoderOptions, Formatter, FormatterSyntax, Instruction } from 'iced-x86'
import { capstoneFormatter } from './disasm-capstone'
import { gnuInstructionText } from './disasm-gnu'
import { PAGE_MASK, PAGE_SIZE, type MemoryView } from './memory'

/**
 * 'intel': iced's own Intel text (`sub rsp,10h`); 'gnu-att' and 'gnu-intel': objdump's and gdb's
 * (`sub    $0x10,%rsp`); 'capstone-intel': capstone's, which pwndbg shows (`sub rsp, 0x10`).
 */
export type DisassemblySyntax = 'intel' | 'gnu-att' | 'gnu-intel' | 'capstone-intel'

/** What disassembly reads: guest memory, or anything else that can be peeked the same way. */
export type PeekableMemory = Pick<MemoryView, 'peek'>

export interface DisassembleOptions {
  syntax?: DisassemblySyntax
}

export interface DisassembledLine {
  address: number
  /** The instruction's bytes (empty for an unmapped range). */
  bytes: Uint8Array
  /** In the requested syntax, `(bad)` for bytes that are no instruction, `(unmapped)` for no memory. */
  text: string
  /** Where a direct jump, call or loop goes. */
  branchTarget?: number
  /** The address a rip-relative memory operand refers to. */
  ripTarget?: number
  mapped: boolean
  /** False for `(bad)` and `(unmapped)` lines. */
  valid: boolean
}

const MAX_INSTRUCTION_BYTES = 15

let formatter: Formatter | null = null
const instruction = new Instruction()

function intelFormatter(): Formatter {
  if (formatter === null) formatter = new Formatter(FormatterSyntax.Intel)
  return formatter
}

function instructionText(instruction: Instruction, bytes: Uint8Array, syntax: DisassemblySyntax): string {
  if (syntax === 'intel') return intelFormatter().format(instruction)
  if (syntax === 'capstone-intel') return capstoneFormatter().format(instruction)
  return gnuInstructionText(instruction, bytes, syntax === 'gnu-att' ? 'att' : 'intel')
}

/** The addresses an instruction names, for symbolic annotations. */
function targets(instruction: Instruction): Pick<DisassembledLine, 'branchTarget' | 'ripTarget'> {
  const found: Pick<DisassembledLine, 'branchTarget' | 'ripTarget'> = {}
  if (instruction.isIpRelMemoryOperand) found.ripTarget = Number(instruction.ipRelMemoryAddress)
  const branch = instruction.nearBranchTarget
  if (branch !== 0n) found.branchTarget = Number(branch)
  return found
}

/** Disassembles `count` lines starting at `address`. */
export function disassemble(memory: PeekableMemory, address: number, count: number, options: DisassembleOptions = {}): DisassembledLine[] {
  const syntax = options.syntax ?? 'intel'
  const lines: DisassembledLine[] = []
  let at = address
  while (lines.length < count) {
    const window = Math.min((count - lines.length) * MAX_INSTRUCTION_BYTES, 4096)
    const { data, mapped } = memory.peek(at, window)
    if (!mapped[0]) {
      // One line for the unmapped run, up to the next page boundary.
      lines.push({ address: at, bytes: new Uint8Array(0), text: '(unmapped)', mapped: false, valid: false })
      at = at - (at & PAGE_MASK) + PAGE_SIZE
      continue
    }
    let usable = 0
    while (usable < window && mapped[usable]) usable++
    const bytes = data.subarray(0, usable)
    const decoder = new Decoder(64, bytes, DecoderOptions.None)
    let consumed = 0
    try {
      decoder.ip = BigInt(at)
      while (lines.length < count && consumed < usable) {
        decoder.position = consumed
        decoder.ip = BigInt(at + consumed)
        decoder.decodeOut(instruction)
        if (instruction.code !== Code.INVALID) {
          const length = instruction.length
          const instructionBytes = bytes.slice(consumed, consumed + length)
          lines.push({
            address: at + consumed,
            bytes: instructionBytes,
            text: instructionText(instruction, instructionBytes, syntax),
            mapped: true,
            valid: true,
            ...targets(instruction),
          })
          consumed += length
        } else if (decoder.lastError !== DecoderError.NoMoreBytes) {
          lines.push({ address: at + consumed, bytes: bytes.slice(consumed, consumed + 1), text: '(bad)', mapped: true, valid: false })
          consumed += 1
        } else if (usable < window) {
          // The instruction runs into an unmapped page: its mapped bytes are all we can show.
          lines.push({ address: at + consumed, bytes: bytes.slice(consumed), text: '(bad)', mapped: true, valid: false })
          consumed = usable
        } else {
          break // cut by the window: peek again from here
        }
      }
    } finally {
      decoder.free()
    }
    at += consumed
  }
  return lines
}
