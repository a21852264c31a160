// The kernel's writes into guest memory while history is re-executed: a read() filling a buffer
// with standard input, fstat filling a struct, a signal frame, a debugger edit. The CPU's
// instructions never see these bytes, so shadow tracking and last-write learn of them here:
// for the stretch being replayed, the memory's writeBytes/poke and the kernel's syscall entry
// are wrapped on those very objects, and unwrapped afterwards.

import type { Inferior } from '../inferior'
import { syscallName } from '../../machine/kernel/syscall-names'
import type { Origin } from './origins'

const SYS_READ = 0
const SYS_PREAD64 = 17
const SYS_READV = 19

/** Where a read-like system call takes its bytes from, and the buffers it may fill. */
interface InputSource {
  readonly stream: { kind: 'stdin' } | { kind: 'file'; path: string }
  /** Stream offset of the first byte the call returns. */
  readonly offset: number
  /** The caller's buffers, in the order the bytes fill them. */
  readonly buffers: readonly { address: number; length: number }[]
}

/** A system call being executed: its number and name, and what it reads if it copies input. */
export interface SyscallContext {
  readonly number: number
  readonly name: string
  readonly input: InputSource | null
}

export interface KernelWrite {
  readonly address: number
  readonly length: number
  /** The system call that wrote, or null: signal delivery (writeBytes) or a debugger edit (poke). */
  readonly context: SyscallContext | null
  /** Written by poke outside a system call: a change made from the debugger. */
  readonly edit: boolean
}

type Restore = () => void

/** Replaces obj[name] by a wrapper for a while; the returned function puts the original back. */
function wrapMethod<T extends object, K extends keyof T>(obj: T, name: K, wrapper: (original: T[K]) => T[K]): Restore {
  const own = Object.getOwnPropertyDescriptor(obj, name)
  const original = obj[name]
  Object.defineProperty(obj, name, { value: wrapper(typeof original === 'function' ? (original as (...a: unknown[]) => unknown).bind(obj) as T[K] : original), configurable: true, writable: true })
  return () => {
    if (own) Object.defineProperty(obj, name, own)
    else delete (obj as Record<PropertyKey, unknown>)[name as PropertyKey]
  }
}

export class KernelWriteWatch {
  /** Writes since the last take(), in order. */
  private pending: KernelWrite[] = []
  private current: SyscallContext | null = null
  /** A read that blocked for input: it completes later, when the input arrives. */
  private blocked: SyscallContext | null = null
  private readonly restores: Restore[] = []
  /** Called for each write as it happens (before the bytes change). */
  onWrite: ((write: KernelWrite) => void) | null = null
  /** True while the kernel's write is being carried out (its memory accesses are the kernel's). */
  writing = false

  constructor(private readonly inferior: Inferior) {
    const machine = inferior.machine
    const kernel = machine.kernel
    const memory = machine.memory
    this.restores.push(
      wrapMethod(kernel, 'syscall', (original) => (cpu) => {
        this.current = this.contextOf(cpu.r.get(0))
        try {
          original(cpu)
        } finally {
          this.blocked = kernel.state.state === 'waiting-input' ? this.current : null
          this.current = null
        }
      }),
      wrapMethod(memory, 'writeBytes', (original) => (address: number, data: Uint8Array) => {
        this.record(address, data.length, false)
        this.carryOut(() => original(address, data))
      }),
      wrapMethod(memory, 'poke', (original) => (address: number, data: Uint8Array) => {
        this.record(address, data.length, true)
        this.carryOut(() => original(address, data))
      }),
    )
  }

  /** The writes made since the last call. */
  take(): KernelWrite[] {
    const writes = this.pending
    this.pending = []
    return writes
  }

  dispose(): void {
    for (const restore of this.restores.splice(0).reverse()) restore()
  }

  private carryOut(write: () => void): void {
    this.writing = true
    try {
      write()
    } finally {
      this.writing = false
    }
  }

  private record(address: number, length: number, poke: boolean): void {
    if (length === 0) return
    // A blocked read completes when input arrives, outside any system call.
    const context = this.current ?? (this.inferior.machine.kernel.state.state === 'waiting-input' ? this.blocked : null)
    const write: KernelWrite = { address, length, context, edit: poke && context === null }
    this.pending.push(write)
    this.onWrite?.(write)
  }

  /** What the system call about to run (number in rax, arguments in rdi, rsi, rdx, r10) reads from. */
  private contextOf(number: number): SyscallContext {
    const name = syscallName(number)
    if (number !== SYS_READ && number !== SYS_PREAD64 && number !== SYS_READV) return { number, name, input: null }
    const inferior = this.inferior
    const fd = inferior.registerNumber('rdi')
    const file = inferior.machine.kernel.files.get(fd)
    if (!file) return { number, name, input: null }
    let stream: InputSource['stream']
    let offset: number
    if (file.target.type === 'stdin') {
      stream = { kind: 'stdin' }
      offset = inferior.machine.kernel.stdin.consumed
    } else if (file.target.type === 'node') {
      stream = { kind: 'file', path: file.target.path }
      offset = number === SYS_PREAD64 ? inferior.registerNumber('r10') : file.offset
    } else return { number, name, input: null }
    const buffers: { address: number; length: number }[] = []
    if (number === SYS_READV) {
      const vectors = inferior.registerNumber('rsi')
      const count = Math.min(inferior.registerNumber('rdx'), 1024)
      for (let i = 0; i < count; i++) {
        const base = inferior.readU64(vectors + i * 16)
        const length = inferior.readU64(vectors + i * 16 + 8)
        if (base === null || length === null) break
        buffers.push({ address: Number(base), length: Number(length) })
      }
    } else buffers.push({ address: inferior.registerNumber('rsi'), length: inferior.registerNumber('rdx') })
    return { number, name, input: { stream, offset, buffers } }
  }
}

/**
 * The origin of byte `address` written by a read-like call: the stream byte that landed there,
 * or null when the address is not in the call's buffers (a signal frame written on the way out).
 */
export function inputOriginAt(input: SyscallContext['input'], address: number): Extract<Origin, { kind: 'stdin' | 'file' }> | null {
  if (!input) return null
  let before = 0
  for (const buffer of input.buffers) {
    if (address >= buffer.address && address < buffer.address + buffer.length) {
      const offset = input.offset + before + (address - buffer.address)
      return input.stream.kind === 'stdin' ? { kind: 'stdin', offset } : { kind: 'file', path: input.stream.path, offset }
    }
    before += buffer.length
  }
  return null
}
