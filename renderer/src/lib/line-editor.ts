// Line editing for the terminal pane: xterm.js only reports keystrokes, so the prompt, the
// cursor, history and submission are ours. Pure logic: input in, terminal output out.

export interface EditResult {
  /** Bytes to write to the terminal (echo, redraws). */
  echo: string
  /** Lines the user submitted, in order. */
  submitted: string[]
}

const ESC = '\x1b'
const CSI = `${ESC}[`
/** A cursor or function key: ESC [ params letter-or-tilde, or ESC O letter. */
const KEY_SEQUENCE = new RegExp(`^${ESC}(?:\\[[0-9;]*[A-Za-z~]|O[A-Za-z])`)

export class LineEditor {
  private buffer = ''
  private cursor = 0
  private readonly history: string[] = []
  /** Index into history while browsing with the arrows; history.length means the fresh line. */
  private historyIndex = 0
  private draft = ''

  constructor(readonly prompt: string) {}

  /** The prompt and current line, for (re)drawing after output. */
  render(): string {
    const back = this.buffer.length - this.cursor
    return `\r${this.prompt}${this.buffer}${CSI}K${back > 0 ? `${CSI}${back}D` : ''}`
  }

  handle(data: string): EditResult {
    let echo = ''
    const submitted: string[] = []
    let i = 0
    while (i < data.length) {
      const escape = KEY_SEQUENCE.exec(data.slice(i))
      if (escape) {
        echo += this.key(escape[0])
        i += escape[0].length
        continue
      }
      const char = data[i++]!
      if (char === '\r' || char === '\n') {
        // A pasted "\r\n" is one line end.
        if (char === '\r' && data[i] === '\n') i++
        const line = this.buffer
        submitted.push(line)
        if (line.trim() !== '' && this.history[this.history.length - 1] !== line) this.history.push(line)
        this.historyIndex = this.history.length
        this.buffer = ''
        this.cursor = 0
        echo += '\r\n'
      } else if (char === '\x7f' || char === '\b') {
        if (this.cursor > 0) {
          this.buffer = this.buffer.slice(0, this.cursor - 1) + this.buffer.slice(this.cursor)
          this.cursor--
          echo += this.render()
        }
      } else if (char === '\x03') {
        // Ctrl-C abandons the line, as in a shell.
        this.buffer = ''
        this.cursor = 0
        this.historyIndex = this.history.length
        echo += `^C\r\n${this.prompt}`
      } else if (char === '\x15') {
        this.buffer = this.buffer.slice(this.cursor)
        this.cursor = 0
        echo += this.render()
      } else if (char === '\x01') {
        this.cursor = 0
        echo += this.render()
      } else if (char === '\x05') {
        this.cursor = this.buffer.length
        echo += this.render()
      } else if (char >= ' ' && char !== '\x7f') {
        this.buffer = this.buffer.slice(0, this.cursor) + char + this.buffer.slice(this.cursor)
        this.cursor++
        echo += this.cursor === this.buffer.length ? char : this.render()
      }
    }
    return { echo, submitted }
  }

  private key(sequence: string): string {
    switch (sequence.at(-1)) {
      case 'A':
        return this.browseHistory(-1)
      case 'B':
        return this.browseHistory(1)
      case 'C':
        if (this.cursor < this.buffer.length) this.cursor++
        return this.render()
      case 'D':
        if (this.cursor > 0) this.cursor--
        return this.render()
      case 'H':
        this.cursor = 0
        return this.render()
      case 'F':
        this.cursor = this.buffer.length
        return this.render()
      case '~':
        // ESC [ 3 ~ is Delete.
        if (sequence === `${CSI}3~` && this.cursor < this.buffer.length) {
          this.buffer = this.buffer.slice(0, this.cursor) + this.buffer.slice(this.cursor + 1)
          return this.render()
        }
        return ''
      default:
        return ''
    }
  }

  private browseHistory(direction: -1 | 1): string {
    const next = this.historyIndex + direction
    if (next < 0 || next > this.history.length) return ''
    if (this.historyIndex === this.history.length) this.draft = this.buffer
    this.historyIndex = next
    this.buffer = next === this.history.length ? this.draft : this.history[next]!
    this.cursor = this.buffer.length
    return this.render()
  }
}
