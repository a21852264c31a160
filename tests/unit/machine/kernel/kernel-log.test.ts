// The kernel log lines of fatal faults, compared with what this machine's Linux kernel logs
// for the same binaries (run with ASLR off and an empty environment, so that addresses match):
// only the pid and the CPU number may differ.

import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Machine } from '../../../../shared/machine/machine'

const PROGRAMS = fileURLToPath(new URL('../../../programs', import.meta.url))
const CASES = [
  'crash_null_read',
  'crash_rodata_write',
  'crash_exec_stack',
  'crash_jump_unmapped',
  'crash_kernel_address',
  'crash_bad_return',
  'crash_illegal',
  'crash_divide_zero',
  'crash_breakpoint',
  'crash_stack_overflow',
]

const dmesgReadable = spawnSync('dmesg', []).status === 0 && spawnSync('setarch', ['-R', 'true']).status === 0
const dir = mkdtempSync(join(tmpdir(), 'memscape-klog-'))

function dmesgLines(): string[] {
  return spawnSync('dmesg', []).stdout.toString().split('\n').map((l) => l.replace(/^\[[ 0-9.]+\] /, ''))
}

/** The last lines the kernel logged for a pid: the segfault/traps line and any Code: line after it. */
function kernelLines(pid: number): string {
  const fresh = dmesgLines()
  const start = fresh.findLastIndex((l) => l.includes(`[${pid}]`))
  if (start < 0) return ''
  const out = [fresh[start]!]
  if (fresh[start + 1]?.startsWith('Code: ')) out.push(fresh[start + 1]!)
  return out.join('\n')
}

/**
 * Runs `binary` natively (ASLR off) and returns how it died with the kernel's lines for it. The
 * kernel rate-limits these lines (a burst of printk_ratelimit_burst per printk_ratelimit
 * seconds), and other test files crash programs at the same time: when nothing was logged, the
 * run is repeated once the interval has passed.
 */
function runNatively(binary: string): { signal: NodeJS.Signals | null; log: string } {
  const interval = Number(readFileSync('/proc/sys/kernel/printk_ratelimit', 'utf8'))
  for (let attempt = 0; ; attempt++) {
    const native = spawnSync('setarch', ['-R', binary], { env: {} })
    const log = kernelLines(native.pid!)
    if (log !== '' || attempt === 2) return { signal: native.signal, log }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, (interval + 1) * 1000)
  }
}

function normalise(log: string): string {
  return log.replace(/\[\d+\]/, '[PID]').replace(/likely on CPU \d+ \(core \d+, socket \d+\)/, 'likely on CPU N')
}

beforeAll(() => {
  if (!dmesgReadable) return
  for (const name of CASES) {
    const result = spawnSync('gcc', ['-O0', '-static', '-fno-stack-protector', '-o', join(dir, name), join(PROGRAMS, `${name}.c`)])
    if (result.status !== 0) throw new Error(result.stderr.toString())
  }
}, 120_000)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe.skipIf(!dmesgReadable)('kernel log lines match Linux', () => {
  test.each(CASES)('%s', (name) => {
    const binary = join(dir, name)
    const native = runNatively(binary)
    expect(native.signal).not.toBeNull()
    const nativeLog = native.log
    expect(nativeLog).not.toBe('')

    const machine = Machine.fromElf(new Uint8Array(readFileSync(binary)), { argv: [binary], env: [], seed: 1, aslr: 0, execPath: binary, stdinClosed: true })
    const status = machine.run(1e9)
    expect(status.state).toBe('signaled')
    if (status.state !== 'signaled') return
    expect(normalise(status.kernelLog ?? '')).toBe(normalise(nativeLog))
  }, 60_000)
})
