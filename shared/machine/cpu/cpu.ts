// The x86-64 user-mode interpreter. Code is decoded once per basic block (iced-x86) and
// translated into one specialised closure per instruction (see ./translate); blocks are cached
// by address, chained to their successors, and dropped when their code pages are written.
//
// Invariants the translated code relies on:
// - An instruction commits nothing before its last possible fault: memory writes happen before
//   register writes, so a faulting instruction can be restarted (the kernel grows the stack).
// - Status flags are lazy: the last flag-setting instruction stores its kind, size, operands and
//   result in the `f*` fields; `getRflags` and the condition evaluator derive the flags.
// - Every guest memory access goes through the `ld*`/`st*` methods below, the one place a
//   recording (undo) log needs to hook.

import { Decoder, DecoderError, DecoderOptions, Instruction, FlowControl, Code as IcedCode } from 'iced-x86'
import { MemoryFault } from '../fault'
import { PAGE_MASK, PAGE_SIZE, type Memory } from '../memory'
import { RegisterFile } from './registers'
import type { CpuException, CpuStop } from './exception'
import * as Flags from './flags'
import { Lazy, Cond } from './flags'
import { translate, type Op, type Translated } from './translate'
import { X87 } from './x87'

// iced-x86's enums are objects with thousands of members (slow, dictionary-mode lookups):
// the members this file uses are copied into small constant objects.
const Code = {
  INVALID: IcedCode.INVALID,
} as const
type Code = IcedCode

export interface CpuHost {
  /** Called on `syscall` with rip already past the instruction: rax=nr, args rdi rsi rdx r10 r8 r9. */
  syscall(cpu: Cpu): void
}

/** Raised inside the interpreter for #GP/#UD/#DE/#BP; the run loop turns it into a CpuStop. */
export class CpuTrap extends Error {
  constructor(readonly exception: CpuException) {
    super(exception.vector)
  }
}

// Module-local copies of the flag constants: the hot paths then read constants rather than
// imported bindings, which some module loaders (vitest's) turn into getter calls.
const { CF, PF, AF, ZF, SF, OF, DF, PARITY, RFLAGS_FIXED, IF, STATUS_FLAGS, USER_WRITABLE_FLAGS } = Flags
const LAZY_ADC = Lazy.Adc
const LAZY_ADD = Lazy.Add
const LAZY_DEC = Lazy.Dec
const LAZY_EAGER = Lazy.Eager
const LAZY_INC = Lazy.Inc
const LAZY_LOGIC = Lazy.Logic
const LAZY_RESULT = Lazy.Result
const LAZY_SBB = Lazy.Sbb
const LAZY_SUB = Lazy.Sub
const TWO_32 = 0x1_0000_0000
/** Instructions per block at most: bounds translation work and the latency of a pause request. */
const MAX_BLOCK_INSTRUCTIONS = 64
/** 0xffff800000000000: the start of the canonical kernel half, as an unsigned value. */
const KERNEL_HALF = 2 ** 64 - 2 ** 47
/** Bytes fetched for decoding at a time (more are fetched when a block runs past them). */
const FETCH_WINDOW = 64
const DIRECT_CACHE_SIZE = 4096

export class Block {
  valid = true
  /** The block starts at a debugger breakpoint (breakpoints always start a block). */
  breakpoint = false
  /** Memory generation (mappings/protections) at which the block was last checked executable. */
  generation: number
  /** Successor cache: the blocks last reached from this one. */
  next1: Block | null = null
  next2: Block | null = null
  constructor(
    readonly address: number,
    /** Address after the last instruction. */
    readonly end: number,
    readonly ops: Op[],
    /** Address of each instruction. */
    readonly addresses: Float64Array,
    /** True when the last op sets rip itself (branch, syscall...). */
    readonly setsRip: boolean,
    readonly pages: readonly number[],
    generation: number,
  ) {
    this.generation = generation
  }
}

export class Cpu {
  readonly r = new RegisterFile()
  /** The register file as 32-bit halves, 16-bit words and bytes (AH = byte 8*i+1). */
  readonly R: Int32Array
  readonly R16: Uint16Array
  readonly R8: Uint8Array
  /** XMM registers as the lane types SSE instructions use. */
  readonly X32: Int32Array
  readonly XU8: Uint8Array
  readonly XI8: Int8Array
  readonly XU16: Uint16Array
  readonly XI16: Int16Array
  readonly XF32: Float32Array
  readonly XF64: Float64Array
  instructionCount = 0

  // Lazy flags.
  fOp = LAZY_EAGER
  /** Operand size in bits. */
  fSize = 32
  fA = 0
  fAHi = 0
  fB = 0
  fBHi = 0
  fRes = 0
  fResHi = 0
  /** Carry-in (adc/sbb), preserved CF (inc/dec), or explicit CF (Result). */
  fCin = 0
  /** Explicit OF and AF for LAZY_RESULT. */
  fOf = 0
  fAf = 0
  /** Materialised status flags when fOp is Eager. */
  fEager = 0
  /** RFLAGS bits other than the status flags (DF, IF, ID...). */
  flagsOther = RFLAGS_FIXED | IF
  /** 1 or -1: the direction string instructions move in. */
  direction = 1

  /** Scratch words for multi-word loads of the fast paths. */
  readonly words = new Int32Array(4)
  /** Scratch results of 64-bit helpers (avoids allocating pairs). */
  lo = 0
  hi = 0
  /** x87 control word (fnstcw/fldcw): Linux starts processes with 0x37f. */
  fpuControl = 0x37f
  /** x87 register stack and status word. */
  readonly x87 = new X87()

  /** Set to end the current block early: halt request or code written under the block. */
  private stopBlock = false
  private haltRequested = false
  private debugStopRequested = false
  private repeatPending = false
  private currentBlock: Block | null = null

  /** Instructions the translator failed on (executing them raises #UD); for diagnostics. */
  readonly translationErrors: { address: number; instruction: string; message: string }[] = []

  /**
   * Debugger breakpoints: addresses at which run() stops before executing. Checked once per
   * block (a flag set when the block is built), so they cost a running program nothing.
   */
  private readonly breakpoints = new Set<number>()
  /** False while the debugger re-executes recorded history, which must not stop at breakpoints. */
  breakpointsArmed = true

  private readonly blocks = new Map<number, Block>()
  /**
   * One-instruction blocks for single steps into the middle of blocks (a debugger's stepi, the
   * shadow-tracking replay): decoding a whole block from every stepped address would cost up
   * to 64 instructions' work per step. Kept apart so full-speed runs never use them.
   */
  private readonly stepBlocks = new Map<number, Block>()
  private readonly directCache: (Block | undefined)[] = new Array<Block | undefined>(DIRECT_CACHE_SIZE)
  private readonly blocksByPage = new Map<number, Set<Block>>()

  constructor(
    readonly memory: Memory,
    readonly host: CpuHost,
  ) {
    const buffer = this.r.regs.buffer
    this.R = this.r.regs
    this.R16 = new Uint16Array(buffer)
    this.R8 = new Uint8Array(buffer)
    const xb = this.r.xmm.buffer
    this.X32 = this.r.xmm
    this.XU8 = new Uint8Array(xb)
    this.XI8 = new Int8Array(xb)
    this.XU16 = new Uint16Array(xb)
    this.XI16 = new Int16Array(xb)
    this.XF32 = new Float32Array(xb)
    this.XF64 = new Float64Array(xb)
    memory.onCodeWrite = (page) => this.invalidatePage(page)
  }

  // --- control --------------------------------------------------------------------------------

  /**
   * Called by an interruptible instruction (rep string ops) that has work left: the block ends
   * after it, it does not retire, and rip stays on it so the next step continues it.
   */
  repeatInstruction(): void {
    this.repeatPending = true
    this.stopBlock = true
  }

  requestHalt(): void {
    this.haltRequested = true
    this.stopBlock = true
  }

  /** From the debugger (a watched page was touched): run() returns after the current instruction. */
  requestDebugStop(): void {
    this.debugStopRequested = true
    this.stopBlock = true
  }

  setBreakpoint(address: number): void {
    if (this.breakpoints.has(address)) return
    this.breakpoints.add(address)
    this.invalidateCode(address, 1)
  }

  hasBreakpoint(address: number): boolean {
    return this.breakpoints.has(address)
  }

  clearBreakpoint(address: number): void {
    if (!this.breakpoints.delete(address)) return
    this.invalidateCode(address, 1)
  }

  /** Runs until the budget is spent, an exception, a halt request or a breakpoint. */
  run(maxInstructions: number): CpuStop {
    this.haltRequested = false
    this.stopBlock = false
    if (this.debugStopRequested) {
      // Requested outside run() (a system call's write to a watched page ended the last run).
      this.debugStopRequested = false
      return { kind: 'debug' }
    }
    let budget = maxInstructions
    let previous: Block | null = null
    while (budget > 0) {
      const rip = this.r.rip
      let block: Block
      if (previous !== null && previous.next1 !== null && previous.next1.address === rip && previous.next1.valid) {
        block = previous.next1
      } else if (previous !== null && previous.next2 !== null && previous.next2.address === rip && previous.next2.valid) {
        block = previous.next2
      } else {
        try {
          block = maxInstructions === 1 ? this.lookupStep(rip) : this.lookup(rip)
        } catch (e) {
          return this.stopOn(e, rip)
        }
        if (previous !== null) {
          if (previous.next1 === null || !previous.next1.valid) previous.next1 = block
          else previous.next2 = block
        }
      }
      if (block.generation !== this.memory.generation && !this.revalidate(block)) {
        previous = null
        continue
      }
      if (block.breakpoint && this.breakpointsArmed) {
        this.r.rip = block.address
        return { kind: 'breakpoint' }
      }
      const ops = block.ops
      const count = ops.length
      const limit = count < budget ? count : budget
      this.currentBlock = block
      // Counted ahead so a block's last op (syscall, rdtsc) sees the count including itself.
      const base = this.instructionCount
      this.instructionCount = base + limit
      let i = 0
      try {
        while (i < limit) {
          ops[i]!()
          i++
          if (this.stopBlock) break
        }
      } catch (e) {
        this.currentBlock = null
        this.instructionCount = base + i
        return this.stopOn(e, block.addresses[i]!)
      }
      this.currentBlock = null
      budget -= i
      if (this.repeatPending) {
        // A rep instruction yielded with work left: it is not retired, and runs again next.
        this.repeatPending = false
        i--
      }
      this.instructionCount = base + i
      if (i < count) this.r.rip = block.addresses[i]!
      else if (!block.setsRip) this.r.rip = block.end
      if (this.stopBlock) {
        this.stopBlock = false
        if (this.haltRequested) {
          this.haltRequested = false
          return { kind: 'halt' }
        }
        if (this.debugStopRequested) {
          this.debugStopRequested = false
          return { kind: 'debug' }
        }
        previous = null
        continue
      }
      previous = block.valid ? block : null
    }
    return { kind: 'budget' }
  }

  private stopOn(e: unknown, ip: number): CpuStop {
    this.r.rip = ip
    if (e instanceof MemoryFault) {
      return { kind: 'exception', exception: { vector: 'page-fault', ip, address: BigInt(e.address), access: e.access, present: e.present } }
    }
    if (e instanceof CpuTrap) {
      const exception = { ...e.exception, ip }
      if (exception.vector === 'invalid-opcode') exception.bytes = this.bytesAt(ip)
      return { kind: 'exception', exception }
    }
    throw e
  }

  private bytesAt(ip: number): Uint8Array {
    const { data, mapped } = this.memory.peek(ip, 15)
    let n = 0
    while (n < 15 && mapped[n]) n++
    return data.slice(0, n)
  }

  // --- block cache ----------------------------------------------------------------------------

  private lookup(rip: number): Block {
    const slot = rip & (DIRECT_CACHE_SIZE - 1)
    const cached = this.directCache[slot]
    if (cached !== undefined && cached.address === rip && cached.valid) return cached
    let block = this.blocks.get(rip)
    if (block === undefined || !block.valid) block = this.buildBlock(rip)
    this.directCache[slot] = block
    return block
  }

  /** For a single step: a cached block starting at rip, or a one-instruction block. */
  private lookupStep(rip: number): Block {
    const slot = rip & (DIRECT_CACHE_SIZE - 1)
    const cached = this.directCache[slot]
    if (cached !== undefined && cached.address === rip && cached.valid) return cached
    const full = this.blocks.get(rip)
    if (full !== undefined && full.valid) return full
    let step = this.stepBlocks.get(rip)
    if (step === undefined || !step.valid) {
      step = this.buildBlock(rip, 1)
      this.stepBlocks.set(rip, step)
    }
    return step
  }

  /** After mmap/mprotect/munmap: is the block's code still mapped executable? */
  private revalidate(block: Block): boolean {
    for (const page of block.pages) {
      const prot = this.memory.protection(page)
      if (prot < 0 || (prot & 4) === 0) {
        this.dropBlock(block)
        return false
      }
    }
    block.generation = this.memory.generation
    return true
  }

  private buildBlock(rip: number, maxInstructions = MAX_BLOCK_INSTRUCTIONS): Block {
    // A branch to the canonical kernel half lands there and faults on the fetch (error 0x15).
    if (rip >= KERNEL_HALF) throw new MemoryFault(rip, 'exec', true)
    if (rip >= 2 ** 47) this.nonCanonicalFetch(rip)
    const instr = scratchInstruction
    const ops: Op[] = []
    const addresses: number[] = []
    let setsRip = false
    let end = rip
    // Code is fetched in small windows (most blocks are a few instructions long); `consumed`
    // counts the bytes decoded so far, from rip.
    let consumed = 0
    let window = this.memory.fetchBytes(rip, FETCH_WINDOW)
    let truncated = window.length < FETCH_WINDOW // stopped by a page we may not execute
    let windowStart = 0
    let decoder = new Decoder(64, window, DecoderOptions.None)
    try {
      decoder.ip = BigInt(rip)
      while (ops.length < maxInstructions) {
        const address = rip + consumed
        if (consumed > 0 && this.breakpoints.has(address)) break
        if (consumed - windowStart >= window.length) {
          if (truncated) break // the next instruction starts on a page we may not execute
          ;({ window, truncated, windowStart, decoder } = this.refetch(decoder, address, consumed))
        }
        decoder.position = consumed - windowStart
        decoder.decodeOut(instr)
        if (instr.code === Code.INVALID) {
          if (decoder.lastError === DecoderError.NoMoreBytes && !truncated) {
            ;({ window, truncated, windowStart, decoder } = this.refetch(decoder, address, consumed))
            continue
          }
          if (decoder.lastError === DecoderError.NoMoreBytes) {
            // The instruction runs into a page we may not execute: fault on that page.
            const faultAddress = rip + windowStart + window.length
            ops.push(() => {
              this.memory.fetch8(faultAddress)
            })
          } else {
            ops.push(invalidOpcode)
          }
          addresses.push(address)
          setsRip = true
          end = address + 1
          break
        }
        const translated = this.translateSafely(instr, address)
        ops.push(translated.op)
        addresses.push(address)
        consumed += instr.length
        end = rip + consumed
        if (translated.endsBlock) {
          setsRip = translated.setsRip
          break
        }
        if (instr.flowControl !== FlowControl.Next) {
          setsRip = true
          break
        }
      }
    } finally {
      decoder.free()
    }
    const pages: number[] = []
    for (let page = rip - (rip & PAGE_MASK); page < end; page += PAGE_SIZE) pages.push(page)
    const block = new Block(rip, end, ops, Float64Array.from(addresses), setsRip, pages, this.memory.generation)
    block.breakpoint = this.breakpoints.has(rip)
    for (const page of pages) {
      let set = this.blocksByPage.get(page)
      if (set === undefined) {
        set = new Set()
        this.blocksByPage.set(page, set)
        this.memory.markCode(page)
        this.memory.invalidatePage(page)
      }
      set.add(block)
    }
    if (maxInstructions === MAX_BLOCK_INSTRUCTIONS) this.blocks.set(rip, block)
    return block
  }

  /**
   * Translates one instruction; an operand form the translator cannot handle (a bug or a gap,
   * never a guest's fault) becomes #UD, so the guest gets SIGILL instead of the host an error.
   */
  private translateSafely(instr: Instruction, address: number): Translated {
    try {
      return translate(this, instr, address)
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      this.translationErrors.push({ address, instruction: instr.toString(), message })
      return { op: invalidOpcode, endsBlock: true, setsRip: true }
    }
  }

  /** Replaces the decoder with one over a fresh fetch window starting at address. */
  private refetch(decoder: Decoder, address: number, consumed: number): { window: Uint8Array; truncated: boolean; windowStart: number; decoder: Decoder } {
    decoder.free()
    const window = this.memory.fetchBytes(address, FETCH_WINDOW * 4)
    const next = new Decoder(64, window, DecoderOptions.None)
    next.ip = BigInt(address)
    return { window, truncated: window.length < FETCH_WINDOW * 4, windowStart: consumed, decoder: next }
  }

  private nonCanonicalFetch(rip: number): never {
    throw new CpuTrap({ vector: 'general-protection', ip: rip, address: BigInt(rip), access: 'exec' })
  }

  private dropBlock(block: Block): void {
    block.valid = false
    if (this.blocks.get(block.address) === block) this.blocks.delete(block.address)
    if (this.stepBlocks.get(block.address) === block) this.stepBlocks.delete(block.address)
    for (const page of block.pages) this.blocksByPage.get(page)?.delete(block)
    if (block === this.currentBlock) this.stopBlock = true
  }

  /** A write hit a page holding translated code: drop its blocks (self-modifying code). */
  private invalidatePage(page: number): void {
    const set = this.blocksByPage.get(page)
    if (set !== undefined) {
      for (const block of set) {
        block.valid = false
        if (this.blocks.get(block.address) === block) this.blocks.delete(block.address)
        if (this.stepBlocks.get(block.address) === block) this.stepBlocks.delete(block.address)
        if (block === this.currentBlock) this.stopBlock = true
      }
      this.blocksByPage.delete(page)
    }
    this.memory.unmarkCode(page)
  }

  /** Drops cached blocks overlapping [address, address+length). */
  invalidateCode(address: number, length: number): void {
    const first = address - (address & PAGE_MASK)
    for (let page = first; page < address + length; page += PAGE_SIZE) this.invalidatePage(page)
  }

  // --- flags ----------------------------------------------------------------------------------

  /** Status flags as a bit set (CF PF AF ZF SF OF). */
  statusFlags(): number {
    switch (this.fOp) {
      case LAZY_EAGER:
        return this.fEager
      default:
        return this.cf() | this.pf() | this.af() | this.zf() | this.sf() | this.of()
    }
  }

  getRflags(): number {
    return this.statusFlags() | this.flagsOther
  }

  setRflags(value: number): void {
    this.fOp = LAZY_EAGER
    this.fEager = value & STATUS_FLAGS
    this.flagsOther = (value & ~STATUS_FLAGS & 0x3f7fd5) | RFLAGS_FIXED
    this.direction = value & DF ? -1 : 1
  }

  /** popf in user mode: only the user-writable flags change. */
  setUserRflags(value: number): void {
    const keep = this.getRflags() & ~USER_WRITABLE_FLAGS
    this.setRflags(keep | (value & USER_WRITABLE_FLAGS))
  }

  /** Sets the status flags selected by mask to bits (after materialising the rest). */
  setStatusFlags(mask: number, bits: number): void {
    const current = this.statusFlags()
    this.fOp = LAZY_EAGER
    this.fEager = (current & ~mask) | (bits & mask)
  }

  private signOf(lo: number, hi: number): number {
    switch (this.fSize) {
      case 64:
        return hi >>> 31
      case 32:
        return lo >>> 31
      case 16:
        return (lo >>> 15) & 1
      default:
        return (lo >>> 7) & 1
    }
  }

  /** Unsigned a < b over the current operand size (values are normalised). */
  private below(aLo: number, aHi: number, bLo: number, bHi: number): boolean {
    if (this.fSize === 64 && aHi !== bHi) return aHi >>> 0 < bHi >>> 0
    return aLo >>> 0 < bLo >>> 0
  }

  cf(): number {
    switch (this.fOp) {
      case LAZY_EAGER:
        return this.fEager & CF
      case LAZY_ADD:
        return this.below(this.fRes, this.fResHi, this.fA, this.fAHi) ? CF : 0
      case LAZY_ADC:
        return this.below(this.fRes, this.fResHi, this.fA, this.fAHi) ||
          (this.fCin !== 0 && this.fRes === this.fA && this.fResHi === this.fAHi)
          ? CF
          : 0
      case LAZY_SUB:
        return this.below(this.fA, this.fAHi, this.fB, this.fBHi) ? CF : 0
      case LAZY_SBB:
        return this.below(this.fA, this.fAHi, this.fB, this.fBHi) ||
          (this.fCin !== 0 && this.fA === this.fB && this.fAHi === this.fBHi)
          ? CF
          : 0
      case LAZY_LOGIC:
        return 0
      default:
        return this.fCin
    }
  }

  zf(): number {
    if (this.fOp === LAZY_EAGER) return this.fEager & ZF
    return (this.fRes | this.fResHi) === 0 ? ZF : 0
  }

  sf(): number {
    if (this.fOp === LAZY_EAGER) return this.fEager & SF
    return this.signOf(this.fRes, this.fResHi) ? SF : 0
  }

  pf(): number {
    if (this.fOp === LAZY_EAGER) return this.fEager & PF
    return PARITY[this.fRes & 0xff]!
  }

  af(): number {
    switch (this.fOp) {
      case LAZY_EAGER:
        return this.fEager & AF
      case LAZY_RESULT:
        return this.fAf
      case LAZY_LOGIC:
        return 0
      default:
        return (this.fA ^ this.fB ^ this.fRes) & AF
    }
  }

  of(): number {
    switch (this.fOp) {
      case LAZY_EAGER:
        return this.fEager & OF
      case LAZY_ADD:
      case LAZY_ADC:
      case LAZY_INC:
        return this.signOf((this.fA ^ this.fRes) & (this.fB ^ this.fRes), (this.fAHi ^ this.fResHi) & (this.fBHi ^ this.fResHi)) ? OF : 0
      case LAZY_SUB:
      case LAZY_SBB:
      case LAZY_DEC:
        return this.signOf((this.fA ^ this.fB) & (this.fA ^ this.fRes), (this.fAHi ^ this.fBHi) & (this.fAHi ^ this.fResHi)) ? OF : 0
      case LAZY_LOGIC:
        return 0
      default:
        return this.fOf
    }
  }

  // Condition predicates, one per pair of condition codes (jcc/setcc/cmovcc call these
  // directly so each call site stays monomorphic). cmp/sub compares its operands directly.

  /** ZF */
  condE(): boolean {
    if (this.fOp === LAZY_EAGER) return (this.fEager & ZF) !== 0
    return (this.fRes | this.fResHi) === 0
  }

  /** CF */
  condB(): boolean {
    if (this.fOp === LAZY_SUB) return this.below(this.fA, this.fAHi, this.fB, this.fBHi)
    return this.cf() !== 0
  }

  /** CF or ZF */
  condBE(): boolean {
    if (this.fOp === LAZY_SUB) return !this.below(this.fB, this.fBHi, this.fA, this.fAHi)
    return this.cf() !== 0 || this.condE()
  }

  /** SF != OF */
  condL(): boolean {
    if (this.fOp === LAZY_SUB) return lessSigned(this.fSize, this.fA, this.fAHi, this.fB, this.fBHi)
    if (this.fOp === LAZY_LOGIC) return this.sf() !== 0
    return this.sf() !== 0 !== (this.of() !== 0)
  }

  /** ZF or SF != OF */
  condLE(): boolean {
    if (this.fOp === LAZY_SUB) return !lessSigned(this.fSize, this.fB, this.fBHi, this.fA, this.fAHi)
    return this.condE() || this.condL()
  }

  /** SF */
  condS(): boolean {
    return this.sf() !== 0
  }

  /** OF */
  condO(): boolean {
    return this.of() !== 0
  }

  /** PF */
  condP(): boolean {
    return this.pf() !== 0
  }

  /** Evaluates condition code cc (0-15) on the current flags (the debugger shows branch outcomes). */
  cond(cc: number): boolean {
    let holds: boolean
    switch (cc & ~1) {
      case Cond.O:
        holds = this.condO()
        break
      case Cond.B:
        holds = this.condB()
        break
      case Cond.E:
        holds = this.condE()
        break
      case Cond.BE:
        holds = this.condBE()
        break
      case Cond.S:
        holds = this.condS()
        break
      case Cond.P:
        holds = this.condP()
        break
      case Cond.L:
        holds = this.condL()
        break
      default:
        holds = this.condLE()
    }
    return cc & 1 ? !holds : holds
  }

  // --- flag recording (operands normalised: 8/16 unsigned, 32 as int32, 64 as int32 pairs) ---

  /** Records an add/sub-like operation; flags are derived from (a, b, r) when read. */
  recordArith(op: Lazy, size: number, a: number, b: number, r: number): void {
    this.fOp = op
    this.fSize = size
    this.fA = a
    this.fB = b
    this.fRes = r
    this.fAHi = 0
    this.fBHi = 0
    this.fResHi = 0
  }

  recordArith64(op: Lazy, aLo: number, aHi: number, bLo: number, bHi: number, lo: number, hi: number): void {
    this.fOp = op
    this.fSize = 64
    this.fA = aLo
    this.fAHi = aHi
    this.fB = bLo
    this.fBHi = bHi
    this.fRes = lo
    this.fResHi = hi
  }

  /** Logic ops: CF = OF = 0, SF/ZF/PF from the result (AF is undefined; we clear it). */
  logic(size: number, r: number): void {
    this.fOp = LAZY_LOGIC
    this.fSize = size
    this.fRes = r
    this.fResHi = 0
  }

  logic64(lo: number, hi: number): void {
    this.fOp = LAZY_LOGIC
    this.fSize = 64
    this.fRes = lo
    this.fResHi = hi
  }

  /** Records a result whose CF/OF are known (shifts, multiplies); AF is left clear. */
  result(size: number, lo: number, hi: number, cf: number, of: number): void {
    this.fOp = LAZY_RESULT
    this.fSize = size
    this.fRes = lo
    this.fResHi = hi
    this.fCin = cf ? CF : 0
    this.fOf = of ? OF : 0
    this.fAf = 0
  }

  // --- addressing -----------------------------------------------------------------------------

  /**
   * Turns a 64-bit address given as (lo, hi) into a user address, or raises the fault the
   * hardware raises: #GP for a non-canonical address, #PF (present) for the kernel half.
   */
  address(lo: number, hi: number, access: 'read' | 'write' | 'exec'): number {
    if (hi >= 0 && hi < 0x8000) return hi * TWO_32 + (lo >>> 0)
    return this.badAddress(lo, hi, access)
  }

  badAddress(lo: number, hi: number, access: 'read' | 'write' | 'exec'): never {
    const address = (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)
    if (hi < 0 && hi >= -0x8000) {
      throw new MemoryFault(Number(address), access, true)
    }
    throw new CpuTrap({ vector: 'general-protection', ip: 0, address, access })
  }

  // --- guest memory (the single hook point for write logging) ---------------------------------

  ld8(a: number): number {
    return this.memory.read8(a)
  }
  ld16(a: number): number {
    return this.memory.read16(a)
  }
  ld32(a: number): number {
    return this.memory.read32(a)
  }
  st8(a: number, v: number): void {
    this.memory.write8(a, v)
  }
  st16(a: number, v: number): void {
    this.memory.write16(a, v)
  }
  st32(a: number, v: number): void {
    this.memory.write32(a, v)
  }
  /** 64-bit store; a store straddling two pages checks both before writing either. */
  st64(a: number, lo: number, hi: number): void {
    this.memory.write64(a, lo, hi)
  }
  /** 128-bit store from four 32-bit lanes. */
  st128(a: number, l0: number, l1: number, l2: number, l3: number): void {
    this.memory.write128(a, l0, l1, l2, l3)
  }
  /** Loads 2 (64-bit) or 4 (128-bit) words into out[at..]. */
  ldWords(a: number, words: number, out: Int32Array, at: number): void {
    this.memory.readWords(a, words, out, at)
  }
  /** Checks a store of size bytes would succeed (multi-part instructions check before writing). */
  checkStore(a: number, size: number): void {
    this.memory.checkWritable(a, size)
  }

  // --- stack ----------------------------------------------------------------------------------

  /** Pushes a 64-bit value: the store happens before rsp changes, so a fault leaves rsp as it was. */
  push64(lo: number, hi: number): void {
    const R = this.R
    let spLo = R[8]!
    let spHi = R[9]!
    const newLo = (spLo - 8) | 0
    if (spLo >>> 0 < 8) spHi = (spHi - 1) | 0
    spLo = newLo
    const a = this.address(spLo, spHi, 'write')
    this.st64(a, lo, hi)
    R[8] = spLo
    R[9] = spHi
  }

  /** Reads the 64-bit value at the top of the stack into this.lo/this.hi (rsp unchanged). */
  peek64(offset: number): void {
    const R = this.R
    const lo = (R[8]! >>> 0) + offset
    const a = this.address(lo | 0, (R[9]! + (lo > 0xffffffff ? 1 : 0)) | 0, 'read')
    this.lo = this.ld32(a)
    this.hi = this.ld32(a + 4)
  }

  /** rsp += n (n small, may be negative). */
  adjustSp(n: number): void {
    const R = this.R
    const lo = (R[8]! >>> 0) + n
    R[8] = lo | 0
    if (lo > 0xffffffff) R[9] = (R[9]! + 1) | 0
    else if (lo < 0) R[9] = (R[9]! - 1) | 0
  }

  // --- virtual time ---------------------------------------------------------------------------

  /** The time-stamp counter: derived from retired instructions, so runs are reproducible. */
  tsc(): number {
    return this.instructionCount * TSC_PER_INSTRUCTION
  }
}

/** Decoding target shared by all CPUs: translation is synchronous and never re-entered. */
const scratchInstruction = new Instruction()

/** Virtual cycles per retired instruction. */
export const TSC_PER_INSTRUCTION = 1

function invalidOpcode(): void {
  throw new CpuTrap({ vector: 'invalid-opcode', ip: 0, bytes: new Uint8Array(0) })
}

/** Signed a < b over size bits (8/16 values are unsigned-normalised, 32 int32, 64 pairs). */
function lessSigned(size: number, aLo: number, aHi: number, bLo: number, bHi: number): boolean {
  switch (size) {
    case 64:
      return aHi !== bHi ? aHi < bHi : aLo >>> 0 < bLo >>> 0
    case 32:
      return aLo < bLo
    case 16:
      return (aLo << 16) < (bLo << 16)
    default:
      return (aLo << 24) < (bLo << 24)
  }
}
