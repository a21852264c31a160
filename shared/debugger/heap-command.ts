// What the heap commands share: the snapshot of the stopped program's heap, or gdb-style
// errors, and printing the library's styled segments.

import { CommandError } from './command'
import { inspectHeap, type HeapSegment, type HeapSnapshot, type HeapTarget } from './heap'
import { heapTarget } from './heap-target'
import type { OutputBuilder } from './output'
import type { DebugSession } from './session'
import { asAddress } from './expression/evaluate'

export function heapSnapshot(session: DebugSession): { target: HeapTarget; snapshot: HeapSnapshot } {
  const inferior = session.requireLive()
  const target = heapTarget(inferior)
  const found = inferior.machine.regions().some((r) => r.name === '[heap]') ? inspectHeap(target) : null
  if (!found) throw new CommandError('No heap yet: the program has not called malloc (there is no [heap] region).')
  if (!found.ok) throw new CommandError(found.message)
  return { target, snapshot: found.value }
}

export function writeSegments(out: OutputBuilder, segments: readonly HeapSegment[]): void {
  for (const segment of segments) out.write(segment.text, segment.style)
}

/** An address argument: any expression. */
export function addressArgument(session: DebugSession, text: string): bigint {
  if (text.trim() === '') throw new CommandError('Argument required (an address).')
  return asAddress(session.evaluate(text))
}
