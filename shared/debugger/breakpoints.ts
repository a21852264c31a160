// Breakpoints and watchpoints as gdb numbers and lists them. Code breakpoints hold link-time
// addresses (a static PIE moves at every run) and become CPU breakpoints, checked once per
// block; watchpoints name bytes of memory and are checked by watching their pages.

export type WatchKind = 'watch' | 'rwatch' | 'awatch'

interface CommonFields {
  readonly number: number
  enabled: boolean
  /** `tbreak`: deleted when hit. */
  readonly temporary: boolean
  /** A C expression; the stop happens only when it is non-zero. */
  condition: string | null
  /** Hits still to pass over silently (`ignore`). */
  ignoreCount: number
  hits: number
}

export interface CodeBreakpoint extends CommonFields {
  readonly kind: 'breakpoint'
  /** Link-time addresses (one per place the location resolved to). */
  readonly addresses: readonly number[]
  /** What `info breakpoints` shows after the address: "in add at t.c:4". */
  readonly description: string
}

export interface Watchpoint extends CommonFields {
  readonly kind: WatchKind
  readonly expression: string
  /** Runtime address and length of the watched bytes. */
  readonly address: number
  readonly length: number
  /** The value's bytes when last checked (for `watch`'s Old value / New value). */
  value: Uint8Array
  /**
   * For an expression over a frame's variables: that frame (its CFA) and where it returns to.
   * The watchpoint is deleted when the frame returns, as gdb deletes it. Null for globals.
   */
  readonly scope: { cfa: number; returnAddress: number } | null
}

export type Breakpoint = CodeBreakpoint | Watchpoint

export class BreakpointTable {
  private readonly list: Breakpoint[] = []
  private next = 1

  all(): readonly Breakpoint[] {
    return this.list
  }

  get(number: number): Breakpoint | undefined {
    return this.list.find((b) => b.number === number)
  }

  addCode(addresses: readonly number[], description: string, temporary: boolean, condition: string | null): CodeBreakpoint {
    const breakpoint: CodeBreakpoint = {
      kind: 'breakpoint', number: this.next++, enabled: true, temporary, condition, ignoreCount: 0, hits: 0, addresses, description,
    }
    this.list.push(breakpoint)
    return breakpoint
  }

  addWatch(kind: WatchKind, expression: string, address: number, value: Uint8Array, condition: string | null, scope: Watchpoint['scope']): Watchpoint {
    const watchpoint: Watchpoint = {
      kind, number: this.next++, enabled: true, temporary: false, condition, ignoreCount: 0, hits: 0, expression, address, length: value.length, value, scope,
    }
    this.list.push(watchpoint)
    return watchpoint
  }

  delete(number: number): boolean {
    const index = this.list.findIndex((b) => b.number === number)
    if (index < 0) return false
    this.list.splice(index, 1)
    return true
  }

  deleteAll(): void {
    this.list.length = 0
  }

  /** Enabled code breakpoints at a link-time address. */
  codeAt(linkAddress: number): CodeBreakpoint[] {
    return this.list.filter((b): b is CodeBreakpoint => b.kind === 'breakpoint' && b.enabled && b.addresses.includes(linkAddress))
  }

  /** Link-time addresses the CPU must stop at. */
  activeCodeAddresses(): Set<number> {
    const addresses = new Set<number>()
    for (const b of this.list) if (b.kind === 'breakpoint' && b.enabled) for (const a of b.addresses) addresses.add(a)
    return addresses
  }

  activeWatchpoints(): Watchpoint[] {
    return this.list.filter((b): b is Watchpoint => b.kind !== 'breakpoint' && b.enabled)
  }
}

/** Parses gdb's breakpoint number lists: "1 3-5 7"; throws with gdb's wording. */
export function parseBreakpointNumbers(text: string): number[] {
  const numbers: number[] = []
  for (const word of text.trim().split(/\s+/)) {
    const range = /^(\d+)-(\d+)$/.exec(word)
    if (range) {
      const from = Number(range[1])
      const to = Number(range[2])
      if (to < from) throw new RangeError('inverted range')
      for (let n = from; n <= to; n++) numbers.push(n)
    } else if (/^\d+$/.test(word)) numbers.push(Number(word))
    else if (/^-/.test(word)) throw new RangeError(`negative value: ${word}`)
    else throw new RangeError(`Convenience variable must have integer value.\nArgs must be numbers or '$' variables.`)
  }
  return numbers
}
