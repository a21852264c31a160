import type { Command } from '../command'
import { addressArgument, heapSnapshot, writeSegments } from '../heap-command'
import { formatVisHeapChunks, visHeapChunks } from '../heap'

export const visHeapChunksCommand: Command = {
  name: 'vis_heap_chunks',
  category: 'heap',
  summary: "Visualize chunks on a heap.",
  documentation: "Visualize chunks on a heap.\nEach chunk's bytes in hex, one colour per chunk, free-list pointers labelled.\nUsage: vis_heap_chunks [COUNT] [ADDRESS]\nExample: vis_heap_chunks 5",
  run(args, out, { session }) {
    const words = args.trim() === '' ? [] : args.trim().split(/\s+/)
    const count = words[0] === undefined ? undefined : Number(words[0])
    const address = words[1] === undefined ? undefined : addressArgument(session, words[1])
    const { target, snapshot } = heapSnapshot(session)
    writeSegments(out, formatVisHeapChunks(visHeapChunks(target, snapshot, count, address)))
  },
}
