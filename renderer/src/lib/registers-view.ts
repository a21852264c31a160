// The registers pane's reading of a stop: each register with where its value points (the region's
// kind, a symbol), eflags decoded into its named flags, and the xmm registers as
// `info all-registers` prints them. Pure, tested without a DOM.

import type { RegionKind, StopSnapshot } from '../../../shared/debugger/snapshot'
import { regionAt, regionWords } from './memory-roles'

export interface RegisterView {
  name: string
  value: string
  changed: boolean
  /** The value as an address when it points into a mapped region (click: the hex dump goes there). */
  pointer: bigint | null
  kind: RegionKind | null
  /** Where it points, in words: the symbol the debugger found, or the region ("[stack]"). */
  annotation: string | null
}

/** What a register holds by convention, for the tooltip. */
const ROLES: Record<string, string> = {
  rax: 'return value',
  rdi: '1st argument',
  rsi: '2nd argument',
  rdx: '3rd argument',
  rcx: '4th argument',
  r8: '5th argument',
  r9: '6th argument',
  rsp: 'stack pointer: the top of the stack',
  rbp: 'frame pointer: the base of the current frame',
  rip: 'instruction pointer: the next instruction',
  eflags: 'flags set by the last arithmetic or comparison',
  fs_base: 'thread pointer: thread-local storage; the stack canary is at fs:0x28',
}

export function registerRole(name: string): string | null {
  return ROLES[name] ?? null
}

export function registerViews(snapshot: StopSnapshot | null): RegisterView[] {
  if (!snapshot) return []
  return snapshot.registers.map((row) => {
    const value = BigInt(row.value)
    const region = row.name === 'eflags' ? null : regionAt(snapshot, value)
    const annotation = row.note ?? (region ? regionWords(region) : null)
    return { name: row.name, value: row.value, changed: row.changed, pointer: region ? value : null, kind: region?.kind ?? null, annotation }
  })
}

export interface FlagView {
  name: string
  /** The flag's meaning in words, for its tooltip. */
  title: string
  set: boolean
}

/** The status and control flags a learner meets, in gdb's order (low bit first). */
const FLAGS: readonly [number, string, string][] = [
  [0, 'CF', 'carry: an unsigned result did not fit'],
  [2, 'PF', 'parity: the low byte has an even number of 1 bits'],
  [4, 'AF', 'adjust: a carry out of the low 4 bits'],
  [6, 'ZF', 'zero: the result was zero (or a comparison was equal)'],
  [7, 'SF', 'sign: the result was negative'],
  [8, 'TF', 'trap: single-step'],
  [9, 'IF', 'interrupts enabled'],
  [10, 'DF', 'direction: string instructions count down'],
  [11, 'OF', 'overflow: a signed result did not fit'],
]

export function decodeFlags(eflags: bigint): FlagView[] {
  return FLAGS.map(([bit, name, title]) => ({ name, title, set: ((eflags >> BigInt(bit)) & 1n) === 1n }))
}

export const VECTOR_REGISTERS = Array.from({ length: 16 }, (_, i) => `xmm${i}`)

/** The command that reads them: gdb's `info registers` knows only the general ones. */
export const VECTOR_COMMAND = `info all-registers ${VECTOR_REGISTERS.join(' ')}`

export interface VectorView {
  name: string
  /** The 128 bits as four 32-bit words, most significant first (how a learner reads a number). */
  words: string[]
  /** gdb's lanes, for the tooltip: "v4_int32 = {…}, v2_int64 = {…}". */
  lanes: string
}

/** Parses `info all-registers xmm0 …` lines: `xmm0  {v8_bfloat16 = {…}, …, uint128 = 0x…}`. */
export function parseVectorRegisters(text: string): VectorView[] {
  const out: VectorView[] = []
  for (const line of text.split('\n')) {
    const match = /^(xmm\d+)\s+\{.*uint128 = 0x([0-9a-f]+)\}\s*$/.exec(line)
    if (!match) continue
    const digits = match[2]!.padStart(32, '0')
    const words = [0, 8, 16, 24].map((at) => digits.slice(at, at + 8))
    const lanes = ['v4_int32', 'v2_int64', 'v4_float', 'v2_double']
      .map((lane) => new RegExp(`${lane} = \\{[^}]*\\}`).exec(line)?.[0])
      .filter((lane): lane is string => lane !== undefined)
      .join(', ')
    out.push({ name: match[1]!, words, lanes })
  }
  return out
}
