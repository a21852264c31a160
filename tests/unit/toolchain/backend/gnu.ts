/** Helpers that run the GNU toolchain installed on this machine, for comparisons. */
import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export function scratchDir(): string {
  return mkdtempSync(join(tmpdir(), 'memscape-backend-'))
}

/** Assemble Intel-syntax source with GNU as and return the .text bytes. */
export function gnuAssembleText(source: string): Uint8Array {
  const dir = scratchDir()
  writeFileSync(join(dir, 'in.s'), '.intel_syntax noprefix\n' + source + '\n')
  execFileSync('as', ['-msyntax=intel', '-mnaked-reg', '-o', join(dir, 'in.o'), join(dir, 'in.s')])
  execFileSync('objcopy', ['-O', 'binary', '-j', '.text', join(dir, 'in.o'), join(dir, 'text.bin')])
  return new Uint8Array(readFileSync(join(dir, 'text.bin')))
}

/** Assemble with NASM (flat binary, 64-bit) and return the bytes. */
export function nasmAssemble(source: string): Uint8Array {
  const dir = scratchDir()
  writeFileSync(join(dir, 'in.asm'), 'bits 64\n' + source + '\n')
  execFileSync('nasm', ['-f', 'bin', '-o', join(dir, 'out.bin'), join(dir, 'in.asm')])
  return new Uint8Array(readFileSync(join(dir, 'out.bin')))
}

export function hex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex')
}

/** Run an executable natively with optional stdin; returns stdout and the exit status. */
export function runNative(path: string, input = '', args: string[] = []): { stdout: string; stderr: string; status: number | null; signal: NodeJS.Signals | null } {
  const result = spawnSync(path, args, { input, timeout: 10_000 })
  return { stdout: result.stdout.toString('latin1'), stderr: result.stderr.toString('latin1'), status: result.status, signal: result.signal }
}
