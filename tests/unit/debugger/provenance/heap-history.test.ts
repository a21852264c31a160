// heap history: the allocator calls of the recorded run up to the current instruction, for
// glibc 2.36 (gcc -static) and Memscape's libc, without moving the program.

import { describe, expect, test } from 'vitest'
import { heapHistory } from '../../../../shared/debugger/heap-history'
import { debug, gccProgram, memscapeProgram } from './harness'

const SCRIPT = `#include <stdio.h>
#include <stdlib.h>
int main(void) {
  char *a = malloc(24);
  char *b = calloc(4, 8);
  a = realloc(a, 100);
  free(b);
  char *c = malloc(24);
  free(a);
  free(c);
  puts("done");
  return 0;
}
`

interface Row {
  count: number
  call: string
  result: string
  caller: string
}

function rows(table: string): Row[] {
  return [...table.matchAll(/^ *(\d+) {2}(\S+(?:, \S+)?\)) +(0x[0-9a-f]+|\(did not return\))? *(\S.*)$/gm)].map((m) => ({
    count: Number(m[1]), call: m[2]!, result: m[3] ?? '', caller: m[4]!,
  }))
}

describe.each([
  ['gcc -static', () => gccProgram('script', SCRIPT)],
  ['memscape cc', () => memscapeProgram('script', SCRIPT)],
])('heap history (%s)', (_label, build) => {
  test("every call the program's own lines made, with arguments, results and callers, the program left where it was", async () => {
    const d = debug(build())
    await d.run('break 11')
    await d.run('run')
    const when = await d.run('when')
    const table = await d.run('heap history')
    expect(table).toMatch(/^Allocator calls up to instruction \d+:\ninstruction {2}call +returned +caller\n/)
    const own = rows(table).filter((row) => row.caller.includes('(script.c:'))
    const [a, b, a2, , c] = own.map((row) => row.result)
    expect(own.map((row) => `${row.call} ${row.result} ${/\(script\.c:\d+\)/.exec(row.caller)![0]}`)).toEqual([
      `malloc(24) ${a} (script.c:4)`,
      `calloc(4, 8) ${b} (script.c:5)`,
      `realloc(${a}, 100) ${a2} (script.c:6)`,
      `free(${b})  (script.c:7)`,
      `malloc(24) ${c} (script.c:8)`,
      `free(${a2})  (script.c:9)`,
      `free(${c})  (script.c:10)`,
    ])
    expect(own.every((row) => /^main\+\d+ /.test(row.caller))).toBe(true)
    // Counts go up; the program is still where it was and goes on as before.
    expect(own.map((row) => row.count)).toEqual([...own.map((row) => row.count)].sort((x, y) => x - y))
    expect(await d.run('when')).toBe(when)
    expect(await d.run('next')).toBe('12\t  return 0;\n')
  })

  test('going back in time lists only what happened before', async () => {
    const d = debug(build())
    await d.run('break 11')
    await d.run('run')
    const own = rows(await d.run('heap history')).filter((row) => row.caller.includes('(script.c:'))
    const secondFree = own[5]!
    // Just before its call instruction: the list stops at the free before it.
    await d.run(`goto ${secondFree.count - 1}`)
    const before = rows(await d.run('heap history')).filter((row) => row.caller.includes('(script.c:'))
    expect(before.map((row) => row.call)).toEqual(own.slice(0, 5).map((row) => row.call))
    // Inside the call, it has not returned yet.
    await d.run(`goto ${secondFree.count}`)
    const inside = rows(await d.run('heap history')).filter((row) => row.caller.includes('(script.c:'))
    expect(inside[5]).toEqual({ ...secondFree, result: '(did not return)' })
  })

  test('the structured list the UI reads', async () => {
    const d = debug(build())
    await d.run('break 11')
    await d.run('run')
    const history = await heapHistory(d.session, d.session.inferior!)
    expect(history.complete).toBe(true)
    expect(history.from).toBe(0)
    const own = history.calls.filter((call) => call.source?.startsWith('script.c:'))
    expect(own.map((call) => call.function)).toEqual(['malloc', 'calloc', 'realloc', 'free', 'malloc', 'free', 'free'])
    expect(own[2]!.args).toEqual([own[0]!.result, 100n])
    expect(own.every((call) => call.returned)).toBe(true)
  })
})
