// Developer's eye: builds the renderer into a private folder, serves it in browser mode with the
// built worker, drives Debian's Chromium with a steps module, and saves screenshots there.
//   node scripts/look.mjs DIR STEPS.mjs [WIDTHxHEIGHT]
// STEPS.mjs exports default async ({ page, shot }) => { ... }; shot(name) saves DIR/name.png.
// Private folders let several people look at once without overwriting each other's out/.

import { spawn, spawnSync } from 'node:child_process'
import { mkdirSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'
import { ensureBuilt, root } from './ensure-build.mjs'

const [dirArgument, stepsArgument, size = '1280x800'] = process.argv.slice(2)
if (!dirArgument || !stepsArgument) {
  console.error('usage: node scripts/look.mjs DIR STEPS.mjs [WIDTHxHEIGHT]')
  process.exit(2)
}
const dir = resolve(dirArgument)
mkdirSync(dir, { recursive: true })
ensureBuilt()
const rendererDir = join(dir, 'renderer')
const vite = spawnSync(process.execPath, [join(root, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(root, 'vite.renderer.config.ts'), '--outDir', rendererDir, '--emptyOutDir', '--logLevel', 'warn'], { cwd: root, stdio: 'inherit' })
if (vite.status !== 0) process.exit(vite.status ?? 1)

const { chromium } = await import('playwright-core')
const server = spawn(process.execPath, [join(root, 'out/main/web.js'), '--port', '0', '--renderer', rendererDir], { stdio: ['ignore', 'pipe', 'inherit'] })
const url = await new Promise((found, failed) => {
  let text = ''
  server.stdout.on('data', (chunk) => {
    text += chunk
    const match = /(http:\/\/\S+)/.exec(text)
    if (match) found(match[1])
  })
  server.on('exit', (code) => failed(new Error(`the browser-mode server exited (${code})`)))
})
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
})
const [width, height] = size.split('x').map(Number)
const page = await browser.newPage({ viewport: { width, height } })
page.on('pageerror', (error) => console.error(`page error: ${error.message}`))
page.on('console', (message) => {
  if (message.type() === 'error' || message.type() === 'warning') console.error(`console ${message.type()}: ${message.text()}`)
})
try {
  await page.goto(url)
  const steps = (await import(pathToFileURL(resolve(stepsArgument)).href)).default
  await steps({ page, shot: (name) => page.screenshot({ path: join(dir, `${name}.png`) }) })
} finally {
  await browser.close()
  server.kill()
}
