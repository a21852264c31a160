// Shared e2e plumbing: finds Chromium, starts browser mode on a free port against the built app.

import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { SessionHost } from '../../electron/node/host'
import { startServer, type RunningServer } from '../../electron/node/server'
import { builtWorkerUrl, repoRoot } from '../unit/host/built'

const CHROMIUM_CANDIDATES = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']

export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

export function findChromium(candidates: readonly (string | undefined)[] = CHROMIUM_CANDIDATES): string {
  const found = candidates.find((path): path is string => path !== undefined && existsSync(path))
  if (found) return found
  throw new Error(
    'No Chromium found for the end-to-end tests. Install one with "sudo apt-get install chromium" (Debian/Ubuntu) ' +
      'or "npx playwright install chromium", then point CHROMIUM_PATH at the executable if it is not /usr/bin/chromium.',
  )
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: findChromium(), args: CHROMIUM_FLAGS })
}

export async function startBrowserMode(): Promise<{ server: RunningServer; host: SessionHost }> {
  // MEMSCAPE_RENDERER_DIR: a renderer built elsewhere (vite build --outDir DIR), so several
  // people can test at once without rebuilding each other's out/.
  const rendererDir = process.env.MEMSCAPE_RENDERER_DIR ?? join(repoRoot, 'out', 'renderer')
  if (!existsSync(join(rendererDir, 'index.html'))) throw new Error('The renderer is not built; run "npm run build" first')
  const host = new SessionHost({ workerUrl: builtWorkerUrl() })
  const server = await startServer({ host, rendererDir, port: 0 })
  return { server, host }
}

export function artifactPath(name: string): string {
  const dir = join(repoRoot, 'test-results')
  mkdirSync(dir, { recursive: true })
  return join(dir, name)
}

/** The app in browser mode with one Chromium page on it, open and ready at its terminal prompt. */
export interface OpenedApp {
  server: RunningServer
  host: SessionHost
  browser: Browser
  page: Page
  close(): Promise<void>
}

export async function openApp(options: { viewport?: { width: number; height: number }; permissions?: string[] } = {}): Promise<OpenedApp> {
  const { server, host } = await startBrowserMode()
  const browser = await launchBrowser()
  const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 800 } })
  if (options.permissions) await context.grantPermissions(options.permissions)
  const page = await context.newPage()
  await page.goto(server.url)
  await page.locator('.xterm-rows').getByText('(memscape)').first().waitFor()
  return {
    server,
    host,
    browser,
    page,
    async close() {
      await browser.close()
      await server.close()
      await host.closeAll()
    },
  }
}
