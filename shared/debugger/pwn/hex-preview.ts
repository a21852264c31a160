// The bytes about to be sent, shown as `xxd` shows them, so a learner can check a payload
// (its length, its NULs, its little-endian addresses) before the program reads it.

const BYTES_PER_LINE = 16
/** Width of the hex column of a full line: 8 groups of 4 digits and 7 spaces between them. */
const HEX_COLUMN = 39

export interface HexPreviewOptions {
  /** Show at most this many lines; a last line then tells how many bytes were left out. */
  maxLines?: number
}

/** `xxd`'s lines: `00000000: 4141 4141 4141 4141 4141 4141 4141 4141  AAAAAAAAAAAAAAAA`. */
export function hexPreview(bytes: Uint8Array, options: HexPreviewOptions = {}): string[] {
  const totalLines = Math.ceil(bytes.length / BYTES_PER_LINE)
  const shownLines = Math.min(totalLines, options.maxLines ?? Infinity)
  const lines: string[] = []
  for (let line = 0; line < shownLines; line++) {
    const offset = line * BYTES_PER_LINE
    const chunk = bytes.subarray(offset, offset + BYTES_PER_LINE)
    let hex = ''
    let text = ''
    chunk.forEach((byte, i) => {
      if (i > 0 && i % 2 === 0) hex += ' '
      hex += byte.toString(16).padStart(2, '0')
      text += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.'
    })
    lines.push(`${offset.toString(16).padStart(8, '0')}: ${hex.padEnd(HEX_COLUMN)}  ${text}`)
  }
  const hidden = bytes.length - shownLines * BYTES_PER_LINE
  if (hidden > 0) lines.push(`... ${hidden} more byte${hidden === 1 ? '' : 's'} (${bytes.length} in all)`)
  return lines
}
