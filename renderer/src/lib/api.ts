// The renderer's one MemscapeApi, over whichever transport this window has.

import { BRIDGE_GLOBAL, type MemscapeBridge } from '../../../shared/protocol/bridge'
import { createApiClient } from '../../../shared/protocol/client'
import type { MemscapeApi } from '../../../shared/protocol/api'
import { bridgeTransport, websocketTransport } from './transports'

export type TransportKind = 'electron' | 'websocket'

function electronBridge(): MemscapeBridge | undefined {
  return (window as unknown as Record<string, MemscapeBridge | undefined>)[BRIDGE_GLOBAL]
}

/** Connects to the host; onClose hears when the connection is lost (browser mode only). */
export function connectApi(onClose: (reason: string) => void): { api: MemscapeApi; transport: TransportKind } {
  const bridge = electronBridge()
  const onProtocolError = (message: string): void => console.error(message)
  if (bridge) return { api: createApiClient(bridgeTransport(bridge), { onProtocolError }), transport: 'electron' }
  const url = new URL('/api', window.location.href)
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:'
  return { api: createApiClient(websocketTransport(url.href, onClose), { onProtocolError }), transport: 'websocket' }
}
