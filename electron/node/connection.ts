// One client connection (a browser tab over WebSocket, an Electron window over IPC): its own
// view of the host that sees only the sessions it opened and closes them when it goes away,
// so a closed tab never leaves worker threads behind.

import { ApiError, type MemscapeApi, type MemscapeEvent } from '../../shared/protocol/api'
import { createRequestHandler, eventMessage } from '../../shared/protocol/server'

export interface Connection {
  /** Handles one untrusted message; the reply (or error) goes out through `send`. */
  receive(message: unknown): void
  /** Ends the connection's sessions. */
  close(): Promise<void>
}

function sessionOf(event: MemscapeEvent): string {
  return event.type === 'state' ? event.state.sessionId : event.sessionId
}

/** The host restricted to the sessions opened through it. */
export function scopeToOwnSessions(host: MemscapeApi): { api: MemscapeApi; owned: Set<string> } {
  const owned = new Set<string>()
  const own = (sessionId: string): string => {
    if (!owned.has(sessionId)) throw new ApiError('no-such-session', `No session "${sessionId}" is open`)
    return sessionId
  }
  const api: MemscapeApi = {
    version: () => host.version(),
    async openSession(options) {
      const state = await host.openSession(options)
      owned.add(state.sessionId)
      return state
    },
    async closeSession(sessionId) {
      await host.closeSession(own(sessionId))
      owned.delete(sessionId)
    },
    sessionState: async (sessionId) => host.sessionState(own(sessionId)),
    execute: async (sessionId, line, how) => host.execute(own(sessionId), line, how),
    readMemory: async (sessionId, address, length) => host.readMemory(own(sessionId), address, length),
    control: async (sessionId, action) => host.control(own(sessionId), action),
    sendInput: async (sessionId, dataBase64) => host.sendInput(own(sessionId), dataBase64),
    snapshot: async (sessionId, options) => host.snapshot(own(sessionId), options),
    build: async (sessionId, request) => host.build(own(sessionId), request),
    openExecutable: async (sessionId, file) => host.openExecutable(own(sessionId), file),
    subscribe: (listener) =>
      host.subscribe((event) => {
        if (owned.has(sessionOf(event))) listener(event)
      }),
  }
  return { api, owned }
}

export function openConnection(host: MemscapeApi, send: (message: unknown) => void): Connection {
  const { api, owned } = scopeToOwnSessions(host)
  const handle = createRequestHandler(api)
  const unsubscribe = api.subscribe((event) => send(eventMessage(event)))
  let closed = false
  return {
    receive(message) {
      if (closed) return
      void handle(message).then((response) => {
        if (!closed) send(response)
      })
    },
    async close() {
      closed = true
      unsubscribe()
      await Promise.all([...owned].map((sessionId) => host.closeSession(sessionId).catch(() => undefined)))
      owned.clear()
    },
  }
}
