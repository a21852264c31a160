// The Intel text capstone gives (`mov dword ptr [rbp - 4], edi`), which pwndbg shows in nearpc,
// context and its pointer chains: lower case, spaced operators and separators, sizes on every
// memory operand, numbers below 10 in decimal and the rest in 0x… hex.

import { FormatterSyntax, MemorySizeOptions, type Formatter } from 'iced-x86'
import { lowerHexFormatter } from './disasm-gnu'

let formatter: Formatter | null = null

export function capstoneFormatter(): Formatter {
  if (formatter !== null) return formatter
  formatter = lowerHexFormatter(FormatterSyntax.Intel)
  formatter.smallHexNumbersInDecimal = true
  formatter.spaceAfterOperandSeparator = true
  formatter.spaceBetweenMemoryAddOperators = true
  formatter.memorySizeOptions = MemorySizeOptions.Always
  return formatter
}
