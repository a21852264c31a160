// Helpers that build fixtures with the real gcc and ask the real binutils/gdb about them.
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { buildProgram, type DriverOptions } from '../../../shared/toolchain/driver'

export const fixture = (name: string): string => join(__dirname, '../../fixtures/debuginfo', name)

export interface Built {
  readonly path: string
  readonly bytes: Uint8Array
}

const dirs: string[] = []
export function workDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'memscape-dwarf-'))
  dirs.push(d)
  return d
}
export function cleanUp(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
}

export function gcc(source: string, flags: readonly string[], out = join(workDir(), 'a.out')): Built {
  execFileSync('gcc', [...flags, source, '-o', out], { stdio: ['ignore', 'ignore', 'ignore'] })
  return { path: out, bytes: new Uint8Array(readFileSync(out)) }
}

export function run(cmd: string, args: readonly string[]): string {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
}

/** Rows of `readelf --debug-dump=decodedline`: file base name, line, address, is_stmt. */
export function readelfLines(path: string): { file: string; line: number; address: number; isStmt: boolean }[] {
  const rows: { file: string; line: number; address: number; isStmt: boolean }[] = []
  for (const text of run('readelf', ['--debug-dump=decodedline', path]).split('\n')) {
    const cols = text.trim().split(/\s+/)
    if (cols.length < 3 || !/^0x[0-9a-f]+$/.test(cols[2] ?? '') || !/^\d+$/.test(cols[1] ?? '')) continue
    rows.push({ file: cols[0] as string, line: Number(cols[1]), address: Number(cols[2]), isStmt: cols[cols.length - 1] === 'x' })
  }
  return rows
}

export interface GdbSlot {
  /** The DW_OP_fbreg operand, when gdb shows the raw expression (gcc's CFA-based frames). */
  readonly fbreg?: number
  /** The rbp offset, when gdb resolves the frame base to rbp itself ("frame base reg $rbp offset A+B"). */
  readonly rbpOffset?: number
  readonly length: number
}

/** gdb's view of a function's outermost scope: symbol -> slot. */
export function gdbScope(path: string, func: string): Map<string, GdbSlot> {
  const out = run('gdb', ['-batch', '-nx', '-ex', `info scope ${func}`, path])
  const symbols = new Map<string, GdbSlot>()
  for (const m of out.matchAll(/Symbol (\w+) is ([\s\S]*?), length (\d+)\./g)) {
    const how = m[2] as string
    const fb = /DW_OP_fbreg (-?\d+)/.exec(how)
    const rbp = /frame base reg \$rbp offset (-?\d+)\+(-?\d+)/.exec(how)
    symbols.set(m[1] as string, {
      ...(fb ? { fbreg: Number(fb[1]) } : {}),
      ...(rbp ? { rbpOffset: Number(rbp[1]) + Number(rbp[2]) } : {}),
      length: Number(m[3]),
    })
  }
  return symbols
}

/** stderr of a command that must succeed. */
export function stderrOf(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] })
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`)
  return r.stderr
}

export function gdbAddressOf(path: string, symbol: string): number {
  const m = /at address (0x[0-9a-f]+)/.exec(run('gdb', ['-batch', '-nx', '-ex', `info address ${symbol}`, path]))
  if (!m) throw new Error(`gdb does not know ${symbol}`)
  return Number(m[1])
}

/** Function symbols from `nm`: name -> [address, size]. */
export function nmFunctions(path: string): Map<string, { address: number; size: number }> {
  const map = new Map<string, { address: number; size: number }>()
  for (const line of run('nm', ['-S', path]).split('\n')) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) [Tt] (\S+)$/.exec(line)
    if (m) map.set(m[3] as string, { address: parseInt(m[1] as string, 16), size: parseInt(m[2] as string, 16) })
  }
  return map
}

/**
 * Runs `program` under gdb from `cwd` (pass `./name`, so two binaries under the same name in
 * different directories see the same path, environment and hence stack contents) and returns
 * what each command printed, in order. Each command's output is fenced with an `echo` marker.
 */
export function gdbCommands(cwd: string, program: string, commands: readonly string[]): string[] {
  const fence = '@@memscape-gdb@@'
  const args = ['-batch', '-nx']
  for (const command of commands) args.push('-ex', `echo ${fence}\\n`, '-ex', command)
  // stderr too: `finish` prints its "Run till exit" line there in batch mode.
  const r = spawnSync('gdb', [...args, program], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  if (r.status !== 0) throw new Error(`gdb failed: ${r.stderr}`)
  return r.stdout.split(`${fence}\n`).slice(1).map((text) => text.trimEnd())
}

/** One source built with -g by Memscape's driver and by gcc, in `dir` as `gcc/prog` and
 *  `memscape/prog`: the same file name, since gdb puts the program's path on the stack. */
export interface BuiltPair {
  readonly dir: string
  readonly ours: Uint8Array
  readonly theirs: Uint8Array
}

/** gcc's flags for a static -O0 -g build in the mode Memscape's driver options describe. */
export function gccFlagsFor(pie: boolean, stackProtector: 'none' | 'all'): string[] {
  return ['-g', '-O0', pie ? '-static-pie' : '-static', ...(pie ? [] : ['-no-pie']), stackProtector === 'none' ? '-fno-stack-protector' : '-fstack-protector-all']
}

/** Builds `program` (named `source`) both ways. gcc compiles in `dir` as `gcc SOURCE`, so
 *  DW_AT_name and DW_AT_comp_dir read as ours do. */
export function buildPair(source: string, program: string, options: DriverOptions, gccFlags: readonly string[]): BuiltPair {
  const dir = workDir()
  writeFileSync(join(dir, source), program)
  const built = buildProgram({ [source]: program }, [source], { ...options, debugInfo: true, compilationDirectory: dir })
  if (!built.executable) throw new Error(built.diagnostics)
  for (const name of ['gcc', 'memscape']) mkdirSync(join(dir, name))
  writeFileSync(join(dir, 'memscape', 'prog'), built.executable, { mode: 0o755 })
  execFileSync('gcc', [...gccFlags, source, '-o', join('gcc', 'prog')], { cwd: dir, stdio: 'ignore' })
  return { dir, ours: built.executable, theirs: new Uint8Array(readFileSync(join(dir, 'gcc', 'prog'))) }
}
