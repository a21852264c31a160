import type { Command } from '../command'
import { heapSnapshot, writeSegments } from '../heap-command'
import { formatBins } from '../heap'

export const smallBinsCommand: Command = {
  name: 'smallbins',
  category: 'heap',
  summary: "Print the contents of the smallbins of the main arena.",
  documentation: "Print the contents of the smallbins of the main arena.\nChains are followed as malloc would, with corruption and loops reported.\nExample: smallbins",
  run(_args, out, { session }) {
    const { target, snapshot } = heapSnapshot(session)
    writeSegments(out, formatBins(target, snapshot, ['smallbins']))
  },
}
