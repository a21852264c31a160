// The host survives workers that fail: at start, with garbage, or by dying mid-session.

import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, expect, test } from 'vitest'
import { SessionHost } from '../../../electron/node/host'
import type { MemscapeEvent } from '../../../shared/protocol/api'

const scratch = mkdtempSync(join(tmpdir(), 'memscape-workers-'))
const hosts: SessionHost[] = []
afterAll(() => Promise.all(hosts.map((host) => host.closeAll())))

/** A host whose "simulation worker" is the given script. */
function hostWith(name: string, source: string, startTimeoutMs?: number): SessionHost {
  const file = join(scratch, `${name}.mjs`)
  writeFileSync(file, source)
  const host = new SessionHost({ workerUrl: pathToFileURL(file), startTimeoutMs })
  hosts.push(host)
  return host
}

const READY = `
import { parentPort } from 'node:worker_threads'
const state = { run: 'no-program', instructionCount: 0, exitCode: null, signal: null, fault: null, error: null }
parentPort.postMessage({ type: 'ready', memory: null, state })
`

test('a worker that throws while starting fails openSession with its message', async () => {
  const host = hostWith('throws', "throw new Error('cannot map the stack')")
  await expect(host.openSession()).rejects.toMatchObject({ code: 'failed', message: 'cannot map the stack' })
})

test('a worker that never reports ready times out', async () => {
  const host = hostWith('silent', 'setInterval(() => {}, 1000)', 200)
  await expect(host.openSession()).rejects.toThrow('The simulation worker did not start within 200 ms')
})

test('a worker that dies mid-session marks the session crashed and fails pending calls', async () => {
  const host = hostWith('dies', `${READY}\nparentPort.on('message', () => process.exit(3))`)
  const events: MemscapeEvent[] = []
  host.subscribe((event) => events.push(event))
  const { sessionId } = await host.openSession()
  await expect(host.execute(sessionId, 'help')).rejects.toMatchObject({ code: 'failed', message: 'The simulation worker exited unexpectedly (code 3)' })
  expect(await host.sessionState(sessionId)).toMatchObject({ run: 'crashed', error: 'The simulation worker exited unexpectedly (code 3)' })
  expect(events.at(-1)).toMatchObject({ type: 'state', state: { run: 'crashed' } })
  await expect(host.control(sessionId, 'run')).rejects.toMatchObject({ code: 'failed' })
})

test('a worker that sends malformed messages is treated as crashed', async () => {
  const host = hostWith('garbage', `${READY}\nparentPort.on('message', () => parentPort.postMessage({ type: 'result', requestId: 'x' }))`)
  const { sessionId } = await host.openSession()
  await expect(host.execute(sessionId, 'help')).rejects.toThrow(/^Malformed message from the simulation worker: /)
  expect((await host.sessionState(sessionId)).run).toBe('crashed')
})
