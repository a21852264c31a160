import { afterAll, beforeAll, expect, test } from 'vitest'
import type { Browser, Page } from 'playwright-core'
import type { SessionHost } from '../../electron/node/host'
import type { RunningServer } from '../../electron/node/server'
import { artifactPath, launchBrowser, startBrowserMode } from './browser'

let browser: Browser
let server: RunningServer
let host: SessionHost
let page: Page

beforeAll(async () => {
  ;({ server, host } = await startBrowserMode())
  browser = await launchBrowser()
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } })
  await page.goto(server.url)
})

afterAll(async () => {
  await browser?.close()
  await server?.close()
  await host?.closeAll()
})

async function terminalText(): Promise<string> {
  return page.locator('.xterm-rows').innerText()
}

test('the window shows the terminal and every named pane', async () => {
  await page.getByRole('region', { name: 'Terminal' }).locator('.xterm-rows').getByText('(memscape)').waitFor()
  for (const name of ['Region map', 'Stack', 'Source', 'Disassembly', 'Terminal', 'Registers', 'Hex dump', 'Heap']) {
    await expect(page.getByRole('region', { name, exact: true }).count()).resolves.toBe(1)
  }
  // COOP/COEP took effect: later panes may share memory with workers.
  expect(await page.evaluate(() => (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated)).toBe(true)
})

test('help typed in the terminal is answered by the worker', async () => {
  await page.locator('.xterm').click()
  await page.keyboard.type('help support')
  await page.keyboard.press('Enter')
  await page.locator('.xterm-rows').getByText('List of commands:').waitFor()
  const text = await terminalText()
  expect(text).toContain('echo -- Print a constant string.')
  expect(text).toContain('version -- Show what version of Memscape this is.')
  await page.keyboard.type('frobnicate')
  await page.keyboard.press('Enter')
  await page.locator('.xterm-rows').getByText('Undefined command: "frobnicate".').waitFor()
  await page.screenshot({ path: artifactPath('browser-mode.png') })
})

test('the line editor handles backspace, cursor keys and history', async () => {
  await page.locator('.xterm').click()
  await page.keyboard.type('echo ab\\n')
  // Fix a typo in the middle: left past "\n", delete "b", type "c".
  for (let i = 0; i < 2; i++) await page.keyboard.press('ArrowLeft')
  await page.keyboard.press('Backspace')
  await page.keyboard.type('c')
  await page.keyboard.press('Enter')
  await page.locator('.xterm-rows').getByText(/^ac$/).waitFor()
  await page.keyboard.press('ArrowUp')
  await page.keyboard.press('Enter')
  await expect.poll(async () => (await terminalText()).split('\n').filter((line) => line.trim() === 'ac').length).toBe(2)
})

test('Tab completes from the debugger, Ctrl-R finds an earlier line', async () => {
  await page.locator('.xterm').click()
  await page.keyboard.type('reverse-st')
  await page.keyboard.press('Tab')
  // Two commands share the prefix: the line grows to it, a second Tab lists both.
  await page.locator('.xterm-rows').getByText('(memscape) reverse-step').waitFor()
  await page.keyboard.press('Tab')
  await page.locator('.xterm-rows').getByText('reverse-step  reverse-stepi').waitFor()
  await page.keyboard.press('Control+U')
  await page.keyboard.type('help runn')
  await page.keyboard.press('Tab')
  await page.locator('.xterm-rows').getByText('(memscape) help running').waitFor()
  await page.keyboard.press('Enter')
  // The class's list is longer than the pane: its last entry shows it arrived.
  await page.locator('.xterm-rows').getByText('until, u -- Execute until past the current line or past a LOCATION.').waitFor()
  await page.keyboard.press('Control+R')
  await page.keyboard.type('ec')
  await page.locator('.xterm-rows').getByText("(reverse-i-search)`ec': echo ac\\n").waitFor()
  await page.keyboard.press('Control+G')
})

test("the top bar says the program's state", async () => {
  const topBar = page.locator('header.top-bar')
  await expect(topBar.getByText('no program', { exact: true }).count()).resolves.toBe(1)
})

test('the top bar says so when the server goes away', async () => {
  await server.close()
  await page.getByRole('alert').getByText('disconnected').waitFor()
})
