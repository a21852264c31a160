// pwndbg's pointer chains (`0x7ffe… —▸ 0x401676 (main+25) ◂— mov dword ptr [rbp - 4], eax`) and
// its telescope lines, read as behaviour from pwndbg's chain.py, enhance.py and telescope.py:
// follow a value through memory up to five times, colour each link by the memory it points
// into, and describe the last readable place as an instruction, a string or an integer.

import { disassemble } from '../machine/disasm'
import type { Inferior } from './inferior'
import { isHeapPage, isStackPage, memoryStyle, pageAt, pages, pyHex, type Page } from './memory-map'
import { symbolText } from './minimal-symbols'
import type { OutputStyle, Segment } from './output'
import type { DebugSession } from './session'

/** pwndbg's `dereference-limit`. */
const DEREFERENCE_LIMIT = 5
/** gdb's `print elements`, which pwndbg takes as its longest string. */
const STRING_LIMIT = 200
const POINTER_MASK = (1n << 64n) - 1n
/** Python's string.printable. */
const PRINTABLE = (byte: number): boolean => (byte >= 0x20 && byte < 0x7f) || (byte >= 0x09 && byte <= 0x0d)

const ARROW_RIGHT = ' —▸ '
const ARROW_LEFT = ' ◂— '

/** The selected frame's registers pwndbg names in its views ("common" registers), in its order. */
export const COMMON_REGISTERS = ['rax', 'rbx', 'rcx', 'rdx', 'rdi', 'rsi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15', 'rbp', 'rsp', 'rip', 'eflags'] as const

/** What the views read from the stopped program. */
export class ProgramView {
  readonly pages: Page[]

  constructor(
    readonly session: DebugSession,
    readonly inferior: Inferior,
  ) {
    this.pages = pages(inferior)
  }

  page(address: bigint): Page | undefined {
    return pageAt(this.pages, address)
  }

  readPointer(address: bigint): bigint | null {
    if (address < 0n || address > BigInt(Number.MAX_SAFE_INTEGER)) return null
    return this.inferior.readU64(Number(address))
  }

  readable(address: bigint): boolean {
    return address >= 0n && address <= BigInt(Number.MAX_SAFE_INTEGER) && this.inferior.read(Number(address), 1) !== null
  }

  /** `main+25` (gdb's symbol) for an address in the program, or null. */
  symbol(address: bigint): string | null {
    if (address < 0n || address > BigInt(Number.MAX_SAFE_INTEGER)) return null
    return symbolText(this.inferior.program, this.inferior.linkAddress(Number(address)))
  }

  /** The instruction at an address as capstone writes it (`mov dword ptr [rbp - 4], eax`), or null. */
  instruction(address: bigint): string | null {
    const [line] = disassemble(this.inferior.machine.memory, Number(address), 1, { syntax: 'capstone-intel' })
    return line && line.valid ? line.text.split(/\s+/).join(' ') : null
  }

  /** A register of the selected frame (rip, rsp and rbp unwound for an outer frame). */
  register(name: string): bigint | undefined {
    return this.session.environment().readRegister(name)
  }

  /** The C string at an address if it is all printable (pwndbg's strings.get), cut at the limit. */
  string(address: bigint): string | null {
    const bytes: number[] = []
    let at = Number(address)
    while (bytes.length < STRING_LIMIT) {
      const byte = this.inferior.read(at++, 1)?.[0]
      if (byte === undefined || byte === 0) break
      bytes.push(byte)
    }
    if (bytes.length === 0 || !bytes.every(PRINTABLE)) return null
    const text = String.fromCharCode(...bytes)
    return text.length < STRING_LIMIT ? text : `${text}...`
  }
}

/** Python's repr of a str: single quotes unless the text has one and no double quote. */
export function pythonRepr(text: string): string {
  const quote = text.includes("'") && !text.includes('"') ? '"' : "'"
  const escaped = [...text]
    .map((c) => {
      if (c === '\\') return '\\\\'
      if (c === quote) return `\\${quote}`
      if (c === '\n') return '\\n'
      if (c === '\t') return '\\t'
      if (c === '\r') return '\\r'
      const code = c.charCodeAt(0)
      return code < 0x20 || code === 0x7f ? `\\x${code.toString(16).padStart(2, '0')}` : c
    })
    .join('')
  return `${quote}${escaped}${quote}`
}

/** pwndbg's int_str: hex, and the eight bytes as text when every one is printable. */
function integerText(value: bigint): string {
  const masked = value & POINTER_MASK
  const text = pyHex(masked)
  const bytes = Array.from({ length: 8 }, (_, i) => Number((masked >> BigInt(8 * i)) & 0xffn))
  if (bytes.every(PRINTABLE) && text.length > 4) return `${text} (${pythonRepr(String.fromCharCode(...bytes))})`
  return text
}

/** `0x401676 (main+25)` in the colour of its memory: a chain link. */
function addressAndSymbol(view: ProgramView, address: bigint): Segment {
  const symbol = view.symbol(address)
  return { text: symbol ? `${pyHex(address)} (${symbol})` : pyHex(address), style: memoryStyle(view.page(address)) }
}

/** pwndbg's chain.get: the address, then each pointer read from the last, up to `limit` reads. */
function chainOf(view: ProgramView, address: bigint, limit = DEREFERENCE_LIMIT): bigint[] {
  const chain = [address]
  let at = address
  for (let i = 0; i < limit; i++) {
    // A cycle stops at its second occurrence.
    if (chain.filter((a) => a === at).length >= 2) break
    const next = view.readPointer(at)
    if (next === null) break
    at = next & POINTER_MASK
    chain.push(at)
  }
  return chain
}

/** pwndbg's enhance: what is at `value`, for the end of a chain. */
export function enhance(view: ProgramView, value: bigint, code = true, dereference = true): Segment[] {
  const page = view.page(value)
  if (page && !dereference) return [addressAndSymbol(view, value)]
  if (!page || !view.readable(value)) return [{ text: integerText(value), style: 'plain' }]
  // Nothing on the stack or the heap counts as code, whatever its permissions.
  const dataOnly = isStackPage(page) || isHeapPage(page)
  const exe = page.execute && !dataOnly
  const rwx = page.read && page.write && page.execute && !dataOnly
  const instruction = exe && code ? view.instruction(value) : null
  const text = view.string(value)
  const quoted = text === null ? null : pythonRepr(text)
  // The page ends before a whole pointer: only the address can be shown.
  if (value + 8n > page.end) return [{ text: integerText(value), style: 'plain' }]
  const pointed = view.readPointer(value)!
  const integer = pyHex(pointed & POINTER_MASK)
  let parts: (string | null)[]
  if (instruction && rwx && pointed < 0x1000n) parts = [integer, quoted]
  else if (instruction) parts = rwx ? [instruction, integer, quoted] : [instruction, quoted]
  else if (quoted !== null && text !== null) parts = text.length < 8 ? [integer, quoted] : [quoted]
  else {
    // A plain value, or a pointer the chain could not follow any further.
    if (view.page(pointed)) return [addressAndSymbol(view, pointed)]
    return [{ text: integerText(pointed), style: 'plain' }]
  }
  const present = parts.filter((part): part is string => part !== null)
  if (present.length === 1) return [{ text: present[0]!, style: 'plain' }]
  return [
    { text: present[0]!, style: 'plain' },
    { text: ` /* ${present.slice(1).join('; ')} */`, style: 'muted' },
  ]
}

/** pwndbg's chain.format: the links joined by —▸, then ◂— and what the last one points at. */
export function formatChain(view: ProgramView, value: bigint, limit = DEREFERENCE_LIMIT, code = true): Segment[] {
  const chain = chainOf(view, value, limit)
  if (chain.length === 1) return enhance(view, chain[0]!, code, false)
  const links = chain.slice(0, -1).map((address) => addressAndSymbol(view, address))
  const last = chain.length < limit + 1 ? enhance(view, chain[chain.length - 2]!, code) : [{ text: '...', style: 'plain' as OutputStyle }]
  const segments: Segment[] = []
  links.forEach((link, i) => {
    if (i > 0) segments.push({ text: ARROW_RIGHT, style: 'plain' })
    segments.push(link)
  })
  segments.push({ text: ARROW_LEFT, style: 'plain' }, ...last)
  return segments
}

export interface TelescopeOptions {
  /** Addresses before the given one (`-r`). */
  reverse?: boolean
  /** From rsp to one past rbp (`-f`). */
  frame?: boolean
  /** Highest address first (`-i`). */
  inverse?: boolean
}

/** pwndbg's minimum run of equal values that collapses to `... ↓ N skipped`. */
const SKIP_MINIMUM = 3
const REPEAT_MARKER = '... ↓'

/**
 * pwndbg's telescope: `count` pointer-sized slots from `address`, each line
 * `00:0000│ rsp 0x7ffe… —▸ …` with the registers pointing there (or the offset from rbp),
 * runs of one repeated value collapsed, and a stop at unreadable memory.
 */
export function telescopeLines(view: ProgramView, address: bigint, count: number, options: TelescopeOptions = {}): Segment[][] {
  let start = address & POINTER_MASK
  const input = start
  let slots = Math.max(count, 1)
  if (options.reverse) start -= BigInt((slots - 1) * 8)
  if (options.frame) {
    const sp = view.register('rsp')!
    const bp = view.register('rbp')!
    if (sp > bp) return [[{ text: 'Cannot display stack frame because base pointer is below stack pointer', style: 'plain' }]]
    start = sp
    slots = Number((bp - sp) / 8n) + 2
  }
  const registers = new Map<bigint, string[]>()
  for (const name of COMMON_REGISTERS) {
    const value = view.register(name)
    if (value === undefined) continue
    registers.set(value, [...(registers.get(value) ?? []), name])
  }
  const addresses = Array.from({ length: slots }, (_, i) => start + BigInt(8 * (options.inverse ? slots - 1 - i : i)))
  const labels = new Map<bigint, string>()
  for (const at of addresses) {
    const names = [...(registers.get(at) ?? [])]
    for (let width = 1; width < 8; width++) for (const name of registers.get(at + BigInt(width)) ?? []) names.push(`${name}-${width}`)
    labels.set(at, names.join(' '))
  }
  const longest = Math.max(0, ...[...labels.values()].map((l) => l.length))
  const bp = view.register('rbp')
  const lines: Segment[][] = []
  let buffer: Segment[][] = []
  let last: bigint | null = null
  const skippedPadding = 2 + 1 + 4 + 1 + 1 + longest + 1 - REPEAT_MARKER.length
  const collapse = (): void => {
    if (buffer.length > 0 && buffer.length + 1 >= SKIP_MINIMUM) {
      lines.push([{ text: `${REPEAT_MARKER}${' '.repeat(Math.max(skippedPadding, 0))}${buffer.length} skipped`, style: 'muted' }])
    } else lines.push(...buffer)
    buffer = []
  }
  for (const [i, at] of addresses.entries()) {
    if (!view.readable(at)) {
      collapse()
      lines.push([{ text: `<Could not read memory at ${pyHex(at)}>`, style: 'plain' }])
      break
    }
    const index = options.inverse ? slots - 1 - i : i
    const label = labels.get(at) ?? ''
    const line: Segment[] = [{ text: `${index.toString(16).padStart(2, '0')}:${(at - start).toString(16).padStart(4, '0')}│`, style: 'muted' }]
    if (bp !== undefined && label === '' && at - bp >= -0xfffn && at - bp <= 0xfffn) {
      // Python's "%+04x": the offset from the frame pointer, when no register points here.
      const distance = at - bp
      const text = `${distance < 0n ? '-' : '+'}${(distance < 0n ? -distance : distance).toString(16).padStart(3, '0')}`
      line.push({ text: text.padEnd(longest + 1), style: 'muted' })
    } else line.push({ text: ` ${label.padEnd(longest).padStart(3)}`, style: 'heading' })
    line.push({ text: ' ', style: 'plain' }, ...formatChain(view, at))
    const value = view.readPointer(at)
    if (value === last && at !== input && label === '') {
      buffer.push(line)
      continue
    }
    collapse()
    last = value
    lines.push(line)
  }
  collapse()
  return lines
}

/** Writes styled lines to an output builder. */
export function writeLines(out: { write(text: string, style?: OutputStyle): unknown }, lines: readonly Segment[][]): void {
  for (const line of lines) {
    for (const segment of line) out.write(segment.text, segment.style)
    out.write('\n')
  }
}
