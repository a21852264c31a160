// The process's standard streams. Standard input is a pipe the host fills (bytes typed by the
// user or given up front) and may close; standard output and error are pipes, or a terminal
// when the host says it shows them on one, whose bytes go to the host.

export class StdinPipe {
  private chunks: Uint8Array[] = []
  private available = 0
  closed = false
  /** Bytes taken so far: the stream offset of the next byte a read gets (for the debugger's provenance). */
  consumed = 0

  feed(bytes: Uint8Array): void {
    if (this.closed) throw new Error('standard input is closed')
    if (bytes.length === 0) return
    this.chunks.push(bytes.slice())
    this.available += bytes.length
  }

  close(): void {
    this.closed = true
  }

  get buffered(): number {
    return this.available
  }

  /** Takes up to `length` bytes; an empty result means nothing is buffered now. */
  take(length: number): Uint8Array {
    const n = Math.min(length, this.available)
    const out = new Uint8Array(n)
    let done = 0
    while (done < n) {
      const head = this.chunks[0]!
      const part = Math.min(head.length, n - done)
      out.set(head.subarray(0, part), done)
      done += part
      if (part === head.length) this.chunks.shift()
      else this.chunks[0] = head.subarray(part)
    }
    this.available -= n
    this.consumed += n
    return out
  }
}
