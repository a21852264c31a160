import type { Command } from '../command'
import { heapSnapshot, writeSegments } from '../heap-command'
import { formatHeap } from '../heap'

export const heapCommand: Command = {
  name: 'heap',
  category: 'heap',
  summary: "Iteratively print chunks on a heap, default to the current thread's active heap.",
  documentation: "Iteratively print chunks on a heap, default to the current thread's active heap.\nEach chunk: address, size, flags (PREV_INUSE, IS_MMAPED, NON_MAIN_ARENA) and state (allocated, free in which bin, top).\nUsage: heap [-v]\nExample: heap",
  run(args, out, { session }) {
    const { snapshot } = heapSnapshot(session)
    writeSegments(out, formatHeap(snapshot, args.trim() === '-v'))
  },
}
