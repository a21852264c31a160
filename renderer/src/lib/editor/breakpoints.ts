// The source gutter's breakpoints: which lines of a buffer carry one (from the snapshot), and the
// gdb command a click on a line means — `break FILE:LINE` on a bare line, `delete N` on a marked one.

import type { SnapshotBreakpoint } from '../../../../shared/debugger/snapshot'
import { sameSourceFile } from './files'

export interface LineBreakpoint {
  number: number
  enabled: boolean
}

/** Code breakpoints placed on lines of this buffer, by line number. */
export function breakpointsByLine(breakpoints: readonly SnapshotBreakpoint[], editorFile: string): Map<number, LineBreakpoint[]> {
  const lines = new Map<number, LineBreakpoint[]>()
  for (const breakpoint of breakpoints) {
    if (breakpoint.kind !== 'breakpoint') continue
    const placed = new Set(breakpoint.lines.filter((place) => sameSourceFile(place.file, editorFile)).map((place) => place.line))
    for (const line of placed) lines.set(line, [...(lines.get(line) ?? []), { number: breakpoint.number, enabled: breakpoint.enabled }])
  }
  return lines
}

/** The command that toggles a breakpoint on a line: gdb deletes every breakpoint on it, or sets one. */
export function toggleBreakpointCommand(onLine: readonly LineBreakpoint[], editorFile: string, line: number): string {
  if (onLine.length > 0) return `delete ${onLine.map((breakpoint) => breakpoint.number).join(' ')}`
  return `break ${editorFile}:${line}`
}

/** The gutter marker's tooltip: gdb's numbers, whether enabled, and what a click does. */
export function breakpointTitle(onLine: readonly LineBreakpoint[]): string {
  const names = onLine.map((breakpoint) => `Breakpoint ${breakpoint.number}${breakpoint.enabled ? '' : ' (disabled)'}`)
  return `${names.join(', ')} — click to delete`
}
