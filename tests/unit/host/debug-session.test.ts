// The debugger through the host and its worker, as the app and the CLI use it: what a command
// prints before the program runs arrives ahead of the program's output, Enter repeats `next`,
// Ctrl-C (pause) stops a command running a guest that never ends, and a debugger `run` hands
// the host the new machine's memory.

import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { SessionHost } from '../../../electron/node/host'
import { outputText } from '../../../shared/debugger'
import type { MemscapeEvent } from '../../../shared/protocol/api'
import { decodeBase64, encodeBase64 } from '../../../shared/protocol/base64'
import { builtWorkerUrl } from './built'

const SOURCE = `#include <stdio.h>
int main(int argc, char **argv) {
  int n = argc;
  printf("hello %d\\n", n);
  fflush(stdout);
  n = n + 1;
  n = n * 2;
  while (argc > 1) n++;
  return n;
}
`

const host = new SessionHost({ workerUrl: builtWorkerUrl() })
let dir: string
let elfBase64: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'memscape-host-debug-'))
  writeFileSync(join(dir, 'p.c'), SOURCE)
  execFileSync('gcc', ['-g', '-O0', '-static', '-no-pie', '-o', join(dir, 'p'), 'p.c'], { cwd: dir })
  elfBase64 = encodeBase64(new Uint8Array(readFileSync(join(dir, 'p'))))
})

afterAll(async () => {
  await host.closeAll()
  rmSync(dir, { recursive: true, force: true })
})

describe('the debugger behind the host', () => {
  test('"Starting program" comes before the program\'s output, which comes before the stop', async () => {
    const { sessionId } = await host.openSession({ program: { path: join(dir, 'p'), elfBase64, sources: { [join(dir, 'p.c')]: SOURCE } } })
    const transcript: string[] = []
    const unsubscribe = host.subscribe((event: MemscapeEvent) => {
      if (event.type === 'console' && event.sessionId === sessionId) transcript.push(outputText(event.output))
      if (event.type === 'output' && event.sessionId === sessionId) transcript.push(new TextDecoder().decode(decodeBase64(event.dataBase64)))
    })
    transcript.push(outputText(await host.execute(sessionId, 'break 6')))
    transcript.push(outputText(await host.execute(sessionId, 'run')))
    unsubscribe()
    expect(transcript.join('')).toBe(
      `Breakpoint 1 at ${/0x[0-9a-f]+/.exec(transcript[0]!)![0]}: file p.c, line 6.\nStarting program: ${join(dir, 'p')} \nhello 1\n\nBreakpoint 1, main (argc=1, argv=${/argv=(0x[0-9a-f]+)/.exec(transcript.join(''))![1]}) at p.c:6\n6\t  n = n + 1;\n`,
    )
    // The worker now runs the debugger's machine: the host reads its memory.
    const rsp = /0x[0-9a-f]+/.exec(outputText(await host.execute(sessionId, 'p/x $rsp')))![0]
    expect((await host.readMemory(sessionId, rsp, 8)).mapped).toEqual(Array(8).fill(true))
    await host.closeSession(sessionId)
  })

  test('a blank line typed at the prompt repeats next, as gdb does; not in a script', async () => {
    const { sessionId } = await host.openSession({ program: { path: join(dir, 'p'), elfBase64, sources: { [join(dir, 'p.c')]: SOURCE } } })
    await host.execute(sessionId, 'break 6')
    await host.execute(sessionId, 'run')
    expect(outputText(await host.execute(sessionId, 'next', { typed: true }))).toBe('7\t  n = n * 2;\n')
    expect(outputText(await host.execute(sessionId, '', { typed: true }))).toBe('8\t  while (argc > 1) n++;\n')
    expect(outputText(await host.execute(sessionId, ''))).toBe('')
    await host.closeSession(sessionId)
  })

  test('pause interrupts a continue that would never end', async () => {
    const { sessionId } = await host.openSession({ program: { path: join(dir, 'p'), elfBase64 }, argv: [join(dir, 'p'), 'forever'] })
    expect((await host.sessionState(sessionId)).run).toBe('ready')
    await host.execute(sessionId, 'break 8')
    await host.execute(sessionId, 'run')
    // Started and stopped at a breakpoint: paused, no longer ready.
    expect((await host.sessionState(sessionId)).run).toBe('paused')
    await host.execute(sessionId, 'delete')
    const states: string[] = []
    const unsubscribe = host.subscribe((event) => {
      if (event.type === 'state' && event.state.sessionId === sessionId) states.push(event.state.run)
    })
    const running = host.execute(sessionId, 'continue')
    await new Promise((resolve) => setTimeout(resolve, 300))
    // While a command drives the program, the views hear that it runs (and follow it live).
    expect((await host.sessionState(sessionId)).run).toBe('running')
    await host.control(sessionId, 'pause')
    const stopped = outputText(await running)
    unsubscribe()
    expect(states).toContain('running')
    expect(states.at(-1)).toBe('paused')
    expect(stopped).toContain('Program received signal SIGINT, Interrupt.')
    expect(stopped).toMatch(/in main \(argc=2, argv=0x[0-9a-f]+\) at p\.c:8|^8\t/m)
    await host.closeSession(sessionId)
  })
})
