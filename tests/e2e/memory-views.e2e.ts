// The hex dump and the region map as a learner uses them on a gcc-built program: the map lists
// the regions low to high with the folded gaps and the kernel half, a click shows a region's
// bytes, a step flashes the changed bytes, a tooltip names a return address, go-to takes
// expressions and explains bad ones, a byte is edited through the debugger, a selection copied.

import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { Page } from 'playwright-core'
import { artifactPath, openApp, type OpenedApp } from './browser'

/** What the page functions below use of the window (this file is type-checked without the DOM). */
interface PageWindow {
  document: { activeElement: unknown; querySelector(selector: string): { getAttribute(name: string): string | null } | null }
  navigator: { clipboard: { readText(): Promise<string> } }
}

const SOURCE = `#include <stdlib.h>
#include <string.h>
int counter = 5;
void greet(int times) {
  char buf[16];
  long twice = times * 2;
  strcpy(buf, "hello");
  counter += (int)twice + buf[0];
}
int main(void) {
  char *kept = malloc(40);
  char *freed = malloc(40);
  free(freed);
  strcpy(kept, "heap data");
  greet(3);
  return 0;
}
`

let dir: string
let app: OpenedApp
let page: Page

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'memscape-memory-views-'))
  writeFileSync(join(dir, 'views.c'), SOURCE)
  execFileSync('gcc', ['-g', '-O0', '-static', '-no-pie', '-o', join(dir, 'views'), 'views.c'], { cwd: dir })
  app = await openApp({ permissions: ['clipboard-read', 'clipboard-write'] })
  page = app.page
}, 60_000)

afterAll(async () => {
  await app?.close()
  rmSync(dir, { recursive: true, force: true })
})

async function type(line: string, wait: string | RegExp): Promise<void> {
  await page.locator('.xterm').click()
  await page.keyboard.type(line)
  await page.keyboard.press('Enter')
  await page.locator('.xterm-rows').getByText(wait).first().waitFor({ timeout: 20_000 })
}

const hex = () => page.getByRole('region', { name: 'Hex dump' })
const map = () => page.getByRole('region', { name: 'Region map' })
/** The rows' address column, as drawn. */
const rowLabels = async (): Promise<string[]> => hex().locator('[role="rowheader"]').allInnerTexts()

test('the region map lists the address space low to high, folded', async () => {
  await type(`file ${join(dir, 'views')}`, 'Reading symbols')
  await type('break greet', 'Breakpoint 1 at')
  await type('run', 'Breakpoint 1,')
  const heap = map().getByRole('button', { name: /^\[heap\] rw-p/ })
  await heap.waitFor()
  await expect(map().getByRole('button', { name: /^\[stack\] rw-p .*; rsp 0x/ }).count()).resolves.toBe(1)
  await expect(map().getByRole('button', { name: /r-xp 0x401000.*file offset 0x1000; not PIE: at its link address; rip 0x40/ }).count()).resolves.toBe(1)
  // The heap's slide: 1 GiB of brk randomisation from the image's end, and the break marked.
  await expect(heap.getAttribute('aria-label')).resolves.toMatch(/slide \+0x[0-9a-f]+ from end of the image 0x[0-9a-f]+; brk 0x/)
  const folds = await map().locator('.fold').allInnerTexts()
  expect(folds[0]).toBe('… 4 MiB unmapped …')
  expect(folds).toContain('non-canonical hole, 16 EiB')
  expect(folds).toContain('kernel half, 128 TiB: no access from user mode')
  // Low to high: the image first, the stack last in user space, vsyscall in the kernel half.
  const names = await map().locator('.name').allInnerTexts()
  expect(names.indexOf('[heap]')).toBeLessThan(names.indexOf('[stack]'))
  expect(names[names.length - 1]).toBe('[vsyscall]')
  await page.screenshot({ path: artifactPath('memory-views-map.png') })

  await heap.click()
  const start = (await heap.getAttribute('aria-label'))!.match(/rw-p 0x([0-9a-f]+)/)![1]!
  await expect.poll(async () => (await rowLabels()).some((label) => label.endsWith(start))).toBe(true)
})

test('the hex dump shows the frame at rsp, names its slots and flashes a step', async () => {
  await type('next', /^7\s/)
  const field = hex().getByRole('textbox', { name: 'Go to an address or expression' })
  await field.fill('$rsp')
  await field.press('Enter')
  await type('next', /^8\s/)
  // "hello" was just written into buf: those bytes carry this step's change mark (its NUL was 0 already).
  await expect.poll(async () => (await hex().locator('.byte.changed.age-0').allInnerTexts()).join(' ')).toContain('68 65 6c 6c 6f')
  await expect(hex().locator('.byte.role-local.changed').count()).resolves.toBeGreaterThan(0)
  await page.screenshot({ path: artifactPath('memory-views-step.png') })

  await hex().locator('.byte.role-return-address').first().hover()
  const tooltip = page.getByRole('tooltip')
  await tooltip.getByText(/^return address → main\+\d+ in greet$/).waitFor()
  await tooltip.getByText(/main \+ \d+/).waitFor()
  await expect(tooltip.innerText()).resolves.toMatch(/u64\s+0x40[0-9a-f]+/)
  await page.screenshot({ path: artifactPath('memory-views-tooltip.png') })
  await page.mouse.move(5, 5)
})

test('go to takes an expression and explains one that is not an address', async () => {
  const field = hex().getByRole('textbox', { name: 'Go to an address or expression' })
  await hex().getByRole('grid').focus()
  await page.keyboard.press('Control+g')
  await expect(field.evaluate((element) => element === (globalThis as unknown as PageWindow).document.activeElement)).resolves.toBe(true)
  await field.fill('buf')
  await field.press('Enter')
  await hex().getByRole('alert').getByText(/^buf is not an address \(it is \{0x68, 0x65.*\); try &buf\.$/).waitFor()
  await field.fill('nosuch + 1')
  await field.press('Enter')
  await hex().getByRole('alert').getByText('No symbol "nosuch" in current context.').waitFor()
  await page.screenshot({ path: artifactPath('memory-views-bad-goto.png') })
  await field.fill('&counter')
  await field.press('Enter')
  await expect.poll(async () => (await rowLabels())[2]).toMatch(/^[0-9a-f]+$/)
  const counter = await page.evaluate(() => (globalThis as unknown as PageWindow).document.querySelector('#hex-grid .cursor')?.getAttribute('data-address'))
  expect(BigInt(counter!) % 4n).toBe(0n)
  // Far away: the top of the address space, unmapped, read and drawn like anywhere else.
  await field.fill('0xfffffffffffffff0')
  await field.press('Enter')
  await expect.poll(async () => (await rowLabels()).at(-1)).toBe('fffffffffffffff0')
  await expect(hex().getByText('unmapped').count()).resolves.toBeGreaterThan(3)
  await page.screenshot({ path: artifactPath('memory-views-unmapped.png') })
})

test('a byte is edited through the debugger and a selection is copied', async () => {
  const field = hex().getByRole('textbox', { name: 'Go to an address or expression' })
  await field.fill('&buf')
  await field.press('Enter')
  const first = hex().locator('.byte.cursor')
  await expect.poll(async () => first.innerText()).toBe('68')
  await first.dblclick()
  const editor = hex().getByRole('textbox', { name: /^New value of the byte at 0x/ })
  await editor.fill('zz')
  await editor.press('Enter')
  await hex().getByRole('alert').getByText('"zz" is not a byte: type one or two hex digits (00 to ff).').waitFor()
  await editor.fill('4a')
  await editor.press('Enter')
  await page.locator('.xterm-rows').getByText(/set \{unsigned char\} 0x[0-9a-f]+ = 0x4a/).waitFor()
  await expect.poll(async () => hex().locator('.byte.cursor').innerText()).toBe('4a')
  await type('print buf', /= "Jello/)

  await hex().getByRole('grid').focus()
  for (let i = 0; i < 4; i++) await page.keyboard.press('Shift+ArrowRight')
  await hex().getByRole('button', { name: 'Copy the selection as C array' }).click()
  await hex().getByRole('status').getByText('Copied 5 bytes as C array.').waitFor()
  await expect.poll(() => page.evaluate(() => (globalThis as unknown as PageWindow).navigator.clipboard.readText())).toBe('unsigned char bytes[5] = {\n  0x4a, 0x65, 0x6c, 0x6c, 0x6f\n};')
  await hex().locator('.byte.selected').first().click({ button: 'right', modifiers: ['Shift'] })
  await page.getByRole('menuitem', { name: 'Copy as Python bytes' }).click()
  await expect.poll(() => page.evaluate(() => (globalThis as unknown as PageWindow).navigator.clipboard.readText())).toBe("b'Jello'")
  await page.screenshot({ path: artifactPath('memory-views-edit-copy.png') })
})
