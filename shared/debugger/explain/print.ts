// Printing an explanation: a paragraph wrapped at word boundaries, as the terminal shows it.

import type { OutputBuilder } from '../output'
import type { DebugSession } from '../session'
import { explainCurrentCrash } from './crash'

// Narrower than an 80-column terminal and the app's terminal pane at 1280 pixels, so no line wraps twice.
const WIDTH = 72

export function wrapParagraph(text: string, width = WIDTH): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(/\s+/)) {
    if (word === '') continue
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else line = line === '' ? word : `${line} ${word}`
  }
  if (line !== '') lines.push(line)
  return lines
}

/** After the stop lines of a fatal signal: why it happened, when it can be worked out. */
export function printCrashExplanation(session: DebugSession, out: OutputBuilder): void {
  let text: string | null
  try {
    text = explainCurrentCrash(session)
  } catch (error) {
    // The stop itself must still be reported; say why there is no explanation.
    out.line(`(No explanation: ${error instanceof Error ? error.message : String(error)})`, 'muted')
    return
  }
  if (text) for (const line of wrapParagraph(text)) out.line(line)
}
