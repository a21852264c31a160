// Browser mode: serves the built renderer and speaks MemscapeApi over a WebSocket, on
// 127.0.0.1 only. WebSocket upgrades from any other origin are refused (a web page the user
// visits must not be able to drive the host), and no message can crash the server.

import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { extname, join, resolve, sep } from 'node:path'
import type { Duplex } from 'node:stream'
import { WebSocketServer, type RawData, type WebSocket } from 'ws'
import type { MemscapeApi } from '../../shared/protocol/api'
import { openConnection } from './connection'
import { rendererHeaders } from './security-headers'

export const API_PATH = '/api'
/** Largest accepted WebSocket message; requests are small (an ELF image is the biggest). */
const MAX_MESSAGE_BYTES = 16 * 1024 * 1024

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
}

export interface ServerOptions {
  host: MemscapeApi
  /** The built renderer (out/renderer). */
  rendererDir: string
  /** 0 picks a free port. */
  port: number
}

export interface RunningServer {
  url: string
  port: number
  close(): Promise<void>
}

/** The Host values the server answers to; anything else may be DNS rebinding. */
function allowedHosts(port: number): string[] {
  return [`127.0.0.1:${port}`, `localhost:${port}`]
}

/** True when a WebSocket upgrade comes from a page this server served. */
export function isAllowedOrigin(request: Pick<IncomingMessage, 'headers'>, port: number): boolean {
  const host = request.headers.host
  const origin = request.headers.origin
  return host !== undefined && allowedHosts(port).includes(host) && origin === `http://${host}`
}

function refuseUpgrade(socket: Duplex, status: string, reason: string): void {
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${reason}\n`)
}

async function serveFile(root: string, request: IncomingMessage, response: ServerResponse, headers: Record<string, string>): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { ...headers, Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('Method not allowed\n')
    return
  }
  let pathname: string
  try {
    pathname = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname)
  } catch {
    response.writeHead(400, { ...headers, 'Content-Type': 'text/plain' }).end('Bad request path\n')
    return
  }
  const file = resolve(root, `.${pathname.endsWith('/') ? `${pathname}index.html` : pathname}`)
  if (file !== root && !file.startsWith(root + sep)) {
    response.writeHead(403, { ...headers, 'Content-Type': 'text/plain' }).end('Forbidden\n')
    return
  }
  const info = await stat(file).catch(() => null)
  if (!info?.isFile()) {
    response.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('Not found\n')
    return
  }
  response.writeHead(200, {
    ...headers,
    'Content-Type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream',
    'Content-Length': String(info.size),
    'Cache-Control': 'no-cache',
  })
  if (request.method === 'HEAD') response.end()
  else createReadStream(file).pipe(response)
}

function decodeMessage(data: RawData, isBinary: boolean): { ok: true; value: unknown } | { ok: false; reason: string } {
  if (isBinary) return { ok: false, reason: 'Binary WebSocket messages are not accepted; send JSON text' }
  const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8')
  try {
    return { ok: true, value: JSON.parse(text) as unknown }
  } catch (error) {
    return { ok: false, reason: `Not JSON: ${error instanceof Error ? error.message : String(error)}` }
  }
}

function serveSocket(socket: WebSocket, host: MemscapeApi): void {
  const send = (message: unknown): void => {
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message))
  }
  const connection = openConnection(host, send)
  socket.on('message', (data, isBinary) => {
    const decoded = decodeMessage(data, isBinary)
    if (decoded.ok) connection.receive(decoded.value)
    else send({ id: null, error: { code: 'bad-message', message: decoded.reason } })
  })
  socket.on('close', () => void connection.close())
  // A socket error (e.g. an oversized frame) closes the socket; it must not reach the process.
  socket.on('error', () => socket.terminate())
}

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const root = resolve(options.rendererDir)
  let port = options.port
  const websockets = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES })
  const http = createServer((request, response) => {
    const headers = rendererHeaders(allowedHosts(port).map((host) => `ws://${host}`))
    serveFile(root, request, response, headers).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500, { 'Content-Type': 'text/plain' })
      response.end(`Internal error: ${error instanceof Error ? error.message : String(error)}\n`)
    })
  })
  http.on('upgrade', (request, socket, head) => {
    socket.on('error', () => socket.destroy())
    const path = new URL(request.url ?? '/', 'http://localhost').pathname
    if (path !== API_PATH) return refuseUpgrade(socket, '404 Not Found', `WebSocket endpoint is ${API_PATH}`)
    if (!isAllowedOrigin(request, port)) {
      return refuseUpgrade(socket, '403 Forbidden', 'WebSocket connections are accepted only from pages this server serves')
    }
    websockets.handleUpgrade(request, socket, head, (ws) => serveSocket(ws, options.host))
  })
  await new Promise<void>((resolvePromise, reject) => {
    http.once('error', reject)
    http.listen(options.port, '127.0.0.1', () => {
      http.off('error', reject)
      resolvePromise()
    })
  })
  port = (http.address() as AddressInfo).port
  return {
    url: `http://127.0.0.1:${port}/`,
    port,
    async close() {
      for (const client of websockets.clients) client.terminate()
      websockets.close()
      await new Promise<void>((resolvePromise) => http.close(() => resolvePromise()))
    },
  }
}

/** Where the built renderer sits relative to a built bundle in out/main. */
export function builtRendererDir(bundleDir: string): string {
  return join(bundleDir, '..', 'renderer')
}
