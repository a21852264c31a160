// Shadow tracking: re-executes history one instruction at a time and keeps, beside every byte
// the program touches, the origin of its value (an input byte, a constant of the image, the
// instruction that calculated it) and, for memory, the instruction that last stored it.
//
// Per instruction: its effects (effects.ts) are looked up by address; before it runs, the
// labels of what it copies are read and the addresses it writes are computed from the
// registers as they are then; after it ran, the destination bytes get the copied labels, and
// everything else it wrote gets "computed by this instruction". The kernel's own writes
// (read() filling a buffer) arrive through KernelWriteWatch. Nothing here runs during a normal
// run: the shadow exists only while a question about the past is being answered.

import { syscallName } from '../../machine/kernel/syscall-names'
import { PAGE_SIZE, PROT_WRITE } from '../../machine/memory'
import type { Inferior } from '../inferior'
import { decodeEffects, effectiveAddress, GPR_NAMES, RAX, RBP, RCX, RDI, REGISTER_SLOTS, RSI, RSP, XMM_SLOTS, type Effects, type Filled, type MemoryRef, type Place } from './effects'
import type { InitialMemory } from './initial-memory'
import { inputOriginAt, KernelWriteWatch, type KernelWrite } from './kernel-writes'
import type { CallChain, Origin, Step } from './origins'

interface ShadowPage {
  readonly origins: (Origin | undefined)[]
  readonly writers: (Step | undefined)[]
}

/** Pages the shadow labels at most (16 MiB of guest memory written; about 32 KiB of labels each). */
export const MAX_SHADOW_PAGES = 4096

/** The replay wrote more memory than the shadow labels: the question is not answered. */
export class ShadowLimitError extends Error {
  override readonly name = 'ShadowLimitError'
  constructor() {
    super(`the replayed instructions wrote more than ${(MAX_SHADOW_PAGES * PAGE_SIZE) >> 20} MiB of memory, more than provenance follows byte by byte`)
  }
}

/** Labels of memory bytes, page by page (a sparse map: only pages something was stored to). */
export class ShadowMemory {
  private readonly pages = new Map<number, ShadowPage>()
  private cachedNumber = -1
  private cachedPage: ShadowPage | undefined

  private page(address: number, create: boolean): ShadowPage | undefined {
    const number = Math.floor(address / PAGE_SIZE)
    if (number === this.cachedNumber && this.cachedPage) return this.cachedPage
    let page = this.pages.get(number)
    if (!page && create) {
      if (this.pages.size >= MAX_SHADOW_PAGES) throw new ShadowLimitError()
      page = { origins: new Array<Origin | undefined>(PAGE_SIZE), writers: new Array<Step | undefined>(PAGE_SIZE) }
      this.pages.set(number, page)
    }
    if (page) {
      this.cachedNumber = number
      this.cachedPage = page
    }
    return page
  }

  origin(address: number): Origin | undefined {
    return this.page(address, false)?.origins[address % PAGE_SIZE]
  }

  writer(address: number): Step | undefined {
    return this.page(address, false)?.writers[address % PAGE_SIZE]
  }

  set(address: number, origin: Origin, writer: Step): void {
    const page = this.page(address, true)!
    const at = address % PAGE_SIZE
    page.origins[at] = origin
    page.writers[at] = writer
  }

  /** Forgets the pages of [start, end): they were unmapped or replaced by fresh ones. */
  drop(start: number, end: number): void {
    const first = Math.floor(start / PAGE_SIZE)
    const last = Math.ceil(end / PAGE_SIZE)
    if (last - first > this.pages.size) {
      for (const number of [...this.pages.keys()]) if (number >= first && number < last) this.pages.delete(number)
    } else for (let number = first; number < last; number++) this.pages.delete(number)
    this.cachedNumber = -1
    this.cachedPage = undefined
  }
}

/** Where a register's current value was copied from, when a move loaded it whole from memory. */
export interface LoadSource {
  readonly address: number
  /** The instruction that loaded it. */
  readonly count: number
}

/** A ret, or an indirect jmp or call, with the labels of the target it used. */
export interface Transfer {
  readonly step: Step
  readonly kind: 'ret' | 'jmp' | 'call'
  /** The target's address: from the stack slot or memory operand (null for a register). */
  readonly slot: number | null
  readonly register: string | null
  readonly target: bigint
  readonly origins: readonly Origin[]
  /** For a memory target: the instructions that stored each of its bytes. */
  readonly writers: readonly (Step | undefined)[]
}

/** A stack-protector check: the canary copy in the frame compared with fs:0x28. */
export interface CanaryCheck {
  readonly step: Step
  /** Where the frame's copy of the canary was loaded from, when known. */
  readonly slot: number | null
  readonly value: bigint
  readonly expected: bigint | null
  /** rbp in the checking function: its saved rbp is there, its return address just above. */
  readonly rbp: number
  readonly origins: readonly Origin[]
  readonly writers: readonly (Step | undefined)[]
}

/** A call instruction ran (the callee's first instruction is next), or a ret left a call. */
export interface CallEvent {
  readonly kind: 'call' | 'return'
  readonly call: CallChain
  readonly step: Step
}

const SYS_MMAP = 9
const SYS_MUNMAP = 11
const SYS_BRK = 12
const MAP_ANONYMOUS = 0x20
const KEPT_EVENTS = 16

/** Decoded instructions of read-only code, per inferior, kept from one question to the next. */
const lastingEffects = new WeakMap<Inferior, Map<number, Effects | null>>()

export class ShadowTracker {
  readonly memory = new ShadowMemory()
  private readonly registers = new Array<Origin | undefined>(REGISTER_SLOTS)
  private readonly initialRegisters: Origin[]
  private readonly loadSources = new Array<LoadSource | null>(16).fill(null)
  private readonly effects = new Map<number, Effects | null>()
  private readonly codePages = new Set<number>()
  private readonly kernel: KernelWriteWatch
  /** The calls the current instruction runs inside, innermost first. */
  chain: CallChain | null
  /** The last rets and indirect jumps and calls, oldest first. */
  readonly transfers: Transfer[] = []
  readonly canaryChecks: CanaryCheck[] = []
  /** The last instruction that ran. */
  lastStep: Step | null = null
  /** Told of each call made and each call returned from (a ret popping its return address). */
  onCallEvent: ((event: CallEvent) => void) | null = null
  /** The step of a read that blocked for input: its bytes arrive later, with the input. */
  private blockedStep: Step | null = null
  // Scratch space for one instruction's copies and fills (no allocation per instruction).
  private readonly copyLabels: Origin[][] = []
  private readonly copyFrom: number[] = []
  private readonly copyTo: number[] = []
  private readonly fillAt: number[] = []

  constructor(
    private readonly inferior: Inferior,
    readonly initial: InitialMemory,
    chain: CallChain | null,
  ) {
    this.chain = chain
    this.kernel = new KernelWriteWatch(inferior)
    const start = initial.windowStart
    this.initialRegisters = Array.from({ length: REGISTER_SLOTS }, (_, slot): Origin => {
      if (start > 0) return { kind: 'earlier', count: start }
      return { kind: 'initial-register', register: slot < XMM_SLOTS ? GPR_NAMES[slot >> 3]! : `xmm${(slot - XMM_SLOTS) >> 4}` }
    })
  }

  /** Stops watching the kernel's writes (the tracker can still be queried). */
  dispose(): void {
    this.kernel.dispose()
  }

  /** The origin of a memory byte now. */
  originAt(address: number): Origin {
    return this.memory.origin(address) ?? this.initial.originAt(address)
  }

  /** The instruction that last stored a memory byte during the replay, if one did. */
  writerAt(address: number): Step | undefined {
    return this.memory.writer(address)
  }

  /** The origins of a register's bytes now (`rax`, `xmm0`...), lowest byte first. */
  registerOrigins(name: string): Origin[] | null {
    const gpr = GPR_NAMES.indexOf(name as (typeof GPR_NAMES)[number])
    const xmm = /^xmm(\d+)$/.exec(name)
    const slot = gpr >= 0 ? gpr * 8 : xmm && Number(xmm[1]) < 16 ? XMM_SLOTS + Number(xmm[1]) * 16 : -1
    if (slot < 0) return null
    const size = gpr >= 0 ? 8 : 16
    return Array.from({ length: size }, (_, i) => this.registerOrigin(slot + i))
  }

  /** Where a general register's value was loaded from, if a plain move loaded it from memory. */
  loadSource(name: string): LoadSource | null {
    const gpr = GPR_NAMES.indexOf(name as (typeof GPR_NAMES)[number])
    return gpr >= 0 ? this.loadSources[gpr]! : null
  }

  private registerOrigin(slot: number): Origin {
    return this.registers[slot] ?? this.initialRegisters[slot]!
  }

  private effectsAt(address: number): Effects | null {
    let effects = this.effects.get(address)
    if (effects !== undefined) return effects
    const memory = this.inferior.machine.memory
    let lasting = lastingEffects.get(this.inferior)
    effects = lasting?.get(address)
    if (effects !== undefined) return effects
    effects = decodeEffects(memory, address)
    if ((memory.protection(address) & PROT_WRITE) === 0) {
      // Read-only code (the program's .text) stays as it is: keep its decoding for later questions.
      if (!lasting) lastingEffects.set(this.inferior, (lasting = new Map()))
      lasting.set(address, effects)
    } else {
      this.effects.set(address, effects)
      this.codePages.add(Math.floor(address / PAGE_SIZE))
      if (effects) this.codePages.add(Math.floor((address + effects.length - 1) / PAGE_SIZE))
    }
    return effects
  }

  /** Code was overwritten (shellcode, a read() into code): decoded instructions are stale. */
  private noteWrite(address: number, length: number): void {
    if (this.codePages.size === 0) return
    for (let page = Math.floor(address / PAGE_SIZE); page <= Math.floor((address + length - 1) / PAGE_SIZE); page++) {
      if (this.codePages.has(page)) {
        this.effects.clear()
        this.codePages.clear()
        return
      }
    }
  }

  private address(ref: MemoryRef): number {
    const regs = this.inferior.machine.cpu.r
    return effectiveAddress(ref, regs.regs, regs.fsBase, regs.gsBase)
  }

  private read(place: Place, offset: number, length: number, address: number, step: Step): Origin[] {
    const labels = new Array<Origin>(length)
    if (place.kind === 'immediate') {
      const constant: Origin = { kind: 'constant', step }
      labels.fill(constant)
    } else if (place.kind === 'register') {
      for (let i = 0; i < length; i++) labels[i] = this.registerOrigin(place.register.slot + offset + i)
    } else {
      for (let i = 0; i < length; i++) labels[i] = this.originAt(address + offset + i)
    }
    return labels
  }

  private write(place: Place, offset: number, labels: readonly Origin[], address: number, step: Step): void {
    if (place.kind === 'register') {
      for (let i = 0; i < labels.length; i++) this.registers[place.register.slot + offset + i] = labels[i]
    } else if (place.kind === 'memory') {
      this.noteWrite(address + offset, labels.length)
      for (let i = 0; i < labels.length; i++) this.memory.set(address + offset + i, labels[i]!, step)
    }
  }

  private fill(fill: Filled, origin: Origin, address: number, step: Step): void {
    const place = fill.place
    if (place.kind === 'register') {
      this.registers.fill(origin, place.register.slot + fill.offset, place.register.slot + fill.offset + fill.length)
    } else if (place.kind === 'memory') {
      this.noteWrite(address + fill.offset, fill.length)
      for (let i = 0; i < fill.length; i++) this.memory.set(address + fill.offset + i, origin, step)
    }
  }

  /**
   * Executes one instruction with the recorder, keeping the labels. False when the machine
   * could not move (it exited, died, or waits for input nobody gave).
   */
  step(): boolean {
    const machine = this.inferior.machine
    const kernel = machine.kernel
    const cpu = machine.cpu
    const regs = cpu.r
    if (kernel.state.state === 'waiting-input') {
      // Input logged at this count completes the blocked read before the next instruction.
      this.inferior.recorder.run(0)
      this.absorbKernelWrites(this.blockedStep)
      if (kernel.state.state === 'waiting-input') return false
    }
    const before = cpu.instructionCount
    const pc = regs.rip
    const effects = this.effectsAt(pc)
    const step: Step = effects?.syscall ? { count: before + 1, ip: pc, chain: this.chain, syscall: syscallName(regs.get(RAX)) } : { count: before + 1, ip: pc, chain: this.chain }
    if (!effects) return this.run(before, pc, step) || cpu.instructionCount !== before || regs.rip !== pc

    // Before: what is copied, where everything goes, what a control transfer uses.
    const copies = effects.copies
    const filled = effects.filled
    for (let i = 0; i < copies.length; i++) {
      const copy = copies[i]!
      const from = copy.from.kind === 'memory' ? this.address(copy.from.memory) : 0
      this.copyFrom[i] = from
      this.copyTo[i] = copy.to.kind === 'memory' ? this.address(copy.to.memory) : 0
      this.copyLabels[i] = this.read(copy.from, copy.fromOffset, copy.length, from, step)
    }
    for (let i = 0; i < filled.length; i++) {
      const place = filled[i]!.place
      this.fillAt[i] = place.kind === 'memory' ? this.address(place.memory) : 0
    }
    const moves = effects.condition === null || cpu.cond(effects.condition)
    const string = effects.string && { rcx: regs.get(RCX), rsi: regs.get(RSI), rdi: regs.get(RDI), direction: cpu.direction }
    if (effects.target) this.recordTransfer(effects, step)
    if (effects.canaryRegister !== null) this.recordCanaryCheck(effects, step)
    const syscall = effects.syscall
      ? { number: regs.get(RAX), rdi: regs.get(RDI), rsi: regs.get(RSI), r8: regs.get(8), r9: regs.get(9), r10: regs.get(10), heapEnd: regs.get(RAX) === SYS_BRK ? this.heapEnd() : 0 }
      : null

    if (!this.run(before, pc, step)) return cpu.instructionCount !== before || regs.rip !== pc

    // After: the destinations get their labels.
    for (const gpr of effects.writtenGprs) this.loadSources[gpr] = null
    if (moves) {
      for (let i = 0; i < copies.length; i++) {
        const copy = copies[i]!
        this.write(copy.to, copy.toOffset, this.copyLabels[i]!, this.copyTo[i]!, step)
        if (copy.to.kind === 'register' && copy.to.register.gpr >= 0 && copy.toOffset === 0 && copy.length >= 4) {
          this.loadSources[copy.to.register.gpr] =
            copy.from.kind === 'memory' ? { address: this.copyFrom[i]! + copy.fromOffset, count: step.count }
            : copy.from.kind === 'register' && copy.from.register.gpr >= 0 ? this.loadSources[copy.from.register.gpr]! : null
        }
      }
    }
    if (string) this.applyString(effects, string, step)
    if (filled.length > 0) {
      const computed: Origin = { kind: 'computed', step }
      for (let i = 0; i < filled.length; i++) this.fill(filled[i]!, computed, this.fillAt[i]!, step)
    }
    if (syscall) this.afterSyscall(syscall, step)
    if (effects.call || effects.ret) this.updateChain(effects, pc, step)
    return true
  }

  /** Runs the instruction (a rep string instruction may need several turns); applies the kernel's writes. */
  private run(before: number, pc: number, step: Step): boolean {
    const machine = this.inferior.machine
    const kernel = machine.kernel
    const recorder = this.inferior.recorder
    do recorder.run(1)
    while (machine.cpu.instructionCount === before && machine.cpu.r.rip === pc && kernel.state.state === 'running' && machine.debugStop === null)
    const moved = machine.cpu.instructionCount !== before
    if (moved) this.lastStep = step
    if (kernel.state.state === 'waiting-input') this.blockedStep = step
    this.absorbKernelWrites(step)
    return moved && kernel.state.state !== 'signaled'
  }

  private absorbKernelWrites(step: Step | null): void {
    const writes = this.kernel.take()
    if (writes.length === 0) return
    const at = step ?? { count: this.inferior.instructionCount, ip: this.inferior.pc, chain: this.chain }
    for (const write of writes) this.labelKernelWrite(write, at)
  }

  private labelKernelWrite(write: KernelWrite, step: Step): void {
    this.noteWrite(write.address, write.length)
    const kernelStep: Step = write.context ? { ...step, syscall: write.context.name } : step
    const fallback: Origin = write.edit ? { kind: 'edit', count: step.count } : { kind: 'kernel', step: kernelStep }
    for (let i = 0; i < write.length; i++) {
      const address = write.address + i
      const input = inputOriginAt(write.context?.input ?? null, address)
      this.memory.set(address, input ? { ...input, by: kernelStep } : fallback, kernelStep)
    }
  }

  private applyString(effects: Effects, before: { rcx: number; rsi: number; rdi: number; direction: number }, step: Step): void {
    const string = effects.string!
    const regs = this.inferior.machine.cpu.r
    const elements = string.repeated ? before.rcx - regs.get(RCX) : 1
    const stride = string.size * before.direction
    for (let k = 0; k < elements; k++) {
      const source = before.rsi + k * stride
      const destination = before.rdi + k * stride
      if (string.operation === 'movs') {
        this.noteWrite(destination, string.size)
        for (let b = 0; b < string.size; b++) this.memory.set(destination + b, this.originAt(source + b), step)
      } else if (string.operation === 'stos') {
        this.noteWrite(destination, string.size)
        for (let b = 0; b < string.size; b++) this.memory.set(destination + b, this.registerOrigin(b), step)
      } else if (string.operation === 'lods' && k === elements - 1) {
        for (let b = 0; b < string.size; b++) this.registers[b] = this.originAt(source + b)
        if (string.size === 4) this.registers.fill({ kind: 'computed', step }, 4, 8)
      }
    }
  }

  private heapEnd(): number {
    const heap = this.inferior.machine.regions().find((r) => r.name === '[heap]')
    return heap ? Number(heap.end) : this.inferior.machine.process.brkStart
  }

  /** mmap, munmap and brk change which memory exists: fresh pages are zero, or a file's bytes. */
  private afterSyscall(call: { number: number; rdi: number; rsi: number; r8: number; r9: number; r10: number; heapEnd: number }, step: Step): void {
    const result = this.inferior.registerNumber('rax')
    const failed = result >= 2 ** 64 - 4096
    if (call.number === SYS_MMAP && !failed) {
      const end = result + Math.ceil(call.rsi / PAGE_SIZE) * PAGE_SIZE
      this.memory.drop(result, end)
      const region = this.inferior.machine.regions().find((r) => Number(r.start) <= result && result < Number(r.end))
      const fromFile = (call.r10 & MAP_ANONYMOUS) === 0 && region !== undefined && region.name.startsWith('/')
      const path = region?.name ?? ''
      this.initial.addFresh(result, end, fromFile
        ? (address) => ({ kind: 'file', path, offset: call.r9 + (address - result) })
        : () => ({ kind: 'zero', what: `a fresh page from mmap (instruction ${step.count})` }))
    } else if (call.number === SYS_MUNMAP && !failed) {
      this.memory.drop(call.rdi, call.rdi + call.rsi)
    } else if (call.number === SYS_BRK) {
      const end = this.heapEnd()
      if (end > call.heapEnd) this.initial.addFresh(call.heapEnd, end, () => ({ kind: 'zero', what: `heap memory from brk (instruction ${step.count})` }))
    }
  }

  private recordTransfer(effects: Effects, step: Step): void {
    const target = effects.target!
    const kind = effects.ret ? 'ret' : effects.call ? 'call' : 'jmp'
    let record: Transfer
    if (target.kind === 'memory') {
      const slot = this.address(target.memory)
      record = {
        step, kind, slot, register: null,
        target: this.inferior.readU64(slot) ?? 0n,
        origins: Array.from({ length: 8 }, (_, i) => this.originAt(slot + i)),
        writers: Array.from({ length: 8 }, (_, i) => this.writerAt(slot + i)),
      }
    } else if (target.kind === 'register') {
      const name = target.register.gpr >= 0 ? GPR_NAMES[target.register.gpr]! : 'xmm'
      record = {
        step, kind, slot: null, register: name,
        target: this.inferior.register(name) ?? 0n,
        origins: Array.from({ length: 8 }, (_, i) => this.registerOrigin(target.register.slot + i)),
        writers: [],
      }
    } else return
    this.transfers.push(record)
    if (this.transfers.length > KEPT_EVENTS) this.transfers.shift()
  }

  private recordCanaryCheck(effects: Effects, step: Step): void {
    const gpr = effects.canaryRegister!
    const source = this.loadSources[gpr] ?? null
    const slot = source?.address ?? null
    const fs = this.inferior.machine.cpu.r.fsBase
    this.canaryChecks.push({
      step, slot,
      value: this.inferior.register(GPR_NAMES[gpr]!) ?? 0n,
      expected: this.inferior.readU64(fs + 0x28),
      rbp: this.inferior.machine.cpu.r.get(RBP),
      origins: slot === null ? [] : Array.from({ length: 8 }, (_, i) => this.originAt(slot + i)),
      writers: slot === null ? [] : Array.from({ length: 8 }, (_, i) => this.writerAt(slot + i)),
    })
    if (this.canaryChecks.length > KEPT_EVENTS) this.canaryChecks.shift()
  }

  /** A call opens a level of the chain; a ret closes every level whose return slot it popped. */
  private updateChain(effects: Effects, pc: number, step: Step): void {
    const regs = this.inferior.machine.cpu.r
    const rsp = regs.get(RSP)
    if (effects.call) {
      this.chain = { returnAddress: pc + effects.length, rsp, target: regs.rip, caller: this.chain }
      this.onCallEvent?.({ kind: 'call', call: this.chain, step })
    } else if (effects.ret) {
      while (this.chain && this.chain.rsp < rsp) {
        const left = this.chain
        this.chain = left.caller
        this.onCallEvent?.({ kind: 'return', call: left, step })
      }
    }
  }
}
