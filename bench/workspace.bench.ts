// The workspace while the guest runs flat out, in Debian's Chromium at 1280×800: how long each
// displayed frame takes with every view refreshing live, and how fast the guest runs with the
// views open against a session nobody looks at (the baseline, measured in the same run).

import { afterAll, beforeAll, expect, test } from 'vitest'
import type { Page } from 'playwright-core'
import type { SessionHost } from '../electron/node/host'
import { buildProgram } from '../shared/toolchain/driver'
import { encodeBase64 } from '../shared/protocol/base64'
import { openApp, type OpenedApp } from '../tests/e2e/browser'
import { percentile, report } from './report'

const BUSY_LOOP = `int main(void) {
  volatile unsigned long sum = 0;
  char buf[64];
  for (unsigned long i = 0;; i++) {
    buf[i % 64] = (char)i;
    sum += buf[(i * 7) % 64];
  }
}
`
const RUN_MS = 3000
const ROUNDS = 4

/** What the page functions below use of the window (this file is type-checked without the DOM). */
interface PageWindow {
  requestAnimationFrame(callback: (now: number) => void): number
  performance: { now(): number }
  frameIntervals: number[]
  stopFrames: boolean
  document: { querySelector(selector: string): { getAttribute(name: string): string | null } | null }
}

let app: OpenedApp
let host: SessionHost
let page: Page

beforeAll(async () => {
  app = await openApp()
  ;({ host, page } = app)
})

afterAll(() => app?.close())

/** Instructions per second of a session while `continue` drives it for RUN_MS. */
async function guestSpeed(sessionId: string, start: () => Promise<unknown>, pause: () => Promise<unknown>): Promise<number> {
  const counts: { at: number; count: number }[] = []
  const unsubscribe = host.subscribe((event) => {
    if (event.type === 'state' && event.state.sessionId === sessionId && event.state.run === 'running') counts.push({ at: performance.now(), count: event.state.instructionCount })
  })
  await start()
  await new Promise((resolve) => setTimeout(resolve, RUN_MS))
  await pause()
  unsubscribe()
  // From the first report to the last: the start-up of the command is not the guest's speed.
  const first = counts[0]!
  const last = counts.at(-1)!
  return ((last.count - first.count) / (last.at - first.at)) * 1000
}

async function unwatchedSpeed(): Promise<number> {
  const built = buildProgram({ 'busy.c': BUSY_LOOP }, ['busy.c'], { debugInfo: true })
  const { sessionId } = await host.openSession({ program: { path: '/home/learner/busy', elfBase64: encodeBase64(built.executable!) } })
  await host.execute(sessionId, 'break main')
  await host.execute(sessionId, 'run')
  const running = host.execute(sessionId, 'continue')
  const speed = await guestSpeed(
    sessionId,
    async () => undefined,
    async () => {
      await host.control(sessionId, 'pause')
      await running
    },
  )
  await host.closeSession(sessionId)
  return speed
}

test('live frames and guest speed with every view open', async () => {
  await page.locator('input[type=file]').setInputFiles({ name: 'busy.c', mimeType: 'text/x-c', buffer: Buffer.from(BUSY_LOOP) })
  await page.locator('.xterm-rows').getByText('Built busy.c').waitFor({ timeout: 30_000 })
  const sessionId = await page.evaluate(() => (globalThis as unknown as PageWindow).document.querySelector('[data-session-id]')!.getAttribute('data-session-id')!)
  await page.locator('.xterm').click()
  await page.keyboard.type('break main\n')
  await page.keyboard.press('F5')
  await page.locator('.xterm-rows').getByText('Breakpoint 1, main').waitFor({ timeout: 30_000 })

  // Frame intervals in the page while the guest runs: a frame that took longer than 16 ms shows up as a longer interval.
  await page.evaluate(() => {
    const window = globalThis as unknown as PageWindow
    let last = window.performance.now()
    window.frameIntervals = []
    window.stopFrames = false
    const tick = (now: number): void => {
      window.frameIntervals.push(now - last)
      last = now
      if (!window.stopFrames) window.requestAnimationFrame(tick)
    }
    window.requestAnimationFrame(tick)
  })
  const liveFrames = (): Promise<number> => page.evaluate(() => Number((globalThis as unknown as PageWindow).document.querySelector('[data-live-frames]')!.getAttribute('data-live-frames')))
  // Watched and unwatched runs alternate, so a slow spell of the machine touches both; medians.
  const unwatched: number[] = [await unwatchedSpeed()]
  const watched: number[] = []
  let framesShown = 0
  let watchedMs = 0
  for (let round = 0; round < ROUNDS; round++) {
    const framesBefore = await liveFrames()
    const started = performance.now()
    watched.push(
      await guestSpeed(
        sessionId,
        () => page.keyboard.press('F5'),
        async () => {
          await page.keyboard.press('F6')
          await expect.poll(() => page.locator('.top-bar .badge').innerText()).toBe('paused')
        },
      ),
    )
    watchedMs += performance.now() - started
    framesShown += (await liveFrames()) - framesBefore
    unwatched.push(await unwatchedSpeed())
  }
  const intervals = await page.evaluate(() => {
    const window = globalThis as unknown as PageWindow
    window.stopFrames = true
    return window.frameIntervals.slice(5)
  })
  const baseline = percentile(unwatched, 50)
  const seen = percentile(watched, 50)
  const liveRate = framesShown / (watchedMs / 1000)

  report('Workspace, guest running flat out (1280×800, Chromium headless)', [
    { name: 'guest speed, no view', value: baseline / 1e6, unit: 'M instr/s', note: `median of ${unwatched.length} sessions nobody watches, ${RUN_MS} ms each` },
    { name: 'guest speed, every view live', value: seen / 1e6, unit: 'M instr/s', note: `median of ${ROUNDS} runs, alternating with those` },
    { name: 'ratio views / no view', value: seen / baseline, unit: '×', note: `each round: ${watched.map((speed, i) => (speed / unwatched[i + 1]!).toFixed(2)).join(', ')}` },
    { name: 'live frames', value: liveRate, unit: 'per s', note: 'paced by what each costs the window' },
    { name: 'frame interval, median', value: percentile(intervals, 50), unit: 'ms', note: `${intervals.length} frames` },
    { name: 'frame interval, p95', value: percentile(intervals, 95), unit: 'ms' },
    { name: 'frames over 16.7 ms', value: intervals.filter((interval) => interval > 16.7 * 1.5).length / intervals.length * 100, unit: '%', note: 'an interval over 25 ms is a dropped frame' },
  ])
  expect(intervals.length).toBeGreaterThan(10)
})
