// The answer to "where did these bytes come from?" as data (for the terminal and the UI): runs of
// consecutive bytes with one source (consecutive input offsets, one instruction) and one last
// writer, over a finished trace.

import { continues, type Origin, type Step } from './origins'
import type { Trace } from './trace'

export interface ProvenanceRun {
  /** Offset of the run's first byte in the range asked about. */
  readonly offset: number
  readonly length: number
  readonly first: Origin
  readonly last: Origin
  /**
   * The instructions that last stored these bytes during the examined window (memory only), in
   * order: one, or several executions of one instruction (a byte-by-byte copy loop).
   */
  readonly writers: readonly Step[]
}

function runs(origins: readonly Origin[], writers: readonly (Step | undefined)[]): ProvenanceRun[] {
  const result: { offset: number; length: number; first: Origin; last: Origin; writers: Step[] }[] = []
  origins.forEach((origin, i) => {
    const open = result[result.length - 1]
    const writer = writers[i]
    const lastWriter = open?.writers[open.writers.length - 1]
    // One run: the source goes on, and the same instruction stored it (maybe in another iteration).
    const sameWriter = writer === undefined ? open?.writers.length === 0 : lastWriter !== undefined && lastWriter.ip === writer.ip
    if (open && sameWriter && continues(open.last, origin)) {
      open.last = origin
      open.length++
      if (writer && writer !== lastWriter) open.writers.push(writer)
    } else result.push({ offset: i, length: 1, first: origin, last: origin, writers: writer ? [writer] : [] })
  })
  return result
}

/** Runs of [address, address + length) as they are at the end of the trace. */
export function memoryProvenance(trace: Trace, address: number, length: number): ProvenanceRun[] {
  const origins = Array.from({ length }, (_, i) => trace.tracker.originAt(address + i))
  const writers = Array.from({ length }, (_, i) => trace.tracker.writerAt(address + i))
  return runs(origins, writers)
}

/** Runs of a register's bytes (lowest first), or null for a register the tracker does not follow. */
export function registerProvenance(trace: Trace, name: string): ProvenanceRun[] | null {
  const origins = trace.tracker.registerOrigins(name)
  return origins && runs(origins, origins.map(() => undefined))
}

/** How far back the answer looked, in words. */
export function windowText(trace: Trace, earliestReachable: number): string {
  const range = `instructions ${trace.start}-${trace.end}`
  if (trace.fromProgramStart) return `${range}, from the program's first instruction`
  if (trace.start === earliestReachable) return `${range}: the history kept begins at instruction ${trace.start}, so what came before is unknown`
  return `${range}: the last ${trace.end - trace.start} instructions, so what came before instruction ${trace.start} is unknown`
}
