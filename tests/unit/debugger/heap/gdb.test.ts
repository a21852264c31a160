// The same glibc binary run natively under gdb (ASLR off) and in the Machine: at every
// checkpoint gdb dumps main_arena, mp_, the TLS block and the heap, and the parser, run over
// those dumps, must find the same chunks and bins, at the same offsets from the heap's start,
// as it finds inside the Machine.

import { execFileSync, spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { inspectHeap, type HeapSnapshot, type HeapTarget } from '../../../../shared/debugger/heap'
import { parseElf, PT_TLS, STT_TLS } from '../../../../shared/machine/elf'
import { buildWithGlibc, CheckpointRunner, scratchDir } from './harness'

const hasGdb = spawnSync('gdb', ['--version']).status === 0
const STAGES = [1, 2, 3, 4, 5]

interface Dump {
  start: number
  bytes: Uint8Array
}

/** gdb commands that stop at each checkpoint and dump what the heap view reads. */
function gdbScript(dir: string): string {
  const lines = ['set pagination off', 'break checkpoint', 'run']
  for (const stage of STAGES) {
    // `dump` ends an expression at a blank: the bounds are written without any.
    const dump = (name: string, from: string, to: string): string => `dump binary memory ${join(dir, `${stage}-${name}.bin`)} ${from} ${to}`
    lines.push(
      'set $arena = (char *) &main_arena',
      'set $mp = (char *) &mp_',
      'set $heap = *(char **) ($mp + 0x60)',
      'set $top = *(char **) ($arena + 0x60)',
      'set $tls = (char *) $fs_base',
      'set $key = (char *) &tcache_key',
      'set $maxfast = (char *) &global_max_fast',
      `printf "stage ${stage} fs_base %lu heap %lu\\n", $fs_base, $heap`,
      dump('main_arena', '$arena', '$arena+0x898'),
      dump('mp_', '$mp', '$mp+0x88'),
      dump('tcache_key', '$key', '$key+8'),
      dump('global_max_fast', '$maxfast', '$maxfast+8'),
      dump('tls', '$tls-0x1000', '$tls'),
      dump('heap', '$heap', '$top+(*(unsigned long*)($top+8)&~7)'),
    )
    if (stage !== STAGES[STAGES.length - 1]) lines.push('continue')
  }
  lines.push('kill')
  return lines.join('\n') + '\n'
}

/** A HeapTarget over gdb's dumps, with the binary's own symbols. */
function dumpTarget(binary: string, dumps: Dump[], fsBase: number, heap: Dump): HeapTarget {
  const elf = parseElf(new Uint8Array(readFileSync(binary)))
  const symbols = new Map(elf.symbols.filter((symbol) => symbol.name !== '').map((symbol) => [symbol.name, symbol]))
  const tls = elf.programHeaders.find((header) => header.type === PT_TLS)!
  return {
    read(address, length) {
      const dump = dumps.find((candidate) => address >= candidate.start && address + length <= candidate.start + candidate.bytes.length)
      return dump === undefined ? null : dump.bytes.slice(address - dump.start, address - dump.start + length)
    },
    symbol: (name) => {
      const symbol = symbols.get(name)
      return symbol === undefined || symbol.type === STT_TLS ? null : symbol.value
    },
    symbolSize: (name) => symbols.get(name)?.size ?? null,
    tlsSymbol: (name) => {
      const symbol = symbols.get(name)
      return symbol?.type === STT_TLS ? symbol.value : null
    },
    tlsBlockSize: () => Math.ceil(tls.memsz / tls.align) * tls.align,
    threadPointer: () => fsBase,
    heapRegion: () => ({ start: heap.start, end: heap.start + heap.bytes.length }),
  }
}

/** What must agree between the two runs: everything, as offsets from the heap's start. */
function relative(snapshot: HeapSnapshot): unknown {
  const start = snapshot.heap!.start
  const offset = (address: bigint): string => `+0x${(address - start).toString(16)}`
  const bins = snapshot.bins
  return {
    chunks: snapshot.chunks.map((chunk) => ({
      at: offset(chunk.address),
      prevSize: chunk.prevSize,
      sizeField: chunk.sizeField,
      state: chunk.state.kind === 'free' ? chunk.state.bins.map((bin) => `${bin.kind}[${bin.label}]`) : chunk.state.kind,
    })),
    tcache: bins.tcache.map((bin) => [bin.bin.label, bin.count, bin.chain.map(offset)]),
    fast: bins.fast.map((bin) => [bin.bin.label, bin.chain.map(offset)]),
    regular: [...(bins.unsorted === null ? [] : [bins.unsorted]), ...bins.small, ...bins.large].map((bin) => [bin.bin.label, bin.forward.map(offset)]),
    top: offset(snapshot.arena.top),
    systemMem: snapshot.arena.systemMem,
    problems: snapshot.problems,
  }
}

describe.skipIf(!hasGdb)('glibc 2.36 natively under gdb and in the Machine', () => {
  it('the parser reads the same heap at every checkpoint', () => {
    const binary = buildWithGlibc()
    const dir = scratchDir()
    const script = join(dir, 'dump.gdb')
    writeFileSync(script, gdbScript(dir))
    const log = execFileSync('gdb', ['-batch', '-nx', '-x', script, binary], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', XDG_CACHE_HOME: dir } })
    const runner = new CheckpointRunner(new Uint8Array(readFileSync(binary)), binary)
    const elf = parseElf(new Uint8Array(readFileSync(binary)))
    const address = (name: string): number => elf.symbols.find((symbol) => symbol.name === name)!.value
    for (const stage of STAGES) {
      const match = new RegExp(`stage ${stage} fs_base (\\d+) heap (\\d+)`).exec(log)
      expect(match, log).not.toBeNull()
      const fsBase = Number(match![1])
      const read = (name: string): Uint8Array => new Uint8Array(readFileSync(join(dir, `${stage}-${name}.bin`)))
      const heap = { start: Number(match![2]), bytes: read('heap') }
      const dumps: Dump[] = [
        { start: address('main_arena'), bytes: read('main_arena') },
        { start: address('mp_'), bytes: read('mp_') },
        { start: address('tcache_key'), bytes: read('tcache_key') },
        { start: address('global_max_fast'), bytes: read('global_max_fast') },
        { start: fsBase - 0x1000, bytes: read('tls') },
        heap,
      ]
      const native = inspectHeap(dumpTarget(binary, dumps, fsBase, heap))
      runner.runTo(stage)
      const simulated = inspectHeap(runner.target())
      if (!native.ok || !simulated.ok) throw new Error(`stage ${stage}: ${JSON.stringify([native, simulated])}`)
      expect(native.value.tcache?.source).toBe('tls')
      expect(native.value.chunks.length, `stage ${stage}`).toBeGreaterThanOrEqual(10)
      expect(relative(simulated.value), `stage ${stage}`).toEqual(relative(native.value))
    }
  })
})
