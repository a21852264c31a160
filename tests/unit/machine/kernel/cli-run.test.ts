// `memscape run`: output byte for byte, the guest's exit status, streamed stdin, the crash line,
// --report, and clear errors for what it cannot run.

import { beforeAll, afterAll, describe, expect, test } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { PassThrough, Writable } from 'node:stream'
import { runCommand, type RunStreams } from '../../../../electron/node/cli/run'

const dir = mkdtempSync(join(tmpdir(), 'memscape-cli-'))

function build(name: string, source: string): string {
  const src = join(dir, `${name}.c`)
  writeFileSync(src, source)
  const out = join(dir, name)
  const result = spawnSync('gcc', ['-O2', '-static', '-o', out, src])
  if (result.status !== 0) throw new Error(result.stderr.toString())
  return out
}

class Capture extends Writable {
  readonly chunks: Buffer[] = []
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.chunks.push(Buffer.from(chunk))
    done()
  }
  get text(): string {
    return Buffer.concat(this.chunks).toString('latin1')
  }
}

async function run(args: string[], options: { stdin?: PassThrough; env?: NodeJS.ProcessEnv } = {}) {
  const stdout = new Capture()
  const stderr = new Capture()
  const stdin = options.stdin ?? new PassThrough()
  if (!options.stdin) stdin.end()
  const streams: RunStreams = { stdout, stderr, stdin, terminal: false, env: options.env ?? { HOME: '/home/user', LANG: 'C' } }
  const status = await runCommand(args, streams)
  return { status, stdout: stdout.text, stderr: stderr.text }
}

let hello: string, echo: string, crash: string, env: string

beforeAll(() => {
  hello = build('hello', '#include <stdio.h>\nint main(int c, char **v) { printf("hello %s %d\\n", v[1], c); return 7; }\n')
  echo = build('echo', '#include <stdio.h>\nint main(void) { char b[64]; while (fgets(b, sizeof b, stdin)) printf("got: %s", b); puts("eof"); return 0; }\n')
  crash = build('crash', '#include <stdio.h>\nint main(void) { fputs("before\\n", stderr); return *(volatile int *)0; }\n')
  env = build('env', '#include <stdio.h>\nextern char **environ;\nint main(void) { for (char **e = environ; *e; e++) puts(*e); return 0; }\n')
}, 60_000)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('memscape run', () => {
  test('passes arguments, forwards output and returns the exit status', async () => {
    const r = await run([hello, 'world'])
    expect(r).toEqual({ status: 7, stdout: 'hello world 2\n', stderr: '' })
  })

  test('streams standard input as the program reads it', async () => {
    const stdin = new PassThrough()
    const pending = run([echo], { stdin })
    stdin.write('first line\n')
    await new Promise((resolve) => setTimeout(resolve, 20))
    stdin.write('second ')
    stdin.end('line\n')
    const r = await pending
    expect(r.stdout).toBe('got: first line\ngot: second line\neof\n')
    expect(r.status).toBe(0)
  })

  test('a crash gives 128 + signal and one explanatory line after the program\'s own stderr', async () => {
    const r = await run([crash])
    expect(r.status).toBe(139)
    const lines = r.stderr.split('\n')
    expect(lines[0]).toBe('before')
    expect(lines[1]).toMatch(/^memscape: crash: Segmentation fault \(SIGSEGV\) at ip 0x[0-9a-f]+: Read from 0x0, which is not mapped: a NULL pointer dereference\.$/)
    expect(lines.length).toBe(3)
  })

  test('--report writes the outcome as JSON', async () => {
    const file = join(dir, 'report.json')
    const r = await run(['--report', file, '--seed', '5', crash])
    expect(r.status).toBe(139)
    const report = JSON.parse(readFileSync(file, 'utf8'))
    expect(report.seed).toBe(5)
    expect(report.status.state).toBe('signaled')
    expect(report.status.signal).toBe(11)
    expect(report.signalName).toBe('SIGSEGV')
    expect(report.shellStatus).toBe(139)
    expect(report.status.fault.kind).toBe('unmapped')
    expect(report.status.fault.errorCode).toBe(4)
    expect(report.status.kernelLog).toMatch(/^crash\[\d+\]: segfault at 0 ip [0-9a-f]{16} sp [0-9a-f]{16} error 4 in crash\[/)
    expect(report.instructionCount).toBeGreaterThan(1000)
    expect(report.regions.some((region: { name: string }) => region.name === '[stack]')).toBe(true)
  })

  test('passes the caller\'s environment unless --clear-env, with --env additions', async () => {
    expect((await run([env])).stdout).toBe('HOME=/home/user\nLANG=C\n')
    expect((await run(['--env', 'LANG=fr_FR', '--env', 'X=1', env])).stdout).toBe('HOME=/home/user\nLANG=fr_FR\nX=1\n')
    expect((await run(['--clear-env', '--env', 'ONLY=this', env])).stdout).toBe('ONLY=this\n')
  })

  test('explains what it cannot run', async () => {
    const header = join(dir, 'hello.h')
    writeFileSync(header, '')
    const source = await run([header])
    expect(source.status).toBe(126)
    expect(source.stderr).toBe(`memscape run: ${header} is a header, not a program\n`)
    const missing = await run([join(dir, 'nothing-here')])
    expect(missing.status).toBe(127)
    expect(missing.stderr).toContain('No such file or directory')
    writeFileSync(join(dir, 'garbage'), 'not an ELF file at all')
    const garbage = await run([join(dir, 'garbage')])
    expect(garbage.status).toBe(126)
    expect(garbage.stderr).toMatch(/^memscape run: .*garbage: .+\n$/)
  })

  test('rejects bad options with usage', async () => {
    for (const args of [['--aslr', '3', hello], ['--seed', 'abc', hello], ['--bogus', hello], ['--env', 'NOEQUALS', hello], []]) {
      const r = await run(args)
      expect(r.status).toBe(2)
      expect(r.stderr).toContain('Usage: memscape run')
    }
  })
})
