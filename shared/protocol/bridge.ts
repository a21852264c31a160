// What the Electron preload exposes to the renderer as `window.memscape`: a message pipe and
// nothing else (no ipcRenderer, no Node). The protocol client runs on top of it.

export interface MemscapeBridge {
  send(message: unknown): void
  onMessage(listener: (message: unknown) => void): void
}

export const BRIDGE_GLOBAL = 'memscape'
export const IPC_REQUEST_CHANNEL = 'memscape:request'
export const IPC_MESSAGE_CHANNEL = 'memscape:message'
