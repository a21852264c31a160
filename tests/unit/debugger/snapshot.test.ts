// The stop snapshot the views draw: frame slots labelled from the debug information and the
// code (return address, saved rbp, canary, arguments, locals, padding) at the addresses gdb
// gives for the same variables, a smashed canary and return address marked, and changed bytes.

import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createDispatcher, DebugSession } from '../../../shared/debugger'
import { outputText } from '../../../shared/debugger/output'
import { SnapshotHistory, type StopSnapshot } from '../../../shared/debugger/snapshot'
import { buildProgram } from '../../../shared/toolchain/driver'

const SOURCE = `#include <stdio.h>
#include <string.h>
void vuln(const char *s, int n) {
  char buf[16];
  long k = n;
  strcpy(buf, s);
  printf("%s %ld\\n", buf, k);
}
int main(void) {
  vuln("hi", 3);
  vuln("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 4);
  return 0;
}
`

let dir: string
let gccBinary: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'memscape-snapshot-'))
  writeFileSync(join(dir, 'v.c'), SOURCE)
  gccBinary = join(dir, 'v')
  execFileSync('gcc', ['-g', '-O0', '-static', '-fno-pie', '-no-pie', '-fstack-protector-all', '-o', gccBinary, 'v.c'], { cwd: dir })
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** gdb's addresses of vuln's variables and saved registers at line 6 (ASLR off, empty environment). */
function gdbFacts(): { buf: number; k: number; s: number; n: number; rbp: number; rip: number; returnsTo: string } {
  const out = execFileSync(
    'gdb',
    ['-batch', '-nx', '-ex', 'set startup-with-shell off', '-ex', 'unset environment LINES', '-ex', 'unset environment COLUMNS', '-ex', 'break 6', '-ex', 'run',
      '-ex', 'p &buf', '-ex', 'p &k', '-ex', 'p &s', '-ex', 'p &n', '-ex', 'info frame', '-ex', 'info symbol *(long *)($rbp + 8)', gccBinary],
    { encoding: 'utf8', env: {}, stdio: ['ignore', 'pipe', 'ignore'] },
  )
  const address = (pattern: RegExp): number => Number(pattern.exec(out)![1])
  return {
    buf: address(/\$1 = \(char \(\*\)\[16\]\) (0x[0-9a-f]+)/),
    k: address(/\$2 = \(long \*\) (0x[0-9a-f]+)/),
    s: address(/\$3 = \(const char \*\*\) (0x[0-9a-f]+)/),
    n: address(/\$4 = \(int \*\) (0x[0-9a-f]+)/),
    rbp: address(/rbp at (0x[0-9a-f]+)/),
    rip: address(/rip at (0x[0-9a-f]+)/),
    returnsTo: /^(\w+) \+ (\d+) in section/m.exec(out)!.slice(1, 3).join('+'),
  }
}

async function stoppedAt(image: Uint8Array, path: string, line: string): Promise<{ session: DebugSession; run: (command: string) => Promise<void> }> {
  const session = new DebugSession({ run: { aslr: 0 } })
  session.load({ path, image })
  const dispatcher = createDispatcher(session)
  const run = async (command: string): Promise<void> => void (await dispatcher.execute(command))
  await run(`break ${line}`)
  await run('run')
  return { session, run }
}

const slot = (snapshot: StopSnapshot, role: string, name?: string) =>
  snapshot.frames[0]!.slots.find((s) => s.role === role && (name === undefined || s.name === name))

describe('stop snapshots', () => {
  test('every slot of a protected gcc frame is where gdb says, and the canary is found', async () => {
    const facts = gdbFacts()
    const { session } = await stoppedAt(new Uint8Array(readFileSync(gccBinary)), gccBinary, '6')
    const snapshot = new SnapshotHistory().take(session)
    const frame = snapshot.frames[0]!
    expect(frame.functionName).toBe('vuln')
    expect(Number(slot(snapshot, 'local', 'buf')!.address)).toBe(facts.buf)
    expect(Number(slot(snapshot, 'local', 'k')!.address)).toBe(facts.k)
    expect(Number(slot(snapshot, 'argument', 's')!.address)).toBe(facts.s)
    expect(Number(slot(snapshot, 'argument', 'n')!.address)).toBe(facts.n)
    expect(Number(slot(snapshot, 'saved-rbp')!.address)).toBe(facts.rbp)
    expect(slot(snapshot, 'return-address')).toMatchObject({ address: `0x${facts.rip.toString(16)}`, note: facts.returnsTo, corrupted: false })
    // gcc stores the canary right below the saved rbp.
    expect(slot(snapshot, 'canary')).toMatchObject({ address: `0x${(facts.rbp - 8).toString(16)}`, note: 'intact', corrupted: false })
    // Slots tile the frame from rsp to the CFA with nothing left unlabelled.
    const slots = frame.slots
    for (let i = 1; i < slots.length; i++) expect(Number(slots[i]!.address)).toBe(Number(slots[i - 1]!.address) + slots[i - 1]!.size)
    expect(Number(slots[slots.length - 1]!.address) + slots[slots.length - 1]!.size).toBe(Number(frame.cfa))
  })

  test('an overflow marks the canary overwritten, and the bytes it changed', async () => {
    const { session, run } = await stoppedAt(new Uint8Array(readFileSync(gccBinary)), gccBinary, '7')
    const history = new SnapshotHistory()
    history.take(session)
    await run('continue')
    const smashed = history.take(session)
    expect(slot(smashed, 'canary')).toMatchObject({ note: 'overwritten', corrupted: true })
    const buf = Number(slot(smashed, 'local', 'buf')!.address)
    expect(smashed.changed.some((range) => Number(range.address) <= buf + 16 && Number(range.address) + range.length > buf + 16)).toBe(true)
  })

  test('Memscape-built frames are labelled the same way, and registers report changes', async () => {
    const built = buildProgram({ 'v.c': SOURCE }, ['v.c'], { pie: true, stackProtector: 'all', debugInfo: true })
    expect(built.executable).toBeDefined()
    const { session, run } = await stoppedAt(built.executable!, '/home/user/v', '6')
    const history = new SnapshotHistory()
    const first = history.take(session)
    expect(slot(first, 'canary')?.note).toBe('intact')
    expect(slot(first, 'local', 'buf')!.size).toBe(16)
    expect(slot(first, 'return-address')!.note).toMatch(/^main\+\d+$/)
    expect(first.regions.find((r) => r.name === '[stack]')!.kind).toBe('stack')
    await run('next')
    const second = history.take(session)
    expect(second.registers.find((r) => r.name === 'rip')!.changed).toBe(true)
    expect(second.disassembly.filter((line) => line.current)).toHaveLength(1)
    // Around rip: the instructions leading up to it (decoded from the function's start), then those after.
    const current = second.disassembly.findIndex((line) => line.current)
    expect(current).toBe(6)
    const rip = second.registers.find((r) => r.name === 'rip')!.value
    expect(second.disassembly[current]!.address).toBe(rip)
    for (let i = 1; i < second.disassembly.length; i++) {
      const previous = second.disassembly[i - 1]!
      expect(Number(previous.address) + previous.bytes.split(' ').length).toBe(Number(second.disassembly[i]!.address))
    }
  })
})

/** The tcache template's frees, then a double free through the fastbins once the 0x30 tcache is full. */
const HEAP_SOURCE = `#include <stdlib.h>
int main(void) {
  char *a = malloc(24);
  char *b = malloc(20);
  char *c = malloc(17);
  free(a);
  free(b);
  free(c);
  char *x = malloc(40);
  char *y = malloc(40);
  void *fill[7];
  for (int i = 0; i < 7; i++) fill[i] = malloc(40);
  for (int i = 0; i < 7; i++) free(fill[i]);
  free(x);
  free(y);
  free(x);
  return 0;
}
`

describe('the heap in stop snapshots', () => {
  let heapBinary: string
  beforeAll(() => {
    writeFileSync(join(dir, 'h.c'), HEAP_SOURCE)
    heapBinary = join(dir, 'h')
    execFileSync('gcc', ['-g', '-O0', '-static', '-o', heapBinary, 'h.c'], { cwd: dir })
  })

  const pointer = async (session: DebugSession, expression: string): Promise<bigint> => {
    const output = await createDispatcher(session).execute(`print (long)${expression}`)
    return BigInt(/= (-?\d+)/.exec(outputText(output))![1]!)
  }
  const hexOf = (address: bigint): string => `0x${address.toString(16)}`

  test('freed chunks are listed in their tcache bin in list order, last freed first', async () => {
    const { session } = await stoppedAt(new Uint8Array(readFileSync(heapBinary)), heapBinary, '9')
    const [a, b, c] = [await pointer(session, 'a'), await pointer(session, 'b'), await pointer(session, 'c')]
    const heap = new SnapshotHistory().take(session).heap!
    expect(heap.problems).toEqual([])
    expect(heap.bins).toEqual([
      { kind: 'tcachebins', label: '0x20', count: 3, chunks: [c, b, a].map((p) => hexOf(p - 0x10n)), end: { kind: 'null', address: null }, problems: [] },
    ])
    for (const p of [a, b, c]) expect(heap.chunks.find((chunk) => chunk.address === hexOf(p - 0x10n))).toMatchObject({ size: 0x20, state: 'free', bins: ['tcachebins 0x20'], note: null })
    // glibc's first chunk holds the tcache itself; the last is the top chunk.
    expect(heap.chunks[0]).toMatchObject({ size: 0x290, state: 'allocated', note: 'tcache_perthread_struct' })
    expect(heap.chunks.at(-1)!.state).toBe('top')
  })

  test('a double free through the fastbins shows as a list that loops', async () => {
    const { session } = await stoppedAt(new Uint8Array(readFileSync(heapBinary)), heapBinary, '17')
    const [x, y] = [await pointer(session, 'x'), await pointer(session, 'y')]
    const heap = new SnapshotHistory().take(session).heap!
    const fast = heap.bins.find((bin) => bin.kind === 'fastbins')!
    expect(fast).toMatchObject({ label: '0x30', count: null, chunks: [x, y].map((p) => hexOf(p - 0x10n)), end: { kind: 'loop', address: hexOf(x - 0x10n) } })
    expect(fast.problems[0]).toMatch(/the list loops/)
    expect(heap.problems.some((problem) => problem.startsWith('fastbins[0x30]: the list loops'))).toBe(true)
    expect(heap.bins.filter((bin) => bin.kind === 'tcachebins').map((bin) => [bin.label, bin.count])).toEqual([['0x20', 3], ['0x30', 7]])
  })
})
