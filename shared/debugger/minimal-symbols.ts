// The symbol gdb names for an address (`<main+38>`, `info symbol`): gdb's "minimal symbol"
// rule, which differs from "the last symbol before the address" in two ways a learner meets
// at once: only symbols of the section holding the address count (a .plt stub after `_init`
// has no name), and a sized symbol is preferred to unsized labels after it unless the address
// lies past its end. Addresses are link-time.

import { STT_FUNC, STT_GNU_IFUNC, STT_NOTYPE, STT_OBJECT, type ElfSymbol, type SectionHeader } from '../machine/elf'
import type { Program } from './program'

const SHF_ALLOC = 2
const SHF_EXECINSTR = 4
const NAMED_TYPES = new Set([STT_FUNC, STT_OBJECT, STT_NOTYPE, STT_GNU_IFUNC])

export interface MinimalSymbol {
  readonly name: string
  readonly offset: number
  /** The symbol's extent: its size, or for an unsized one up to the next symbol of its section. */
  readonly start: number
  readonly end: number
  /** The ELF section holding the address (`.text`, `.data`). */
  readonly section: string
}

interface SectionSymbols {
  readonly section: SectionHeader
  /** By address, and at one address by name (byte order), as gdb sorts its minimal symbols. */
  readonly symbols: ElfSymbol[]
}

const indexes = new WeakMap<Program, SectionSymbols[]>()

const byteOrder = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

function sectionIndex(program: Program): SectionSymbols[] {
  let index = indexes.get(program)
  if (index) return index
  const bySection = new Map<number, ElfSymbol[]>()
  for (const symbol of program.elf.symbols) {
    if (symbol.name === '' || !NAMED_TYPES.has(symbol.type) || symbol.sectionIndex === 0 || symbol.sectionIndex >= 0xff00) continue
    const list = bySection.get(symbol.sectionIndex) ?? []
    list.push(symbol)
    bySection.set(symbol.sectionIndex, list)
  }
  index = program.elf.sections
    .filter((section) => (section.flags & SHF_ALLOC) !== 0 && section.size > 0)
    .map((section) => ({
      section,
      symbols: (bySection.get(section.index) ?? []).sort((a, b) => a.value - b.value || byteOrder(a.name, b.name)),
    }))
  indexes.set(program, index)
  return index
}

/** gdb's symbol for a link-time address, or null (no section, or no symbol gdb would use). */
export function minimalSymbolAt(program: Program, address: number): MinimalSymbol | null {
  const entry = sectionIndex(program).find((s) => address >= s.section.addr && address < s.section.addr + s.section.size)
  if (!entry) return null
  const symbols = entry.symbols
  let lo = 0
  let hi = symbols.length - 1
  let last = -1
  while (lo <= hi) {
    const mid = (lo + hi) >> 1
    if (symbols[mid]!.value <= address) {
      last = mid
      lo = mid + 1
    } else hi = mid - 1
  }
  // gdb starts from the last symbol at or before the address and walks back: over unsized
  // labels (remembering the first), and from a local function to a global one of the same
  // size at the same address; the first sized symbol it stays on is the answer if it covers
  // the address, else the label.
  const globalText = (symbol: ElfSymbol): boolean => symbol.bind !== 0 && (entry.section.flags & SHF_EXECINSTR) !== 0
  let label: ElfSymbol | undefined
  let chosen: ElfSymbol | undefined
  for (let i = last; i >= 0; i--) {
    const symbol = symbols[i]!
    if (symbol.size === 0) {
      label ??= symbol
      continue
    }
    const before = symbols[i - 1]
    if (before && !globalText(symbol) && globalText(before) && before.size === symbol.size && before.value === symbol.value) continue
    if (address < symbol.value + symbol.size) chosen = symbol
    break
  }
  chosen ??= label
  if (!chosen) return null
  const start = chosen.value
  const next = symbols.find((s) => s.value > start)
  const end = chosen.size > 0 ? start + chosen.size : (next?.value ?? entry.section.addr + entry.section.size)
  return { name: chosen.name, offset: address - start, section: entry.section.name, start, end }
}

/** `main+38`, `main`: gdb's text inside `<…>`; null without a symbol. */
export function symbolText(program: Program, address: number): string | null {
  const symbol = minimalSymbolAt(program, address)
  if (!symbol) return null
  return symbol.offset === 0 ? symbol.name : `${symbol.name}+${symbol.offset}`
}
