/**
 * Runs heap-script.c (built by gcc against the system's static glibc 2.36, or by Memscape's
 * toolchain against Memscape's libc) in the Machine up to each checkpoint, and reads the heap
 * through a HeapTarget implemented over the machine, the way the debugger does.
 */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { STT_TLS, PT_TLS, type ElfSymbol } from '../../../../shared/machine/elf'
import { Machine } from '../../../../shared/machine/machine'
import { buildProgram } from '../../../../shared/toolchain/driver'
import type { HeapTarget } from '../../../../shared/debugger/heap'

export const SCRIPT_SOURCE = readFileSync(join(import.meta.dirname, 'heap-script.c'), 'utf8')

let scratch: string | undefined
export function scratchDir(): string {
  scratch ??= mkdtempSync(join(tmpdir(), 'memscape-heap-'))
  return scratch
}

/** heap-script.c built with `gcc -O0 -static` (Debian 12: glibc 2.36); returns its path. */
export function buildWithGlibc(source: string = SCRIPT_SOURCE, name = 'heap-script'): string {
  const dir = scratchDir()
  const sourcePath = join(dir, `${name}.c`)
  execFileSync('sh', ['-c', 'cat > "$1"', 'sh', sourcePath], { input: source })
  const binary = join(dir, name)
  execFileSync('gcc', ['-O0', '-static', '-o', binary, sourcePath])
  return binary
}

export function buildWithMemscape(source: string = SCRIPT_SOURCE): Uint8Array {
  const result = buildProgram({ 'prog.c': source }, ['prog.c'], { pie: false })
  if (result.executable === undefined) throw new Error(`build failed:\n${result.diagnostics}`)
  return result.executable
}

const STEP = 2000

/** A machine running the program, stopped at the entry of `checkpoint`. */
export class CheckpointRunner {
  readonly machine: Machine
  private readonly checkpointAddress: number

  /** `path` is argv[0] and /proc/self/exe: static glibc mallocs its directory's name before main. */
  constructor(image: Uint8Array, path = '/tmp/prog') {
    this.machine = Machine.fromElf(image, { argv: [path], env: [], seed: 1, aslr: 0 })
    const symbol = this.machine.process.elf.symbols.find((candidate) => candidate.name === 'checkpoint')
    if (symbol === undefined) throw new Error('the program has no checkpoint function')
    this.checkpointAddress = symbol.value + this.machine.process.loadBias
  }

  /** Runs to the next call of checkpoint(stage) and returns the stage (its first argument). */
  next(): number {
    // Step off the marker first, so the same call is not found twice.
    if (this.machine.cpu.r.rip === this.checkpointAddress) this.machine.run(1)
    for (let budget = 50_000_000; budget > 0; budget -= STEP) {
      for (let i = 0; i < STEP; i++) {
        if (this.machine.cpu.r.rip === this.checkpointAddress) return this.machine.cpu.r.get(RDI)
        const status = this.machine.run(1)
        if (status.state !== 'running') throw new Error(`the program stopped: ${JSON.stringify(status)}`)
      }
    }
    throw new Error('checkpoint not reached')
  }

  /** Runs to checkpoint(stage). */
  runTo(stage: number): void {
    while (this.next() !== stage);
  }

  target(): HeapTarget {
    return machineHeapTarget(this.machine)
  }
}

const RDI = 7

function symbolTable(machine: Machine): Map<string, ElfSymbol> {
  const table = new Map<string, ElfSymbol>()
  for (const symbol of machine.process.elf.symbols) if (symbol.name !== '' && !table.has(symbol.name)) table.set(symbol.name, symbol)
  return table
}

/** The HeapTarget the debugger builds over a live machine. */
export function machineHeapTarget(machine: Machine): HeapTarget {
  const symbols = symbolTable(machine)
  const bias = machine.process.loadBias
  const tls = machine.process.elf.programHeaders.find((header) => header.type === PT_TLS)
  return {
    read(address, length) {
      const { data, mapped } = machine.memory.peek(address, length)
      return mapped.every((byte) => byte === 1) ? data : null
    },
    symbol(name) {
      const symbol = symbols.get(name)
      return symbol === undefined || symbol.type === STT_TLS ? null : symbol.value + bias
    },
    symbolSize(name) {
      return symbols.get(name)?.size ?? null
    },
    tlsSymbol(name) {
      const symbol = symbols.get(name)
      return symbol !== undefined && symbol.type === STT_TLS ? symbol.value : null
    },
    tlsBlockSize() {
      if (tls === undefined) return null
      const align = Math.max(1, tls.align)
      return Math.ceil(tls.memsz / align) * align
    },
    threadPointer() {
      return machine.cpu.r.fsBase
    },
    heapRegion() {
      const region = machine.regions().find((candidate) => candidate.name === '[heap]')
      return region === undefined ? null : { start: Number(region.start), end: Number(region.end) }
    },
  }
}

/** heap-script.c's ptr[]: every pointer malloc returned, by index. */
export function scriptPointers(target: HeapTarget): bigint[] {
  const address = target.symbol('ptr')
  const bytes = address === null ? null : target.read(address, 32 * 8)
  if (bytes === null) throw new Error('cannot read ptr[]')
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  return Array.from({ length: 32 }, (_, index) => view.getBigUint64(index * 8, true))
}

/** The target with some quadwords overwritten: memory corruption without touching the machine. */
export function corrupted(target: HeapTarget, patches: ReadonlyMap<bigint, bigint>): HeapTarget {
  return {
    ...target,
    read(address, length) {
      const bytes = target.read(address, length)
      if (bytes === null) return null
      const copy = bytes.slice()
      const view = new DataView(copy.buffer)
      for (const [at, value] of patches)
        for (let byte = 0; byte < 8; byte++) {
          const offset = Number(at) + byte - address
          if (offset >= 0 && offset < length) view.setUint8(offset, Number((value >> BigInt(8 * byte)) & 0xffn))
        }
      return copy
    },
  }
}
