// SessionHost with real worker threads (the built simulation worker).

import { afterAll, describe, expect, test } from 'vitest'
import { SessionHost } from '../../../electron/node/host'
import { builtWorkerUrl } from './built'

const host = new SessionHost({ workerUrl: builtWorkerUrl(), maxSessions: 3 })
afterAll(() => host.closeAll())

describe('SessionHost without a program', () => {
  test('a session runs the dispatcher in its worker', async () => {
    const session = await host.openSession()
    expect(session).toMatchObject({ run: 'no-program', instructionCount: 0 })
    const output = await host.execute(session.sessionId, 'help support')
    expect(output.ok).toBe(true)
    expect(output.segments.map((segment) => segment.text).join('')).toContain('echo -- Print a constant string.')
    expect(await host.execute(session.sessionId, 'nosuch')).toEqual({
      ok: false,
      segments: [{ text: 'Undefined command: "nosuch".  Try "help".\n', style: 'error' }],
    })
    await host.closeSession(session.sessionId)
  })

  test('control requests are answered through the control block', async () => {
    const { sessionId } = await host.openSession()
    await expect(host.control(sessionId, 'run')).rejects.toMatchObject({ code: 'invalid-state', message: 'No executable file specified.' })
    await expect(host.control(sessionId, 'pause')).resolves.toMatchObject({ sessionId, run: 'no-program' })
    await host.closeSession(sessionId)
  })

  test('memory of a session without a program reads as unmapped', async () => {
    const { sessionId } = await host.openSession()
    expect(await host.readMemory(sessionId, '0x401000', 4)).toEqual({ address: '0x401000', bytes: [0, 0, 0, 0], mapped: [false, false, false, false] })
    await expect(host.readMemory(sessionId, '0x401000', 1 << 30)).rejects.toMatchObject({ code: 'invalid-params', message: 'A read is 1 to 65536 bytes, not 1073741824' })
    await expect(host.readMemory(sessionId, 'somewhere', 1)).rejects.toThrow('"somewhere" is not an address')
    await host.closeSession(sessionId)
  })

  test('unknown and closed sessions are reported, not crashed on', async () => {
    const { sessionId } = await host.openSession()
    await host.closeSession(sessionId)
    await expect(host.execute(sessionId, 'help')).rejects.toMatchObject({ code: 'no-such-session', message: `No session "${sessionId}" is open` })
    await expect(host.closeSession('s999')).rejects.toMatchObject({ code: 'no-such-session' })
  })

  test('sessions are limited, and closing one frees a place', async () => {
    const opened = await Promise.all([host.openSession(), host.openSession(), host.openSession()])
    await expect(host.openSession()).rejects.toThrow('Too many open sessions (3); close one first')
    await host.closeSession(opened[0]!.sessionId)
    const another = await host.openSession()
    await Promise.all([another, ...opened.slice(1)].map((session) => host.closeSession(session.sessionId)))
  })

  test('a program that is not an ELF fails to open with the loader\'s reason', async () => {
    // "hello" in base64.
    await expect(host.openSession({ program: { path: '/bin/nothing', elfBase64: 'aGVsbG8=' } })).rejects.toMatchObject({
      code: 'failed',
      message: 'not an ELF file: it starts with 68 65 6c 6c, not the ELF magic 7f 45 4c 46 ("\\x7fELF")',
    })
  })
})
