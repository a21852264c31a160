// Line editing for the terminal pane: xterm.js only reports keystrokes, so the prompt, the
// cursor, history and submission are ours. Pure logic: input in, terminal output out.

export interface EditResult {
  /** Bytes to write to the terminal (echo, redraws). */
  echo: string
  /** Lines the user submitted, in order. */
  submitted: string[]
  /** Tab was pressed: the line to complete (answer with completeWith). */
  completion?: string
  /** Ctrl-C: besides abandoning the line, a running program should pause. */
  interrupt?: boolean
  /** Ctrl-D on an empty line: the end of the input (for a program reading the terminal). */
  endOfInput?: boolean
}

/** Ctrl-R's incremental search back through the history. */
interface Search {
  query: string
  /** History index of the current match, or -1 for none. */
  match: number
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
  private search: Search | null = null

  constructor(private prompt: string) {}

  /** A program reading the terminal gets no debugger prompt; the debugger's comes back after. */
  setPrompt(prompt: string): void {
    this.prompt = prompt
  }

  /** The prompt and current line, for (re)drawing after output. */
  render(): string {
    if (this.search) {
      const found = this.search.match >= 0 ? this.history[this.search.match]! : ''
      return `\r(reverse-i-search)\`${this.search.query}': ${found}${CSI}K`
    }
    const back = this.buffer.length - this.cursor
    return `\r${this.prompt}${this.buffer}${CSI}K${back > 0 ? `${CSI}${back}D` : ''}`
  }

  /**
   * Answers a completion request with the full lines the line can become: one replaces the
   * line; several extend it to their common prefix, or are listed when there is none to add.
   */
  completeWith(candidates: readonly string[]): string {
    if (candidates.length === 0) return '\x07'
    if (candidates.length === 1) {
      this.buffer = `${candidates[0]!} `
      this.cursor = this.buffer.length
      return this.render()
    }
    let common = candidates[0]!
    for (const candidate of candidates) while (!candidate.startsWith(common)) common = common.slice(0, -1)
    if (common.length > this.buffer.length) {
      this.buffer = common
      this.cursor = common.length
      return this.render()
    }
    // gdb lists the completed words, not the whole lines.
    const lastBlank = Math.max(this.buffer.lastIndexOf(' '), -1) + 1
    const words = candidates.map((c) => c.slice(lastBlank))
    return `\r\n${words.join('  ')}\r\n${this.render()}`
  }

  handle(data: string): EditResult {
    let echo = ''
    const submitted: string[] = []
    let completion: string | undefined
    let interrupt = false
    let endOfInput = false
    let i = 0
    while (i < data.length) {
      if (this.search) {
        const step = this.searchKey(data, i)
        echo += step.echo
        i = step.next
        if (step.submit !== undefined) {
          submitted.push(step.submit)
          this.remember(step.submit)
          echo += '\r\n'
        }
        continue
      }
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
        this.remember(line)
        echo += '\r\n'
      } else if (char === '\x7f' || char === '\b') {
        if (this.cursor > 0) {
          this.buffer = this.buffer.slice(0, this.cursor - 1) + this.buffer.slice(this.cursor)
          this.cursor--
          echo += this.render()
        }
      } else if (char === '\x03') {
        // Ctrl-C abandons the line, as in a shell, and interrupts a running program, as in gdb.
        this.buffer = ''
        this.cursor = 0
        this.historyIndex = this.history.length
        interrupt = true
        echo += `^C\r\n${this.prompt}`
      } else if (char === '\x04') {
        if (this.buffer === '') endOfInput = true
      } else if (char === '\t') {
        completion = this.buffer.slice(0, this.cursor)
      } else if (char === '\x12') {
        this.search = { query: '', match: -1 }
        echo += this.render()
      } else if (char === '\x0c') {
        // Ctrl-L clears the screen and redraws the line at the top.
        echo += `${CSI}2J${CSI}H${this.render()}`
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
    return { echo, submitted, ...(completion === undefined ? {} : { completion }), ...(interrupt ? { interrupt } : {}), ...(endOfInput ? { endOfInput } : {}) }
  }

  private remember(line: string): void {
    if (line.trim() !== '' && this.history[this.history.length - 1] !== line) this.history.push(line)
    this.historyIndex = this.history.length
    this.buffer = ''
    this.cursor = 0
  }

  /** The latest history entry at or before `from` containing the query, or -1. */
  private findBack(query: string, from: number): number {
    for (let index = Math.min(from, this.history.length - 1); index >= 0; index--) if (this.history[index]!.includes(query)) return index
    return -1
  }

  /** One key in search mode: type to refine, Ctrl-R for an older match, Enter to run it, anything else to edit it. */
  private searchKey(data: string, at: number): { echo: string; next: number; submit?: string } {
    const search = this.search!
    const char = data[at]!
    if (char === '\x12') {
      const older = this.findBack(search.query, search.match - 1)
      if (older >= 0) search.match = older
      return { echo: this.render(), next: at + 1 }
    }
    if (char === '\x7f' || char === '\b') {
      search.query = search.query.slice(0, -1)
      search.match = this.findBack(search.query, this.history.length - 1)
      return { echo: this.render(), next: at + 1 }
    }
    if (char === '\x07' || char === '\x03') {
      this.search = null
      return { echo: this.render(), next: at + 1 }
    }
    const found = search.match >= 0 ? this.history[search.match]! : ''
    if (char === '\r' || char === '\n') {
      this.search = null
      if (char === '\r' && data[at + 1] === '\n') at++
      this.buffer = found
      return { echo: this.render(), next: at + 1, submit: found }
    }
    if (char >= ' ' && char !== '\x7f') {
      search.query += char
      search.match = this.findBack(search.query, search.match >= 0 ? search.match : this.history.length - 1)
      return { echo: this.render(), next: at + 1 }
    }
    // Any other key (an arrow, Escape) leaves the search with the match to edit.
    this.search = null
    this.buffer = found
    this.cursor = found.length
    const escape = KEY_SEQUENCE.exec(data.slice(at))
    return { echo: this.render(), next: at + (escape ? escape[0].length : 1) }
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
