import type { Command } from '../command'
import { addressArgument, heapSnapshot, writeSegments } from '../heap-command'
import { formatTryFree, tryFree } from '../heap'

export const tryFreeCommand: Command = {
  name: 'try_free',
  category: 'heap',
  summary: "Check what would happen if free was called with given address.",
  documentation: "Check what would happen if free was called with given address.\nWalks glibc 2.36 free()'s checks in order and says which would abort, or where the chunk would go.\nUsage: try_free ADDRESS   (a pointer malloc returned)\nExample: try_free p",
  run(args, out, { session }) {
    const address = addressArgument(session, args)
    const { target, snapshot } = heapSnapshot(session)
    writeSegments(out, formatTryFree(tryFree(target, snapshot, address)))
  },
}
