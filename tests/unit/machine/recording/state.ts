// Helpers for the recording tests: build the C programs next to this file, start machines, and
// describe a machine's whole observable state (registers, flags, x87, every mapped byte, the
// areas, the kernel's state) as a plain value that toEqual can compare.

import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Machine, type MachineOptions } from '../../../../shared/machine/machine'
import { PAGE_SIZE } from '../../../../shared/machine/memory'

const SOURCES = fileURLToPath(new URL('./programs', import.meta.url))
/** The differential corpus (tests/programs). */
export const CORPUS = fileURLToPath(new URL('../../../programs', import.meta.url))
const buildDir = mkdtempSync(join(tmpdir(), 'memscape-recording-'))

export const hasMusl = spawnSync('musl-gcc', ['--version']).status === 0

/** Compiles programs/NAME.c (or DIRECTORY/NAME.c) with gcc (or musl-gcc) -static and returns the binary's bytes. */
export function build(name: string, flags: string[] = ['-O1'], directory = SOURCES, compiler: 'gcc' | 'musl-gcc' = 'gcc'): Uint8Array {
  const binary = join(buildDir, `${name}-${compiler}${flags.join('')}`)
  const result = spawnSync(compiler, [...flags, '-static', '-o', binary, join(directory, `${name}.c`)])
  if (result.status !== 0) throw new Error(`${compiler} ${name}: ${result.stderr.toString()}`)
  return new Uint8Array(readFileSync(binary))
}

export interface Started {
  machine: Machine
  /** Everything written to stdout and stderr, as it was passed on. */
  output: { 1: number[]; 2: number[] }
}

export function start(image: Uint8Array, options: Partial<MachineOptions> = {}): Started {
  const machine = Machine.fromElf(image, { argv: ['./a.out'], env: [], seed: 7, aslr: 2, ...options })
  const output: Started['output'] = { 1: [], 2: [] }
  machine.onOutput = (fd, bytes) => output[fd].push(...bytes)
  return { machine, output }
}

/** FNV-1a over 32-bit words. */
function hashWords(words: Int32Array, seed: number): number {
  let h = seed >>> 0
  for (let i = 0; i < words.length; i++) {
    h ^= words[i]!
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h
}

/** Per area: its bounds, permissions, and a hash of every page (contents and protection). */
export function memoryState(machine: Machine): string[] {
  const lines: string[] = []
  for (const region of machine.regions()) {
    if (region.end > 2n ** 47n) continue // [vsyscall]: not in the user half
    let h = 0x811c9dc5
    for (let a = Number(region.start); a < Number(region.end); a += PAGE_SIZE) {
      const protection = machine.memory.protection(a)
      h = hashWords(Int32Array.of(protection), h)
      if (protection >= 0) {
        const { data } = machine.memory.peek(a, PAGE_SIZE)
        h = hashWords(new Int32Array(data.buffer), h)
      }
    }
    lines.push(`${region.start.toString(16)}-${region.end.toString(16)} ${region.perms} ${region.name} ${h.toString(16)}`)
  }
  return lines
}

export function cpuState(machine: Machine): Record<string, unknown> {
  const cpu = machine.cpu
  return {
    instructionCount: cpu.instructionCount,
    regs: Array.from(cpu.r.regs),
    xmm: Array.from(cpu.r.xmm),
    rip: cpu.r.rip,
    fsBase: cpu.r.fsBase,
    gsBase: cpu.r.gsBase,
    mxcsr: cpu.r.mxcsr,
    rflags: cpu.getRflags(),
    fpuControl: cpu.fpuControl,
    x87: plain(cpu.x87, new Set()),
  }
}

/** The kernel's state as plain data (functions, the CPU and guest memory left out). */
export function kernelState(machine: Machine): unknown {
  return plain(machine.kernel, new Set<object>([machine.cpu, machine.memory]))
}

function plain(value: unknown, skip: Set<object>, depth = 0): unknown {
  if (depth > 40) throw new Error('kernel state nests too deeply to compare')
  if (typeof value === 'function') return '<function>'
  if (typeof value === 'bigint') return `${value}n`
  if (value === null || typeof value !== 'object') return value
  if (skip.has(value)) return '<external>'
  if (ArrayBuffer.isView(value)) {
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
    const padded = new Uint8Array(Math.ceil(bytes.length / 4) * 4)
    padded.set(bytes)
    return `bytes(${bytes.length}) ${hashWords(new Int32Array(padded.buffer), 0x811c9dc5).toString(16)}`
  }
  const next = (v: unknown) => plain(v, skip, depth + 1)
  if (Array.isArray(value)) return value.map(next)
  if (value instanceof Map) return [...value].map(([k, v]) => [next(k), next(v)])
  if (value instanceof Set) return [...value].map(next)
  const out: Record<string, unknown> = {}
  // Functions are wiring (callbacks, a recorder's wrappers), not state.
  for (const [key, v] of Object.entries(value)) if (typeof v !== 'function') out[key] = next(v)
  return out
}

/** Everything a learner could observe, plus the kernel's internals. */
export function fullState(machine: Machine, output: Started['output'], produced?: { 1: number; 2: number }): Record<string, unknown> {
  const stdout = produced === undefined ? output[1] : output[1].slice(0, produced[1])
  const stderr = produced === undefined ? output[2] : output[2].slice(0, produced[2])
  return {
    status: machine.status,
    cpu: cpuState(machine),
    maps: machine.procMaps(),
    memory: memoryState(machine),
    kernel: kernelState(machine),
    stdout: Buffer.from(stdout).toString('latin1'),
    stderr: Buffer.from(stderr).toString('latin1'),
  }
}

/** A machine run fresh from instruction 0 to `count`. */
export function freshRunTo(image: Uint8Array, count: number, options: Partial<MachineOptions> = {}): Started {
  const started = start(image, options)
  // run(0) would mark the machine started: a machine at instruction 0 has not run yet.
  if (count > 0) started.machine.run(count)
  return started
}

