// Styled text for the heap commands: the terminal, the CLI and the UI colour the same
// segments. vis_heap_chunks adds a chunk colour index instead of a colour, so each front end
// picks its own palette.

import type { OutputStyle } from '../output'

export interface HeapSegment {
  text: string
  style: OutputStyle
  /** vis_heap_chunks: the chunk this text belongs to, counted from 0 (front ends cycle a palette). */
  chunkColour?: number
}

export class HeapTextBuilder {
  private readonly segments: HeapSegment[] = []

  write(text: string, style: OutputStyle = 'plain', chunkColour?: number): this {
    if (text === '') return this
    const last = this.segments[this.segments.length - 1]
    if (last !== undefined && last.style === style && last.chunkColour === chunkColour) last.text += text
    else this.segments.push(chunkColour === undefined ? { text, style } : { text, style, chunkColour })
    return this
  }

  line(text = '', style: OutputStyle = 'plain'): this {
    return this.write(`${text}\n`, style)
  }

  build(): HeapSegment[] {
    return this.segments
  }
}

export function segmentsText(segments: readonly HeapSegment[]): string {
  return segments.map((segment) => segment.text).join('')
}

export function hex(value: bigint | number): string {
  return `0x${value.toString(16)}`
}

/** pwndbg's pointer-chain arrows: "a —▸ b ◂— value". */
export const POINTS_TO = ' —▸ '
export const HOLDS = ' ◂— '

/** One link of a chain: an address, and the name pwndbg puts after it in parentheses. */
export interface ChainNode {
  address: bigint
  name: string | null
}

/**
 * Writes `a —▸ b —▸ c ◂— terminal`: each node points to the next, and the last one holds
 * `terminal` (0 for a NULL-terminated list, or the value where the walk had to stop).
 */
export function writeChain(out: HeapTextBuilder, nodes: readonly ChainNode[], terminal: bigint | null): void {
  nodes.forEach((node, position) => {
    if (position > 0) out.write(POINTS_TO)
    out.write(hex(node.address), 'address')
    if (node.name !== null) out.write(` (${node.name})`, 'muted')
  })
  if (terminal === null) return
  if (nodes.length > 0) out.write(HOLDS)
  out.write(terminal === 0n ? '0' : hex(terminal), 'value')
}

/** A corruption note under the line it concerns. */
export function writeProblem(out: HeapTextBuilder, message: string): void {
  out.line(`    ⚠ ${message}`, 'error')
}
