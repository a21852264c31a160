// A new learner's hour in the workspace, in browser mode with Debian's Chromium at 1280×800:
// the first-run hint, a template picked from New, run to its breakpoint with F5, stepped with
// F10 (the panes agree and the changed bytes flash), the crash explained, reverse-step undoing
// it, ASLR switched on and off between runs, and bad input that never loses the workspace.

import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Locator, Page } from 'playwright-core'
import { TEMPLATES } from '../../shared/templates'
import { artifactPath, openApp, type OpenedApp } from './browser'

let app: OpenedApp
let page: Page

beforeAll(async () => {
  app = await openApp()
  page = app.page
})

afterAll(async () => {
  await app?.close()
})

const terminal = (): Locator => page.locator('.xterm-rows')
const pane = (name: string): Locator => page.getByRole('region', { name, exact: true })
const badge = (): Locator => page.locator('.top-bar .badge')
/** The terminal's text with xterm's wrapped rows joined again (a long line spans several rows). */
const terminalText = async (): Promise<string> => (await terminal().innerText()).replace(/\n/g, '')

/** Clears the terminal (Ctrl-L, as a learner would), does `act`, and waits for `text` in what it
 *  prints: xterm keeps only the visible rows in the page, so earlier output must not linger. */
async function expectNewTerminalText(act: () => Promise<unknown>, text: RegExp, { timeout = 30_000, stop = true } = {}): Promise<void> {
  await page.locator('.xterm').click()
  await page.keyboard.press('Control+l')
  await expect.poll(async () => (await terminal().innerText()).trim()).toBe('(memscape)')
  const before = await stops()
  await act()
  await expect.poll(terminalText, { timeout }).toMatch(text)
  // The terminal answers first; the panes follow with the stop's picture (a failed load has none).
  if (stop) await expect.poll(stops).toBeGreaterThan(before)
}

/** How many stops the panes have drawn. */
async function stops(): Promise<number> {
  return Number(await page.locator('[data-stops]').getAttribute('data-stops'))
}

async function pickTemplate(title: string): Promise<void> {
  await expectNewTerminalText(async () => {
    await page.getByRole('button', { name: 'New', exact: true }).click()
    await page.getByRole('menuitem', { name: new RegExp(`^${title}`) }).click()
  }, /Breakpoint \d+ at 0x[0-9a-f]+: file /)
}

async function rsp(): Promise<bigint> {
  const label = await pane('Registers').locator('[aria-label^="rsp = "]').getAttribute('aria-label')
  return BigInt(/rsp = (0x[0-9a-f]+)/.exec(label!)![1]!)
}

describe('the first five minutes', () => {
  test('the window opens on a hint that says what to click first', async () => {
    const hint = page.getByRole('note', { name: 'Getting started' })
    await expect(hint.innerText()).resolves.toContain('Pick a template to start.')
    for (const name of ['Region map', 'Stack', 'Source', 'Disassembly', 'Terminal', 'Registers', 'Hex dump', 'Heap']) await expect(pane(name).count()).resolves.toBe(1)
    await page.screenshot({ path: artifactPath('workspace-first-run.png') })
  })

  test('a template opens built, with its breakpoint on the line that matters', async () => {
    await pickTemplate('Overflow onto the return address')
    await expect(page.getByRole('note', { name: 'Getting started' }).count()).resolves.toBe(0)
    await expect(badge().innerText()).resolves.toBe('ready')
    expect(await terminalText()).toMatch(/Built gets-overflow\.c into \/home\/learner\/gets-overflow \(-no-pie -fno-stack-protector\)/)
    await expect(pane('Source').getByText('gets(buf);').count()).resolves.toBeGreaterThan(0)
    await expect(page.locator('.checksec').innerText()).resolves.toContain('No PIE (0x400000)')
  })

  test('F5 runs to the breakpoint and every pane shows the same stop', async () => {
    await expectNewTerminalText(() => page.keyboard.press('F5'), /Breakpoint 1, vuln \(\) at gets-overflow\.c:18/)
    await expect.poll(() => badge().innerText()).toBe('paused')
    const stack = pane('Stack')
    await stack.getByText('buf').first().waitFor()
    await expect(stack.innerText()).resolves.toMatch(/return address/i)
    await expect(stack.innerText()).resolves.toMatch(/saved rbp/i)
    await expect.poll(() => pane('Region map').innerText()).toContain('[stack]')
    await expect(pane('Disassembly').locator('[aria-current]').count()).resolves.toBeGreaterThan(0)
    await page.screenshot({ path: artifactPath('workspace-at-breakpoint.png') })
  })

  test('F10 steps over gets: the input lands in buf, the changed bytes flash, the stack names what was overwritten', async () => {
    await expectNewTerminalText(() => page.keyboard.press('F10'), /19\s+printf/)
    await expect.poll(() => pane('Hex dump').locator('.byte.changed.age-0').count()).toBeGreaterThan(0)
    // The visible rows are read again after each stop: the text follows the flash.
    await expect.poll(() => pane('Hex dump').innerText()).toContain('AAAAAAAABBBBBBBB')
    // gets() allocated stdin's buffer: the program break moved and the heap appeared.
    await expect.poll(() => pane('Region map').innerText()).toContain('[heap]')
    await expect(pane('Stack').innerText()).resolves.toMatch(/overwritten/i)
    await page.screenshot({ path: artifactPath('workspace-after-overflow.png') })
  })

  test('the crash is explained in the terminal in plain words', async () => {
    await page.keyboard.press('F5')
    await expect.poll(() => badge().innerText()).toBe('stopped: SIGSEGV')
    // The explanation ends the terminal's text (gdb's stop line has scrolled above it).
    await expect.poll(terminalText).toMatch(/returned to 0x4a4a4a4a4a4a4a4a, which is no ?t ?a valid address/)
    await expect(terminalText()).resolves.toMatch(/Bytes 72–79 of stdin became vuln's saved return address/)
    await page.screenshot({ path: artifactPath('workspace-crash.png') })
  })

  test('reverse-step goes back before the crash and restores the picture', async () => {
    const crashed = await pane('Registers').innerText()
    await expectNewTerminalText(() => page.getByRole('button', { name: 'Back' }).click(), /\(memscape\) reverse-step/)
    await expect.poll(() => badge().innerText()).toBe('paused')
    await expect.poll(async () => (await pane('Registers').innerText()) !== crashed).toBe(true)
    await expect(pane('Stack').innerText()).resolves.toMatch(/return address/i)
  })
})

describe('every template', () => {
  test.each(TEMPLATES.map((template) => [template.title, template] as const))('%s runs to the line it marks', async (_title, template) => {
    await pickTemplate(template.title.replace(/[()]/g, '\\$&'))
    await expectNewTerminalText(() => page.keyboard.press('F5'), new RegExp(`Breakpoint \\d+, .* at ${template.fileName.replace('.', '\\.')}:${template.breakpointLine}`))
    await expect.poll(() => badge().innerText()).toBe('paused')
    await page.screenshot({ path: artifactPath(`template-${template.id}.png`) })
  })
})

describe('protections', () => {
  test('ASLR moves the stack between runs; off, it stays put', async () => {
    await pickTemplate('Stack-frame walk')
    const stackTop = async (): Promise<bigint> => {
      await expectNewTerminalText(() => page.keyboard.press('F5'), /Breakpoint \d+, innermost /)
      return rsp()
    }
    const aslr = page.getByRole('switch', { name: 'ASLR' })
    await expect(aslr.isChecked()).resolves.toBe(true)
    const first = await stackTop()
    await page.keyboard.press('Shift+F5')
    const second = await stackTop()
    expect(second).not.toBe(first)
    await aslr.uncheck()
    await page.keyboard.press('Shift+F5')
    const third = await stackTop()
    await page.keyboard.press('Shift+F5')
    const fourth = await stackTop()
    expect(fourth).toBe(third)
    // Linux's non-random stack ends at 0x7ffffffff000.
    expect(third >> 24n).toBe(0x7fffffn)
    await aslr.check()
  })

  test('a build-time switch rebuilds at the next run, and checksec says what changed', async () => {
    await pickTemplate('Overflow onto the return address')
    await page.getByRole('switch', { name: 'Canary' }).check()
    await page.getByText('rebuilds at the next run').waitFor()
    await expectNewTerminalText(() => page.keyboard.press('F5'), /Breakpoint \d+, vuln \(\) at gets-overflow\.c:18/)
    expect(await terminalText()).toMatch(/-fstack-protector-strong/)
    await pane('Stack').getByText(/canary/i).first().waitFor()
    await page.keyboard.press('F5')
    await expect.poll(() => badge().innerText()).toBe('stopped: SIGABRT')
    await expect.poll(terminalText).toMatch(/The stack protector stopped the program/)
    await expect(pane('Stack').innerText()).resolves.toMatch(/canary was overwritten/)
    await page.screenshot({ path: artifactPath('workspace-canary.png') })
  })
})

describe('bad input', () => {
  test('a file that is not a program says why, and the workspace keeps its program', async () => {
    const before = await page.locator('.checksec').innerText()
    await expectNewTerminalText(
      () => page.locator('input[type=file]').setInputFiles({ name: 'holiday.png', mimeType: 'image/png', buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]) }),
      /"holiday\.png": not in executable format: /,
      { stop: false },
    )
    await expect(page.locator('.checksec').innerText()).resolves.toBe(before)
  })

  test('a seed that is not a number is refused in words, and the seed in use stays', async () => {
    const seed = page.getByRole('textbox', { name: 'Seed' })
    const before = await seed.inputValue()
    await seed.fill('forty-two')
    await seed.press('Tab')
    await page.getByRole('alert').getByText('"forty-two" is not a seed: type a whole number from 0 to 4294967295.').waitFor()
    await expect(seed.inputValue()).resolves.toBe(before)
    await seed.fill('42')
    await seed.press('Tab')
    await expect(page.getByRole('button', { name: 'Pin the seed' }).getAttribute('aria-pressed')).resolves.toBe('true')
    await expect(page.getByText('is not a seed').count()).resolves.toBe(0)
  })

  test('C with errors shows gcc\'s message in the terminal and under the code', async () => {
    await expectNewTerminalText(
      () => page.locator('input[type=file]').setInputFiles({ name: 'typo.c', mimeType: 'text/x-c', buffer: Buffer.from('int main(void) {\n  int x = 1\n  return x;\n}\n') }),
      /typo\.c:3:3: error: expected ',' or ';' before 'return'/,
      { stop: false },
    )
    await pane('Source').locator('.cm-lintRange-error').first().waitFor()
    await page.screenshot({ path: artifactPath('workspace-build-error.png') })
  })

  test('a program that never stops keeps the window responsive, and pause stops it at once', async () => {
    await page.locator('input[type=file]').setInputFiles({ name: 'spin.c', mimeType: 'text/x-c', buffer: Buffer.from('int main(void) {\n  volatile unsigned long n = 0;\n  for (;;) n++;\n}\n') })
    await terminal().getByText('Built spin.c').waitFor()
    await page.keyboard.press('F5')
    await expect.poll(() => badge().innerText()).toBe('running')
    // The UI answers while the guest runs: a menu opens and closes.
    await page.getByRole('button', { name: 'New', exact: true }).click()
    await page.getByRole('menu', { name: 'New' }).waitFor()
    await page.keyboard.press('Escape')
    const moving = await pane('Registers').innerText()
    await expect.poll(async () => (await pane('Registers').innerText()) !== moving).toBe(true)
    await expectNewTerminalText(() => page.getByRole('button', { name: 'Pause' }).click(), /Program received signal SIGINT, Interrupt\./, { timeout: 5000 })
    await expect.poll(() => badge().innerText()).toBe('paused')
  })

  test('a program that prints megabytes leaves the terminal and the toolbar working', async () => {
    // Two megabytes in 32768 lines, then one line that says where it ended.
    const chatty =
      '#include <stdio.h>\nint main(void) {\n  for (int i = 0; i < 32768; i++) puts("a line of output, sixty-three characters long, again and again.");\n  printf("done after %d lines\\n", 32768);\n  return 0;\n}\n'
    await page.locator('input[type=file]').setInputFiles({ name: 'chatty.c', mimeType: 'text/x-c', buffer: Buffer.from(chatty) })
    await terminal().getByText('Built chatty.c').waitFor()
    await page.keyboard.press('F5')
    await expect.poll(() => badge().innerText(), { timeout: 60_000 }).toBe('exited (0)')
    await terminal().getByText('done after 32768 lines').waitFor({ timeout: 30_000 })
    await page.getByRole('button', { name: 'New', exact: true }).click()
    await page.getByRole('menu', { name: 'New' }).waitFor()
    await page.keyboard.press('Escape')
  })
})
