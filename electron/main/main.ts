// Electron main process: the app window plus the IPC front door to the session host. All the
// real work (sessions, workers) is in electron/node, shared with browser mode and the CLI.

import { BrowserWindow, app, ipcMain, session } from 'electron'
import { join } from 'node:path'
import { IPC_MESSAGE_CHANNEL, IPC_REQUEST_CHANNEL } from '../../shared/protocol/bridge'
import { openConnection, type Connection } from '../node/connection'
import { SessionHost } from '../node/host'
import { contentSecurityPolicy } from '../node/security-headers'
import { createMainWindow, type WindowFiles } from './window'

// Every renderer is sandboxed, whatever a window's own options say.
app.enableSandbox()

// This file is the entry of out/main/main.js: the worker sits beside it, the preload and the
// renderer in sibling folders.
const host = new SessionHost({ workerUrl: new URL('./simulation-worker.js', import.meta.url) })
const windowFiles: WindowFiles = {
  preload: join(import.meta.dirname, '../preload/preload.cjs'),
  indexHtml: join(import.meta.dirname, '../renderer/index.html'),
}
/** One connection per window (webContents id): its sessions close with it. */
const connections = new Map<number, Connection>()

function openWindow(): void {
  const window = createMainWindow(windowFiles)
  const contents = window.webContents
  const connection = openConnection(host, (message) => {
    if (!contents.isDestroyed()) contents.send(IPC_MESSAGE_CHANNEL, message)
  })
  connections.set(contents.id, connection)
  contents.once('destroyed', () => {
    connections.delete(contents.id)
    void connection.close()
  })
}

ipcMain.on(IPC_REQUEST_CHANNEL, (event, message: unknown) => {
  // Only the top frame of our own windows may talk to the host.
  if (event.senderFrame !== event.sender.mainFrame) return
  connections.get(event.sender.id)?.receive(message)
})

void app.whenReady().then(() => {
  // Vite's dev server needs its HMR socket; the built app needs nothing beyond 'self'.
  const devSockets = process.env.ELECTRON_RENDERER_URL ? ['ws://localhost:*'] : []
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy(devSockets)] } })
  })
  openWindow()
  // macOS: clicking the dock icon with no window open opens one.
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) openWindow()
  })
})

app.on('window-all-closed', () => {
  void host.closeAll().finally(() => {
    if (process.platform !== 'darwin') app.quit()
  })
})
