// Fidelity: each template, built by the system's gcc with the same protections and run natively
// against glibc with the same input, ends the way its metadata says the Memscape run ends — the
// same exit status or signal and the same text, glibc's own messages included.

import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { TEMPLATES, type TemplateBuild } from '../../../shared/templates'

const scratch = mkdtempSync(join(tmpdir(), 'memscape-templates-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

/** gcc's spelling of a template's build options. */
function gccFlags(build: TemplateBuild): string[] {
  const protector = { none: '-fno-stack-protector', default: '-fstack-protector', strong: '-fstack-protector-strong', all: '-fstack-protector-all' }[build.stackProtector]
  return [build.pie ? '-pie' : '-no-pie', protector, '-z', build.execStack ? 'execstack' : 'noexecstack']
}

describe.each(TEMPLATES.filter((t) => t.language === 'c'))('$id built by gcc, run against glibc', (t) => {
  test('ends as its metadata says', () => {
    const dir = mkdtempSync(join(scratch, `${t.id}-`))
    const source = join(dir, t.fileName)
    writeFileSync(source, t.source)
    const program = join(dir, t.id)
    execFileSync('gcc', ['-O0', '-g', ...gccFlags(t.build), '-o', program, source], { stdio: 'pipe' })
    // The stack limit the machine simulates (Linux's default), whatever this shell's is.
    const run = spawnSync('/bin/sh', ['-c', 'ulimit -s 8192 && exec "$0" "$@"', program, ...(t.args ?? [])], {
      cwd: dir,
      input: t.stdin ?? '',
      encoding: 'utf8',
      timeout: 20_000,
    })
    if (t.expect.kind === 'exit') {
      expect({ status: run.status, signal: run.signal, stderr: run.stderr }).toEqual({ status: t.expect.code, signal: null, stderr: '' })
      if (t.expect.stdoutIncludes !== undefined) expect(run.stdout).toContain(t.expect.stdoutIncludes)
    } else {
      expect({ status: run.status, signal: run.signal }).toEqual({ status: null, signal: t.expect.signal })
      if (t.expect.stderrIncludes !== undefined) expect(run.stderr).toContain(t.expect.stderrIncludes)
    }
  })
})
