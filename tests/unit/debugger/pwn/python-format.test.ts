import { spawnSync } from 'node:child_process'
import { describe, expect, test } from 'vitest'
import { pythonBytesRepr, pythonHex } from '../../../../shared/debugger/pwn'
import { pythonStringRepr } from '../../../../shared/debugger/pwn/python-format'
import { seededU32 } from '../../seeded-random'

describe("Python's spellings", () => {
  test('bytes repr picks its quotes as Python does', () => {
    expect(pythonBytesRepr(new TextEncoder().encode(`a'b`))).toBe(`b"a'b"`)
    expect(pythonBytesRepr(new TextEncoder().encode(`a"b'c`))).toBe(`b'a"b\\'c'`)
    expect(pythonBytesRepr(Uint8Array.of(0, 0x7f, 0x80, 0x5c, 9, 10, 13))).toBe(`b'\\x00\\x7f\\x80\\\\\\t\\n\\r'`)
    expect(pythonHex(-16n)).toBe('-0x10')
  })

  const python = spawnSync('python3', ['--version'])
  test.skipIf(python.status !== 0)('matches the real Python on this machine', () => {
    const next = seededU32(3)
    const samples = Array.from({ length: 200 }, () => Uint8Array.from({ length: next() % 12 }, () => (next() % 3 === 0 ? 0x22 + (next() % 6) : next() % 256)))
    const strings = ["/tmp/it's", '/tmp/"q"', 'a\\b\tc\u0085é', "both'\""]
    const script = [
      'import sys, json',
      'data = json.load(sys.stdin)',
      'print(json.dumps([repr(bytes(b)) for b in data["bytes"]] + [repr(s) for s in data["strings"]]))',
    ].join('\n')
    const run = spawnSync('python3', ['-c', script], { input: JSON.stringify({ bytes: samples.map((s) => [...s]), strings }), encoding: 'utf8' })
    const expected = JSON.parse(run.stdout) as string[]
    expect([...samples.map(pythonBytesRepr), ...strings.map(pythonStringRepr)]).toEqual(expected)
  })
})
