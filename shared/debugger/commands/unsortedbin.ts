import type { Command } from '../command'
import { heapSnapshot, writeSegments } from '../heap-command'
import { formatBins } from '../heap'

export const unsortedBinCommand: Command = {
  name: 'unsortedbin',
  category: 'heap',
  summary: "Print the contents of the unsortedbin of the main arena.",
  documentation: "Print the contents of the unsortedbin of the main arena.\nChains are followed as malloc would, with corruption and loops reported.\nExample: unsortedbin",
  run(_args, out, { session }) {
    const { target, snapshot } = heapSnapshot(session)
    writeSegments(out, formatBins(target, snapshot, ['unsortedbin']))
  },
}
