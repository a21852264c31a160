import type { Command } from '../command'
import { heapSnapshot, writeSegments } from '../heap-command'
import { formatHeap } from '../heap'
import { heapHistory, printHeapHistory } from '../heap-history'

export const heapCommand: Command = {
  name: 'heap',
  category: 'heap',
  // `heap history` replays the recorded run.
  runsProgram: true,
  summary: "Iteratively print chunks on a heap, default to the current thread's active heap.",
  documentation: "Iteratively print chunks on a heap, default to the current thread's active heap.\nEach chunk: address, size, flags (PREV_INUSE, IS_MMAPED, NON_MAIN_ARENA) and state (allocated, free in which bin, top).\nUsage: heap [-v]\n\"heap history\" lists every malloc, calloc, realloc and free up to the current instruction (count, call, result, caller).\nExample: heap",
  async run(args, out, { session }) {
    if (args.trim() === 'history') {
      const inferior = session.requireInferior()
      printHeapHistory(await heapHistory(session, inferior), out)
      return
    }
    const { snapshot } = heapSnapshot(session)
    writeSegments(out, formatHeap(snapshot, args.trim() === '-v'))
  },
}
