import type { Command } from '../command'
import { heapSnapshot, writeSegments } from '../heap-command'
import { formatBins } from '../heap'

export const tcacheBinsCommand: Command = {
  name: 'tcachebins',
  category: 'heap',
  summary: "Print the contents of the tcachebins of the main arena.",
  documentation: "Print the contents of the tcachebins of the main arena.\nChains are followed as malloc would, with corruption and loops reported.\nExample: tcachebins",
  run(_args, out, { session }) {
    const { target, snapshot } = heapSnapshot(session)
    writeSegments(out, formatBins(target, snapshot, ['tcachebins']))
  },
}
