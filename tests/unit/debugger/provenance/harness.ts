// Programs for the provenance and explanation tests: built by gcc (-static, glibc) or by
// Memscape's toolchain (its libc), loaded into a DebugSession, driven through the dispatcher.

import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDispatcher, DebugSession, outputText } from '../../../../shared/debugger'
import type { Dispatcher } from '../../../../shared/debugger/dispatcher'
import { buildProgram, type DriverOptions } from '../../../../shared/toolchain/driver'

let scratch: string | undefined
function scratchDir(): string {
  scratch ??= mkdtempSync(join(tmpdir(), 'memscape-provenance-'))
  return scratch
}

export interface BuiltProgram {
  readonly path: string
  readonly image: Uint8Array
  readonly sources: Record<string, string>
}

/** `gcc -g -O0 -static -no-pie FLAGS` (Debian 12: glibc 2.36). */
export function gccProgram(name: string, source: string, flags: readonly string[] = []): BuiltProgram {
  const dir = scratchDir()
  const sourcePath = join(dir, `${name}.c`)
  writeFileSync(sourcePath, source)
  const binary = join(dir, name)
  // Compiled by its relative name, as gdb users do: gdb then prints "name.c", not a path.
  execFileSync('gcc', ['-g', '-O0', '-static', '-no-pie', ...flags, '-o', binary, `${name}.c`], { cwd: dir, stdio: ['ignore', 'ignore', 'ignore'] })
  return { path: binary, image: new Uint8Array(readFileSync(binary)), sources: { [sourcePath]: source } }
}

/** Memscape's own toolchain with -g, as `memscape cc -g` builds it. */
export function memscapeProgram(name: string, source: string, options: DriverOptions = {}): BuiltProgram {
  const file = `${name}.c`
  const result = buildProgram({ [file]: source }, [file], { pie: false, debugInfo: true, ...options })
  if (result.executable === undefined) throw new Error(`build failed:\n${result.diagnostics}`)
  return { path: `/home/user/${name}`, image: result.executable, sources: { [file]: source } }
}

export interface Debugging {
  readonly session: DebugSession
  readonly dispatcher: Dispatcher
  /** Runs a command; its text output (errors included, marked with "error: "). */
  run(command: string): Promise<string>
}

export function debug(program: BuiltProgram, settings: { stdin?: Uint8Array; args?: string[] } = {}): Debugging {
  const session = new DebugSession({ run: { aslr: 0, stdin: settings.stdin ?? null, args: settings.args ?? [] } })
  session.load({ path: program.path, image: program.image, sources: program.sources })
  const dispatcher = createDispatcher(session)
  return {
    session,
    dispatcher,
    async run(command) {
      const output = await dispatcher.execute(command)
      return output.ok ? outputText(output) : `error: ${outputText(output)}`
    },
  }
}

/** Text with its line breaks turned into spaces (explanations are wrapped at word boundaries). */
export function flat(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ')
}

export const bytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'latin1'))

/** A little-endian 64-bit value as 8 bytes of text. */
export function p64(value: bigint): string {
  let text = ''
  for (let i = 0n; i < 8n; i++) text += String.fromCharCode(Number((value >> (8n * i)) & 0xffn))
  return text
}
