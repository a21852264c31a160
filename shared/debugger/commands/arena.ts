import type { Command } from '../command'
import { heapSnapshot, writeSegments } from '../heap-command'
import { formatArena } from '../heap'

export const arenaCommand: Command = {
  name: 'arena',
  category: 'heap',
  summary: "Print the contents of an arena, default to the current thread's arena.",
  documentation: "Print the contents of an arena, default to the current thread's arena.\nExample: arena",
  run(_args, out, { session }) {
    const { target, snapshot } = heapSnapshot(session)
    writeSegments(out, formatArena(target, snapshot))
  },
}
