// The host end of the protocol: turns one untrusted message into exactly one response,
// whatever it contains. Used by the Electron IPC wiring and the browser-mode WebSocket alike.

import * as v from 'valibot'
import { ApiError, type MemscapeApi, type MemscapeEvent } from './api'
import { METHODS, RequestSchema, describeIssues, isMethodName, type ErrorBody } from './schema'

export type Response = { id: number; result: unknown } | { id: number | null; error: ErrorBody }

function requestIdOf(message: unknown): number | null {
  if (typeof message !== 'object' || message === null || !('id' in message)) return null
  const { id } = message
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 ? id : null
}

export function createRequestHandler(api: MemscapeApi): (message: unknown) => Promise<Response> {
  return async (message) => {
    const request = v.safeParse(RequestSchema, message)
    if (!request.success) {
      const reason = describeIssues(request.issues)
      return { id: requestIdOf(message), error: { code: 'bad-message', message: `Not a request {id, method, params}: ${reason}` } }
    }
    const { id, method } = request.output
    if (!isMethodName(method)) {
      return { id, error: { code: 'unknown-method', message: `Unknown method "${method}"` } }
    }
    const params = v.safeParse(METHODS[method].params, request.output.params)
    if (!params.success) {
      return { id, error: { code: 'invalid-params', message: `Invalid parameters for ${method}: ${describeIssues(params.issues)}` } }
    }
    try {
      const call = api[method] as (...args: unknown[]) => Promise<unknown>
      const result = await call.apply(api, params.output as unknown[])
      return { id, result: result ?? null }
    } catch (error) {
      if (error instanceof ApiError) return { id, error: { code: error.code, message: error.message } }
      return { id, error: { code: 'failed', message: error instanceof Error ? error.message : String(error) } }
    }
  }
}

export function eventMessage(event: MemscapeEvent): { event: MemscapeEvent } {
  return { event }
}
