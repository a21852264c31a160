import { describe, expect, it } from 'vitest'
import { Memory, MemoryView, PAGE_SIZE, PROT_READ, PROT_WRITE, PROT_EXEC } from '../../../shared/machine/memory'
import { MemoryFault } from '../../../shared/machine/fault'

const small = () => Memory.create({ maxBytes: 64 * PAGE_SIZE })

describe('Memory', () => {
  it('maps zeroed pages and reads back little-endian values', () => {
    const m = small()
    m.map(0x400000, 2 * PAGE_SIZE, PROT_READ | PROT_WRITE)
    expect(m.read32(0x400000)).toBe(0)
    m.write32(0x400ffe, 0x11223344) // straddles two pages
    expect(m.read8(0x400ffe)).toBe(0x44)
    expect(m.read8(0x401001)).toBe(0x11)
    expect(m.read32(0x400ffe)).toBe(0x11223344)
    expect(m.read16(0x400fff)).toBe(0x2233)
  })

  it('faults on unmapped, read-only and non-executable pages with the right kind', () => {
    const m = small()
    m.map(0x7ffffffde000, PAGE_SIZE, PROT_READ)
    const fault = (f: () => unknown) => {
      try {
        f()
      } catch (e) {
        return e as MemoryFault
      }
      throw new Error('no fault')
    }
    expect(fault(() => m.read8(0x1000))).toMatchObject({ address: 0x1000, access: 'read', present: false })
    expect(fault(() => m.write8(0x7ffffffde010, 1))).toMatchObject({ access: 'write', present: true })
    expect(fault(() => m.fetch8(0x7ffffffde010))).toMatchObject({ access: 'exec', present: true })
    m.protect(0x7ffffffde000, PAGE_SIZE, PROT_READ | PROT_EXEC)
    expect(m.fetch8(0x7ffffffde010)).toBe(0)
  })

  it('does not write the first page of a straddling write that faults on the second', () => {
    const m = small()
    m.map(0x10000, PAGE_SIZE, PROT_READ | PROT_WRITE)
    m.map(0x11000, PAGE_SIZE, PROT_READ)
    expect(() => m.write32(0x10ffe, -1)).toThrow(MemoryFault)
    expect(m.read16(0x10ffe)).toBe(0)
  })

  it('lets a second view over the same buffer read what the writer mapped', () => {
    const m = small()
    m.map(0x555555554000, PAGE_SIZE, PROT_READ | PROT_WRITE)
    m.write32(0x555555554010, 0x41424344)
    const host = new MemoryView(m.buffer)
    const { data, mapped } = host.peek(0x555555554010 - 2, 8)
    expect(Array.from(data)).toEqual([0, 0, 0x44, 0x43, 0x42, 0x41, 0, 0])
    expect(Array.from(mapped)).toEqual([1, 1, 1, 1, 1, 1, 1, 1])
    expect(host.peek(0x1000, 2).mapped[0]).toBe(0)
  })

  it('refuses to map past its frame budget without changing anything, and reuses freed frames', () => {
    const m = small()
    expect(() => m.map(0x100000, 65 * PAGE_SIZE, PROT_READ)).toThrow(RangeError)
    expect(m.usedFrames).toBe(0)
    m.map(0x100000, 10 * PAGE_SIZE, PROT_READ | PROT_WRITE)
    m.write8(0x100000, 7)
    m.unmap(0x100000, 10 * PAGE_SIZE)
    expect(m.usedFrames).toBe(0)
    m.map(0x200000, PAGE_SIZE, PROT_READ)
    expect(m.read8(0x200000)).toBe(0)
  })

  it('reports writes to pages holding cached code', () => {
    const m = small()
    m.map(0x400000, PAGE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC)
    const hits: number[] = []
    m.onCodeWrite = (page) => hits.push(page)
    m.write8(0x400010, 1)
    m.markCode(0x400000)
    m.invalidatePage(0x400000)
    m.write8(0x400020, 0x90)
    expect(hits).toEqual([0x400000])
  })

  it('drops cached code at the old address when pages move (mremap)', () => {
    const m = small()
    m.map(0x400000, 2 * PAGE_SIZE, PROT_READ | PROT_EXEC)
    m.markCode(0x401000)
    const hits: number[] = []
    m.onCodeWrite = (page) => hits.push(page)
    m.move(0x400000, 0x800000, 2 * PAGE_SIZE)
    expect(hits).toEqual([0x401000])
    expect(m.isMapped(0x400000)).toBe(false)
    expect(m.protection(0x801000)).toBe(PROT_READ | PROT_EXEC)
  })
})
