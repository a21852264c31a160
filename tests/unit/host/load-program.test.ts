// The workspace's ways in, through the host and its worker: build sources (errors come back as
// gcc prints them and leave the old program alone), open an executable file, and take the live
// and full snapshots the panes draw from.

import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { SessionHost } from '../../../electron/node/host'
import { outputText } from '../../../shared/debugger'
import type { BuildProtections } from '../../../shared/protocol/api'
import { encodeBase64 } from '../../../shared/protocol/base64'
import { builtWorkerUrl } from './built'

const host = new SessionHost({ workerUrl: builtWorkerUrl() })
const PROTECTED: BuildProtections = { pie: true, stackProtector: 'strong', execStack: false }
const BARE: BuildProtections = { pie: false, stackProtector: 'none', execStack: true }

const PROGRAM = `#include <stdlib.h>
#include <string.h>
int main(void) {
  char name[16];
  char *copy = malloc(24);
  strcpy(name, "memscape");
  strcpy(copy, name);
  free(copy);
  return 0;
}
`

let dir: string
let sessionId: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'memscape-load-'))
  sessionId = (await host.openSession()).sessionId
})

afterAll(async () => {
  await host.closeAll()
  rmSync(dir, { recursive: true, force: true })
})

describe('loading programs into a session', () => {
  test('a C file with an error reports it as gcc does and loads nothing', async () => {
    const report = await host.build(sessionId, { files: { 'broken.c': 'int main(void) {\n  return x;\n}\n' }, protections: PROTECTED })
    expect(report.ok).toBe(false)
    expect(report.diagnostics).toContain("broken.c:2:10: error: 'x' undeclared (first use in this function)")
    expect((await host.sessionState(sessionId)).run).toBe('no-program')
  })

  test('a file that is not C or assembly is refused by its name', async () => {
    const report = await host.build(sessionId, { files: { 'notes.txt': 'hello' }, protections: PROTECTED })
    expect(report).toMatchObject({ ok: false, diagnostics: expect.stringContaining('notes.txt: file format not recognized') })
  })

  test('a good build replaces the program, stopped at its first instruction, with the protections asked for', async () => {
    const report = await host.build(sessionId, { files: { 'names.c': PROGRAM }, protections: PROTECTED })
    expect(report).toMatchObject({ ok: true, programPath: '/home/learner/names' })
    const lines = Object.fromEntries(report.checksec.map((line) => [line.key, line.value]))
    expect(lines).toMatchObject({ Stack: 'Canary found', NX: 'NX enabled', PIE: 'PIE enabled' })
    expect((await host.sessionState(sessionId)).run).toBe('ready')
    const bare = await host.build(sessionId, { files: { 'names.c': PROGRAM }, protections: BARE })
    // pwntools 4.14's words for an executable stack on amd64, where NX then depends on the kernel.
    // "Canary found" stays: a static binary links glibc's __stack_chk_fail whatever main was built with.
    expect(bare.checksec.map((line) => `${line.key} ${line.value}`)).toEqual(
      expect.arrayContaining(['NX NX unknown - GNU_STACK missing', 'PIE No PIE (0x400000)', 'Stack Executable']),
    )
  })

  test('the built program debugs with its source: break, run, and a snapshot at the line', async () => {
    await host.build(sessionId, { files: { 'names.c': PROGRAM }, protections: PROTECTED })
    expect(outputText(await host.execute(sessionId, 'break 7'))).toMatch(/^Breakpoint 1 at 0x[0-9a-f]+: file names.c, line 7\./)
    const stop = outputText(await host.execute(sessionId, 'run'))
    expect(stop).toContain('Breakpoint 1, main () at names.c:7')
    expect(stop).toContain('7\t  strcpy(copy, name);')
    const snapshot = await host.snapshot(sessionId)
    expect(snapshot?.source).toEqual({ file: '/home/learner/names.c', line: 7 })
    expect(snapshot?.breakpoints).toEqual([
      { number: 1, kind: 'breakpoint', enabled: true, addresses: [snapshot?.registers.find((r) => r.name === 'rip')?.value], lines: [{ file: '/home/learner/names.c', line: 7 }], expression: null },
    ])
    expect(snapshot?.frames[0]?.slots.map((slot) => slot.role)).toEqual(expect.arrayContaining(['canary', 'return-address', 'local']))
    expect(snapshot?.heap?.chunks.some((chunk) => chunk.state === 'allocated' && chunk.size === 0x20)).toBe(true)
    // A live snapshot is light and leaves the change baseline to the next stop.
    const live = await host.snapshot(sessionId, { live: true })
    expect(live).toMatchObject({ heap: null, changed: [] })
    expect(live?.registers.find((r) => r.name === 'rip')?.value).toBe(snapshot?.registers.find((r) => r.name === 'rip')?.value)
    await host.execute(sessionId, 'next')
    const after = await host.snapshot(sessionId)
    expect(after?.changed.length).toBeGreaterThan(0)
    // Killed, the program stays loaded to run again: stopped, not "no program".
    await host.execute(sessionId, 'kill')
    expect((await host.sessionState(sessionId)).run).toBe('stopped')
    expect(outputText(await host.execute(sessionId, 'run'))).toContain('Breakpoint 1, main () at names.c:7')
  })

  test('an executable file opens; a file that is not ELF says why and keeps the old program', async () => {
    writeFileSync(join(dir, 'p.c'), 'int main(void) { return 7; }\n')
    execFileSync('gcc', ['-O0', '-static', '-o', join(dir, 'p'), join(dir, 'p.c')])
    const report = await host.openExecutable(sessionId, { name: 'p', elfBase64: encodeBase64(new Uint8Array(readFileSync(join(dir, 'p')))) })
    expect(report).toMatchObject({ ok: true, programPath: '/home/learner/p' })
    const garbage = await host.openExecutable(sessionId, { name: 'notes.txt', elfBase64: encodeBase64(new TextEncoder().encode('just some text, not a program')) })
    expect(garbage.ok).toBe(false)
    expect(garbage.diagnostics).toMatch(/^"notes.txt": not in executable format: /)
    expect(outputText(await host.execute(sessionId, 'checksec'))).toContain("'/home/learner/p'")
  })
})
