// The source gutter's breakpoints: which lines of a buffer carry one, from the snapshot. (A click
// or F9 goes through the workspace's toggleBreakpoint: gdb's `break FILE:LINE` or `delete N`.)

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

/** The gutter marker's tooltip: gdb's numbers, whether enabled, and what a click does. */
export function breakpointTitle(onLine: readonly LineBreakpoint[]): string {
  const names = onLine.map((breakpoint) => `Breakpoint ${breakpoint.number}${breakpoint.enabled ? '' : ' (disabled)'}`)
  return `${names.join(', ')} — click to delete`
}
