// Expressions without a running program, answered from the executable file as gdb answers them:
// globals at link-time addresses with their initial values (.bss as zeros), types, functions,
// x over the file's sections, and gdb's refusals (no registers, nothing to write).

import { afterAll, expect, test } from 'vitest'
import { outputText } from '../../../../shared/debugger'
import { buildWithGcc, buildWithMemscape, drive, gdbTranscript, memscapeTranscript, normalise, scratch } from './harness'

const { dir, cleanUp } = scratch()
afterAll(cleanUp)
const gcc = buildWithGcc(dir, 'w')

const SCRIPT = [
  'print g', 'print &g', 'print *&g', 'print counter', 'print &counter', 'print msg', 'print *msg', 'print table', 'print table[1]',
  'print &table[2]', 'print *&table[1]@2', 'print ratio', 'print origin', 'print origin.name', 'print &origin.y', 'print corner',
  'print paint', 'print/x paint', 'print RED', 'print BLUE + 1', 'print sizeof(origin)', 'print sizeof(struct point)', 'print main',
  'print &main', 'print square', 'print $foo', 'print 1 + 2', 'ptype struct point', 'ptype point_t', 'ptype main', 'ptype origin',
  'whatis origin', 'whatis table', 'whatis paint', 'whatis corner', 'ptype enum colour', 'output g', 'x/4xw table', 'x/s msg',
  'x/2i main', 'x/2xg &origin', 'print environ',
]

test('print, ptype, whatis, output and x before the program runs match gdb', async () => {
  expect(normalise(await memscapeTranscript(gcc, SCRIPT))).toBe(normalise(gdbTranscript(gcc, SCRIPT)))
}, 60_000)

test('after the program exits, values come from the file again', async () => {
  const script = ['break 30', 'run', 'print g', 'continue', 'print g', 'print counter', 'x/i main']
  expect(normalise(await memscapeTranscript(gcc, script))).toBe(normalise(gdbTranscript(gcc, script)))
}, 60_000)

test('gdb\'s refusals without a process', async () => {
  const { run } = drive(gcc)
  for (const [line, message] of [
    ['print $rsp', 'No registers.'],
    ['x/4x $sp', 'No registers.'],
    ['set var g = 3', 'Cannot access memory at address 0x4a40d0'],
    ['print nosuch', 'No symbol "nosuch" in current context.'],
    ['print *(int *)0', 'Cannot access memory at address 0x0'],
    // The ELF header is in a segment but in no section: gdb's exec file has no bytes there.
    ['x/4xb 0x400000', '0x400000:\t\nCannot access memory at address 0x400000'],
  ] as const) {
    const output = await run(line)
    expect(output.ok, line).toBe(false)
    expect(outputText(output), line).toBe(`${message}\n`)
  }
  // The write was refused: the file's value is still there.
  expect(outputText(await run('print g'))).toMatch(/= 7\n$/)
})

test('a Memscape-built program answers from its file too', async () => {
  const memscape = buildWithMemscape(dir, 'm')
  const script = ['print g', 'print &g', 'print counter', 'print origin', 'print table', 'ptype struct point', 'whatis corner', 'print main', 'x/s msg', 'x/3i square']
  expect(normalise(await memscapeTranscript(memscape, script))).toBe(normalise(gdbTranscript(memscape, script)))
}, 60_000)
