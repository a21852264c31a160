// Browser mode: static files with the right headers, the WebSocket API, origin checks, and
// resilience to malformed messages.

import { mkdtempSync, writeFileSync } from 'node:fs'
import { request as httpRequest } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import WebSocket from 'ws'
import { SessionHost } from '../../../electron/node/host'
import { startServer, type RunningServer } from '../../../electron/node/server'
import { builtWorkerUrl } from './built'

let server: RunningServer
let host: SessionHost
let rendererDir: string

beforeAll(async () => {
  rendererDir = mkdtempSync(join(tmpdir(), 'memscape-renderer-'))
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>t</title>')
  writeFileSync(join(rendererDir, 'app.js'), 'export {}')
  host = new SessionHost({ workerUrl: builtWorkerUrl() })
  server = await startServer({ host, rendererDir, port: 0 })
})

afterAll(async () => {
  await server.close()
  await host.closeAll()
})

/** Opens a socket with the given Origin; resolves with it open, or with the refusal status. */
function connect(origin: string | undefined, path = '/api', host?: string): Promise<{ socket: WebSocket } | { refused: number }> {
  return new Promise((resolve) => {
    const headers = host === undefined ? {} : { host }
    const socket = new WebSocket(`ws://127.0.0.1:${server.port}${path}`, origin === undefined ? { headers } : { origin, headers })
    socket.on('open', () => resolve({ socket }))
    socket.on('unexpected-response', (_request, response) => resolve({ refused: response.statusCode ?? 0 }))
    socket.on('error', () => {})
  })
}

async function openSocket(): Promise<WebSocket> {
  const result = await connect(`http://127.0.0.1:${server.port}`)
  if (!('socket' in result)) throw new Error(`refused with ${result.refused}`)
  return result.socket
}

function nextMessage(socket: WebSocket, match: (message: Record<string, unknown>) => boolean = () => true): Promise<Record<string, unknown>> {
  return new Promise((resolve) => {
    const onMessage = (data: WebSocket.RawData): void => {
      const message = JSON.parse(String(data)) as Record<string, unknown>
      if (!match(message)) return
      socket.off('message', onMessage)
      resolve(message)
    }
    socket.on('message', onMessage)
  })
}

/** Status of a GET with the path sent exactly as given (fetch would normalise it). */
function rawStatus(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port: server.port, path }, (response) => {
      response.resume()
      resolve(response.statusCode ?? 0)
    })
    request.on('error', reject)
    request.end()
  })
}

describe('static files', () => {
  test('the app is served with CSP and cross-origin isolation headers', async () => {
    const response = await fetch(server.url)
    expect(response.status).toBe(200)
    expect(response.headers.get('cross-origin-opener-policy')).toBe('same-origin')
    expect(response.headers.get('cross-origin-embedder-policy')).toBe('require-corp')
    expect(response.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(response.headers.get('content-security-policy')).toContain(`ws://127.0.0.1:${server.port}`)
    expect((await fetch(`${server.url}app.js`)).headers.get('content-type')).toBe('text/javascript; charset=utf-8')
  })

  test('nothing outside the renderer folder is reachable', async () => {
    // Encoded slashes survive URL normalisation and decode to a path that climbs out.
    expect(await rawStatus('/..%2f..%2f..%2fetc%2fpasswd')).toBe(403)
    expect(await rawStatus('/%E0%A4%A')).toBe(400)
    expect((await fetch(`${server.url}missing.js`)).status).toBe(404)
    expect((await fetch(server.url, { method: 'POST' })).status).toBe(405)
  })

  test('the server listens on 127.0.0.1 only', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/`)
  })
})

describe('WebSocket origin checks', () => {
  test.each([
    ['another site', 'https://evil.example'],
    ['another port on this machine', 'http://127.0.0.1:1'],
    ['a file:// page', 'null'],
    ['no Origin at all', undefined],
  ])('refuses %s', async (_what, origin) => {
    expect(await connect(origin)).toEqual({ refused: 403 })
  })

  test('refuses other paths', async () => {
    expect(await connect(`http://127.0.0.1:${server.port}`, '/other')).toEqual({ refused: 404 })
  })

  test('refuses a rebound DNS name, even with a matching Origin', async () => {
    const host = `attacker.example:${server.port}`
    expect(await connect(`http://${host}`, '/api', host)).toEqual({ refused: 403 })
  })

  test('accepts the pages it serves, under either loopback name', async () => {
    for (const host of [`127.0.0.1:${server.port}`, `localhost:${server.port}`]) {
      const result = await connect(`http://${host}`, '/api', host)
      expect('socket' in result, host).toBe(true)
      if ('socket' in result) result.socket.close()
    }
  })
})

describe('the API over WebSocket', () => {
  test('requests get results and the worker answers commands', async () => {
    const socket = await openSocket()
    socket.send(JSON.stringify({ id: 1, method: 'openSession', params: [] }))
    const opened = await nextMessage(socket, (message) => message.id === 1)
    const sessionId = (opened.result as { sessionId: string }).sessionId
    socket.send(JSON.stringify({ id: 2, method: 'execute', params: [sessionId, 'version'] }))
    const executed = await nextMessage(socket, (message) => message.id === 2)
    const segments = (executed.result as { segments: { text: string }[] }).segments
    expect(segments.map((segment) => segment.text).join('')).toMatch(/^Memscape 0\.1\.0\n/)
    socket.close()
  })

  test('malformed messages get a clear error and the server carries on', async () => {
    const socket = await openSocket()
    socket.send('{not json')
    expect(await nextMessage(socket)).toEqual({ id: null, error: { code: 'bad-message', message: expect.stringMatching(/^Not JSON: /) } })
    socket.send(Buffer.from([1, 2, 3]), { binary: true })
    expect(await nextMessage(socket)).toEqual({ id: null, error: { code: 'bad-message', message: 'Binary WebSocket messages are not accepted; send JSON text' } })
    socket.send(JSON.stringify({ id: 3, method: 'readMemory', params: ['s1', 'everywhere', -5] }))
    const invalid = await nextMessage(socket)
    expect(invalid).toMatchObject({ id: 3, error: { code: 'invalid-params' } })
    socket.send(JSON.stringify({ id: 4, method: 'version', params: [] }))
    expect(await nextMessage(socket)).toEqual({ id: 4, result: { name: 'Memscape', version: '0.1.0' } })
    socket.close()
  })

  test('a connection sees only its own sessions, and they close with it', async () => {
    const first = await openSocket()
    first.send(JSON.stringify({ id: 1, method: 'openSession', params: [] }))
    const { sessionId } = (await nextMessage(first, (message) => message.id === 1)).result as { sessionId: string }
    const second = await openSocket()
    second.send(JSON.stringify({ id: 1, method: 'execute', params: [sessionId, 'help'] }))
    expect(await nextMessage(second)).toMatchObject({ id: 1, error: { code: 'no-such-session' } })
    first.close()
    await new Promise((resolve) => first.once('close', resolve))
    await expect.poll(() => host.sessionState(sessionId).then(() => 'open', () => 'closed')).toBe('closed')
    second.close()
  })
})
