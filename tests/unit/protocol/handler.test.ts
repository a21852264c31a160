import { describe, expect, test } from 'vitest'
import { ApiError, type MemscapeApi, type SessionState } from '../../../shared/protocol/api'
import { createRequestHandler } from '../../../shared/protocol/server'

const state: SessionState = { sessionId: 's1', run: 'no-program', instructionCount: 0, exitCode: null, signal: null, fault: null, error: null }

/** An API that records calls, for checking what the handler passes through. */
function recordingApi(calls: unknown[][]): MemscapeApi {
  return {
    version: async () => ({ name: 'Memscape', version: '0.1.0' }),
    openSession: async (options) => (calls.push(['openSession', options]), state),
    closeSession: async (id) => void calls.push(['closeSession', id]),
    sessionState: async (id) => {
      throw new ApiError('no-such-session', `No session "${id}" is open`)
    },
    execute: async (id, line) => (calls.push(['execute', id, line]), { ok: true, segments: [] }),
    readMemory: async () => {
      throw new Error('disk on fire')
    },
    control: async () => state,
    sendInput: async () => undefined,
    snapshot: async () => null,
    build: async (id, request) => (calls.push(['build', id, request]), { ok: false, diagnostics: '', programPath: null, checksec: [] }),
    openExecutable: async (id, file) => (calls.push(['openExecutable', id, file]), { ok: false, diagnostics: '', programPath: null, checksec: [] }),
    subscribe: () => () => {},
  }
}

describe('createRequestHandler', () => {
  const calls: unknown[][] = []
  const handle = createRequestHandler(recordingApi(calls))

  test('a valid request reaches the API with its positional parameters', async () => {
    expect(await handle({ id: 1, method: 'execute', params: ['s1', 'help'] })).toEqual({ id: 1, result: { ok: true, segments: [] } })
    expect(calls).toContainEqual(['execute', 's1', 'help'])
  })

  test('a void result travels as null', async () => {
    expect(await handle({ id: 2, method: 'closeSession', params: ['s1'] })).toEqual({ id: 2, result: null })
  })

  test.each([
    ['a string', 'hello', null, /^Not a request \{id, method, params\}/],
    ['null', null, null, /^Not a request/],
    ['an array', [1, 2], null, /^Not a request/],
    ['a request without params', { id: 3, method: 'version' }, 3, /params: Invalid key/],
    ['a negative id', { id: -1, method: 'version', params: [] }, null, /id: Invalid value/],
    ['extra keys', { id: 4, method: 'version', params: [], admin: true }, 4, /admin/],
  ])('%s is rejected as a bad message', async (_what, message, id, reason) => {
    const response = await handle(message)
    expect(response).toMatchObject({ id, error: { code: 'bad-message' } })
    expect('error' in response && response.error.message).toMatch(reason)
  })

  test.each(['toString', '__proto__', 'constructor', 'subscribe', 'nope'])('method %s is unknown', async (method) => {
    expect(await handle({ id: 5, method, params: [] })).toEqual({ id: 5, error: { code: 'unknown-method', message: `Unknown method "${method}"` } })
  })

  test.each([
    ['execute', ['s1'], /Invalid parameters for execute: /],
    ['execute', ['s1', 42], /1: Invalid type: Expected string but received 42/],
    ['execute', ['s1', 'x'.repeat(5000)], /at most 4096 characters/],
    ['execute', ['../../etc', 'help'], /session id is 1-64 letters/],
    ['readMemory', ['s1', '401000', 16], /an address is "0x" followed by 1-16 hex digits/],
    ['readMemory', ['s1', '0x401000', 0], /a length is at least 1/],
    ['readMemory', ['s1', '0x401000', 1.5], /a length is a whole number/],
    ['readMemory', ['s1', '0x401000', 1 << 20], /a length is at most 65536/],
    ['control', ['s1', 'explode'], /Invalid type: Expected \("run" \| "pause" \| "step" \| "stop"\)/],
    ['openSession', [{ program: { path: 'a.out', elfBase64: 'AA==' } }], /the program path must be absolute/],
    ['openSession', [{ program: { path: '/a.out', elfBase64: 'not base64!' } }], /must be padded base64/],
    ['openSession', [{ seed: -1 }], /seed/],
    ['build', ['s1', { files: {}, protections: { pie: true, stackProtector: 'none', execStack: false } }], /a build needs at least one source file/],
    ['build', ['s1', { files: { '../x.c': '' }, protections: { pie: true, stackProtector: 'none', execStack: false } }], /a file name is 1-255 characters without "\/"/],
    ['build', ['s1', { files: { 'a.c': '' }, protections: { pie: true, stackProtector: 'maybe', execStack: false } }], /stackProtector/],
    ['openExecutable', ['s1', { name: '..', elfBase64: 'AA==' }], /a file name is not "." or ".."/],
    ['snapshot', ['s1', { live: 'yes' }], /live/],
  ])('%s with %j has invalid parameters', async (method, params, reason) => {
    const response = await handle({ id: 6, method, params })
    expect(response).toMatchObject({ id: 6, error: { code: 'invalid-params' } })
    expect('error' in response && response.error.message).toMatch(reason)
  })

  test('an ApiError keeps its code', async () => {
    expect(await handle({ id: 7, method: 'sessionState', params: ['s9'] })).toEqual({
      id: 7,
      error: { code: 'no-such-session', message: 'No session "s9" is open' },
    })
  })

  test('any other exception is reported as failed, never thrown', async () => {
    expect(await handle({ id: 8, method: 'readMemory', params: ['s1', '0x0', 1] })).toEqual({ id: 8, error: { code: 'failed', message: 'disk on fire' } })
  })
})
