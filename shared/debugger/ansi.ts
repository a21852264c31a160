// Renders structured output as ANSI text for terminals (xterm.js in the app, a TTY in the CLI).

import type { CommandOutput, OutputStyle } from './output'

const SGR: Record<OutputStyle, string> = {
  plain: '',
  heading: '\x1b[1m',
  command: '\x1b[36m',
  address: '\x1b[34m',
  value: '\x1b[33m',
  muted: '\x1b[90m',
  error: '\x1b[31m',
  // pwndbg's memory colours: yellow stack, blue heap, red code, purple data, underlined writable code.
  stack: '\x1b[33m',
  heap: '\x1b[34m',
  code: '\x1b[31m',
  data: '\x1b[35m',
  rwx: '\x1b[4;31m',
}
const RESET = '\x1b[0m'

export interface AnsiOptions {
  /** xterm.js needs '\r\n' (it does no newline translation); a TTY or file takes '\n'. */
  newline: '\n' | '\r\n'
  colour: boolean
}

export function toAnsi(output: CommandOutput, options: AnsiOptions): string {
  let text = ''
  for (const segment of output.segments) {
    const body = options.newline === '\n' ? segment.text : segment.text.replace(/\r?\n/g, '\r\n')
    const code = options.colour ? SGR[segment.style] : ''
    text += code === '' ? body : code + body + RESET
  }
  return text
}
