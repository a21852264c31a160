// Builds the C fixtures in tests/fixtures/layout with this machine's gcc and runs them natively
// with ASLR off (setarch -R), an empty environment (env -i) and, when the tests run as root, as
// the unprivileged user nobody (so the kernel applies the same rules to them as Memscape does
// to its unprivileged guest).

import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const FIXTURES = fileURLToPath(new URL('../../../fixtures/layout/', import.meta.url))

let buildDir: string | null = null

/** A directory every user can read, for binaries nobody must be able to execute. */
function outputDir(): string {
  if (buildDir === null) {
    buildDir = mkdtempSync(join(tmpdir(), 'memscape-layout-'))
    chmodSync(buildDir, 0o755)
  }
  return buildDir
}

/** Deletes what compile() built (each test file calls it in afterAll). */
export function removeBuilds(): void {
  if (buildDir !== null) rmSync(buildDir, { recursive: true, force: true })
  buildDir = null
}

/** Compiles tests/fixtures/layout/<source> with gcc (or `compiler`) and the flags; returns the binary's path. */
export function compile(source: string, output: string, flags: string[], compiler = 'gcc'): string {
  const path = join(outputDir(), output)
  execFileSync(compiler, [...flags, '-o', path, join(FIXTURES, source)], { stdio: ['ignore', 'pipe', 'pipe'] })
  chmodSync(path, 0o755)
  return path
}

const runningAsRoot = typeof process.getuid === 'function' && process.getuid() === 0

/** The uid/gid the native runs use: nobody when we are root, else ourselves. */
export const nativeCredentials = runningAsRoot
  ? { uid: 65534, euid: 65534, gid: 65534, egid: 65534 }
  : { uid: process.getuid!(), euid: process.geteuid!(), gid: process.getgid!(), egid: process.getegid!() }

/** Resource limits for a native run, in bytes (prlimit --data / --as). */
export interface NativeLimits {
  data?: number
  addressSpace?: number
}

/** Runs `binary args...` natively with ASLR off and only `env`; returns stdout (throws on failure). */
export function runNative(binary: string, args: string[], stdin = '', aslr = false, env: string[] = [], limits: NativeLimits = {}): string {
  const run = runNativeStatus(binary, args, stdin, aslr, env, limits)
  if (run.status !== 0) throw new Error(`${binary} exited with ${run.status ?? run.signal}`)
  return run.stdout
}

/** Like runNative, for programs that may fail: stdout plus the exit status or the signal. */
export function runNativeStatus(
  binary: string,
  args: string[],
  stdin = '',
  aslr = false,
  env: string[] = [],
  limits: NativeLimits = {},
): { stdout: string; status: number | null; signal: string | null } {
  const prlimit = [
    ...(limits.data !== undefined ? [`--data=${limits.data}`] : []),
    ...(limits.addressSpace !== undefined ? [`--as=${limits.addressSpace}`] : []),
  ]
  const command = [...(prlimit.length > 0 ? ['prlimit', ...prlimit] : []), ...(aslr ? [] : ['setarch', '-R']), 'env', '-i', ...env, binary, ...args]
  const privileges = runningAsRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : []
  const all = [...privileges, ...command]
  const result = spawnSync(all[0]!, all.slice(1), { input: stdin, encoding: 'utf8', maxBuffer: 64 << 20 })
  if (result.error) throw result.error
  return { stdout: result.stdout, status: result.status, signal: result.signal }
}

/** Device and inode of a file as /proc/self/maps prints them. */
export function fileIdentity(path: string): { device: { major: number; minor: number }; inode: number } {
  const st = statSync(path, { bigint: true })
  const dev = st.dev
  const major = Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn))
  const minor = Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn))
  return { device: { major, minor }, inode: Number(st.ino) }
}

export interface ProbeOutput {
  rsp: number
  stack: Uint8Array
  /** Every /proc/self/maps dump, in order: the first is the process as exec left it. */
  maps: string[]
  results: { op: string; value: number }[]
}

/** Parses the output of tests/fixtures/layout/startup.c. */
export function parseProbe(text: string): ProbeOutput {
  const lines = text.split('\n')
  const out: ProbeOutput = { rsp: 0, stack: new Uint8Array(0), maps: [], results: [] }
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!
    if (line.startsWith('rsp ')) out.rsp = parseInt(line.slice(4), 16)
    else if (line.startsWith('stack')) out.stack = Uint8Array.from(line.slice(6).split(' ').filter(Boolean), (h) => parseInt(h, 16))
    else if (line === 'maps') {
      let text = ''
      while (lines[++i] !== 'end') text += lines[i] + '\n'
      out.maps.push(text)
    } else {
      const m = /^(\w) = (-?)([0-9a-f]+)$/.exec(line)
      if (m) out.results.push({ op: m[1]!, value: (m[2] ? -1 : 1) * parseInt(m[3]!, 16) })
    }
  }
  return out
}
