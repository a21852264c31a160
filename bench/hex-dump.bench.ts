// The hex dump's cost after a jump anywhere in the 64-bit address space: one read of the visible
// rows through the host (as the renderer asks it) plus the layout of those rows with the stop's
// byte roles and changes. Baselines in the same run: the same screen re-read where it already is
// (the stack at rsp, as on every step) and the bare read without layout.

import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { afterAll, expect, test } from 'vitest'
import { SessionHost } from '../electron/node/host'
import { encodeBase64 } from '../shared/protocol/base64'
import { byteSpans } from '../renderer/src/lib/hex/byte-roles'
import { buildRows } from '../renderer/src/lib/hex/grid'
import { BYTES_PER_ROW, rowAddress, topRowFor } from '../renderer/src/lib/hex/rows'
import { percentile, report } from './report'

const SOURCE = `#include <stdlib.h>
#include <string.h>
void leaf(int n) { char buf[32]; strcpy(buf, "bench"); (void)n; }
int main(void) { for (int i = 0; i < 8; i++) { void *p = malloc(24 + i * 16); if (i % 2) free(p); } leaf(1); return 0; }
`
/** A screenful at 1280×800 in the default layout is about 16 rows; a tall pane about 45. */
const ROWS = 45
const TRIALS = 400

const host = new SessionHost({ workerUrl: pathToFileURL(join(import.meta.dirname, '..', 'out', 'main', 'simulation-worker.js')) })
const dir = mkdtempSync(join(tmpdir(), 'memscape-hex-bench-'))
afterAll(async () => {
  await host.closeAll()
  rmSync(dir, { recursive: true, force: true })
})

/** A deterministic spread of 64-bit addresses (splitmix64). */
function* addresses(seed: bigint): Generator<bigint> {
  let state = seed
  for (;;) {
    state = BigInt.asUintN(64, state + 0x9e3779b97f4a7c15n)
    let z = state
    z = BigInt.asUintN(64, (z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n)
    z = BigInt.asUintN(64, (z ^ (z >> 27n)) * 0x94d049bb133111ebn)
    yield z ^ (z >> 31n)
  }
}

test('drawing the visible rows after a jump anywhere', async () => {
  writeFileSync(join(dir, 'bench.c'), SOURCE)
  execFileSync('gcc', ['-g', '-O0', '-static', '-no-pie', '-o', join(dir, 'bench'), 'bench.c'], { cwd: dir })
  const { sessionId } = await host.openSession({ program: { path: join(dir, 'bench'), elfBase64: encodeBase64(new Uint8Array(readFileSync(join(dir, 'bench')))) } })
  await host.execute(sessionId, 'break leaf', { typed: false })
  await host.execute(sessionId, 'run', { typed: false })
  await host.execute(sessionId, 'next', { typed: false })
  const snapshot = (await host.snapshot(sessionId))!
  const spans = byteSpans(snapshot)
  const changes = snapshot.changed.map((range) => ({ start: BigInt(range.address), end: BigInt(range.address) + BigInt(range.length), age: 0 }))
  const rsp = BigInt(snapshot.registers.find((register) => register.name === 'rsp')!.value)

  const draw = async (address: bigint, layout: boolean): Promise<number> => {
    const started = performance.now()
    const topRow = topRowFor(address, ROWS)
    const start = rowAddress(topRow)
    const answer = await host.readMemory(sessionId, `0x${start.toString(16)}`, ROWS * BYTES_PER_ROW + 8)
    if (layout) {
      const rows = buildRows({ topRow, rowCount: ROWS, memory: { start, bytes: answer.bytes, mapped: answer.mapped }, regions: snapshot.regions, spans, changes, selection: null, cursor: address })
      if (rows.length !== ROWS) throw new Error('short screen')
    }
    return performance.now() - started
  }

  const random = addresses(0x5eedn)
  const mapped = snapshot.regions.filter((region) => !region.perms.startsWith('-') && BigInt(region.start) < 1n << 47n)
  const jumps: number[] = []
  const mappedJumps: number[] = []
  const stays: number[] = []
  const bare: number[] = []
  for (let i = 0; i < 20; i++) await draw(rsp, true) // warm-up
  // Interleaved, so the baseline and the jumps share whatever else the machine is doing.
  for (let i = 0; i < TRIALS; i++) {
    jumps.push(await draw(random.next().value, true))
    const region = mapped[i % mapped.length]!
    const span = BigInt(region.end) - BigInt(region.start)
    mappedJumps.push(await draw(BigInt(region.start) + (random.next().value % span), true))
    stays.push(await draw(rsp, true))
    bare.push(await draw(rsp, false))
  }
  const median = (samples: number[]): number => percentile(samples, 50)
  report('Hex dump: visible rows after a jump', [
    { name: 'jump anywhere in 2^64, median', value: median(jumps), unit: 'ms', note: `${TRIALS} jumps, ${ROWS} rows read + laid out` },
    { name: 'jump anywhere in 2^64, p95', value: percentile(jumps, 95), unit: 'ms' },
    { name: 'jump into a mapped region, median', value: median(mappedJumps), unit: 'ms', note: 'a random byte of a random region' },
    { name: 'baseline: same screen at rsp, median', value: median(stays), unit: 'ms', note: 'what every step costs' },
    { name: 'baseline: bare read at rsp, median', value: median(bare), unit: 'ms', note: 'host read, no layout' },
    { name: 'ratio jump anywhere / same screen', value: median(jumps) / median(stays), unit: '×', note: 'target about 1: cost independent of where' },
    { name: 'ratio mapped jump / same screen', value: median(mappedJumps) / median(stays), unit: '×' },
    { name: 'ratio same screen / bare read', value: median(stays) / median(bare), unit: '×', note: 'the layout on top of the read' },
  ])
  expect(percentile(jumps, 95)).toBeLessThan(16)
})
