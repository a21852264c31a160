/** The bundled file lists match the files on disk, and the library's own API and decisions. */
import { readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LIBC_HEADERS, LIBC_INCLUDE_DIR, LIBC_SOURCE_DIR, LIBC_SOURCES, LIBC_UNITS, libcFiles } from '../../../../shared/toolchain/libc'
import { buildWithGccAndLibc, run } from './harness'

const ROOT = join(import.meta.dirname, '../../../../shared/toolchain/libc')

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)))
    .sort()
}

describe('libc sources', () => {
  it('bundles every header and source file, with its text', () => {
    expect(Object.keys(LIBC_HEADERS).sort()).toEqual(filesUnder(join(ROOT, 'include')))
    expect(Object.keys(LIBC_SOURCES).sort()).toEqual(filesUnder(join(ROOT, 'src')))
    for (const [name, text] of Object.entries(LIBC_HEADERS)) expect(text).toBe(readFileSync(join(ROOT, 'include', name), 'utf8'))
    for (const [name, text] of Object.entries(LIBC_SOURCES)) expect(text).toBe(readFileSync(join(ROOT, 'src', name), 'utf8'))
  })

  it('lists the compilation units with the start-up code first', () => {
    expect(LIBC_UNITS[0]).toBe('start.asm')
    expect(LIBC_UNITS).toContain('malloc.c')
    expect(LIBC_UNITS).not.toContain('internal.h')
  })

  it('places headers and sources at their paths in the file map', () => {
    const files = libcFiles()
    expect(files[`${LIBC_INCLUDE_DIR}/sys/mman.h`]).toBe(LIBC_HEADERS['sys/mman.h'])
    expect(files[`${LIBC_SOURCE_DIR}/malloc.c`]).toBe(LIBC_SOURCES['malloc.c'])
  })
})

describe('system()', () => {
  it('reports that no shell is available: system(NULL) is 0, a command fails with ENOSYS', () => {
    expect(run(buildWithGccAndLibc('system_call.c'))).toEqual({
      stdout: 'system(NULL)=0\nsystem("ls -l")=-1 errno=Function not implemented\n',
      stderr: '',
      status: 0,
      signal: null,
    })
  })
})
