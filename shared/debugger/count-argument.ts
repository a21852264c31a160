// The optional repeat count of stepping commands ("stepi 5", "next $n"): a positive integer.

import { CommandError } from './command'
import { asAddress } from './expression/evaluate'
import type { DebugSession } from './session'

export function repeatCount(session: DebugSession, args: string): number {
  if (args === '') return 1
  const n = /^\d+$/.test(args) ? Number(args) : Number(asAddress(session.evaluate(args)))
  if (!Number.isSafeInteger(n)) throw new CommandError(`Invalid number "${args}".`)
  return n
}
