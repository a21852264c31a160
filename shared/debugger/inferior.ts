// The running program, gdb's "inferior": one Machine started from the program with the run's
// arguments, environment, seed and protections, recorded from its first instruction so any
// earlier moment can be revisited. It answers the debugger's questions in runtime addresses.

import { Machine } from '../machine/machine'
import { Recorder } from '../machine/recording/recorder'
import { DEFAULT_PID } from '../machine/kernel/identity'
import type { Program } from './program'
import { readRegister, writeRegister } from './registers'

export interface LaunchSettings {
  args: readonly string[]
  env: readonly string[]
  seed: number
  aslr: 0 | 1 | 2
  /** Standard input given up front (`run < FILE`): it is closed after these bytes. Null: fed later. */
  stdin: Uint8Array | null
  maxMemoryBytes?: number
}

/**
 * alive: stopped or running, can go on. signaled: a fatal signal was reported and not yet
 * delivered (as gdb stops before the signal kills the program). gone: exited or killed; its
 * history can still be revisited.
 */
export type InferiorPhase = 'alive' | 'signaled' | 'gone'

export class Inferior {
  readonly machine: Machine
  readonly recorder: Recorder
  readonly pid = DEFAULT_PID
  /** 0 for a fixed-address executable; where a static PIE was placed. */
  readonly loadBias: number

  constructor(
    readonly program: Program,
    readonly settings: LaunchSettings,
    output: (fd: 1 | 2, bytes: Uint8Array) => void,
  ) {
    this.machine = Machine.fromElf(program.image, {
      argv: [program.path, ...settings.args],
      env: [...settings.env],
      seed: settings.seed,
      aslr: settings.aslr,
      execPath: program.path,
      stdin: settings.stdin ?? undefined,
      stdinClosed: settings.stdin !== null,
      ...(settings.maxMemoryBytes === undefined ? {} : { maxMemoryBytes: settings.maxMemoryBytes }),
    })
    this.machine.onOutput = output
    this.recorder = new Recorder(this.machine)
    this.loadBias = this.machine.process.loadBias
  }

  get pc(): number {
    return this.machine.cpu.r.rip
  }

  get instructionCount(): number {
    return this.machine.instructionCount
  }

  get phase(): InferiorPhase {
    const state = this.machine.status.state
    if (state === 'exited') return 'gone'
    if (state === 'signaled') return this.signalDelivered ? 'gone' : 'signaled'
    return 'alive'
  }

  /** Set once the user continued past a reported fatal signal. */
  signalDelivered = false

  register(name: string): bigint | undefined {
    return readRegister(this.machine.cpu, name)
  }

  /** Unsigned 64-bit register value as a number (addresses: exact below 2^53). */
  registerNumber(name: string): number {
    return Number(this.register(name) ?? 0n)
  }

  /** Guest bytes whatever their protection; null when any byte is unmapped. */
  read(address: number, length: number): Uint8Array | null {
    if (!Number.isSafeInteger(address) || address < 0) return null
    const { data, mapped } = this.machine.memory.peek(address, length)
    return mapped.every((m) => m === 1) ? data : null
  }

  readU64(address: number): bigint | null {
    const bytes = this.read(address, 8)
    return bytes && new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true)
  }

  /** Writes guest bytes (as a debugger may, whatever the protection), recorded as an edit; false when unmapped. */
  write(address: number, bytes: Uint8Array): boolean {
    if (this.read(address, bytes.length) === null) return false
    const copy = bytes.slice()
    this.recorder.edit(() => this.machine.memory.poke(address, copy))
    return true
  }

  /** Sets a register, recorded as an edit; false for a name gdb would not accept. */
  setRegister(name: string, value: bigint): boolean {
    if (readRegister(this.machine.cpu, name) === undefined) return false
    this.recorder.edit(() => writeRegister(this.machine.cpu, name, value))
    return true
  }

  /** Link-time address (symbols, DWARF) of a runtime address. */
  linkAddress(runtime: number): number {
    return runtime - this.loadBias
  }

  runtimeAddress(link: number): number {
    return link + this.loadBias
  }

  dispose(): void {
    this.recorder.dispose()
  }
}
