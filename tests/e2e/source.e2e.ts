// The source editor as a learner uses it: write a program, build it, read gcc's error where it
// is, fix it, set a breakpoint from the gutter, run, step, and hover a variable for its value.

import { afterAll, beforeAll, expect, test } from 'vitest'
import type { Locator, Page } from 'playwright-core'
import { artifactPath, openApp, type OpenedApp } from './browser'

let app: OpenedApp
let page: Page
let source: Locator

const PROGRAM = `#include <stdio.h>
#include <string.h>

int square(int n) {
    int result = n * n;
    return result;
}

int main(void) {
    char name[16];
    int count = 3;
    strcpy(name, "memscape");
    count = square(cuont);
    printf("%s %d\\n", name, count);
    return 0;
}
`

beforeAll(async () => {
  app = await openApp()
  page = app.page
  source = page.getByRole('region', { name: 'Source', exact: true })
  // A first-run hint may cover the pane: a learner closes it.
  const hint = page.getByRole('note', { name: 'Getting started' })
  if ((await hint.count()) > 0) await hint.getByRole('button').first().click()
})

afterAll(async () => {
  await app?.close()
})

const terminal = (): Locator => page.locator('.xterm-rows')
/** The toolbar's Build (Ctrl+B). */
const build = (): Locator => page.getByRole('button', { name: 'Build', exact: true })
const lineNumber = (line: number): Locator => source.locator('.cm-lineNumbers .cm-gutterElement', { hasText: new RegExp(`^${line}$`) })

async function replaceText(text: string): Promise<void> {
  await source.locator('.cm-content').click()
  await page.keyboard.press('Control+A')
  await page.keyboard.insertText(text)
}

/** What the page function below uses of the window (this file is type-checked without the DOM). */
interface TextNode {
  textContent: string | null
}
interface PageWindow {
  NodeFilter: { SHOW_TEXT: number }
  document: {
    createTreeWalker(root: unknown, show: number): { nextNode(): TextNode | null }
    createRange(): { setStart(node: TextNode, offset: number): void; setEnd(node: TextNode, offset: number): void; getBoundingClientRect(): { x: number; y: number; width: number; height: number } }
  }
}

/** Rests the pointer on a word of the editor line that contains `lineText`, wherever the
 *  highlighter split the line into spans. */
async function hoverWord(lineText: string, word: string): Promise<void> {
  const box = await source.locator('.cm-line', { hasText: lineText }).evaluate((line, wanted) => {
    const { document, NodeFilter } = globalThis as unknown as PageWindow
    const walker = document.createTreeWalker(line, NodeFilter.SHOW_TEXT)
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const at = node.textContent?.indexOf(wanted) ?? -1
      if (at < 0) continue
      const range = document.createRange()
      range.setStart(node, at)
      range.setEnd(node, at + wanted.length)
      const rect = range.getBoundingClientRect()
      return { x: rect.x + rect.width / 2, y: rect.y + rect.height / 2 }
    }
    return null
  }, word)
  if (!box) throw new Error(`"${word}" is not on the line "${lineText}"`)
  await page.mouse.move(box.x, box.y)
}

async function typeInTerminal(line: string): Promise<void> {
  await page.locator('.xterm').click()
  await page.keyboard.type(line)
  await page.keyboard.press('Enter')
}

test("a new C file builds, and gcc's error is underlined on its line", async () => {
  await source.getByRole('button', { name: 'New C file' }).click()
  await expect(source.getByRole('tab', { name: 'main.c' }).getAttribute('aria-selected')).resolves.toBe('true')
  await replaceText(PROGRAM)
  await build().click()
  const underline = source.locator('.cm-lintRange-error')
  await underline.first().waitFor({ timeout: 60_000 })
  // gcc's note marks the name's first character too, which splits the underline in two spans.
  expect((await underline.allInnerTexts()).join('')).toBe('cuont')
  await expect(source.getByRole('status').innerText()).resolves.toContain('1 error')
  await underline.last().hover()
  await page.locator('.cm-tooltip-lint').getByText("'cuont' undeclared (first use in this function)").waitFor()
  await page.screenshot({ path: artifactPath('source-build-error.png') })
})

test('fixed and built, the error goes; an edit since marks the tab', async () => {
  await replaceText(PROGRAM.replace('cuont', 'count'))
  await build().click()
  await page.getByText('/home/learner/main').first().waitFor({ timeout: 60_000 })
  await expect.poll(() => source.locator('.cm-lintRange-error').count(), { timeout: 30_000 }).toBe(0)
  await expect(source.getByRole('tab', { name: /main\.c/ }).getAttribute('title')).resolves.toBe('main.c')
})

test('a click in the gutter sets a breakpoint through gdb, a second click deletes it', async () => {
  await lineNumber(12).click()
  await terminal().getByText('Breakpoint 1 at').waitFor()
  await source.locator('.cm-breakpoint').waitFor()
  expect(await source.locator('.cm-breakpoint').getAttribute('title')).toBe('Breakpoint 1 — click to delete')
  await lineNumber(12).click()
  await terminal().getByText('(memscape) delete 1').waitFor()
  await expect.poll(() => source.locator('.cm-breakpoint').count()).toBe(0)
  // The breakpoint gutter left of the numbers takes a click on any line, marked or not.
  const gutter = await source.locator('.cm-debug-gutter').boundingBox()
  const row = await lineNumber(12).boundingBox()
  if (!gutter || !row) throw new Error('the gutter is not on screen')
  await page.mouse.click(gutter.x + gutter.width / 2, row.y + row.height / 2)
  await terminal().getByText('Breakpoint 2 at').waitFor()
  await page.screenshot({ path: artifactPath('source-breakpoint.png') })
})

test('running stops on the marked line; next moves the mark', async () => {
  await typeInTerminal('run')
  const current = source.locator('.cm-stop-line-current')
  await current.waitFor({ timeout: 60_000 })
  expect(await current.innerText()).toContain('strcpy(name, "memscape");')
  await typeInTerminal('next')
  await expect.poll(() => current.innerText(), { timeout: 30_000 }).toContain('count = square(count);')
  await page.screenshot({ path: artifactPath('source-stopped.png') })
})

test("hovering a variable shows gdb's value and where its bytes are", async () => {
  await hoverWord('strcpy(name', 'name')
  const tooltip = page.locator('.cm-variable-hover')
  await tooltip.waitFor({ timeout: 20_000 })
  const text = await tooltip.innerText()
  expect(text).toMatch(/^name = "memscape\\000/)
  expect(text).toMatch(/at 0x7ff[0-9a-f]+ · 16 bytes/)
  await page.screenshot({ path: artifactPath('source-hover.png') })
  // A keyword is no variable: no tooltip, and nothing in the terminal.
  await hoverWord('return 0', 'return')
  await page.waitForTimeout(800)
  expect(await tooltip.count()).toBe(0)
})

test('step follows the call into square; F9 in the editor toggles a breakpoint on the cursor line', async () => {
  await typeInTerminal('step')
  await expect.poll(() => source.locator('.cm-stop-line-current').innerText(), { timeout: 30_000 }).toContain('int result = n * n;')
  await source.locator('.cm-line', { hasText: 'printf' }).click()
  // F9 is the toolbar's key for the whole window; it acts on the editor's cursor line.
  await page.keyboard.press('F9')
  await terminal().getByText('(memscape) break main.c:14').waitFor()
  await expect.poll(() => source.locator('.cm-breakpoint').count()).toBe(2)
})
