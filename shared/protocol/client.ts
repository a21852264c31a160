// The renderer end of the protocol: a MemscapeApi over any transport that moves messages.

import * as v from 'valibot'
import { ApiError, type EventListener, type MemscapeApi, type MethodName } from './api'
import { METHODS, ServerMessageSchema, describeIssues, type Request } from './schema'

/** Moves messages; the client validates whatever arrives. */
export interface Transport {
  send(message: Request): void
  /** Registers the client's handlers; called once. */
  connect(onMessage: (message: unknown) => void, onClose: (reason: string) => void): void
}

export interface ApiClientOptions {
  /** Called for messages that match no pending call (a broken or hostile peer). */
  onProtocolError?: (message: string) => void
}

interface Pending {
  method: MethodName
  resolve: (value: unknown) => void
  reject: (error: ApiError) => void
}

export function createApiClient(transport: Transport, options: ApiClientOptions = {}): MemscapeApi {
  const pending = new Map<number, Pending>()
  const listeners = new Set<EventListener>()
  let nextId = 1
  let closedReason: string | null = null
  const protocolError = options.onProtocolError ?? (() => {})

  transport.connect(
    (raw) => {
      const parsed = v.safeParse(ServerMessageSchema, raw)
      if (!parsed.success) {
        const id = typeof raw === 'object' && raw !== null && 'id' in raw ? raw.id : null
        const call = typeof id === 'number' ? pending.get(id) : undefined
        const reason = `Malformed message from the host: ${describeIssues(parsed.issues)}`
        if (call && typeof id === 'number') {
          pending.delete(id)
          call.reject(new ApiError('bad-response', reason))
        } else protocolError(reason)
        return
      }
      const message = parsed.output
      if ('event' in message) {
        for (const listener of listeners) listener(message.event)
        return
      }
      const call = message.id === null ? undefined : pending.get(message.id)
      if (!call || message.id === null) {
        protocolError('error' in message ? `Host error: ${message.error.message}` : `Response to unknown request ${message.id}`)
        return
      }
      pending.delete(message.id)
      if ('error' in message) {
        call.reject(new ApiError(message.error.code, message.error.message))
        return
      }
      const result = v.safeParse(METHODS[call.method].result, message.result)
      if (result.success) call.resolve(result.output)
      else call.reject(new ApiError('bad-response', `Malformed ${call.method} result: ${describeIssues(result.issues)}`))
    },
    (reason) => {
      closedReason = reason
      for (const call of pending.values()) call.reject(new ApiError('disconnected', reason))
      pending.clear()
    },
  )

  function call<M extends MethodName>(method: M, params: unknown[]): Promise<Awaited<ReturnType<MemscapeApi[M]>>> {
    if (closedReason !== null) return Promise.reject(new ApiError('disconnected', closedReason))
    const id = nextId++
    return new Promise((resolve, reject) => {
      pending.set(id, { method, resolve: resolve as (value: unknown) => void, reject })
      transport.send({ id, method, params })
    })
  }

  return {
    version: () => call('version', []),
    openSession: (options) => call('openSession', options === undefined ? [] : [options]),
    closeSession: (sessionId) => call('closeSession', [sessionId]),
    sessionState: (sessionId) => call('sessionState', [sessionId]),
    execute: (sessionId, line, how) => call('execute', how === undefined ? [sessionId, line] : [sessionId, line, how]),
    readMemory: (sessionId, address, length) => call('readMemory', [sessionId, address, length]),
    control: (sessionId, action) => call('control', [sessionId, action]),
    sendInput: (sessionId, dataBase64) => call('sendInput', [sessionId, dataBase64]),
    snapshot: (sessionId, options) => call('snapshot', options === undefined ? [sessionId] : [sessionId, options]),
    build: (sessionId, request) => call('build', [sessionId, request]),
    openExecutable: (sessionId, file) => call('openExecutable', [sessionId, file]),
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
  }
}
