/** The bundled file lists match the files on disk, and the library's own API and decisions. */
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, relative } from 'node:path'
import { describe, expect, it } from 'vitest'
import { LIBC_HEADERS, LIBC_INCLUDE_DIR, LIBC_SOURCE_DIR, LIBC_SOURCES, LIBC_UNITS, libcFiles, MALLOC_STATE_OFFSETS, TCACHE_OFFSETS } from '../../../../shared/toolchain/libc'
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

describe('malloc state layout', () => {
  it("matches the structs in malloc.c (offsetof, computed by gcc)", () => {
    const program = join(mkdtempSync(join(tmpdir(), 'memscape-layout-')), 'layout.c')
    // malloc.c's structs are private to it; compile it into a program that prints their offsets.
    writeFileSync(program, [
      `#include "${join(ROOT, 'src/malloc.c')}"`,
      'int printf(const char *, ...);',
      'int main(void) {',
      '  printf("%zx %zx %zx %zx %zx %zx %zx %zx %zx %zx %zx ", offsetof(struct malloc_state, flags), offsetof(struct malloc_state, have_fastchunks),',
      '         offsetof(struct malloc_state, fastbinsY), offsetof(struct malloc_state, top), offsetof(struct malloc_state, last_remainder),',
      '         offsetof(struct malloc_state, bins), offsetof(struct malloc_state, binmap), offsetof(struct malloc_state, system_mem),',
      '         offsetof(struct malloc_state, max_system_mem), sizeof(struct malloc_state), offsetof(tcache_perthread_struct, entries));',
      '  printf("%zx\\n", sizeof(tcache_perthread_struct));',
      '  return 0;',
      '}',
      '',
    ].join('\n'))
    const expected = [
      MALLOC_STATE_OFFSETS.flags, MALLOC_STATE_OFFSETS.haveFastchunks, MALLOC_STATE_OFFSETS.fastbinsY, MALLOC_STATE_OFFSETS.top,
      MALLOC_STATE_OFFSETS.lastRemainder, MALLOC_STATE_OFFSETS.bins, MALLOC_STATE_OFFSETS.binmap, MALLOC_STATE_OFFSETS.systemMem,
      MALLOC_STATE_OFFSETS.maxSystemMem, MALLOC_STATE_OFFSETS.size, TCACHE_OFFSETS.entries, TCACHE_OFFSETS.size,
    ].map((n) => n.toString(16)).join(' ')
    expect(run(buildWithGccAndLibc(program, { excludeUnits: ['malloc.c'] })).stdout).toBe(`${expected}\n`)
  })
})
