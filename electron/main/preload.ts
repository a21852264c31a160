// Preload (CommonJS, sandboxed): exposes the message pipe to the renderer through
// contextBridge. Only plain values cross; the renderer never sees ipcRenderer itself.

import { contextBridge, ipcRenderer } from 'electron'
import { BRIDGE_GLOBAL, IPC_MESSAGE_CHANNEL, IPC_REQUEST_CHANNEL, type MemscapeBridge } from '../../shared/protocol/bridge'

const bridge: MemscapeBridge = {
  send(message) {
    ipcRenderer.send(IPC_REQUEST_CHANNEL, message)
  },
  onMessage(listener) {
    ipcRenderer.on(IPC_MESSAGE_CHANNEL, (_event, message: unknown) => listener(message))
  },
}

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, bridge)
