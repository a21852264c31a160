// The tiny-ELF fixture is a real executable: Linux runs it natively.

import { spawnSync } from 'node:child_process'
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { expect, test } from 'vitest'
import { exitWith, tinyElf } from '../../fixtures/tiny-elf'

test.skipIf(process.platform !== 'linux' || process.arch !== 'x64')('Linux runs a tiny ELF and sees its exit status', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'memscape-elf-')), 'exit42')
  writeFileSync(file, tinyElf(exitWith(42)))
  chmodSync(file, 0o755)
  expect(spawnSync(file).status).toBe(42)
})

const hasReadelf = spawnSync('readelf', ['--version']).status === 0

test.skipIf(!hasReadelf)('readelf agrees with the layout', () => {
  const file = join(mkdtempSync(join(tmpdir(), 'memscape-elf-')), 'spin')
  writeFileSync(file, tinyElf(Uint8Array.of(0xeb, 0xfe)))
  const readelf = spawnSync('readelf', ['-lh', file], { encoding: 'utf8' })
  expect(readelf.stdout).toMatch(/Type:\s+EXEC \(Executable file\)/)
  expect(readelf.stdout).toMatch(/Entry point address:\s+0x401000/)
  expect(readelf.stdout).toMatch(/LOAD\s+0x0000000000001000 0x0000000000401000 0x0000000000401000\s+0x0000000000000002 0x0000000000000002 {2}R E/)
  expect(readelf.stdout).toMatch(/GNU_STACK.*\n.*RW /)
})
