// The stack, registers and disassembly panes as a learner uses them: a gcc-built program with a
// local buffer and a call, stopped in the callee; the stack names the return address, the saved
// rbp and the buffer; a step flashes the slot it wrote and the registers it changed; the
// disassembly marks the current instruction and sets a breakpoint from its gutter; an overflow
// onto the canary is marked loudly.

import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { Locator, Page } from 'playwright-core'
import { artifactPath, openApp, type OpenedApp } from './browser'

const GREET = `#include <stdio.h>
#include <string.h>

int greet(const char *name, int times) {
    char buf[16];
    int total = 0;
    strcpy(buf, name);
    for (int i = 0; i < times; i++)
        total += buf[i];
    printf("%s %d\\n", buf, total);
    return total;
}

int main(void) {
    int result = greet("hello", 3);
    return result & 0xff;
}
`

const SMASH = `#include <string.h>

void smash(int n) {
    char buf[16];
    memset(buf, 'A', n);
    buf[0] = 'B';
}

int main(void) {
    smash(40);
    return 0;
}
`

let app: OpenedApp
let page: Page
let dir: string

function compile(name: string, source: string, flags: string[]): string {
  writeFileSync(join(dir, `${name}.c`), source)
  const program = join(dir, name)
  execFileSync('gcc', ['-g', '-O0', '-static', '-no-pie', ...flags, '-o', program, join(dir, `${name}.c`)])
  return program
}

let greet: string
let smash: string

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'memscape-stack-e2e-'))
  greet = compile('greet', GREET, ['-fno-stack-protector'])
  smash = compile('smash', SMASH, ['-fstack-protector-all', '-Wno-stringop-overflow'])
  app = await openApp()
  page = app.page
})

afterAll(async () => {
  await app?.close()
  rmSync(dir, { recursive: true, force: true })
})

const stackPane = (): Locator => page.getByRole('region', { name: 'Stack', exact: true })
const registersPane = (): Locator => page.getByRole('region', { name: 'Registers', exact: true })
const disassemblyPane = (): Locator => page.getByRole('region', { name: 'Disassembly', exact: true })

/** Types a command as the learner would and waits for its answer in the terminal. */
async function type(line: string, answer: string | RegExp): Promise<void> {
  await page.locator('.xterm').click()
  await page.keyboard.type(line)
  await page.keyboard.press('Enter')
  await page.locator('.xterm-rows').getByText(answer).last().waitFor({ timeout: 60_000 })
}

/** The stack slot whose accessible description starts with this label. */
const slot = (label: string): Locator => stackPane().locator(`button.slot[aria-label^="${label}"]`)

test('stopped in the callee, the stack names the return address, the saved rbp and the buffer', async () => {
  await stackPane().getByText('Run the program to a breakpoint').waitFor()
  await type(`file ${greet}`, 'Reading symbols from')
  await type('break greet', /Breakpoint 1 at 0x[0-9a-f]+: file \S*greet\.c/)
  await type('run', 'Breakpoint 1, greet')

  // The caller's return address reads as gdb's quadword and names where it returns to.
  await expect.poll(() => slot('return address').first().getAttribute('aria-label')).toMatch(/value 0x00000000004[0-9a-f]{5} → main\+\d+/)
  await expect(slot('saved rbp').first().getAttribute('aria-label')).resolves.toMatch(/→ main's frame/)
  await expect(slot('buf (local), 16 bytes').count()).resolves.toBe(1)
  await expect(slot('name (argument), 8 bytes').count()).resolves.toBe(1)
  // The frames are boxes from the top of the stack down: greet above main, rsp's arrow in greet.
  await expect(stackPane().locator('section.frame').evaluateAll((frames) => frames.map((frame) => frame.getAttribute('aria-label')))).resolves.toEqual(['Frame 0: greet', 'Frame 1: main'])
  await expect(stackPane().locator('section.frame').first().locator('.arrow.rsp').count()).resolves.toBe(1)
  await expect(stackPane().getByRole('button', { name: /^Red zone: the 128 bytes below rsp/ }).count()).resolves.toBe(1)
  await page.screenshot({ path: artifactPath('stack-callee.png') })
})

test('a step flashes the slot it wrote and the registers it changed', async () => {
  await type('next', /^7\s+strcpy\(buf, name\);/)
  await type('next', /^8\s+for \(int i = 0; i < times; i\+\+\)/)
  const buf = slot('buf (local)')
  await expect.poll(() => buf.getAttribute('aria-label')).toContain('changed by the last step')
  await expect(buf.getAttribute('class')).resolves.toMatch(/flash-[ab]/)
  await expect(buf.innerText()).resolves.toContain('68 65 6c 6c 6f 00')
  // An untouched slot does not flash.
  await expect(slot('return address').first().getAttribute('class')).resolves.not.toMatch(/flash-[ab]/)
  await page.screenshot({ path: artifactPath('stack-step-flash.png') })

  const rip = registersPane().locator('[aria-label^="rip = "]')
  await expect(rip.getAttribute('aria-label')).resolves.toMatch(/^rip = 0x[0-9a-f]+; → greet\+\d+; .*changed by the last step/)
  await expect(registersPane().locator('.changed').count()).resolves.toBeGreaterThan(1)
  // eflags is decoded into named flags, each saying whether it is set.
  await expect(registersPane().getByRole('group', { name: /^eflags = 0x[0-9a-f]+: CF (set|clear), PF (set|clear)/ }).count()).resolves.toBe(1)
  await page.screenshot({ path: artifactPath('registers-step.png') })
})

test('the disassembly marks the current instruction and toggles a breakpoint from its gutter', async () => {
  const ripValue = (await registersPane().locator('[aria-label^="rip = "] .value').innerText()).trim()
  const current = disassemblyPane().locator('li[aria-current="step"]')
  await expect(current.count()).resolves.toBe(1)
  await expect(current.locator('.address').innerText()).resolves.toBe(ripValue)
  await expect(current.locator('.offset').innerText()).resolves.toMatch(/^<\+\d+>$/)

  const next = disassemblyPane().locator('li[aria-current="step"] + li')
  const address = (await next.locator('.address').innerText()).trim()
  await next.getByRole('button', { name: `Set a breakpoint at ${address}` }).click()
  await page.locator('.xterm-rows').getByText(`(memscape) break *${address}`).waitFor()
  await disassemblyPane().getByRole('button', { name: new RegExp(`^Delete breakpoint 2 at ${address}$`) }).waitFor()
  await page.screenshot({ path: artifactPath('disassembly-breakpoint.png') })
  await disassemblyPane().getByRole('button', { name: `Delete breakpoint 2 at ${address}` }).click()
  await page.locator('.xterm-rows').getByText('(memscape) delete 2').waitFor()
  await disassemblyPane().getByRole('button', { name: `Set a breakpoint at ${address}` }).waitFor()
})

test('clicking a slot selects its bytes everywhere', async () => {
  const returnAddress = slot('return address').first()
  await returnAddress.click()
  await expect.poll(() => returnAddress.getAttribute('class')).toMatch(/\bselected\b/)
})

test('an overflow onto the canary is marked loudly, in plain words', async () => {
  await type(`file ${smash}`, `Reading symbols from ${smash}`)
  await type('break 6', /Breakpoint \d+ at 0x[0-9a-f]+: file \S*smash\.c, line 6\./)
  await type('run', /Breakpoint \d+, smash \(n=40\)/)
  await stackPane().getByRole('button', { name: /smash's canary was overwritten/ }).waitFor()
  await expect(stackPane().getByRole('alert').first().innerText()).resolves.toContain('The canary was overwritten')
  await expect(slot('canary').getAttribute('aria-label')).resolves.toContain('bytes 41 41 41 41 41 41 41 41')
  // The unwinder's "frames" found through the overwritten saved rbp are not drawn as the program's.
  await expect(stackPane().getByText('The frames further down cannot be found').count()).resolves.toBe(1)
  await page.screenshot({ path: artifactPath('stack-canary-overwritten.png') })
})
