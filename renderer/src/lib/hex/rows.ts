// The hex dump's arithmetic over the whole 64-bit address space: rows of 16 bytes addressed by
// BigInt (a browser cannot scroll 2^60 rows, so the pane keeps its own window of rows), the
// go-to field's input, and the text a selection is copied as.

export const BYTES_PER_ROW = 16
const ROW_BYTES = BigInt(BYTES_PER_ROW)
/** Rows in the whole 64-bit space. */
export const TOTAL_ROWS = 1n << 60n
export const ADDRESS_LIMIT = 1n << 64n

export const rowOf = (address: bigint): bigint => address / ROW_BYTES
export const rowAddress = (row: bigint): bigint => row * ROW_BYTES

/** The first visible row, kept so that a whole screen fits below 2^64. */
export function clampTopRow(row: bigint, visibleRows: number): bigint {
  const last = TOTAL_ROWS - BigInt(Math.max(1, visibleRows))
  if (row < 0n) return 0n
  return row > last ? last : row
}

/** Where the window starts so that an address is shown a few rows below the top. */
export function topRowFor(address: bigint, visibleRows: number): bigint {
  const lead = BigInt(Math.min(2, Math.max(0, visibleRows - 1)))
  return clampTopRow(rowOf(address) - lead, visibleRows)
}

/** A row's address column: 16 hex digits, as pwndbg's hexdump and gdb's x print wide addresses. */
export function rowLabel(address: bigint): string {
  return address.toString(16).padStart(16, '0')
}

export const byteHex = (byte: number): string => byte.toString(16).padStart(2, '0')

/** The ASCII column: printable ASCII as is, everything else a dot (as xxd and hexdump -C). */
export function asciiOf(byte: number): string {
  return byte >= 0x20 && byte <= 0x7e ? String.fromCharCode(byte) : '.'
}

export type GoToInput = { kind: 'address'; address: bigint } | { kind: 'expression'; expression: string } | { kind: 'error'; message: string }

const HEX_LITERAL = /^0x[0-9a-f]+$/i

/** The go-to field: a 0x literal is taken as is; anything else is an expression for the debugger. */
export function parseGoTo(text: string): GoToInput {
  const input = text.trim()
  if (input === '') return { kind: 'error', message: 'Type an address (0x…) or an expression (&buf, $rsp, main).' }
  if (HEX_LITERAL.test(input)) {
    const address = BigInt(input)
    if (address >= ADDRESS_LIMIT) return { kind: 'error', message: `${input} is beyond the 64-bit address space.` }
    return { kind: 'address', address }
  }
  return { kind: 'expression', expression: input }
}

// `output/x` answers with a bare value, or "{type} 0x… <symbol>" for a function.
const ADDRESS_ANSWER = /^(?:\{[^}]*\}\s+)?(0x[0-9a-f]+)(?:\s+<[^>]*>)?$/i

/** The address in `output/x EXPR`'s answer, or why there is none. */
export function addressFromAnswer(expression: string, ok: boolean, text: string): GoToInput {
  const answer = text.trim()
  if (!ok) return { kind: 'error', message: answer || `The debugger could not evaluate ${expression}.` }
  const match = ADDRESS_ANSWER.exec(answer)
  if (!match) return { kind: 'error', message: `${expression} is not an address (it is ${answer.length > 40 ? `${answer.slice(0, 40)}…` : answer}); try &${expression}.` }
  const address = BigInt(match[1]!)
  // Negative values print as 64-bit two's complement already; wider ones cannot be addresses.
  if (address >= ADDRESS_LIMIT) return { kind: 'error', message: `${answer} is beyond the 64-bit address space.` }
  return { kind: 'address', address }
}

export type CopyFormat = 'hex' | 'c' | 'python'

export const COPY_FORMAT_NAMES: Record<CopyFormat, string> = { hex: 'hex', c: 'C array', python: 'Python bytes' }

/** A selection as text: "de ad be ef", a C array, or a Python bytes literal as repr() writes it. */
export function formatBytes(bytes: readonly number[], format: CopyFormat): string {
  if (format === 'hex') return bytes.map(byteHex).join(' ')
  if (format === 'c') {
    const lines: string[] = []
    for (let i = 0; i < bytes.length; i += 12) lines.push(`  ${bytes.slice(i, i + 12).map((byte) => `0x${byteHex(byte)}`).join(', ')}`)
    return `unsigned char bytes[${bytes.length}] = {\n${lines.join(',\n')}\n};`
  }
  return `b'${bytes.map(pythonByte).join('')}'`
}

function pythonByte(byte: number): string {
  if (byte === 0x5c) return '\\\\'
  if (byte === 0x27) return "\\'"
  if (byte === 0x09) return '\\t'
  if (byte === 0x0a) return '\\n'
  if (byte === 0x0d) return '\\r'
  return byte >= 0x20 && byte <= 0x7e ? String.fromCharCode(byte) : `\\x${byteHex(byte)}`
}

/** One width's reading of little-endian bytes. */
export interface Reading {
  bits: 8 | 16 | 32 | 64
  unsigned: bigint
  signed: bigint
}

/** The bytes read as u8…u64 and their signed values, for the widths the bytes cover. */
export function readings(bytes: readonly number[]): Reading[] {
  const result: Reading[] = []
  for (const bits of [8, 16, 32, 64] as const) {
    const count = bits / 8
    if (bytes.length < count) break
    let unsigned = 0n
    for (let i = count - 1; i >= 0; i--) unsigned = (unsigned << 8n) | BigInt(bytes[i]!)
    result.push({ bits, unsigned, signed: BigInt.asIntN(bits, unsigned) })
  }
  return result
}

/** Bytes as text, C-string style: up to the first NUL, other non-printables escaped. */
export function textOf(bytes: readonly number[]): string {
  const end = bytes.indexOf(0)
  const shown = end < 0 ? bytes : bytes.slice(0, end)
  return shown.map((byte) => (byte >= 0x20 && byte <= 0x7e ? String.fromCharCode(byte) : `\\x${byteHex(byte)}`)).join('')
}

/** An edited byte: one or two hex digits, with or without 0x. */
export function parseByte(text: string): number | null {
  const match = /^(?:0x)?([0-9a-f]{1,2})$/i.exec(text.trim())
  return match ? parseInt(match[1]!, 16) : null
}
