// The vDSO image: readelf sees the same structure and symbols Linux's vDSO has, and the real
// glibc loader (dlopen + dlvsym with version LINUX_2.6, the lookup glibc's start-up does)
// accepts it and its functions work. Mapped in every process as [vvar] [vvar_vclock] [vdso].

import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { VDSO_FUNCTIONS, VDSO_SIZE, buildVdso, elfHash } from '../../../../shared/machine/vdso'
import { parseElf, PT_DYNAMIC, PT_LOAD, PF_W } from '../../../../shared/machine/elf'
import { Memory } from '../../../../shared/machine/memory'
import { Random } from '../../../../shared/machine/random'
import { loadElf } from '../../../../shared/machine/loader'
import { AT_SYSINFO_EHDR } from '../../../../shared/machine/initial-stack'
import { compile, removeBuilds } from './native'

afterAll(removeBuilds)

let imagePath = ''
let checker = ''
let dir = ''

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'memscape-vdso-'))
  imagePath = join(dir, 'linux-vdso.so.1')
  writeFileSync(imagePath, buildVdso())
  checker = compile('vdso-check.c', 'vdso-check', ['-O1', '-ldl'])
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('the vDSO image', () => {
  it('is two pages, identical every time', () => {
    const a = buildVdso()
    expect(a.length).toBe(VDSO_SIZE)
    expect(a.length).toBe(8192)
    expect(Array.from(buildVdso())).toEqual(Array.from(a))
  })

  it('has the layout glibc relies on: one R+X PT_LOAD at 0 and a read-only PT_DYNAMIC', () => {
    const elf = parseElf(buildVdso())
    const load = elf.programHeaders.filter((p) => p.type === PT_LOAD)
    expect(load).toHaveLength(1)
    expect(load[0]).toMatchObject({ vaddr: 0, offset: 0, flags: 5 })
    const dynamic = elf.programHeaders.find((p) => p.type === PT_DYNAMIC)!
    expect(dynamic.flags & PF_W).toBe(0)
    expect(elf.warnings).toEqual([])
  })

  it('readelf shows the soname, the version definitions and versioned symbols', () => {
    const out = execFileSync('readelf', ['-W', '--dyn-syms', '-V', '-d', imagePath], { encoding: 'utf8' })
    expect(out).toContain('Library soname: [linux-vdso.so.1]')
    expect(out).toMatch(/Rev: 1 {2}Flags: BASE {2}Index: 1 {2}Cnt: 1 {2}Name: linux-vdso\.so\.1/)
    expect(out).toMatch(/Rev: 1 {2}Flags: none {2}Index: 2 {2}Cnt: 1 {2}Name: LINUX_2\.6/)
    for (const f of VDSO_FUNCTIONS) {
      expect(out).toMatch(new RegExp(`FUNC +GLOBAL +DEFAULT +\\d+ ${f.name}@@LINUX_2\\.6`))
      expect(out).toMatch(new RegExp(`FUNC +WEAK +DEFAULT +\\d+ ${f.alias}@@LINUX_2\\.6`))
    }
  })

  it('each function is mov eax, NR; syscall; ret', () => {
    const image = buildVdso()
    const elf = parseElf(image)
    for (const f of VDSO_FUNCTIONS) {
      const symbol = elf.symbols.find((s) => s.name === f.name)!
      const code = Array.from(image.subarray(symbol.value, symbol.value + 8))
      expect(code).toEqual([0xb8, f.syscall & 0xff, f.syscall >> 8, 0, 0, 0x0f, 0x05, 0xc3])
    }
  })

  it('uses the System V ELF hash (known values)', () => {
    expect(elfHash('LINUX_2.6')).toBe(0x3ae75f6)
    expect(elfHash('printf')).toBe(0x077905a6)
  })

  it('the real glibc loader accepts it and its functions work natively', () => {
    const out = execFileSync(checker, [imagePath], { encoding: 'utf8' })
    expect(out).toBe(
      [
        'symbols 1 1 1 1 1',
        'weak alias 1',
        'wrong version 1',
        'clock_gettime 0 1',
        'clock_getres 0 1',
        'gettimeofday 0 1',
        'time 1',
        'getcpu 0 1',
        '',
      ].join('\n'),
    )
  })

  it('is mapped read-execute below [vvar] and [vvar_vclock], where AT_SYSINFO_EHDR points', () => {
    const memory = Memory.create({ maxBytes: 4 * 1024 * 1024 })
    const p = loadElf(memory, buildTinyExecutable(), { argv: ['t'], env: [], execPath: '/t', random: new Random(1), aslr: 2 })
    const base = p.auxv.find((a) => a.type === AT_SYSINFO_EHDR)!.value
    const names = p.addressSpace.regions().map((r) => `${r.name} ${r.perms} ${(r.end - r.start).toString(16)}`)
    const at = names.indexOf('[vdso] r-xp 2000')
    expect(names.slice(at - 2, at + 1)).toEqual(['[vvar] r--p 4000', '[vvar_vclock] r--p 2000', '[vdso] r-xp 2000'])
    expect(base).toBe(p.vdsoBase)
    expect(Array.from(memory.peek(base, 8192).data)).toEqual(Array.from(buildVdso()))
    expect(memory.protection(base)).toBe(5)
  })
})

/** A minimal valid static executable: one R+X segment holding `jmp $` at its entry. */
function buildTinyExecutable(): Uint8Array {
  const image = new Uint8Array(0x1000 + 2)
  const v = new DataView(image.buffer)
  image.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0)
  v.setUint16(16, 2, true)
  v.setUint16(18, 62, true)
  v.setUint32(20, 1, true)
  v.setBigUint64(24, 0x401000n, true)
  v.setBigUint64(32, 64n, true)
  v.setUint16(52, 64, true)
  v.setUint16(54, 56, true)
  v.setUint16(56, 1, true)
  v.setUint32(64, 1, true)
  v.setUint32(68, 5, true)
  v.setBigUint64(72, 0x1000n, true)
  v.setBigUint64(80, 0x401000n, true)
  v.setBigUint64(96, 2n, true)
  v.setBigUint64(104, 2n, true)
  v.setBigUint64(112, 0x1000n, true)
  image.set([0xeb, 0xfe], 0x1000)
  return image
}
