// The disassembly pane's reading of the snapshot's lines: which breakpoint sits on an
// instruction, where a jump or call goes, and the arrows drawn in the gutter for targets in view
// (nested in lanes so they never cross on one lane). Pure, tested without a DOM.

import type { SnapshotBreakpoint, StopSnapshot } from '../../../shared/debugger/snapshot'

export type DisassemblyLine = StopSnapshot['disassembly'][number]

/** The target of a direct jump, conditional jump, call or loop, as the snapshot's Intel text
 *  writes it (`jmp short 000000000040165Bh`, `call 0000000000401018h`); null for indirect ones. */
export function branchTarget(text: string): bigint | null {
  const match = /^(?:bnd\s+|notrack\s+)?(?:j[a-z]+|call|loop[a-z]*|xbegin)\s+(?:short\s+|near\s+)?([0-9a-f]+)h$/i.exec(text.trim())
  return match ? BigInt(`0x${match[1]!}`) : null
}

/** The instruction's mnemonic (after any prefix), to tell calls from jumps. */
export function isCall(text: string): boolean {
  return /^(?:bnd\s+|notrack\s+)?call\b/.test(text.trim())
}

/** The breakpoint placed on this address, if any (enabled or not). */
export function breakpointAt(breakpoints: readonly SnapshotBreakpoint[], address: bigint): SnapshotBreakpoint | null {
  return breakpoints.find((breakpoint) => breakpoint.kind === 'breakpoint' && breakpoint.addresses.some((place) => BigInt(place) === address)) ?? null
}

/** gdb's commands for a click on the gutter: delete the breakpoint there, or break on the address. */
export function toggleCommand(breakpoints: readonly SnapshotBreakpoint[], address: bigint): string {
  const existing = breakpointAt(breakpoints, address)
  return existing ? `delete ${existing.number}` : `break *0x${address.toString(16)}`
}

/** "greet+22" → function "greet", offset "+22"; a bare name has offset "+0". */
export function splitSymbol(symbol: string | null): { name: string; offset: string } | null {
  if (!symbol) return null
  const match = /^(.*?)(\+\d+)$/.exec(symbol)
  return match ? { name: match[1]!, offset: match[2]! } : { name: symbol, offset: '+0' }
}

/** gdb's `info symbol` answer ("greet + 70 in section .text of /p") as "greet+70"; null when none matches. */
export function parseInfoSymbol(text: string): string | null {
  const match = /^(\S+?)(?: \+ (\d+))? in section /m.exec(text)
  if (!match) return null
  return match[2] === undefined ? match[1]! : `${match[1]!}+${match[2]}`
}

export interface BranchArrow {
  from: number
  to: number
  /** 0 is nearest the text; longer arrows take outer lanes. */
  lane: number
  call: boolean
}

/** Arrows for the branches whose target is one of the lines shown, shortest first on the inner lanes. */
export function branchArrows(lines: readonly DisassemblyLine[], maxLanes = 3): BranchArrow[] {
  const index = new Map(lines.map((line, i) => [BigInt(line.address), i]))
  const arrows: Omit<BranchArrow, 'lane'>[] = []
  lines.forEach((line, from) => {
    const target = branchTarget(line.text)
    const to = target === null ? undefined : index.get(target)
    if (to !== undefined && to !== from) arrows.push({ from, to, call: isCall(line.text) })
  })
  arrows.sort((a, b) => Math.abs(a.to - a.from) - Math.abs(b.to - b.from))
  const placed: BranchArrow[] = []
  for (const arrow of arrows) {
    const low = Math.min(arrow.from, arrow.to)
    const high = Math.max(arrow.from, arrow.to)
    let lane = 0
    while (placed.some((other) => other.lane === lane && Math.min(other.from, other.to) <= high && low <= Math.max(other.from, other.to))) lane++
    placed.push({ ...arrow, lane: Math.min(lane, maxLanes - 1) })
  }
  return placed
}
