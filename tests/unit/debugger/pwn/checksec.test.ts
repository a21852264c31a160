import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { checksec, pwndbgChecksecText, pwntoolsChecksecText, PwnError } from '../../../../shared/debugger/pwn'
import { buildProgram, type DriverOptions } from '../../../../shared/toolchain/driver'

const SOURCE = '#include <stdio.h>\n#include <string.h>\nint main(int argc, char **argv) { char buffer[64]; strcpy(buffer, argv[0]); puts(buffer); return 0; }\n'

/** The lines after `[*] 'path'`, as pwntools 4.14 prints them, without the 4-space indent. */
const body = (image: Uint8Array) => pwntoolsChecksecText(checksec(image), '/tmp/p').split('\n').slice(1, -1).map((line) => line.slice(4))

const gcc = spawnSync('gcc', ['--version'])
const directory = mkdtempSync(join(tmpdir(), 'memscape-checksec-'))
afterAll(() => rmSync(directory, { recursive: true, force: true }))

function gccBuild(name: string, flags: string[]): Uint8Array {
  writeFileSync(join(directory, 'p.c'), SOURCE)
  const result = spawnSync('gcc', [...flags, '-o', join(directory, name), join(directory, 'p.c')], { encoding: 'utf8' })
  if (result.status !== 0) throw new Error(result.stderr)
  return readFileSync(join(directory, name))
}

// The expected lines follow pwntools' rules (README.md): a static binary has no .dynamic, so
// -z now cannot make it Full RELRO; only a static PIE's DT_FLAGS can. A static glibc always links
// __stack_chk_fail, so the canary is "found" whatever -fstack-protector says.
describe.skipIf(gcc.status !== 0)('checksec on binaries gcc builds here', () => {
  const NOT_STRIPPED = 'Stripped:   No'
  test('gcc -static', () => {
    const image = gccBuild('static', ['-static'])
    expect(body(image)).toEqual([
      'Arch:       amd64-64-little',
      'RELRO:      Partial RELRO',
      'Stack:      Canary found',
      'NX:         NX enabled',
      'PIE:        No PIE (0x400000)',
      NOT_STRIPPED,
    ])
    expect(checksec(image)).toMatchObject({ relro: 'Partial', canary: true, nx: true, pie: false, address: 0x400000, stripped: false, rwxSegments: false })
  })

  test('gcc -static -fstack-protector-strong and -fno-stack-protector both have the canary symbol', () => {
    expect(checksec(gccBuild('ssp', ['-static', '-fstack-protector-strong'])).canary).toBe(true)
    expect(checksec(gccBuild('nossp', ['-static', '-fno-stack-protector'])).canary).toBe(true)
  })

  test('gcc -static-pie', () => {
    expect(body(gccBuild('static-pie', ['-static-pie']))).toEqual([
      'Arch:       amd64-64-little',
      'RELRO:      Partial RELRO',
      'Stack:      Canary found',
      'NX:         NX enabled',
      'PIE:        PIE enabled',
      NOT_STRIPPED,
    ])
  })

  test('gcc -static-pie -Wl,-z,now is Full RELRO, gcc -static -Wl,-z,now only Partial', () => {
    expect(body(gccBuild('static-pie-now', ['-static-pie', '-Wl,-z,now']))[1]).toBe('RELRO:      Full RELRO')
    expect(body(gccBuild('static-now', ['-static', '-Wl,-z,now']))[1]).toBe('RELRO:      Partial RELRO')
  })

  test('gcc -static -Wl,-z,norelro', () => {
    expect(body(gccBuild('norelro', ['-static', '-Wl,-z,norelro']))[1]).toBe('RELRO:      No RELRO')
  })

  test('gcc -static -no-pie -z execstack', () => {
    expect(body(gccBuild('execstack', ['-static', '-no-pie', '-z', 'execstack']))).toEqual([
      'Arch:       amd64-64-little',
      'RELRO:      Partial RELRO',
      'Stack:      Canary found',
      'NX:         NX unknown - GNU_STACK missing',
      'PIE:        No PIE (0x400000)',
      'Stack:      Executable',
      'RWX:        Has RWX segments',
      NOT_STRIPPED,
    ])
  })

  test('gcc -static-pie -z execstack: pwntools judges a static PIE as a library', () => {
    expect(body(gccBuild('pie-execstack', ['-static-pie', '-z', 'execstack']))).toEqual([
      'Arch:       amd64-64-little',
      'RELRO:      Partial RELRO',
      'Stack:      Canary found',
      'NX:         NX enabled',
      'PIE:        PIE enabled',
      'RWX:        Has RWX segments',
      NOT_STRIPPED,
    ])
  })

  test('gcc -static -s: no symbols, so no canary symbol either', () => {
    expect(body(gccBuild('stripped', ['-static', '-s']))).toEqual([
      'Arch:       amd64-64-little',
      'RELRO:      Partial RELRO',
      'Stack:      No canary found',
      'NX:         NX enabled',
      'PIE:        No PIE (0x400000)',
    ])
  })

  test('gcc -static -g', () => {
    expect(body(gccBuild('debug', ['-static', '-g'])).slice(-2)).toEqual([NOT_STRIPPED, 'Debuginfo:  Yes'])
  })
})

describe('checksec on binaries Memscape builds', () => {
  const build = (options: DriverOptions) => {
    const result = buildProgram({ 'p.c': SOURCE }, ['p.c'], options)
    if (result.executable === undefined) throw new Error(result.diagnostics)
    return result.executable
  }

  test('-no-pie: no PT_GNU_RELRO in the image, so No RELRO', () => {
    expect(body(build({ pie: false }))).toEqual([
      'Arch:       amd64-64-little',
      'RELRO:      No RELRO',
      'Stack:      Canary found',
      'NX:         NX enabled',
      'PIE:        No PIE (0x400000)',
      'Stripped:   No',
    ])
  })

  test('-pie with -fstack-protector-strong', () => {
    const result = checksec(build({ pie: true, stackProtector: 'strong' }))
    expect(result).toMatchObject({ pie: true, canary: true, nx: true, relro: 'None', executableStack: false, rwxSegments: false })
  })

  test('-z execstack, with and without PIE', () => {
    const plain = checksec(build({ pie: false, execStack: true }))
    expect(plain).toMatchObject({ nx: undefined, executableStack: true, rwxSegments: true })
    expect(plain.lines.map((line) => `${line.key}: ${line.value}`)).toContain('Stack: Executable')
    expect(checksec(build({ pie: true, execStack: true }))).toMatchObject({ nx: true, executableStack: false, rwxSegments: true })
  })

  test('-g adds the Debuginfo line', () => {
    expect(checksec(build({ pie: false, debugInfo: true })).debugInfo).toBe(true)
  })
})

describe('checksec text', () => {
  const image = (() => {
    const result = buildProgram({ 'p.c': SOURCE }, ['p.c'], { pie: false })
    return result.executable!
  })()

  test("pwn checksec's layout: the path's repr, then keys padded to 12 after a 4-space indent", () => {
    expect(pwntoolsChecksecText(checksec(image), "/home/me/it's")).toBe(
      [
        `[*] "/home/me/it's"`,
        '    Arch:       amd64-64-little',
        '    RELRO:      No RELRO',
        '    Stack:      Canary found',
        '    NX:         NX enabled',
        '    PIE:        No PIE (0x400000)',
        '    Stripped:   No',
        '',
      ].join('\n'),
    )
  })

  test("pwndbg's layout: File and Arch padded to 10, then pwntools' lines", () => {
    expect(pwndbgChecksecText(checksec(image), '/home/me/p')).toBe(
      ['File:     /home/me/p', 'Arch:     amd64', 'RELRO:      No RELRO', 'Stack:      Canary found', 'NX:         NX enabled', 'PIE:        No PIE (0x400000)', 'Stripped:   No', ''].join('\n'),
    )
  })

  test('tones follow pwntools colours', () => {
    const tones = Object.fromEntries(checksec(image).lines.map((line) => [line.key, line.tone]))
    expect(tones).toEqual({ RELRO: 'bad', Stack: 'good', NX: 'good', PIE: 'bad', Stripped: 'bad' })
  })

  test('a file that is not an ELF is a PwnError', () => {
    expect(() => checksec(new TextEncoder().encode('#!/bin/sh\n'))).toThrow(PwnError)
    expect(() => checksec(new Uint8Array())).toThrow('checksec: not an ELF file: the file is empty')
  })
})
