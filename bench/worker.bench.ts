// The simulation worker's responsiveness: how fast a guest spinning in `jmp $` pauses, and how
// fast the host reads guest memory (the hex dump path) while the guest runs.

import { pathToFileURL } from 'node:url'
import { join } from 'node:path'
import { afterAll, expect, test } from 'vitest'
import { SessionHost } from '../electron/node/host'
import { encodeBase64 } from '../shared/protocol/base64'
import { SPIN_FOREVER, tinyElf } from '../tests/fixtures/tiny-elf'
import { percentile, report } from './report'

const host = new SessionHost({ workerUrl: pathToFileURL(join(import.meta.dirname, '..', 'out', 'main', 'simulation-worker.js')) })
afterAll(() => host.closeAll())

const PAUSE_TRIALS = 200
const READ_BYTES = 4096
const READ_TRIALS = 2000

test('pause latency and memory reads of a spinning guest', async () => {
  const { sessionId } = await host.openSession({ program: { path: '/home/user/spin', elfBase64: encodeBase64(tinyElf(SPIN_FOREVER)) } })

  const pauses: number[] = []
  for (let i = 0; i < PAUSE_TRIALS; i++) {
    await host.control(sessionId, 'run')
    // Let the guest get into its loop (and the worker into a burst) before pausing.
    await new Promise((resolve) => setTimeout(resolve, 2 + (i % 5)))
    const started = performance.now()
    await host.control(sessionId, 'pause')
    pauses.push(performance.now() - started)
  }

  const before = (await host.sessionState(sessionId)).instructionCount
  await host.control(sessionId, 'run')
  const readStarted = performance.now()
  for (let i = 0; i < READ_TRIALS; i++) await host.readMemory(sessionId, '0x401000', READ_BYTES)
  const readSeconds = (performance.now() - readStarted) / 1000
  // Then half a second without reads, so the guest speed below covers both.
  await new Promise((resolve) => setTimeout(resolve, 500))
  await host.control(sessionId, 'pause')
  const after = (await host.sessionState(sessionId)).instructionCount
  const runSeconds = (performance.now() - readStarted) / 1000

  report('Simulation worker', [
    { name: 'pause latency, median', value: percentile(pauses, 50), unit: 'ms', note: `${PAUSE_TRIALS} pauses of jmp $` },
    { name: 'pause latency, p99', value: percentile(pauses, 99), unit: 'ms' },
    { name: 'pause latency, worst', value: Math.max(...pauses), unit: 'ms' },
    { name: 'readMemory while running', value: (READ_TRIALS * READ_BYTES) / readSeconds / 1e6, unit: 'MB/s', note: `${READ_TRIALS} reads of ${READ_BYTES} bytes` },
    { name: 'readMemory calls', value: READ_TRIALS / readSeconds, unit: 'calls/s' },
    { name: 'guest speed meanwhile (jmp $)', value: (after - before) / runSeconds / 1e6, unit: 'M instr/s' },
  ])
  expect(percentile(pauses, 50)).toBeLessThan(10)
})
