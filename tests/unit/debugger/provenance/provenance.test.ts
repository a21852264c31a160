// provenance and last-write on programs built by gcc (glibc's SSE2 string functions) and by
// Memscape (its C libc): input bytes followed through read(), memcpy and strcpy in other
// functions back to their stdin offsets, argv bytes, computed values, and last-write against
// gdb's way of asking the same question (a watchpoint and reverse-continue).

import { execFileSync } from 'node:child_process'
import { describe, expect, test } from 'vitest'
import { memoryProvenance } from '../../../../shared/debugger/provenance/query'
import { traceHistory } from '../../../../shared/debugger/provenance/trace'
import { bytes, debug, gccProgram, memscapeProgram, type BuiltProgram } from './harness'

const COPIES = `#include <string.h>
#include <unistd.h>
char line[64];
void copy_in(char *dst, const char *src, size_t n) { memcpy(dst, src, n); }
void duplicate(char *dst, const char *src) { strcpy(dst, src); }
int add_two(int a, int b) {
  int x = a + b;
  return x;
}
int main(int argc, char **argv) {
  char first[32], second[32], arg[16];
  ssize_t got = read(0, line, 63);
  line[got] = 0;
  copy_in(first, line + 4, 16);
  first[16] = 0;
  duplicate(second, first);
  strcpy(arg, argv[1]);
  int sum = add_two(second[0], 5);
  return sum + arg[0] + argc;
}
`

const COUNTER = `#include <stdio.h>
int counter;
void bump(int by) {
  counter += by;
}
int main(void) {
  for (int i = 1; i <= 5; i++) bump(i);
  counter = counter * 2;
  printf("%d\\n", counter);
  return 0;
}
`

const INPUT = '0123456789abcdefghijklmnopqrstuvwxyz\n'

/** Each byte's source as the provenance table gives it: "stdin:4", "argv1:0"... keyed by address. */
function sources(text: string): Map<number, string> {
  const found = new Map<number, string>()
  for (const line of text.split('\n')) {
    const run = /^(0x[0-9a-f]+)\s+((?:[0-9a-f]{2} ?)+)\s+(stdin bytes? |argv\[(\d+)\]\[)(\d+)(?:–(\d+))?/.exec(line)
    if (!run) continue
    const start = Number(run[1])
    const first = Number(run[5])
    const last = run[6] === undefined ? first : Number(run[6])
    const stream = run[4] === undefined ? 'stdin' : `argv${run[4]}`
    for (let i = 0; i <= last - first; i++) found.set(start + i, `${stream}:${first + i}`)
  }
  return found
}

async function stoppedAtReturn(program: BuiltProgram) {
  const d = debug(program, { stdin: bytes(INPUT), args: ['hello'] })
  await d.run('break 19')
  expect(await d.run('run')).toContain('19\t  return sum + arg[0] + argc;')
  return d
}

const address = (text: string): number => Number(/(0x[0-9a-f]+)/.exec(text)![1])

describe.each([
  ['gcc -static', () => gccProgram('copies', COPIES)],
  ['memscape cc', () => memscapeProgram('copies', COPIES)],
])('provenance (%s)', (_label, build) => {
  test('bytes read from stdin, then copied by memcpy and strcpy in other functions, lead back to their stdin offsets', async () => {
    const d = await stoppedAtReturn(build())
    const second = address(await d.run('print &second'))
    const answer = await d.run('provenance second 17')
    expect(answer).toContain("from the program's first instruction")
    const found = sources(answer)
    for (let i = 0; i < 16; i++) expect(found.get(second + i)).toBe(`stdin:${4 + i}`)
    // The terminating NUL is first[16] = 0, a constant of main's code.
    expect(answer).toMatch(/00 {2}a constant in instruction \d+\n {4}by instruction \d+, 0x[0-9a-f]+ <main\+\d+>: mov .*\(in main at copies\.c:15\)/)
    expect(answer).toMatch(/read by instruction \d+, 0x[0-9a-f]+ <[\w.]+\+\d+>: syscall \(in read at copies\.c:12\)/)
    expect(answer).toContain('(in strcpy at copies.c:5)')
    const first = address(await d.run('print &first'))
    const copied = sources(await d.run('provenance first 16'))
    for (let i = 0; i < 16; i++) expect(copied.get(first + i)).toBe(`stdin:${4 + i}`)
  })

  test('argv bytes copied by strcpy', async () => {
    const d = await stoppedAtReturn(build())
    const arg = address(await d.run('print &arg'))
    const found = sources(await d.run('provenance arg 6'))
    for (let i = 0; i < 6; i++) expect(found.get(arg + i)).toBe(`argv1:${i}`)
  })

  test('a sum is computed by the add instruction of its line', async () => {
    const d = await stoppedAtReturn(build())
    const answer = await d.run('provenance sum')
    const computed = /computed by instruction (\d+)\n {4}by instruction (\d+), 0x[0-9a-f]+ <add_two\+\d+>: add \w+,\w+ \(in add_two at copies\.c:7\)/.exec(answer)
    expect(computed).not.toBeNull()
    expect(computed![1]).toBe(computed![2])
    // The add ran at that instruction count: going there shows the line of the add.
    expect(await d.run(`goto ${computed![1]}`)).toContain('add_two')
  })

  test('last-write says which system call wrote bytes, and which stdin bytes they were', async () => {
    const d = await stoppedAtReturn(build())
    const answer = await d.run('last-write &line[4] 8')
    expect(answer).toMatch(/^Last write to 0x[0-9a-f]+-0x[0-9a-f]+: instruction \d+, written by the read system call \(stdin bytes 4–11\)\.\n/)
    expect(answer).toContain('syscall')
    expect(answer).toContain('copies.c:12')
  })

  test('a window that does not reach the start says how far back it looked', async () => {
    const d = await stoppedAtReturn(build())
    const inferior = d.session.inferior!
    const sum = address(await d.run('print &sum'))
    const end = inferior.instructionCount
    const trace = traceHistory(d.session, inferior, { window: 3 })
    expect(trace.start).toBe(end - 3)
    expect(trace.fromProgramStart).toBe(false)
    expect(inferior.instructionCount).toBe(end)
    // sum was stored by the last instruction: inside the window. What the add computed was not.
    const [run] = memoryProvenance(trace, sum, 4)
    expect(run!.writers[0]!.count).toBe(end)
    expect(run!.first).toEqual({ kind: 'earlier', count: end - 3 })
  })
})

describe.each([
  ['gcc -static', () => gccProgram('counter', COUNTER)],
  ['memscape cc', () => memscapeProgram('counter', COUNTER)],
])('last-write against a watchpoint and reverse-continue (%s)', (_label, build) => {
  test('both go back to the same instruction, twice in a row', async () => {
    const program = build()
    const byLastWrite = debug(program)
    const byWatch = debug(program)
    for (const d of [byLastWrite, byWatch]) {
      await d.run('break 9')
      await d.run('run')
    }
    await byWatch.run('watch counter')
    for (let round = 0; round < 2; round++) {
      const lastWrite = await byLastWrite.run('last-write &counter 4')
      const reverse = await byWatch.run('reverse-continue')
      expect(reverse).toContain('Hardware watchpoint 2: counter')
      const count = /Current instruction count: (\d+)/
      expect(count.exec(await byLastWrite.run('when'))![1]).toBe(count.exec(await byWatch.run('when'))![1])
      expect(lastWrite).toMatch(/^Last write to 0x[0-9a-f]+-0x[0-9a-f]+: instruction \d+, stored by this instruction\.\n/)
      // The frame lines are the ones reverse-continue prints.
      const frame = lastWrite.split('\n').slice(2).join('\n')
      expect(reverse.endsWith(frame)).toBe(true)
    }
  })

  test('nothing wrote the bytes since the start: what they hold instead', async () => {
    const d = debug(build())
    await d.run('break main')
    await d.run('run')
    const counter = address(await d.run('print &counter'))
    const range = `0x${counter.toString(16)}-0x${(counter + 3).toString(16)}`
    expect(await d.run('last-write &counter 4')).toBe(`Nothing wrote ${range} since the program started: it holds zero: .bss (zero-initialized).\n`)
  })
})

describe('last-write against gdb', () => {
  test("the frame lines are those of gdb's reverse-continue to a (software) watchpoint", async () => {
    const program = gccProgram('counter', COUNTER)
    const gdb = execFileSync('gdb', [
      '-batch', '-nx', '-ex', 'set can-use-hw-watchpoints 0', '-ex', 'break main', '-ex', 'run', '-ex', 'record full',
      '-ex', 'break 9', '-ex', 'continue', '-ex', 'watch counter', '-ex', 'reverse-continue', '-ex', 'reverse-continue', program.path,
    ], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
    // gdb: "Old value = 30 / New value = 15 / main () at counter.c:8 / 8\t..." for each stop.
    const gdbFrames = [...gdb.matchAll(/New value = \d+\n(.*\n.*\n)/g)].map((m) => m[1])
    expect(gdbFrames).toHaveLength(2)
    const d = debug(program)
    await d.run('break 9')
    await d.run('run')
    for (const frame of gdbFrames) {
      const answer = await d.run('last-write &counter 4')
      expect(answer.split('\n').slice(2).join('\n')).toBe(frame)
    }
  })
})
