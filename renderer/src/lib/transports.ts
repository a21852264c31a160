// The two ways the renderer reaches the host. Both move the same protocol messages; the
// client on top cannot tell them apart.

import type { Transport } from '../../../shared/protocol/client'
import type { MemscapeBridge } from '../../../shared/protocol/bridge'

/** Electron: the preload's contextBridge pipe. */
export function bridgeTransport(bridge: MemscapeBridge): Transport {
  return {
    send: (message) => bridge.send(message),
    connect(onMessage) {
      bridge.onMessage(onMessage)
    },
  }
}

/** Browser mode: a WebSocket to the server that served the page. Sends wait for the socket to open. */
export function websocketTransport(url: string, onLost: (reason: string) => void): Transport {
  const socket = new WebSocket(url)
  const queued: string[] = []
  socket.addEventListener('open', () => {
    for (const text of queued.splice(0)) socket.send(text)
  })
  return {
    send(message) {
      const text = JSON.stringify(message)
      if (socket.readyState === WebSocket.OPEN) socket.send(text)
      else queued.push(text)
    },
    connect(onMessage, onClose) {
      socket.addEventListener('message', (event: MessageEvent<unknown>) => {
        if (typeof event.data !== 'string') return onMessage(event.data)
        try {
          onMessage(JSON.parse(event.data) as unknown)
        } catch {
          onMessage(event.data)
        }
      })
      socket.addEventListener('close', (event) => {
        const reason = `The connection to Memscape closed (code ${event.code})`
        onClose(reason)
        onLost(reason)
      })
    },
  }
}
