// glibc 2.36's size arithmetic on x86-64 (malloc/malloc.c), as the heap view uses it.

import { describe, expect, it } from 'vitest'
import { regularBinRef } from '../../../../shared/debugger/heap/bins'
import { binIndex, binSizeRange, fastbinIndex, revealPointer, tcacheIndex } from '../../../../shared/debugger/heap/layout'

describe('ptmalloc size arithmetic', () => {
  it('tcache, fastbin and regular bin indexes', () => {
    expect([0x20n, 0x410n, 0x420n].map(tcacheIndex)).toEqual([0, 63, 64])
    expect([0x20n, 0x80n].map(fastbinIndex)).toEqual([0, 6])
    expect([0x20n, 0x90n, 0x3f0n, 0x400n, 0x430n, 0x440n, 0xc30n, 0xc40n, 0x100000n].map(binIndex)).toEqual([2, 9, 63, 64, 64, 65, 96, 97, 126])
  })

  it('bin labels as pwndbg prints them', () => {
    expect([1, 2, 9, 63, 64, 65, 96, 97, 111, 126].map((index) => regularBinRef(index).label)).toEqual([
      'all', '0x20', '0x90', '0x3f0', '0x400-0x430', '0x440-0x470', '0xc00-0xc30', '0xc40-0xdf0', '0x2800-0x29f0', '0x80000-∞',
    ])
    expect(binSizeRange(64)).toEqual({ low: 0x400n, high: 0x430n })
  })

  it('safe-linking: a pointer XORed with its own address >> 12', () => {
    // Measured in realism.md §5.2: y->next = (&y->next >> 12) ^ x.
    expect(revealPointer(0x56481786e730n, 0x564d73079f6en)).toBe(0x564d73079f6en ^ 0x56481786en)
    expect(revealPointer(0x4052c0n, 0x405n)).toBe(0n)
  })
})
