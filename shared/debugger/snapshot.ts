// The one structured picture of a stop that every view draws: registers (and which changed),
// frames with every stack slot labelled, the disassembly around rip, the source position, the
// regions, the heap's chunks and bins, and the bytes changed since the previous stop. Plain
// JSON (addresses as "0x…" strings): it crosses the worker, IPC and WebSocket boundaries as is.

import { frameLayout, type SlotRole } from './frame-layout'
import { inspectHeap, type BinKind, type ChainEnd, type DoublyLinkedBin, type HeapChunk, type HeapSnapshot, type SinglyLinkedBin } from './heap'
import { CHUNK_HDR_SZ } from './heap/layout'
import { heapTarget } from './heap-target'
import type { Inferior } from './inferior'
import { instructionsAround, lookingTarget } from './looking'
import { GENERAL_REGISTERS } from './registers'
import type { DebugSession } from './session'
import { symbolize } from './target-environment'

export type RegionKind = 'code' | 'stack' | 'heap' | 'data' | 'rodata' | 'rwx' | 'none'

export interface SnapshotRegion {
  start: string
  end: string
  perms: string
  name: string
  kind: RegionKind
}

export interface SnapshotSlot {
  address: string
  size: number
  role: SlotRole
  name?: string
  note?: string
  corrupted: boolean
}

export interface SnapshotFrame {
  level: number
  functionName: string | null
  pc: string
  cfa: string
  file: string | null
  line: number | null
  slots: SnapshotSlot[]
}

export interface SnapshotChunk {
  address: string
  size: number
  state: 'allocated' | 'free' | 'top'
  /** The bins holding a free chunk, as `${kind} ${label}` of its SnapshotBin ("tcachebins 0x20"). */
  bins: string[]
  flags: string
  /** What malloc itself keeps in the chunk ("tcache_perthread_struct"), or null. */
  note: string | null
}

/** One bin as a linked list, in list order: what the next malloc of its size would take first comes first. */
export interface SnapshotBin {
  /** pwndbg's name for the bin's family. */
  kind: BinKind
  /** pwndbg's label within the family: "0x20", "0x400-0x430", "all". */
  label: string
  /** tcache only: the bin's counts[] entry, which a corrupted list can disagree with. */
  count: number | null
  /** Chunk addresses (for the tcache, the chunk, 0x10 below the pointer the list holds). */
  chunks: string[]
  /** How the walk ended: at NULL or the bin's head (well formed), or at a loop back to a chunk,
   *  an unmapped or misaligned pointer (that chunk's address), or a list too long to follow. */
  end: { kind: ChainEnd['kind']; address: string | null }
  problems: string[]
}

export interface SnapshotHeap {
  chunks: SnapshotChunk[]
  /** Non-empty bins in pwndbg's order: tcache, fast, unsorted, small, large. */
  bins: SnapshotBin[]
  problems: string[]
}

/** A breakpoint or watchpoint as the source and disassembly gutters mark it. */
export interface SnapshotBreakpoint {
  number: number
  kind: 'breakpoint' | 'watch' | 'rwatch' | 'awatch'
  enabled: boolean
  /** Runtime addresses: a code breakpoint's places, a watchpoint's first byte. */
  addresses: string[]
  /** The source lines of a code breakpoint's places (none without debug information). */
  lines: { file: string; line: number }[]
  /** A watchpoint's expression. */
  expression: string | null
}

export interface StopSnapshot {
  instructionCount: number
  phase: 'alive' | 'signaled' | 'gone'
  /** The fatal signal the program is stopped at (phase 'signaled') or was killed by (gone). */
  signal: number | null
  registers: { name: string; value: string; changed: boolean; note: string | null }[]
  frames: SnapshotFrame[]
  disassembly: { address: string; bytes: string; text: string; current: boolean; symbol: string | null }[]
  source: { file: string; line: number } | null
  regions: SnapshotRegion[]
  /** Null before the program has a [heap] region (no malloc yet) and in live snapshots. */
  heap: SnapshotHeap | null
  /** Ranges written since the previous snapshot, within the stack and heap. */
  changed: { address: string; length: number }[]
  breakpoints: SnapshotBreakpoint[]
}

const hex = (n: number | bigint): string => `0x${n.toString(16)}`
/** Disassembly lines before rip (from its function's start) and after it. */
const INSTRUCTIONS_BEFORE = 6
const INSTRUCTIONS_AFTER = 12
/** Bytes of stack (from rsp up) and heap compared between snapshots. */
const WATCHED_SPAN = 64 * 1024

/** pwndbg's memory kinds: stack, heap, code, writable data, read-only data, rwx. */
export function regionKind(perms: string, name: string): RegionKind {
  if (perms.startsWith('---')) return 'none'
  if (perms.includes('w') && perms.includes('x')) return 'rwx'
  if (name === '[stack]') return 'stack'
  if (name === '[heap]') return 'heap'
  if (perms.includes('x')) return 'code'
  if (perms.includes('w')) return 'data'
  return 'rodata'
}

function chunkSummary(chunk: HeapChunk, tcacheChunk: bigint | null): SnapshotChunk {
  const flags = [chunk.flags.prevInuse ? 'P' : '', chunk.flags.isMmapped ? 'M' : '', chunk.flags.nonMainArena ? 'A' : ''].join('')
  return {
    address: hex(chunk.address),
    size: Number(chunk.size),
    state: chunk.state.kind,
    bins: chunk.state.kind === 'free' ? chunk.state.bins.map((b) => `${b.kind} ${b.label}`) : [],
    flags,
    note: chunk.address === tcacheChunk ? 'tcache_perthread_struct' : null,
  }
}

function chainEnd(end: ChainEnd, toChunk: (address: bigint) => bigint): SnapshotBin['end'] {
  return { kind: end.kind, address: 'address' in end ? hex(toChunk(end.address)) : null }
}

/** A tcache list holds user pointers; everything else in the snapshot names chunks. */
const tcacheChunkOf = (entry: bigint): bigint => entry - CHUNK_HDR_SZ

function singlyLinkedSummary(list: SinglyLinkedBin): SnapshotBin {
  const toChunk = list.bin.kind === 'tcachebins' ? tcacheChunkOf : (address: bigint) => address
  return {
    kind: list.bin.kind,
    label: list.bin.label,
    count: list.count,
    chunks: list.chain.map((address) => hex(toChunk(address))),
    end: chainEnd(list.end, toChunk),
    problems: list.problems.map((p) => p.message),
  }
}

function doublyLinkedSummary(list: DoublyLinkedBin): SnapshotBin {
  return {
    kind: list.bin.kind,
    label: list.bin.label,
    count: null,
    chunks: list.forward.map((address) => hex(address)),
    end: chainEnd(list.forwardEnd, (address) => address),
    problems: list.problems.map((p) => p.message),
  }
}

function heapSummary(inferior: Inferior): StopSnapshot['heap'] {
  if (!inferior.machine.regions().some((r) => r.name === '[heap]')) return null
  const found = inspectHeap(heapTarget(inferior))
  if (!found.ok) return { chunks: [], bins: [], problems: [found.message] }
  const snapshot: HeapSnapshot = found.value
  const tcacheChunk = snapshot.tcache === null ? null : tcacheChunkOf(snapshot.tcache.address)
  const { tcache, fast, unsorted, small, large } = snapshot.bins
  return {
    chunks: snapshot.chunks.map((chunk) => chunkSummary(chunk, tcacheChunk)),
    bins: [
      ...[...tcache, ...fast].map(singlyLinkedSummary),
      ...[...(unsorted === null ? [] : [unsorted]), ...small, ...large].map(doublyLinkedSummary),
    ],
    problems: snapshot.problems.map((p) => p.message),
  }
}

function breakpointRows(session: DebugSession, inferior: Inferior): SnapshotBreakpoint[] {
  return session.breakpoints.all().map((breakpoint) => {
    if (breakpoint.kind !== 'breakpoint') {
      return { number: breakpoint.number, kind: breakpoint.kind, enabled: breakpoint.enabled, addresses: [hex(breakpoint.address)], lines: [], expression: breakpoint.expression }
    }
    const lines = breakpoint.addresses.flatMap((address) => {
      const span = inferior.program.debug?.spanAt(address)
      return span && span.line !== 0 ? [{ file: span.file, line: span.line }] : []
    })
    const addresses = breakpoint.addresses.map((address) => hex(address + inferior.loadBias))
    return { number: breakpoint.number, kind: 'breakpoint', enabled: breakpoint.enabled, addresses, lines, expression: null }
  })
}

/** Remembers what the previous snapshot saw, to report changes. */
export class SnapshotHistory {
  private registers = new Map<string, string>()
  private memory = new Map<string, { start: number; data: Uint8Array }>()

  /** A live snapshot (the program is running) leaves out the heap walk and the changes, and
   *  leaves the baseline alone, so the next stop still shows everything that changed since the last. */
  take(session: DebugSession, options: { live?: boolean } = {}): StopSnapshot {
    const live = options.live ?? false
    const inferior = session.requireInferior()
    const alive = inferior.phase !== 'gone'
    const registers = alive ? this.registerRows(inferior, !live) : []
    const frames = alive ? session.frames().map((frame) => this.frameRow(inferior, frame)) : []
    const pc = inferior.pc
    const span = inferior.program.debug?.spanAt(inferior.linkAddress(pc))
    const disassembly = alive
      ? instructionsAround(lookingTarget(session), pc, INSTRUCTIONS_BEFORE, INSTRUCTIONS_AFTER, 'intel').map((line) => ({
          address: hex(line.address),
          bytes: [...line.bytes].map((b) => b.toString(16).padStart(2, '0')).join(' '),
          text: line.text,
          current: line.address === pc,
          symbol: symbolize(inferior.program, inferior, BigInt(line.address)),
        }))
      : []
    const regions = inferior.machine.regions().map((r) => ({ start: hex(r.start), end: hex(r.end), perms: r.perms, name: r.name, kind: regionKind(r.perms, r.name) }))
    return {
      instructionCount: inferior.instructionCount,
      phase: inferior.phase,
      signal: inferior.machine.status.state === 'signaled' ? inferior.machine.status.signal : null,
      registers,
      frames,
      disassembly,
      source: span && span.line !== 0 ? { file: span.file, line: span.line } : null,
      regions,
      heap: alive && !live ? heapSummary(inferior) : null,
      changed: alive && !live ? this.changedRanges(inferior) : [],
      breakpoints: breakpointRows(session, inferior),
    }
  }

  private registerRows(inferior: Inferior, remember: boolean): StopSnapshot['registers'] {
    const rows: StopSnapshot['registers'] = []
    const next = new Map<string, string>()
    for (const name of [...GENERAL_REGISTERS, 'rip', 'eflags', 'fs_base']) {
      const value = hex(inferior.register(name) ?? 0n)
      next.set(name, value)
      const note = name === 'eflags' ? null : symbolize(inferior.program, inferior, inferior.register(name) ?? 0n)
      rows.push({ name, value, changed: this.registers.has(name) && this.registers.get(name) !== value, note })
    }
    if (remember) this.registers = next
    return rows
  }

  private frameRow(inferior: Inferior, frame: ReturnType<DebugSession['frames']>[number]): SnapshotFrame {
    const span = inferior.program.debug?.spanAt(inferior.linkAddress(frame.level === 0 ? frame.pc : frame.pc - 1))
    return {
      level: frame.level,
      functionName: frame.functionName,
      pc: hex(frame.pc),
      cfa: hex(frame.cfa),
      file: span?.file ?? null,
      line: span?.line ?? null,
      slots: frameLayout(inferior, frame).map((slot) => ({
        address: hex(slot.address),
        size: slot.size,
        role: slot.role,
        ...(slot.name === undefined ? {} : { name: slot.name }),
        ...(slot.note === undefined ? {} : { note: slot.note }),
        corrupted: slot.corrupted,
      })),
    }
  }

  /** Byte ranges of the stack (near rsp) and the heap that differ from the previous snapshot. */
  private changedRanges(inferior: Inferior): StopSnapshot['changed'] {
    const areas = new Map<string, [number, number]>()
    const rsp = inferior.registerNumber('rsp')
    const stack = inferior.machine.regions().find((r) => r.name === '[stack]')
    if (stack) areas.set('stack', [Math.max(Number(stack.start), rsp - 128), Math.min(Number(stack.end), rsp + WATCHED_SPAN)])
    const heap = inferior.machine.regions().find((r) => r.name === '[heap]')
    if (heap) areas.set('heap', [Number(heap.start), Math.min(Number(heap.end), Number(heap.start) + WATCHED_SPAN)])
    const changed: StopSnapshot['changed'] = []
    const next = new Map<string, { start: number; data: Uint8Array }>()
    for (const [name, [start, end]] of areas) {
      const { data } = inferior.machine.memory.peek(start, end - start)
      next.set(name, { start, data })
      const previous = this.memory.get(name)
      if (!previous) continue
      // Compare where both views overlap (the stack window moves with rsp).
      const from = Math.max(start, previous.start)
      const to = Math.min(end, previous.start + previous.data.length)
      let run = -1
      for (let address = from; address <= to; address++) {
        const differs = address < to && data[address - start] !== previous.data[address - previous.start]
        if (differs && run < 0) run = address
        if (!differs && run >= 0) {
          changed.push({ address: hex(run), length: address - run })
          run = -1
        }
      }
    }
    this.memory = next
    return changed
  }
}
