const GDB_INTEGER = /^([-+]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)$/

/**
 * An integer literal as gdb reads one in a C program: 0x hex, a leading 0 for octal, else
 * decimal, with an optional sign. Anything else (an expression, a register) is undefined: the
 * caller evaluates those with the debugger's expression evaluator.
 */
export function parseGdbInteger(text: string): bigint | undefined {
  const match = GDB_INTEGER.exec(text.trim())
  if (match === null) return undefined
  const digits = match[2]!
  const magnitude = /^0[0-7]+$/.test(digits) ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits)
  return match[1] === '-' ? -magnitude : magnitude
}
