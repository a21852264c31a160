import type { Command } from '../command'
import { heapSnapshot, writeSegments } from '../heap-command'
import { BIN_KINDS, formatBins } from '../heap'

export const BinsCommand: Command = {
  name: 'bins',
  category: 'heap',
  summary: "Print the contents of the bins of the main arena.",
  documentation: "Print the contents of the bins of the main arena.\nChains are followed as malloc would, with corruption and loops reported.\nExample: bins",
  run(_args, out, { session }) {
    const { target, snapshot } = heapSnapshot(session)
    writeSegments(out, formatBins(target, snapshot, BIN_KINDS))
  },
}
