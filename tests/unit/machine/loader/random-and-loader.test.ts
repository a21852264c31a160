// The seeded generator (same seed, same stream; unbiased ranges; resumable) and the loader's
// own contract: the stack annotations, PT_TLS, argument limits, failures as LoadError.

import { afterAll, describe, expect, it } from 'vitest'
import { readFileSync } from 'node:fs'
import { Random } from '../../../../shared/machine/random'
import { LoadError, argumentLimit, loadElf } from '../../../../shared/machine/loader'
import { Memory } from '../../../../shared/machine/memory'
import { AT_EXECFN, AT_PLATFORM, AT_RANDOM, BASELINE_CPU_AUX } from '../../../../shared/machine/initial-stack'
import { cpuidLeaf } from '../../../../shared/machine/cpu/cpuid'
import { compile, removeBuilds } from './native'

afterAll(removeBuilds)

describe('Random', () => {
  it('is deterministic per seed and differs between nearby seeds', () => {
    const a = new Random(42)
    const b = new Random(42)
    const c = new Random(43)
    const seqA = Array.from({ length: 8 }, () => a.nextBigU64())
    expect(Array.from({ length: 8 }, () => b.nextBigU64())).toEqual(seqA)
    expect(Array.from({ length: 8 }, () => c.nextBigU64())).not.toEqual(seqA)
  })

  it('below(n) stays in range and is roughly uniform', () => {
    const r = new Random(9)
    const counts = new Array<number>(6).fill(0)
    for (let i = 0; i < 60000; i++) counts[r.below(6)]!++
    for (const n of counts) expect(Math.abs(n - 10000)).toBeLessThan(400)
    for (let i = 0; i < 1000; i++) expect(r.below(8192)).toBeLessThan(8192)
    expect(() => r.below(0)).toThrow(RangeError)
  })

  it('bits(k) uses exactly k bits', () => {
    const r = new Random(2)
    let or = 0
    for (let i = 0; i < 200; i++) or |= r.bits(22)
    expect(or).toBe(2 ** 22 - 1)
  })

  it('bytes(n) gives n bytes, and a snapshot resumes the exact stream', () => {
    const r = new Random(5)
    expect(r.bytes(13)).toHaveLength(13)
    const saved = r.snapshot()
    const next = r.bytes(32)
    r.restore(saved)
    expect(r.bytes(32)).toEqual(next)
  })

  it('rejects seeds that are not safe integers', () => {
    expect(() => new Random(1.5)).toThrow(RangeError)
    expect(() => new Random(2 ** 60)).toThrow(RangeError)
  })
})

describe('loadElf', () => {
  const binary = compile('addresses.c', 'loader-glibc', ['-static', '-O0'])
  const image = readFileSync(binary)
  const load = (argv: string[], env: string[], maxBytes = 64 * 1024 * 1024, seed = 1) =>
    loadElf(Memory.create({ maxBytes }), image, { argv, env, execPath: '/home/user/addresses', random: new Random(seed), aslr: 2 })

  it('labels every part of the initial stack, in address order, without overlaps', () => {
    const p = load(['addresses', 'x'], ['HOME=/home/user', 'PATH=/usr/bin'])
    const parts = p.stack.parts
    expect(parts.map((x) => x.kind)).toEqual([
      'argc', 'argv', 'envp', 'auxv', 'padding', 'random-bytes', 'platform', 'padding', 'arg-strings', 'env-strings', 'execfn', 'end-marker',
    ])
    for (let i = 1; i < parts.length; i++) expect(parts[i]!.start).toBe(parts[i - 1]!.end)
    expect(parts[0]!.start).toBe(p.rsp)
    expect(parts.at(-1)!.end).toBe(p.addressSpace.find(p.rsp)!.end)
    const aux = (t: number) => p.auxv.find((a) => a.type === t)!.value
    expect(aux(AT_RANDOM)).toBe(p.stack.randomAddress)
    expect(aux(AT_PLATFORM)).toBe(p.stack.platformAddress)
    expect(aux(AT_EXECFN)).toBe(p.stack.execfnAddress)
    expect(new TextDecoder().decode(p.addressSpace.memory.peek(p.stack.platformAddress, 6).data)).toBe('x86_64')
    expect(p.rsp % 16).toBe(0)
  })

  it('records PT_TLS for the C library and reports a non-executable stack', () => {
    const p = load(['a'], [])
    expect(p.tls).not.toBeNull()
    expect(p.tls!.memorySize).toBeGreaterThanOrEqual(p.tls!.fileSize)
    expect(p.executableStack).toBe(false)
    expect(p.addressSpace.find(p.rsp)!.prot).toBe(3)
  })

  it('different seeds give different AT_RANDOM bytes, the same seed the same', () => {
    const bytesOf = (seed: number) => {
      const p = load(['a'], [], 64 * 1024 * 1024, seed)
      return Array.from(p.addressSpace.memory.peek(p.stack.randomAddress, 16).data)
    }
    expect(bytesOf(1)).toEqual(bytesOf(1))
    expect(bytesOf(1)).not.toEqual(bytesOf(2))
  })

  it('gives an empty argv one empty string, as Linux does since 5.18', () => {
    const p = load([], [])
    expect(p.stack.argc).toBe(1)
    const view = new DataView(p.addressSpace.memory.peek(p.rsp, 24).data.buffer)
    const argv0 = Number(view.getBigUint64(8, true))
    expect(view.getBigUint64(16, true)).toBe(0n)
    expect(p.addressSpace.memory.peek(argv0, 1).data[0]).toBe(0)
  })

  it('refuses arguments the kernel would refuse', () => {
    expect(() => load(['a', 'b\0c'], [])).toThrowError(new LoadError('execve failed: argument 1 contains a NUL byte: execve strings end at the first NUL'))
    expect(() => load(['a', 'x'.repeat(200_000)], [])).toThrowError(/MAX_ARG_STRLEN.*E2BIG/)
    const many = Array.from({ length: 40 }, () => 'y'.repeat(100_000))
    expect(() => load(['a'], many)).toThrowError(/argument list too long \(E2BIG\)/)
    // Exactly at the limit (2 MiB less two pointers, the path '/home/user/addresses' and 'a'): accepted; one more byte: refused.
    const fixed = '/home/user/addresses'.length + 1 + 'a'.length + 1
    const count = 22 // strings of at most 100 000 bytes (MAX_ARG_STRLEN is 128 KiB each)
    const room = argumentLimit(8 * 1024 * 1024, 1, count) - fixed
    const env = (bytes: number) =>
      Array.from({ length: count }, (_, i) => {
        const share = Math.floor(bytes / count) + (i < bytes % count ? 1 : 0)
        return 'E=' + 'z'.repeat(share - 3) // "E=" + text + NUL
      })
    expect(() => load(['a'], env(room))).not.toThrow()
    expect(() => load(['a'], env(room + 1))).toThrowError(/argument list too long \(E2BIG\)/)
  })

  it('fails with LoadError when guest memory cannot hold the program', () => {
    expect(() => load(['a'], [], 64 * 4096)).toThrowError(/^execve failed while mapping .*ENOMEM: guest memory is exhausted/)
  })
})

describe('the auxiliary vector describes the simulated CPU', () => {
  it('AT_HWCAP is cpuid leaf 1 EDX; AT_MINSIGSTKSZ follows the kernel formula that gives 0xe30 here', () => {
    const sigframeIa32 = 732
    const frame = (fpstate: number) => Math.ceil((sigframeIa32 + 15 + fpstate + 63) / 16) * 16
    // This machine: a 2696-byte XSAVE area + FP_XSTATE_MAGIC2 + the fsave header = 0xe30 (measured).
    expect(frame(2696 + 4 + 112)).toBe(0xe30)
    expect(BASELINE_CPU_AUX.minsigstksz).toBe(frame(512 + 112))
    expect(BASELINE_CPU_AUX.hwcap).toBe(cpuidLeaf(1, 0)[3] >>> 0)
  })
})
