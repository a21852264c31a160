// The heap pane as a learner uses it: a gcc-built program with malloc and free, stopped after
// each call; the strip shows the chunks, the tcache list grows in list order, a clicked chunk is
// selected everywhere, changed chunks flash, and the history slider looks back.

import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { Locator, Page } from 'playwright-core'
import { repoRoot } from '../unit/host/built'
import { artifactPath, openApp, type OpenedApp } from './browser'

let app: OpenedApp
let page: Page
let dir: string
let program: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'memscape-heap-e2e-'))
  program = join(dir, 'tcache')
  execFileSync('gcc', ['-g', '-O0', '-static', '-o', program, join(repoRoot, 'shared/templates/sources/tcache.c')])
  app = await openApp()
  page = app.page
})

afterAll(async () => {
  await app?.close()
  rmSync(dir, { recursive: true, force: true })
})

const heapPane = (): Locator => page.getByRole('region', { name: 'Heap', exact: true })

/** Types a command as the learner would and waits for the heap pane to take the new stop. */
async function type(line: string, answer?: string | RegExp): Promise<void> {
  const before = await page.locator('.xterm-rows').innerText()
  await page.locator('.xterm').click()
  await page.keyboard.type(line)
  await page.keyboard.press('Enter')
  if (answer !== undefined) await page.locator('.xterm-rows').getByText(answer).first().waitFor({ timeout: 60_000 })
  else await expect.poll(async () => (await page.locator('.xterm-rows').innerText()) !== before).toBe(true)
  await page.waitForTimeout(300)
}

/** The 0x20 chunks the program's three mallocs made (glibc's start-up leaves one of its own before them). */
async function programChunks(): Promise<string[]> {
  return heapPane().locator('.chunk[aria-label*="0x20 bytes"]').evaluateAll((chunks) => chunks.map((chunk) => chunk.getAttribute('data-address')!))
}

test('the strip shows a chunk after each malloc, and the tcache list after each free', async () => {
  await heapPane().getByText('No program running').waitFor()
  await type(`file ${program}`, 'Reading symbols')
  // Make the heap pane taller, as a learner studying the heap would.
  const resizer = page.getByRole('separator', { name: 'Resize hex dump and heap' })
  const box = (await resizer.boundingBox())!
  await page.mouse.move(box.x + box.width / 2, box.y + 1)
  await page.mouse.down()
  await page.mouse.move(box.x + box.width / 2, 380, { steps: 5 })
  await page.mouse.up()

  await type('break tcache.c:14')
  await type('run', 'Breakpoint 1,')
  const afterA = await programChunks()
  await type('next', /^15\s/m)
  await type('next', /^16\s/m)
  const afterC = await programChunks()
  expect(afterC.length).toBe(afterA.length + 2)
  const [a, b, c] = afterC.slice(-3)
  await expect.poll(() => heapPane().locator(`.chunk[data-address="${c}"]`).getAttribute('aria-label')).toBe(`chunk ${c}, 0x20 bytes: in use`)
  await heapPane().screenshot({ path: artifactPath('heap-after-mallocs.png') })

  await type('next', /^18\s/m)
  await type('next', /^19\s/m)
  await expect.poll(() => heapPane().locator(`.chunk[data-address="${a}"]`).getAttribute('aria-label')).toBe(`chunk ${a}, 0x20 bytes: free, in tcache 0x20`)
  // The chunk freed by this step flashes.
  await expect.poll(() => heapPane().locator(`.chunk[data-address="${a}"]`).getAttribute('class')).toContain('changed')
  await type('next', /^20\s/m)
  await type('next', /^22\s/m)
  const list = heapPane().getByRole('list', { name: 'tcache 0x20 [3], from its head' })
  await list.waitFor()
  // Last freed first; the tcache links user data, 0x10 past each chunk, as pwndbg prints it.
  const userPointer = (chunk: string): string => `0x${(BigInt(chunk) + 0x10n).toString(16)}`
  expect(await list.getByRole('button').allInnerTexts()).toEqual([c, b, a].map((chunk) => userPointer(chunk!)))
  expect(await list.innerText()).toContain('NULL')
  for (const chunk of [a, b, c]) expect(await heapPane().locator(`.chunk[data-address="${chunk}"]`).innerText()).toMatch(/0x20\s+tcache/)
  await heapPane().screenshot({ path: artifactPath('heap-tcache-after-frees.png') })
})

test('clicking a chunk selects it (the hex dump shows its bytes); hovering a bin entry points at its chunk', async () => {
  const chunks = await programChunks()
  const c = chunks.at(-1)!
  const chunk = heapPane().locator(`.chunk[data-address="${c}"]`)
  await chunk.click()
  await expect.poll(() => chunk.getAttribute('aria-current')).toBe('true')
  await expect.poll(() => chunk.getAttribute('class')).toContain('selected')
  await page.screenshot({ path: artifactPath('heap-chunk-selected.png') })

  const entry = heapPane().getByRole('list', { name: 'tcache 0x20 [3], from its head' }).getByRole('button').nth(1)
  await entry.hover()
  await expect.poll(() => heapPane().locator(`.chunk[data-address="${chunks.at(-2)!}"]`).getAttribute('class')).toContain('pointed')
})

test('a malloc takes the head of the list, and the history slider looks back at the past', async () => {
  await type('next', /^23\s/m)
  await heapPane().getByRole('list', { name: 'tcache 0x20 [2], from its head' }).waitFor()
  const slider = heapPane().getByRole('slider', { name: 'Heap history: the stop shown' })
  const stops = Number(await slider.getAttribute('max')) + 1
  expect(stops).toBe(8)
  await heapPane().getByRole('figure').waitFor()
  await slider.focus()
  await page.keyboard.press('ArrowLeft')
  const banner = heapPane().getByRole('status')
  await expect.poll(() => banner.innerText()).toMatch(/^Past: stop 7 of 8, instruction [\d,]+/)
  // One stop back, the list held all three frees.
  await heapPane().getByRole('list', { name: 'tcache 0x20 [3], from its head' }).waitFor()
  await heapPane().screenshot({ path: artifactPath('heap-history-past.png') })
  await banner.getByRole('button', { name: 'Back to now' }).click()
  await heapPane().getByRole('list', { name: 'tcache 0x20 [2], from its head' }).waitFor()
  expect(await heapPane().getByText(/^Past:/).count()).toBe(0)
})
