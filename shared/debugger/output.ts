// Structured command output: what a command prints, as styled segments, so the terminal can
// colour it (ANSI), the CLI can print it (ANSI or plain) and tests can read it as text.

/**
 * The few styles a command may use; front ends map them to colours. The last five are pwndbg's
 * colours for memory by kind: the stack, the heap, code, writable data, and writable code.
 */
export type OutputStyle = 'plain' | 'heading' | 'command' | 'address' | 'value' | 'muted' | 'error' | 'stack' | 'heap' | 'code' | 'data' | 'rwx'

export const OUTPUT_STYLES: readonly OutputStyle[] = ['plain', 'heading', 'command', 'address', 'value', 'muted', 'error', 'stack', 'heap', 'code', 'data', 'rwx']

export interface Segment {
  text: string
  style: OutputStyle
}

export interface CommandOutput {
  /** False when the command failed (unknown command, bad argument): scripts stop there, as in gdb. */
  ok: boolean
  segments: Segment[]
}

/** Collects segments while a command runs; adjacent segments of one style are merged. */
export class OutputBuilder {
  private readonly segments: Segment[] = []

  write(text: string, style: OutputStyle = 'plain'): this {
    if (text === '') return this
    const last = this.segments[this.segments.length - 1]
    if (last && last.style === style) last.text += text
    else this.segments.push({ text, style })
    return this
  }

  /** Writes text and a newline, both in the given style. */
  line(text = '', style: OutputStyle = 'plain'): this {
    return this.write(`${text}\n`, style)
  }

  /** Takes what was written so far (printed ahead of the rest, before the program runs). */
  takeWritten(): Segment[] {
    return this.segments.splice(0)
  }

  build(ok: boolean): CommandOutput {
    return { ok, segments: this.segments.map((segment) => ({ ...segment })) }
  }
}

/** The output as plain text, styles dropped. */
export function outputText(output: CommandOutput): string {
  return output.segments.map((segment) => segment.text).join('')
}
