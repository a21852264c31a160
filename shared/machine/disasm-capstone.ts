// The Intel text capstone gives (`mov dword ptr [rbp - 4], edi`), which pwndbg shows in nearpc,
// context and its pointer chains: lower case, spaced operators and separators, sizes on every
// memory operand, numbers below 10 in decimal and the rest in 0x… hex.

import { Formatter, FormatterSyntax, MemorySizeOptions } from 'iced-x86'

let formatter: Formatter | null = null

export function capstoneFormatter(): Formatter {
  if (formatter !== null) return formatter
  formatter = new Formatter(FormatterSyntax.Intel)
  formatter.hexPrefix = '0x'
  formatter.hexSuffix = ''
  formatter.uppercaseHex = false
  formatter.smallHexNumbersInDecimal = true
  formatter.leadingZeros = false
  formatter.branchLeadingZeros = false
  formatter.displacementLeadingZeros = false
  formatter.spaceAfterOperandSeparator = true
  formatter.spaceBetweenMemoryAddOperators = true
  formatter.memorySizeOptions = MemorySizeOptions.Always
  formatter.ripRelativeAddresses = true
  formatter.showBranchSize = false
  return formatter
}
