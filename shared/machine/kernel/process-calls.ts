// Ending the process. With one thread, exit and exit_group both end the process; the status a
// shell sees is the low 8 bits of the code.

import type { Kernel } from './kernel'
import { UNCHANGED, type SyscallResult } from './syscall-result'

export function sysExitGroup(k: Kernel): SyscallResult {
  k.exit(k.argInt(0) & 0xff)
  return UNCHANGED
}

export const sysExit = sysExitGroup
