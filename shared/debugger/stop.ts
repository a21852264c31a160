// The ending every execution command shares: print why and where the program stopped, in the
// style the command calls for (after a fatal signal, why it happened), then the `display`
// expressions, as gdb does.

import type { StopReason } from './execution'
import type { OutputBuilder } from './output'
import { printStop, type LocationStyle } from './report'
import type { DebugSession } from './session'
import { printCrashExplanation } from './explain/print'

export function reportStop(session: DebugSession, reason: StopReason, out: OutputBuilder, style: LocationStyle = 'source-line'): void {
  printStop(session, reason, out, style)
  if (reason.kind === 'signal') printCrashExplanation(session, out)
  session.afterStop(reason, out)
}
