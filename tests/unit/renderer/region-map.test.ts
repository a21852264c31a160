import { describe, expect, it } from 'vitest'
import type { SnapshotRegion } from '../../../shared/debugger/snapshot'
import { buildRegionMap, formatSize, formatSlide, NON_RANDOM_MMAP_BASE, parseMappings, regionHeight, type MapFacts, type RegionRow } from '../../../renderer/src/lib/region-map'

const region = (start: string, end: string, perms: string, name: string, kind: SnapshotRegion['kind']): SnapshotRegion => ({ start, end, perms, name, kind })

// The maps of a gcc -static -no-pie program with ASLR on, as the machine gave them.
const regions = [
  region('0x400000', '0x401000', 'r--p', '/tmp/p', 'rodata'),
  region('0x401000', '0x479000', 'r-xp', '/tmp/p', 'code'),
  region('0x479000', '0x4a4000', 'r--p', '/tmp/p', 'rodata'),
  region('0x4a4000', '0x4a7000', 'rw-p', '/tmp/p', 'data'),
  region('0x4a7000', '0x4ac000', 'rw-p', '', 'data'),
  region('0x11593000', '0x115b5000', 'rw-p', '[heap]', 'heap'),
  region('0x7eff8e633000', '0x7eff8e637000', 'r--p', '[vvar]', 'rodata'),
  region('0x7eff8e639000', '0x7eff8e63b000', 'r-xp', '[vdso]', 'code'),
  region('0x7ffc9b2f3000', '0x7ffc9b314000', 'rw-p', '[stack]', 'stack'),
  region('0xffffffffff600000', '0xffffffffff601000', '--xp', '[vsyscall]', 'code'),
]
const facts: MapFacts = {
  executable: { name: '/tmp/p', pie: false },
  offsets: parseMappings('          0x401000           0x479000    0x78000     0x1000  r-xp   /tmp/p\n'),
  rsp: 0x7ffc9b312f90n,
  rip: 0x40162bn,
  brk: 0x115b5000n,
}

describe('the region map', () => {
  const rows = buildRegionMap(regions, facts)
  const named = (name: string, start?: string): RegionRow => rows.find((row): row is RegionRow => row.type === 'region' && row.region.name === name && (!start || row.region.start === start))!

  it('lists regions low to high with the gaps, the non-canonical hole and the kernel half folded', () => {
    expect(rows.map((row) => (row.type === 'region' ? row.region.name || 'anon' : row.type))).toEqual([
      'gap', '/tmp/p', '/tmp/p', '/tmp/p', '/tmp/p', 'anon', 'gap', '[heap]', 'gap', '[vvar]', 'gap', '[vdso]', 'gap', '[stack]', 'gap', 'hole', 'kernel', '[vsyscall]',
    ])
    expect(rows[0]).toMatchObject({ start: 0n, end: 0x400000n })
    expect(rows.find((row) => row.type === 'hole')).toMatchObject({ start: 0x800000000000n, end: 0xffff800000000000n })
    expect(named('[vsyscall]').kernel).toBe(true)
  })
  it('computes slides against the non-random bases', () => {
    expect(named('/tmp/p', '0x401000').slide).toEqual({ kind: 'fixed', reason: 'not PIE: at its link address' })
    expect(named('[heap]').slide).toEqual({ kind: 'slid', by: 0x11593000n - 0x4ac000n, base: 'end of the image 0x4ac000' })
    expect(named('[stack]').slide).toEqual({ kind: 'slid', by: 0x7ffc9b314000n - 0x7ffffffff000n, base: 'stack top 0x7ffffffff000' })
    expect(NON_RANDOM_MMAP_BASE).toBe(0x7ffff7fff000n)
    expect(named('[vvar]').slide).toEqual({ kind: 'slid', by: 0x7eff8e63b000n - 0x7ffff7fff000n, base: 'mmap base 0x7ffff7fff000' })
    expect(named('[vsyscall]').slide.kind).toBe('fixed')
  })
  it('slides a static PIE with the mmap area and its heap from ELF_ET_DYN_BASE', () => {
    const pie = [region('0x5555a0000000', '0x5555a0021000', 'rw-p', '[heap]', 'heap'), region('0x7ff0f7ff0000', '0x7ff0f7fff000', 'r-xp', '/tmp/q', 'code')]
    const map = buildRegionMap(pie, { ...facts, executable: { name: '/tmp/q', pie: true } })
    const slides = map.filter((row): row is RegionRow => row.type === 'region').map((row) => row.slide)
    expect(slides).toEqual([
      { kind: 'slid', by: 0x5555a0000000n - 0x555555555000n, base: 'ELF_ET_DYN_BASE 0x555555555000' },
      { kind: 'slid', by: 0x7ff0f7fff000n - 0x7ffff7fff000n, base: 'mmap base 0x7ffff7fff000' },
    ])
  })
  it('places rsp, rip and the break, and the file offsets', () => {
    expect(named('[stack]').markers.map((m) => m.name)).toEqual(['rsp'])
    expect(named('/tmp/p', '0x401000').markers[0]).toMatchObject({ name: 'rip', address: 0x40162bn })
    expect(named('[heap]').markers).toEqual([{ name: 'brk', address: 0x115b5000n, fraction: 1 }])
    expect(named('/tmp/p', '0x401000').offset).toBe(0x1000n)
    expect(named('[heap]').offset).toBeNull()
  })
  it('formats sizes and slides and scales heights by log size', () => {
    expect(formatSize(0x7eff8e633000n - 0x115b5000n)).toBe('127 TiB')
    expect(formatSize(0x7ff000000000n - 0x115b5000n)).toBe('127.9 TiB')
    expect(formatSize(4096n)).toBe('4 KiB')
    expect(formatSize(0xffff000000000000n)).toBe('16 EiB')
    expect(formatSlide(-0x1000n)).toBe('−0x1000')
    expect(regionHeight(4096n)).toBe(22)
    expect(regionHeight(0x21000n)).toBeGreaterThan(regionHeight(0x2000n))
    expect(regionHeight(1n << 40n)).toBe(64)
  })
})
