// The paragraph printed after a fatal signal: each kind of crash explained with the facts a
// learner can check for themselves (the frame's layout from `info frame` and `p &buf`, the write
// from last-write, the allocator calls from heap history).

import { describe, expect, test } from 'vitest'
import { buildProgram } from '../../../../shared/toolchain/driver'
import { bytes, debug, flat, gccProgram, memscapeProgram, p64, type BuiltProgram } from '../provenance/harness'

const GETS = `#include <stdio.h>
void vuln(void) {
  char buf[64];
  gets(buf);
  printf("%s\\n", buf);
}
int main(void) {
  vuln();
  return 0;
}
`

const READ_OVERFLOW = `#include <stdio.h>
#include <unistd.h>
void vulnerable(void) {
  char buf[16];
  read(0, buf, 64);
  printf("%s\\n", buf);
}
int main(void) {
  vulnerable();
  return 0;
}
`

const STACK_JUMP = `#include <unistd.h>
void vuln(void) {
  char buf[64];
  read(0, buf, 200);
}
int main(void) {
  vuln();
  return 0;
}
`

const NULL_POINTER = `#include <stdio.h>
struct node { int value; struct node *next; };
int main(void) {
  struct node *p = NULL;
  puts("about to read");
  return p->value;
}
`

const DOUBLE_FREE = `#include <stdio.h>
#include <stdlib.h>
int main(void) {
  char *p = malloc(24);
  free(p);
  puts("freed once");
  free(p);
  return 0;
}
`

const RECURSION = `int depth(int n) {
  char pad[100];
  pad[n % 100] = (char)n;
  return depth(n + 1) + pad[(n * 3) % 100];
}
int main(void) {
  return depth(0);
}
`

const hex = (n: number | bigint): string => `0x${n.toString(16)}`

/** Where `buf` and the return address of `fn` are, read at a breakpoint in fn as a learner would. */
async function frameFacts(program: BuiltProgram, fn: string): Promise<{ buf: number; returnSlot: number; rbp: number }> {
  const d = debug(program)
  await d.run(`break ${fn}`)
  await d.run('run')
  const buf = Number(/= \(char \(\*\)\[\d+\]\) (0x[0-9a-f]+)/.exec(await d.run('print &buf'))![1])
  const returnSlot = Number(/rip at (0x[0-9a-f]+)/.exec(await d.run('info frame'))![1])
  const rbp = Number(/(0x[0-9a-f]+)/.exec(await d.run('print/x $rbp'))![1])
  return { buf, returnSlot, rbp }
}

/** The instruction count last-write reports for some bytes (it moves the program; the caller is done with it). */
async function lastWriteCount(program: BuiltProgram, stdin: Uint8Array, address: number, length: number): Promise<number> {
  const d = debug(program, { stdin })
  await d.run('run')
  return Number(/instruction (\d+)/.exec(await d.run(`last-write ${address} ${length}`))![1])
}

const builds: [string, (name: string, source: string, flags: 'plain' | 'protected') => BuiltProgram][] = [
  ['gcc -static', (name, source, flags) => gccProgram(name, source, flags === 'protected' ? ['-fstack-protector-strong'] : ['-fno-stack-protector'])],
  ['memscape cc', (name, source, flags) => memscapeProgram(name, source, { stackProtector: flags === 'protected' ? 'strong' : 'none' })],
]

describe.each(builds)('crashes explained (%s)', (_label, build) => {
  test('a gets overflow: the stdin bytes that became the saved return address, written by gets', async () => {
    const program = build('vuln', GETS, 'plain')
    const { buf, returnSlot } = await frameFacts(program, 'vuln')
    const offset = returnSlot - buf
    const input = bytes('A'.repeat(offset) + 'BBBBBBBB\n')
    const d = debug(program, { stdin: input })
    const stop = flat(await d.run('run'))
    expect(stop).toContain('Program received signal SIGSEGV, Segmentation fault.')
    expect(stop).toContain('vuln at vuln.c:6 returned to 0x4242424242424242, which is not a valid address')
    expect(stop).toContain('non-canonical')
    const writer = await lastWriteCount(program, input, returnSlot, 8)
    expect(stop).toContain(`Bytes ${offset}–${offset + 7} of stdin became vuln's saved return address at ${hex(returnSlot)}, written by gets at vuln.c:4, instruction ${writer}.`)
    expect(stop).toContain(`bytes 0–${offset + 7} of stdin, written into buf (64 bytes at ${hex(buf)}) and running ${offset + 8 - 64} bytes past its end`)
    expect(stop).toContain(`over vuln's saved rbp (bytes ${offset - 8}–${offset - 1} of stdin)`)
    // explain repeats it.
    expect(flat(await d.run('explain'))).toBe(stop.slice(stop.indexOf('vuln at vuln.c:6 returned')))
  })

  test('a canary smash: which bytes overwrote which function\'s canary', async () => {
    const program = build('smash', READ_OVERFLOW, 'protected')
    const { buf, rbp } = await frameFacts(program, 'vulnerable')
    const canary = rbp - 8
    const input = bytes('C'.repeat(40))
    const d = debug(program, { stdin: input })
    const stop = flat(await d.run('run'))
    expect(stop).toContain('Program received signal SIGABRT, Aborted.')
    expect(stop).toContain(`The stack protector stopped the program: as vulnerable was about to return at smash.c:7, the canary in its frame at ${hex(canary)} held 0x4343434343434343`)
    const offset = canary - buf
    const writer = await lastWriteCount(program, input, canary, 8)
    expect(stop).toContain(`Bytes ${offset}–${offset + 7} of stdin became vulnerable's canary, written by the read system call at smash.c:5, instruction ${writer}.`)
    expect(stop).toContain(`went into buf (16 bytes at ${hex(buf)}) and ran ${canary + 8 - buf - 16} bytes past its end, over the canary.`)
  })

  test('a jump into the stack, which is not executable', async () => {
    const program = build('jump', STACK_JUMP, 'plain')
    const { buf, returnSlot } = await frameFacts(program, 'vuln')
    const offset = returnSlot - buf
    const input = bytes('\x90'.repeat(offset) + p64(BigInt(buf)))
    const d = debug(program, { stdin: input })
    const stop = flat(await d.run('run'))
    expect(stop).toContain('Program received signal SIGSEGV, Segmentation fault.')
    expect(stop).toContain(`vuln at jump.c:5 returned to ${hex(buf)}, which is in [stack] (rw-p) that is not executable (NX)`)
    expect(stop).toContain('The bytes there are bytes 0–7 of stdin: input meant to run as code.')
    expect(stop).toContain(`Bytes ${offset}–${offset + 7} of stdin became vuln's saved return address at ${hex(returnSlot)}, written by the read system call at jump.c:4`)
  })

  test('a NULL pointer dereference: the pointer and where its value was set', async () => {
    const d = debug(build('nullp', NULL_POINTER, 'plain'))
    const stop = flat(await d.run('run'))
    expect(stop).toContain('main at nullp.c:6 read 4 bytes at 0x0, and nothing is mapped there')
    expect(stop).toMatch(/The address is r[a-z0-9]+ \(0x0\), loaded from p at instruction \d+; p got its value from the constant in `mov qword ptr \[rbp-\w+\],0` in main at nullp\.c:4 \(instruction \d+\)\./)
  })

  test('a double free: glibc\'s message, the first free and the allocation', async () => {
    const d = debug(build('dfree', DOUBLE_FREE, 'plain'))
    const stop = flat(await d.run('run'))
    expect(stop).toContain('Program received signal SIGABRT, Aborted.')
    expect(stop).toContain('("free(): double free detected in tcache 2")')
    const history = await d.run('heap history')
    const frees = [...history.matchAll(/^\s*(\d+)\s+free\((0x[0-9a-f]+)\)/gm)]
    const malloc = /^\s*(\d+)\s+malloc\(24\)\s+(0x[0-9a-f]+)/m.exec(history)!
    expect(frees.map((f) => f[2])).toEqual([malloc[2], malloc[2]])
    expect(stop).toContain(`The failing call was free(${malloc[2]}) at dfree.c:7 (instruction ${frees[1]![1]}).`)
    expect(stop).toContain(`${malloc[2]} had already been freed at dfree.c:5 (instruction ${frees[0]![1]}), and nothing had allocated it again since malloc(24) returned it at dfree.c:4 (instruction ${malloc[1]})`)
  })

  test('stack exhaustion by recursion', async () => {
    const d = debug(build('recurse', RECURSION, 'plain'))
    const stop = flat(await d.run('run'))
    expect(stop).toContain('Program received signal SIGSEGV, Segmentation fault.')
    expect(stop).toContain('The stack ran out: it reached 0x')
    expect(stop).toContain('past its 8 MiB limit')
    const match = /(\d+) calls of depth were active \(depth calls itself at recurse\.c:4\), each taking (\d+) bytes of stack/.exec(stop)!
    const [calls, frame] = [Number(match[1]), Number(match[2])]
    // The frames fill the 8 MiB stack, less what the kernel's start-up data and main use.
    expect(calls * frame).toBeGreaterThan(8 * 1024 * 1024 - 64 * 1024)
    expect(calls * frame).toBeLessThanOrEqual(8 * 1024 * 1024)
  })
})

describe('explain COMMAND', () => {
  test('the command\'s documentation, then what it shows', async () => {
    const d = debug(gccProgram('hello', 'int main(void) { return 0; }\n'))
    const x = await d.run('explain x')
    expect(x.startsWith('Examine memory: x/FMT ADDRESS.')).toBe(true)
    expect(flat(x)).toContain('x86-64 is little-endian')
    expect(flat(await d.run('explain bt'))).toContain('Each line is a frame')
    expect(flat(await d.run('explain info frame'))).toContain('the return address, the saved rbp')
    expect(flat(await d.run('explain canary'))).toContain('__stack_chk_fail')
    expect(await d.run('explain nonsense')).toBe('error: Nothing to explain about "nonsense": it is not a command.  Try "help".\n')
    expect(await d.run('explain')).toContain('The program is not stopped at a crash')
  })
})

describe('a replay that writes more memory than provenance follows', () => {
  const FILL = `section .text
global _start
_start:
  mov eax, 9
  xor edi, edi
  mov esi, 0x2000000
  mov edx, 3
  mov r10d, 0x22
  mov r8, -1
  xor r9d, r9d
  syscall
  mov rdi, rax
  mov ecx, 0x400000
  mov rax, 0x4141414141414141
  rep stosq
  mov rax, [0]
`
  test('the stop says why there is no explanation, provenance says why it cannot answer', async () => {
    const result = buildProgram({ 'fill.asm': FILL }, ['fill.asm'], { pie: false, debugInfo: true })
    const d = debug({ path: '/home/user/fill', image: result.executable!, sources: { 'fill.asm': FILL } })
    const stop = await d.run('run')
    expect(stop).toContain('Program received signal SIGSEGV, Segmentation fault.')
    expect(stop).toContain('(No explanation: the replayed instructions wrote more than 16 MiB of memory, more than provenance follows byte by byte)')
    expect(await d.run('provenance $rsp 8')).toBe('error: Cannot work it out: the replayed instructions wrote more than 16 MiB of memory, more than provenance follows byte by byte.\n')
    // The program is still at the crash.
    expect(await d.run('explain')).toContain('error: Cannot work it out')
  })
})
