// A session running a real program in the real Machine: a tight `jmp $` loop.

import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { SessionHost } from '../../../electron/node/host'
import type { SessionState } from '../../../shared/protocol/api'
import { encodeBase64 } from '../../../shared/protocol/base64'
import { SPIN_FOREVER, TINY_ELF_ENTRY, exitWith, tinyElf } from '../../fixtures/tiny-elf'
import { builtWorkerUrl } from './built'

const host = new SessionHost({ workerUrl: builtWorkerUrl() })
const program = (code: Uint8Array, name: string) => ({ program: { path: `/home/user/${name}`, elfBase64: encodeBase64(tinyElf(code)) } })
let spinner: SessionState

beforeAll(async () => {
  spinner = await host.openSession(program(SPIN_FOREVER, 'spin'))
})
afterAll(() => host.closeAll())

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('a spinning guest', () => {
  test('loads ready, with its code mapped at the entry point', async () => {
    expect(spinner).toMatchObject({ run: 'ready', instructionCount: 0 })
    expect(await host.readMemory(spinner.sessionId, `0x${TINY_ELF_ENTRY.toString(16)}`, 2)).toEqual({
      address: '0x401000',
      bytes: [0xeb, 0xfe],
      mapped: [true, true],
    })
  })

  test('kernel-half and non-canonical addresses read as unmapped', async () => {
    for (const address of ['0xffffffffff600000', '0x800000000000', '0x7ffffffffffe']) {
      const read = await host.readMemory(spinner.sessionId, address, 4)
      expect(read.address).toBe(address)
      if (address !== '0x7ffffffffffe') expect(read.mapped).toEqual([false, false, false, false])
      // The last two bytes of that one lie past the user half.
      else expect(read.mapped.slice(2)).toEqual([false, false])
    }
  })

  test('the host reads its memory while it runs, without stopping it', async () => {
    const { sessionId } = spinner
    expect((await host.control(sessionId, 'run')).run).toBe('running')
    // The first slice also loads the decoder, so wait for the guest to get going.
    const count = async () => (await host.sessionState(sessionId)).instructionCount
    await expect.poll(count, { timeout: 5000 }).toBeGreaterThan(0)
    const before = await count()
    const read = await host.readMemory(sessionId, '0x400ffe', 4)
    expect(read.bytes.slice(2)).toEqual([0xeb, 0xfe])
    expect(read.mapped).toEqual([false, false, true, true])
    await expect.poll(count, { timeout: 5000 }).toBeGreaterThan(before)
    expect((await host.sessionState(sessionId)).run).toBe('running')
  })

  test('the worker still answers commands while the guest spins', async () => {
    const output = await host.execute(spinner.sessionId, 'echo alive')
    expect(output).toEqual({ ok: true, segments: [{ text: 'alive', style: 'plain' }] })
  })

  test('pause takes effect in under 10 ms, and the guest then stays put', async () => {
    const { sessionId } = spinner
    // The machine is shared with other work, so judge the median of several pauses.
    const latencies: number[] = []
    let paused = await host.sessionState(sessionId)
    for (let trial = 0; trial < 15; trial++) {
      if (trial > 0) {
        await host.control(sessionId, 'run')
        await sleep(5)
      }
      const started = performance.now()
      paused = await host.control(sessionId, 'pause')
      latencies.push(performance.now() - started)
      expect(paused.run).toBe('paused')
    }
    const sorted = latencies.sort((a, b) => a - b)
    expect(sorted[7]!, `pause latencies (ms): ${sorted.map((ms) => ms.toFixed(2)).join(' ')}`).toBeLessThan(10)
    await sleep(30)
    expect((await host.sessionState(sessionId)).instructionCount).toBe(paused.instructionCount)
  })

  test('step runs exactly one instruction', async () => {
    const { sessionId } = spinner
    const before = (await host.sessionState(sessionId)).instructionCount
    expect(await host.control(sessionId, 'step')).toMatchObject({ run: 'paused', instructionCount: before + 1 })
  })

  test('stop ends the run; run afterwards is refused', async () => {
    const { sessionId } = spinner
    await host.control(sessionId, 'run')
    expect((await host.control(sessionId, 'stop')).run).toBe('stopped')
    await expect(host.control(sessionId, 'run')).rejects.toMatchObject({ code: 'invalid-state', message: 'The program is not being run.' })
  })
})

test('a program that exits reports its status', async () => {
  const { sessionId } = await host.openSession(program(exitWith(7), 'exit7'))
  await host.control(sessionId, 'run')
  await expect.poll(async () => (await host.sessionState(sessionId)).run, { timeout: 5000 }).toBe('exited')
  expect(await host.sessionState(sessionId)).toMatchObject({ exitCode: 7, instructionCount: 3 })
  await host.closeSession(sessionId)
})
