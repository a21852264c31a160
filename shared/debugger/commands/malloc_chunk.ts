import type { Command } from '../command'
import { addressArgument, heapSnapshot, writeSegments } from '../heap-command'
import { formatMallocChunk } from '../heap'

export const mallocChunkCommand: Command = {
  name: 'malloc_chunk',
  category: 'heap',
  summary: "Print a chunk.",
  documentation: "Print a chunk.\nUsage: malloc_chunk [-v] ADDRESS   (the chunk's address, as heap lists it)\nExample: malloc_chunk 0x4052a0",
  run(args, out, { session }) {
    const verbose = /^-v\b/.test(args)
    const address = addressArgument(session, verbose ? args.slice(2) : args)
    const { target, snapshot } = heapSnapshot(session)
    writeSegments(out, formatMallocChunk(target, snapshot, address, verbose))
  },
}
