// The tooltip's pointer → symbol: `info symbol ADDR` asked once per pointer and stop, on hover.

import type { CommandOutput } from '../../../../shared/debugger/output'
import { outputText } from '../../../../shared/debugger/output'

/** A look-up that asks the debugger at most once per (stop, address). */
export function symbolLookup(query: (line: string) => Promise<CommandOutput>): (stop: number, pointer: bigint) => Promise<string | null> {
  const asked = new Map<string, Promise<string | null>>()
  return (stop, pointer) => {
    const key = `${stop}:${pointer}`
    let found = asked.get(key)
    if (!found) {
      found = query(`info symbol 0x${pointer.toString(16)}`).then((answer) => {
        const text = outputText(answer).trim()
        // gdb: "main + 81 in section .text of /path"; the section and file add nothing here.
        return answer.ok && !text.startsWith('No symbol') ? text.replace(/ in section .*$/, '') : null
      })
      asked.set(key, found)
    }
    return found
  }
}
