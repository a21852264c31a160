import { describe, expect, test } from 'vitest'
import { ApiError, type MemscapeApi, type MemscapeEvent, type SessionState } from '../../../shared/protocol/api'
import { createApiClient, type Transport } from '../../../shared/protocol/client'
import type { Request } from '../../../shared/protocol/schema'
import { createRequestHandler, eventMessage } from '../../../shared/protocol/server'

const state: SessionState = { sessionId: 's1', run: 'paused', instructionCount: 12, exitCode: null, signal: null, fault: null, error: null }

const backend: MemscapeApi = {
  version: async () => ({ name: 'Memscape', version: '0.1.0' }),
  openSession: async () => state,
  closeSession: async () => undefined,
  sessionState: async () => state,
  execute: async (_id, line) => ({ ok: true, segments: [{ text: line, style: 'plain' }] }),
  readMemory: async (_id, address, length) => ({ address, bytes: new Array(length).fill(0xeb), mapped: new Array(length).fill(true) }),
  control: async () => state,
  sendInput: async () => undefined,
  snapshot: async () => null,
  build: async () => ({ ok: false, diagnostics: 'a.c:1:1: error: expected declaration\n', programPath: null, checksec: [] }),
  openExecutable: async (_id, file) => ({ ok: true, diagnostics: '', programPath: `/home/learner/${file.name}`, checksec: [{ key: 'NX', value: 'NX enabled', tone: 'good' }] }),
  subscribe: () => () => {},
}

/** A transport wired straight to a handler, through JSON as on a WebSocket. */
function loopback(): { transport: Transport; push: (message: unknown) => void; close: (reason: string) => void; sent: Request[] } {
  const handle = createRequestHandler(backend)
  let deliver: (message: unknown) => void = () => {}
  let closed: (reason: string) => void = () => {}
  const sent: Request[] = []
  return {
    sent,
    transport: {
      send(message) {
        sent.push(message)
        void handle(JSON.parse(JSON.stringify(message))).then((response) => deliver(JSON.parse(JSON.stringify(response))))
      },
      connect(onMessage, onClose) {
        deliver = onMessage
        closed = onClose
      },
    },
    push: (message) => deliver(message),
    close: (reason) => closed(reason),
  }
}

describe('createApiClient', () => {
  test('every method round-trips through the handler', async () => {
    const { transport } = loopback()
    const api = createApiClient(transport)
    expect(await api.version()).toEqual({ name: 'Memscape', version: '0.1.0' })
    expect(await api.openSession()).toEqual(state)
    expect(await api.closeSession('s1')).toBeUndefined()
    expect(await api.execute('s1', 'help')).toEqual({ ok: true, segments: [{ text: 'help', style: 'plain' }] })
    expect(await api.readMemory('s1', '0x401000', 2)).toEqual({ address: '0x401000', bytes: [0xeb, 0xeb], mapped: [true, true] })
    expect(await api.control('s1', 'pause')).toEqual(state)
  })

  test('errors from the host reject with ApiError and its code', async () => {
    const { transport } = loopback()
    const api = createApiClient(transport)
    const failure = api.readMemory('s1', 'nowhere', 1)
    await expect(failure).rejects.toBeInstanceOf(ApiError)
    await expect(failure).rejects.toMatchObject({ code: 'invalid-params' })
  })

  test('a malformed result is rejected, not handed to the renderer', async () => {
    let deliver: (message: unknown) => void = () => {}
    const api = createApiClient({
      send: (message) => queueMicrotask(() => deliver({ id: message.id, result: { name: 7 } })),
      connect: (onMessage) => void (deliver = onMessage),
    })
    await expect(api.version()).rejects.toMatchObject({ code: 'bad-response', message: expect.stringMatching(/^Malformed version result: name/) })
  })

  test('events reach subscribers; junk is reported, not thrown', async () => {
    const { transport, push } = loopback()
    const problems: string[] = []
    const api = createApiClient(transport, { onProtocolError: (message) => problems.push(message) })
    const events: MemscapeEvent[] = []
    const unsubscribe = api.subscribe((event) => events.push(event))
    push(eventMessage({ type: 'state', state }))
    push({ event: { type: 'state', state: { ...state, run: 'dancing' } } })
    push('garbage')
    push({ id: 999, result: 1 })
    unsubscribe()
    push(eventMessage({ type: 'output', sessionId: 's1', fd: 1, dataBase64: 'aGk=' }))
    expect(events).toEqual([{ type: 'state', state }])
    expect(problems).toHaveLength(3)
    expect(problems[0]).toMatch(/^Malformed message from the host/)
    expect(problems[2]).toBe('Response to unknown request 999')
  })

  test('a closed transport rejects pending and later calls', async () => {
    const { close } = loopback()
    let closeNow: (reason: string) => void = () => {}
    const api = createApiClient({ send: () => {}, connect: (_onMessage, onClose) => void (closeNow = onClose) })
    const pending = api.version()
    closeNow('socket closed')
    void close
    await expect(pending).rejects.toMatchObject({ code: 'disconnected', message: 'socket closed' })
    await expect(api.execute('s1', 'help')).rejects.toMatchObject({ code: 'disconnected' })
  })
})
