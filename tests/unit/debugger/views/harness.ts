// Builds programs with gcc and Memscape's toolchain, and runs command scripts through real gdb
// and through a DebugSession, for the looking commands' tests.

import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { basename, join } from 'node:path'
import { createDispatcher, DebugSession, outputText, type CommandOutput } from '../../../../shared/debugger'
import { buildProgram } from '../../../../shared/toolchain/driver'

export const SOURCE = `#include <stdio.h>
#include <string.h>
struct point { int x; long y; char name[8]; };
typedef struct point point_t;
enum colour { RED, GREEN = 4, BLUE };
int g = 7;
const char *msg = "hello";
static long ratio = 25;
int table[4] = {1, 2, 3, 4};
struct point origin = {3, -4, "origin"};
point_t corner = {1, 2, "corner"};
enum colour paint = GREEN;
int counter;
int square(int v) {
  return v * v;
}
int sum(int n) {
  int total = 0;
  for (int i = 1; i <= n; i++)
    total += square(i);
  return total;
}
int main(int argc, char **argv) {
  char buf[16];
  int x = sum(3);
  g = x + 1;
  strcpy(buf, msg);
  counter = argc;
  printf("%d %d %s %ld\\n", x, g, buf, ratio);
  return 0;
}
`

export interface Built {
  readonly dir: string
  readonly path: string
  readonly sourcePath: string
  readonly source: string
}

/** A scratch directory for one test file's binaries, removed by `cleanUp`. */
export function scratch(): { dir: string; cleanUp: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'memscape-views-'))
  return { dir, cleanUp: () => rmSync(dir, { recursive: true, force: true }) }
}

/** `gcc -g -O0 -static -no-pie` in `dir`, the source named `name.c` so gdb shows `name.c`. */
export function buildWithGcc(dir: string, name: string, source: string = SOURCE, extra: readonly string[] = []): Built {
  const sourcePath = join(dir, `${name}.c`)
  writeFileSync(sourcePath, source)
  const path = join(dir, name)
  execFileSync('gcc', ['-g', '-O0', '-static', '-fno-pie', '-no-pie', ...extra, '-o', path, `${name}.c`], { cwd: dir })
  return { dir, path, sourcePath, source }
}

/** Memscape's own compiler and libc, with -g. */
export function buildWithMemscape(dir: string, name: string, source: string = SOURCE, pie = false): Built {
  const result = buildProgram({ [`${name}.c`]: source }, [`${name}.c`], { pie, debugInfo: true })
  if (result.executable === undefined) throw new Error(`build failed:\n${result.diagnostics}`)
  const path = join(dir, name)
  writeFileSync(path, result.executable, { mode: 0o755 })
  writeFileSync(join(dir, `${name}.c`), source)
  return { dir, path, sourcePath: join(dir, `${name}.c`), source }
}

/**
 * gdb's standard output for the commands (its errors go to standard error, left out), run in an
 * empty environment without a shell, so the stack sits where Memscape's machine puts it.
 */
export function gdbTranscript(built: Built, commands: readonly string[]): string {
  const setup = ['unset environment LINES', 'unset environment COLUMNS', 'set startup-with-shell off']
  const args = ['-i', 'gdb', '-batch', '-nx', ...[...setup, ...commands].flatMap((c) => ['-ex', c]), built.path]
  // gdb -batch exits with a failure status when its last command failed; the output still counts.
  return spawnSync('env', args, { cwd: built.dir, encoding: 'utf8' }).stdout
}

export interface Driven {
  readonly session: DebugSession
  run(command: string): Promise<CommandOutput>
  text(command: string): Promise<string>
}

/** A session over the built program with ASLR off (as gdb runs it), driven by the dispatcher. */
export function drive(built: Built, options: { sources?: boolean; aslr?: 0 | 2; output?: (text: string) => void } = {}): Driven {
  const decoder = new TextDecoder()
  const output = options.output ?? (() => {})
  const session = new DebugSession({ run: { aslr: options.aslr ?? 0 } })
  session.hooks = { ...session.hooks, output: (_fd, bytes) => output(decoder.decode(bytes)) }
  // Keyed by the bare name, which matches the line table's `/dir/w.c` (gcc) and `./m.c` (Memscape).
  const sources = options.sources === false ? {} : { [basename(built.sourcePath)]: built.source }
  session.load({ path: built.path, image: new Uint8Array(readFileSync(built.path)), sources })
  const dispatcher = createDispatcher(session)
  return {
    session,
    run: (command) => dispatcher.execute(command),
    text: async (command) => outputText(await dispatcher.execute(command)),
  }
}

/** Our transcript: what each command printed, its error message left out (gdb writes that to standard error). */
export async function memscapeTranscript(built: Built, commands: readonly string[]): Promise<string> {
  let text = ''
  // The program's own output lands where gdb's transcript has it: between the commands' outputs.
  const driven = drive(built, { output: (written) => (text += written) })
  for (const command of commands) {
    const output = await driven.run(command)
    text += output.ok ? outputText(output) : outputText({ ...output, segments: output.segments.filter((s) => s.style !== 'error') })
  }
  return text
}

/** What differs between any two runs and says nothing about the debugger. */
export function normalise(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.startsWith('Starting program:') && line !== 'Continuing.' && !line.startsWith('Run till exit'))
    .map((line) => line.replace(/process \d+/, 'process N'))
    .join('\n')
}

export function readBinary(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path))
}
