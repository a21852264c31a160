import { basename } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { DwarfError, dwarfSectionsOf, readDebugInfo, readDwarf, type DwarfSections } from '../../../shared/debuginfo'
import { cleanUp, fixture, gcc } from './native'

afterAll(cleanUp)

/** xorshift32: a fixed seed keeps failures reproducible. */
function random(seed: number): () => number {
  let x = seed >>> 0 || 1
  return () => {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    return x / 0x100000000
  }
}

function onlyDwarfErrors(run: () => unknown): 'ok' | 'DwarfError' {
  try {
    run()
    return 'ok'
  } catch (e) {
    if (e instanceof DwarfError) return 'DwarfError'
    throw e
  }
}

describe('malformed DWARF raises DwarfError and nothing else', () => {
  const built = gcc(fixture('types.c'), ['-g', '-O0', '-static'])
  const sections = dwarfSectionsOf(built.bytes)
  const keys = Object.keys(sections) as (keyof DwarfSections)[]

  it('the unmutated sections read cleanly (the baseline the mutations start from)', () => {
    expect(keys.sort()).toEqual(['abbrev', 'info', 'line', 'lineStr', 'str'])
    expect(readDwarf(sections).units.some((u) => basename(u.name) === 'types.c')).toBe(true)
  })

  for (const key of ['info', 'abbrev', 'line', 'str', 'lineStr'] as const) {
    it(`random byte changes in ${key}`, () => {
      const rnd = random(0x5eed + key.length)
      const outcomes = { ok: 0, DwarfError: 0 }
      for (let round = 0; round < 400; round++) {
        const original = sections[key] as Uint8Array
        const mutated = original.slice()
        const flips = 1 + Math.floor(rnd() * 4)
        for (let i = 0; i < flips; i++) mutated[Math.floor(rnd() * mutated.length)] = Math.floor(rnd() * 256)
        outcomes[onlyDwarfErrors(() => readDwarf({ ...sections, [key]: mutated }))]++
      }
      // Both outcomes occur: mutations are neither all harmless nor all caught by one check.
      expect(outcomes.DwarfError).toBeGreaterThan(0)
      expect(outcomes.ok + outcomes.DwarfError).toBe(400)
    })

    it(`${key} truncated at every 7th length`, () => {
      const original = sections[key] as Uint8Array
      let errors = 0
      for (let length = 0; length < original.length; length += 7) {
        if (onlyDwarfErrors(() => readDwarf({ ...sections, [key]: original.subarray(0, length) })) === 'DwarfError') errors++
      }
      expect(errors).toBeGreaterThan(0)
    })
  }

  it('missing companion sections are named', () => {
    expect(() => readDwarf({ ...sections, abbrev: undefined })).toThrow(/no \.debug_abbrev/)
    expect(() => readDwarf({ ...sections, line: undefined })).toThrow(/no \.debug_line/)
    expect(() => readDwarf({ ...sections, lineStr: undefined })).toThrow(/\.debug_line_str/)
  })

  it('specific corruptions give specific messages', () => {
    const info = (sections.info as Uint8Array).slice()
    new DataView(info.buffer).setUint16(4, 9, true)
    expect(() => readDwarf({ ...sections, info })).toThrow(/unsupported DWARF version 9/)
    const long = (sections.info as Uint8Array).slice()
    new DataView(long.buffer).setUint32(0, 0x7fffffff, true)
    expect(() => readDwarf({ ...sections, info: long })).toThrow(/past the end of the section/)
  })

  it('an object file is refused rather than misread', () => {
    const object = gcc(fixture('types.c'), ['-g', '-c'])
    expect(() => readDebugInfo(object.bytes)).toThrow(/relocatable object/)
  })

  it('garbage instead of an ELF file', () => {
    const rnd = random(99)
    for (let i = 0; i < 200; i++) {
      const junk = Uint8Array.from({ length: Math.floor(rnd() * 200) }, () => Math.floor(rnd() * 256))
      expect(onlyDwarfErrors(() => readDebugInfo(junk))).toBe('DwarfError')
    }
    // An ELF with no debug sections has an empty model, not an error.
    const plain = gcc(fixture('types.c'), ['-O0', '-static'])
    expect(readDebugInfo(plain.bytes).units).toEqual([])
  })
})
