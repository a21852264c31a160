// The ELF symbol table as a debugger uses it: a name's address, and the symbol an address lies
// in ("main+38"), for binaries with or without debug information. Addresses here are link-time
// values; the session adds the load bias of a static PIE.

import { STT_FUNC, STT_GNU_IFUNC, STT_NOTYPE, STT_OBJECT, STT_TLS, type ElfSymbol } from '../machine/elf'

export interface SymbolHit {
  readonly symbol: ElfSymbol
  readonly offset: number
}

const ADDRESSABLE = new Set([STT_FUNC, STT_OBJECT, STT_NOTYPE, STT_GNU_IFUNC])

/** gdb prefers a global over a local, and a sized symbol over an unsized one, at one address. */
function preference(symbol: ElfSymbol): number {
  return (symbol.bind === 1 ? 2 : 0) + (symbol.size > 0 ? 1 : 0)
}

export class SymbolTable {
  /** Symbols with an address, sorted by address; at one address the preferred one first. */
  private readonly sorted: ElfSymbol[]
  private readonly byName = new Map<string, ElfSymbol>()
  private readonly tls = new Map<string, ElfSymbol>()

  constructor(symbols: readonly ElfSymbol[]) {
    const usable = symbols.filter((s) => s.name !== '' && s.sectionIndex !== 0 && s.sectionIndex < 0xff00 && ADDRESSABLE.has(s.type))
    this.sorted = usable.sort((a, b) => a.value - b.value || preference(b) - preference(a))
    for (const symbol of this.sorted) {
      const known = this.byName.get(symbol.name)
      if (known === undefined || preference(symbol) > preference(known)) this.byName.set(symbol.name, symbol)
    }
    for (const symbol of symbols) if (symbol.type === STT_TLS && symbol.name !== '') this.tls.set(symbol.name, symbol)
  }

  named(name: string): ElfSymbol | undefined {
    return this.byName.get(name)
  }

  /** A thread-local variable's symbol: its value is an offset in the TLS block. */
  threadLocal(name: string): ElfSymbol | undefined {
    return this.tls.get(name)
  }

  /**
   * The symbol `address` lies in: inside a sized symbol, or after an unsized one up to the
   * next symbol (gdb's rule for <sym+off>). Undefined before the first symbol.
   */
  containing(address: number): SymbolHit | undefined {
    let lo = 0
    let hi = this.sorted.length - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >> 1
      if (this.sorted[mid]!.value <= address) {
        found = mid
        lo = mid + 1
      } else hi = mid - 1
    }
    if (found < 0) return undefined
    const start = this.sorted[found]!.value
    while (found > 0 && this.sorted[found - 1]!.value === start) found--
    const symbol = this.sorted[found]!
    if (symbol.size > 0 && address >= symbol.value + symbol.size) {
      // Past a sized symbol: only an enclosing sized symbol can still claim the address.
      return undefined
    }
    return { symbol, offset: address - symbol.value }
  }

  functions(): ElfSymbol[] {
    return this.sorted.filter((s) => s.type === STT_FUNC || s.type === STT_GNU_IFUNC)
  }

  names(): string[] {
    return [...this.byName.keys()]
  }
}
