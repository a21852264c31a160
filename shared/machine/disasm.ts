// Disassembly of guest memory for the views and the debugger: Intel syntax from iced-x86's
// formatter. Reads with peek (any mapped page, whatever its protection) and never throws:
// unmapped bytes and undecodable bytes come back as lines that say so.

import { Code, Decoder, DecoderError, DecoderOptions, Formatter, FormatterSyntax, Instruction } from 'iced-x86'
import { PAGE_MASK, PAGE_SIZE, type MemoryView } from './memory'

export interface DisassembledLine {
  address: number
  /** The instruction's bytes (empty for an unmapped range). */
  bytes: Uint8Array
  /** Intel syntax, `(bad)` for bytes that are no instruction, `(unmapped)` for no memory. */
  text: string
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

/** Disassembles `count` lines starting at `address`. */
export function disassemble(memory: MemoryView, address: number, count: number): DisassembledLine[] {
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
          lines.push({
            address: at + consumed,
            bytes: bytes.slice(consumed, consumed + length),
            text: intelFormatter().format(instruction),
            mapped: true,
            valid: true,
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
