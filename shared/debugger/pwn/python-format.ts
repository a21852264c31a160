// Python's spellings of values, because pwntools and pwndbg print through Python and learners
// compare what they see here with what they see there.

/** Python's `repr(bytes)`: b'...' (b"..." when only that avoids escaping a quote). */
export function pythonBytesRepr(bytes: Uint8Array): string {
  const hasSingle = bytes.includes(0x27)
  const quote = hasSingle && !bytes.includes(0x22) ? '"' : "'"
  let text = ''
  for (const byte of bytes) {
    if (byte === 0x5c) text += '\\\\'
    else if (byte === quote.charCodeAt(0)) text += `\\${quote}`
    else if (byte === 0x09) text += '\\t'
    else if (byte === 0x0a) text += '\\n'
    else if (byte === 0x0d) text += '\\r'
    else if (byte < 0x20 || byte >= 0x7f) text += `\\x${byte.toString(16).padStart(2, '0')}`
    else text += String.fromCharCode(byte)
  }
  return `b${quote}${text}${quote}`
}

/** Python's `repr(str)`, as pwntools prints a file's path. */
export function pythonStringRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'"
  let escaped = ''
  for (const c of text) {
    const code = c.codePointAt(0)!
    if (c === '\\') escaped += '\\\\'
    else if (c === quote) escaped += `\\${quote}`
    else if (c === '\n') escaped += '\\n'
    else if (c === '\r') escaped += '\\r'
    else if (c === '\t') escaped += '\\t'
    else if (code < 0x20 || (code >= 0x7f && code < 0xa0)) escaped += `\\x${code.toString(16).padStart(2, '0')}`
    else escaped += c
  }
  return quote + escaped + quote
}

/** Python's `'%#x' % n`: a sign before the 0x, as in -0x10. */
export function pythonHex(value: bigint | number): string {
  const n = BigInt(value)
  return n < 0n ? `-0x${(-n).toString(16)}` : `0x${n.toString(16)}`
}

/** Python's `//`: division rounded towards negative infinity. */
export function floorDivide(dividend: bigint, divisor: bigint): bigint {
  const quotient = dividend / divisor
  return (dividend % divisor !== 0n && (dividend < 0n) !== (divisor < 0n)) ? quotient - 1n : quotient
}

/** Python's `%` on integers: the remainder takes the divisor's sign. */
export function floorModulo(dividend: bigint, divisor: bigint): bigint {
  const remainder = dividend % divisor
  return remainder !== 0n && (remainder < 0n) !== (divisor < 0n) ? remainder + divisor : remainder
}
