import { expect, test } from 'vitest'
import { breakpointsByLine, breakpointTitle } from '../../../renderer/src/lib/editor/breakpoints'
import { editorFileFor, sameSourceFile } from '../../../renderer/src/lib/editor/files'
import type { SnapshotBreakpoint } from '../../../shared/debugger/snapshot'

test('a debugger file name means the editor buffer of that name under /home/learner, or of its base name', () => {
  expect(sameSourceFile('names.c', 'names.c')).toBe(true)
  expect(sameSourceFile('/home/learner/names.c', 'names.c')).toBe(true)
  expect(sameSourceFile('./names.c', 'names.c')).toBe(true)
  expect(sameSourceFile('/tmp/build/names.c', 'names.c')).toBe(true)
  expect(sameSourceFile('names.c', 'main.c')).toBe(false)
  expect(sameSourceFile('/home/learner/lib/util.c', 'util.c')).toBe(true)
  expect(sameSourceFile('/home/learner/names.c.orig', 'names.c')).toBe(false)
})

test('the exact relative name wins over a base-name match', () => {
  expect(editorFileFor('/home/learner/lib/util.c', ['util.c', 'lib/util.c'])).toBe('lib/util.c')
  expect(editorFileFor('/home/learner/util.c', ['lib/util.c', 'util.c'])).toBe('util.c')
  expect(editorFileFor('/src/util.c', ['main.c', 'util.c'])).toBe('util.c')
  expect(editorFileFor('libc/malloc.c', ['main.c'])).toBeNull()
})

const breakpoints: SnapshotBreakpoint[] = [
  { number: 1, kind: 'breakpoint', enabled: true, addresses: ['0x401136'], lines: [{ file: '/home/learner/main.c', line: 12 }], expression: null },
  { number: 2, kind: 'breakpoint', enabled: false, addresses: ['0x401140'], lines: [{ file: 'main.c', line: 12 }], expression: null },
  { number: 3, kind: 'watch', enabled: true, addresses: ['0x7ffe0000'], lines: [], expression: 'count' },
  { number: 4, kind: 'breakpoint', enabled: true, addresses: ['0x401200'], lines: [{ file: 'util.c', line: 3 }], expression: null },
]

test("the gutter's breakpoints: code breakpoints on this file's lines, watchpoints not", () => {
  const lines = breakpointsByLine(breakpoints, 'main.c')
  expect([...lines.entries()]).toEqual([[12, [{ number: 1, enabled: true }, { number: 2, enabled: false }]]])
  expect(breakpointTitle(lines.get(12) ?? [])).toBe('Breakpoint 1, Breakpoint 2 (disabled) — click to delete')
})
