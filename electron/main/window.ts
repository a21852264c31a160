// The app window: sandboxed renderer, no Node, context isolation, no navigation away from the
// app and no new windows.

import { BrowserWindow, shell } from 'electron'

export interface WindowFiles {
  /** The built preload (out/preload/preload.cjs). */
  preload: string
  /** The built renderer page (out/renderer/index.html). */
  indexHtml: string
}

export function createMainWindow(files: WindowFiles): BrowserWindow {
  const window = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    title: 'Memscape',
    backgroundColor: '#0b0f14',
    show: false,
    webPreferences: {
      preload: files.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      spellcheck: false,
    },
  })
  window.once('ready-to-show', () => window.show())
  window.webContents.on('will-navigate', (event) => event.preventDefault())
  window.webContents.setWindowOpenHandler(({ url }) => {
    // Links to documentation open in the user's browser, never inside the app.
    if (url.startsWith('https://')) void shell.openExternal(url)
    return { action: 'deny' }
  })
  const devServer = process.env.ELECTRON_RENDERER_URL
  if (devServer) void window.loadURL(devServer)
  else void window.loadFile(files.indexHtml)
  return window
}
