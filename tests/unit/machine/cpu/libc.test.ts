// Real libc code on the CPU: a C program that drives glibc's and musl's printf (SSE2 and x87
// paths), strtod, qsort, string routines, malloc and libm, built with gcc -static here, run
// natively and in the Machine; stdout and the exit status must be identical.

import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { Machine } from '../../../../shared/machine/machine'

const source = join(__dirname, 'libc-paths.c')
const dir = mkdtempSync(join(tmpdir(), 'memscape-libc-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const hasMusl = spawnSync('musl-gcc', ['--version']).status === 0

const builds = [
  { name: 'glibc -O0', compiler: 'gcc', flags: ['-O0'] },
  { name: 'glibc -O2', compiler: 'gcc', flags: ['-O2'] },
  { name: 'musl -Os', compiler: 'musl-gcc', flags: ['-Os'] },
]

describe('libc paths on the CPU match native execution', () => {
  for (const build of builds) {
    it.skipIf(build.compiler === 'musl-gcc' && !hasMusl)(build.name, () => {
      const binary = join(dir, build.name.replace(/\W+/g, '_'))
      execFileSync(build.compiler, [...build.flags, '-static', '-o', binary, source, '-lm'])
      const native = spawnSync(binary, ['one', 'two'], { env: {} })
      const machine = Machine.fromElf(new Uint8Array(readFileSync(binary)), { argv: [binary, 'one', 'two'], env: [], seed: 7, aslr: 2 })
      const chunks: Uint8Array[] = []
      machine.onOutput = (fd, bytes) => {
        if (fd === 1) chunks.push(bytes.slice())
      }
      const status = machine.run(50_000_000)
      expect(status).toEqual({ state: 'exited', code: native.status })
      expect(Buffer.concat(chunks).toString()).toBe(native.stdout.toString())
    })
  }
})
