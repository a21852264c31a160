// What one instruction does to data, as shadow tracking needs it: which bytes it copies from
// where (a pure move keeps its data's origin), and which registers and memory it fills with a
// value of its own (anything calculated). Decoded once per instruction address with iced-x86's
// InstructionInfoFactory, which lists the registers and memory each instruction reads and writes.

import { Code, Decoder, DecoderOptions, Instruction, InstructionInfoFactory, MemorySize, MemorySizeExt, Mnemonic, OpAccess, OpKind, Register } from 'iced-x86'
import type { MemoryView } from '../../machine/memory'

/** Shadow register slots: 16 general registers of 8 bytes, then 16 xmm registers of 16 bytes. */
export const XMM_SLOTS = 16 * 8
export const REGISTER_SLOTS = XMM_SLOTS + 16 * 16

export const GPR_NAMES = ['rax', 'rcx', 'rdx', 'rbx', 'rsp', 'rbp', 'rsi', 'rdi', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15'] as const
export const RSP = 4
export const RBP = 5
export const RSI = 6
export const RDI = 7
export const RCX = 1
export const RAX = 0

/** A register operand: its first shadow slot, how many bytes it names, and how many a write changes. */
export interface RegisterPlace {
  readonly slot: number
  readonly size: number
  /** Bytes a write replaces: 8 for a 32-bit general register (the upper half is zeroed), else size. */
  readonly written: number
  /** The general register's number, or -1 for an xmm register. */
  readonly gpr: number
}

/** A memory operand: base + index * scale + displacement (+ fs/gs base), `size` bytes. */
export interface MemoryRef {
  readonly base: number
  readonly index: number
  readonly scale: number
  readonly displacement: number
  readonly segment: 'fs' | 'gs' | null
  readonly size: number
}

export type Place =
  | { readonly kind: 'register'; readonly register: RegisterPlace }
  | { readonly kind: 'memory'; readonly memory: MemoryRef }
  /** An immediate: its bytes are a constant of the instruction. */
  | { readonly kind: 'immediate' }

/** `length` bytes copied from `from` (+fromOffset) to `to` (+toOffset). */
export interface Copy {
  readonly to: Place
  readonly toOffset: number
  readonly from: Place
  readonly fromOffset: number
  readonly length: number
}

/** Bytes an instruction fills with a value of its own. */
export interface Filled {
  readonly place: Place
  readonly offset: number
  readonly length: number
}

export type StringOperation = 'movs' | 'stos' | 'lods' | 'scan'

export interface Effects {
  readonly address: number
  readonly length: number
  readonly mnemonic: Mnemonic
  readonly copies: readonly Copy[]
  readonly filled: readonly Filled[]
  /** cmovCC: the copies happen only when condition code `condition` (0-15, x86 encoding) holds. */
  readonly condition: number | null
  /** movs/stos/lods/scas/cmps: element size, and whether a rep prefix repeats it. */
  readonly string: { readonly operation: StringOperation; readonly size: number; readonly repeated: boolean } | null
  readonly syscall: boolean
  /** Where a ret, or an indirect jmp or call, takes its target from. */
  readonly target: Place | null
  readonly call: boolean
  readonly ret: boolean
  /** Compares a general register with fs:0x28, the stack protector's canary: that register's number. */
  readonly canaryRegister: number | null
  /** All memory the instruction may write (for telling which instruction wrote a watched byte). */
  readonly stores: readonly MemoryRef[]
  /** General registers it writes (their load source is forgotten). */
  readonly writtenGprs: readonly number[]
  /** The explicit operands in order (null for kinds shadow tracking does not follow). */
  readonly operands: readonly (Place | null)[]
}

const registerPlaces = new Map<Register, RegisterPlace>()
const GPR8_LOW = ['AL', 'CL', 'DL', 'BL', 'SPL', 'BPL', 'SIL', 'DIL']
const GPR16 = ['AX', 'CX', 'DX', 'BX', 'SP', 'BP', 'SI', 'DI']
const GPR32 = ['EAX', 'ECX', 'EDX', 'EBX', 'ESP', 'EBP', 'ESI', 'EDI']
const GPR64 = ['RAX', 'RCX', 'RDX', 'RBX', 'RSP', 'RBP', 'RSI', 'RDI']
const registerNamed = (name: string): Register => (Register as unknown as Record<string, Register>)[name]!
for (let i = 0; i < 16; i++) {
  const high = i >= 8
  const name8 = high ? `R${i}L` : GPR8_LOW[i]!
  const name16 = high ? `R${i}W` : GPR16[i]!
  const name32 = high ? `R${i}D` : GPR32[i]!
  const name64 = high ? `R${i}` : GPR64[i]!
  registerPlaces.set(registerNamed(name8), { slot: i * 8, size: 1, written: 1, gpr: i })
  registerPlaces.set(registerNamed(name16), { slot: i * 8, size: 2, written: 2, gpr: i })
  registerPlaces.set(registerNamed(name32), { slot: i * 8, size: 4, written: 8, gpr: i })
  registerPlaces.set(registerNamed(name64), { slot: i * 8, size: 8, written: 8, gpr: i })
  registerPlaces.set(registerNamed(`XMM${i}`), { slot: XMM_SLOTS + i * 16, size: 16, written: 16, gpr: -1 })
}
;['AH', 'CH', 'DH', 'BH'].forEach((name, i) => registerPlaces.set(registerNamed(name), { slot: i * 8 + 1, size: 1, written: 1, gpr: i }))

/** base + index * scale + displacement (+ fs/gs base) with the given register file (32-bit halves, as RegisterFile.regs). */
export function effectiveAddress(ref: MemoryRef, registers: Int32Array, fsBase: number, gsBase: number): number {
  const value = (n: number): number => (registers[2 * n + 1]! >>> 0) * 2 ** 32 + (registers[2 * n]! >>> 0)
  let address = ref.displacement
  if (ref.base >= 0) address += value(ref.base)
  if (ref.index >= 0) address += value(ref.index) * ref.scale
  if (ref.segment === 'fs') address += fsBase
  else if (ref.segment === 'gs') address += gsBase
  return address >= 2 ** 64 ? address - 2 ** 64 : address
}

/** The shadow place of a register iced names, or undefined for flags, rip, segment, x87 and control registers. */
function registerPlace(register: Register): RegisterPlace | undefined {
  return registerPlaces.get(register)
}

const gprNumber = (register: Register): number => registerPlaces.get(register)?.gpr ?? -1

const WRITES = new Set([OpAccess.Write, OpAccess.CondWrite, OpAccess.ReadWrite, OpAccess.ReadCondWrite])

const FULL_MOVES = new Set([
  Mnemonic.Movaps, Mnemonic.Movups, Mnemonic.Movapd, Mnemonic.Movupd, Mnemonic.Movdqa, Mnemonic.Movdqu, Mnemonic.Lddqu,
  Mnemonic.Movntdq, Mnemonic.Movntps, Mnemonic.Movntpd, Mnemonic.Movntdqa, Mnemonic.Mov, Mnemonic.Movnti,
])
const EXTENDING_MOVES = new Set([Mnemonic.Movzx, Mnemonic.Movsx, Mnemonic.Movsxd])
/** Moves into an xmm register that clear the bytes above the data (movd, movq, and movss/movsd from memory). */
const XMM_ZEROING_MOVES = new Set([Mnemonic.Movd, Mnemonic.Movq, Mnemonic.Movss, Mnemonic.Movsd])
const CMOVS = new Set([
  Mnemonic.Cmovo, Mnemonic.Cmovno, Mnemonic.Cmovb, Mnemonic.Cmovae, Mnemonic.Cmove, Mnemonic.Cmovne, Mnemonic.Cmovbe, Mnemonic.Cmova,
  Mnemonic.Cmovs, Mnemonic.Cmovns, Mnemonic.Cmovp, Mnemonic.Cmovnp, Mnemonic.Cmovl, Mnemonic.Cmovge, Mnemonic.Cmovle, Mnemonic.Cmovg,
])
const STRING_OPERATIONS: ReadonlyMap<Mnemonic, [StringOperation, number]> = new Map([
  [Mnemonic.Movsb, ['movs', 1]], [Mnemonic.Movsw, ['movs', 2]], [Mnemonic.Movsd, ['movs', 4]], [Mnemonic.Movsq, ['movs', 8]],
  [Mnemonic.Stosb, ['stos', 1]], [Mnemonic.Stosw, ['stos', 2]], [Mnemonic.Stosd, ['stos', 4]], [Mnemonic.Stosq, ['stos', 8]],
  [Mnemonic.Lodsb, ['lods', 1]], [Mnemonic.Lodsw, ['lods', 2]], [Mnemonic.Lodsd, ['lods', 4]], [Mnemonic.Lodsq, ['lods', 8]],
  [Mnemonic.Scasb, ['scan', 1]], [Mnemonic.Scasw, ['scan', 2]], [Mnemonic.Scasd, ['scan', 4]], [Mnemonic.Scasq, ['scan', 8]],
  [Mnemonic.Cmpsb, ['scan', 1]], [Mnemonic.Cmpsw, ['scan', 2]], [Mnemonic.Cmpsd, ['scan', 4]], [Mnemonic.Cmpsq, ['scan', 8]],
] as [Mnemonic, [StringOperation, number]][])

const CANARY_OFFSET = 0x28

let decoderState: { factory: InstructionInfoFactory; instruction: Instruction } | null = null

/** Decodes the instruction at `address`; null when its bytes are unmapped or no instruction. */
export function decodeEffects(memory: MemoryView, address: number): Effects | null {
  const { data, mapped } = memory.peek(address, 15)
  let usable = 0
  while (usable < 15 && mapped[usable]) usable++
  if (usable === 0) return null
  decoderState ??= { factory: new InstructionInfoFactory(), instruction: new Instruction() }
  const { factory, instruction } = decoderState
  const decoder = new Decoder(64, data.subarray(0, usable), DecoderOptions.None)
  try {
    decoder.ip = BigInt(address)
    decoder.decodeOut(instruction)
    if (instruction.code === Code.INVALID) return null
    return analyse(instruction, factory, address)
  } finally {
    decoder.free()
  }
}

interface UsedMemoryEntry {
  ref: MemoryRef
  access: OpAccess
}

function analyse(instruction: Instruction, factory: InstructionInfoFactory, address: number): Effects {
  const info = factory.info(instruction)
  const memory: UsedMemoryEntry[] = []
  const writtenRegisters: RegisterPlace[] = []
  try {
    for (const used of info.usedMemory()) {
      const size = used.memorySize === MemorySize.Unknown ? 0 : MemorySizeExt.size(used.memorySize)
      const segment = used.segment === Register.FS ? 'fs' : used.segment === Register.GS ? 'gs' : null
      memory.push({
        ref: { base: gprNumber(used.base), index: gprNumber(used.index), scale: used.scale, displacement: Number(BigInt.asIntN(64, used.displacement)), segment, size },
        access: used.access,
      })
      used.free()
    }
    for (const used of info.usedRegisters()) {
      const place = registerPlace(used.register)
      if (place && WRITES.has(used.access) && !writtenRegisters.includes(place)) writtenRegisters.push(place)
      used.free()
    }
  } finally {
    info.free()
  }
  const mnemonic = instruction.mnemonic
  const builder = new EffectsBuilder(address, instruction.length, mnemonic)
  for (let n = 0; n < instruction.opCount; n++) builder.operands.push(operandPlace(instruction, n, memory))
  builder.stores = memory.filter((m) => WRITES.has(m.access) && m.ref.size > 0).map((m) => m.ref)
  const operand = (n: number): Place | null => operandPlace(instruction, n, memory)

  const stringOperation = STRING_OPERATIONS.get(mnemonic)
  if (stringOperation && isStringForm(instruction)) {
    const [operation, size] = stringOperation
    builder.string = { operation, size, repeated: instruction.hasRepPrefix || instruction.hasRepePrefix || instruction.hasRepnePrefix }
    builder.stores = operation === 'movs' || operation === 'stos' ? [{ base: RDI, index: -1, scale: 1, displacement: 0, segment: null, size }] : []
    // The pointer and count registers are arithmetic; the data moves are applied element by element.
    for (const register of writtenRegisters) if (register.gpr !== RAX || operation !== 'lods') builder.fill(registerOperand(register), 0, register.written)
    return builder.build()
  }

  const readsCanary = memory.some((m) => m.ref.segment === 'fs' && m.ref.base < 0 && m.ref.index < 0 && m.ref.displacement === CANARY_OFFSET)
  // The prologue loads the canary (mov); the epilogue compares the frame's copy with it (sub, xor, cmp).
  if (readsCanary && mnemonic !== Mnemonic.Mov && instruction.op0Kind === OpKind.Register) {
    const compared = registerPlace(instruction.op0Register)
    if (compared && compared.gpr >= 0) builder.canaryRegister = compared.gpr
  }

  if (mnemonic === Mnemonic.Syscall) {
    builder.syscall = true
    // The CPU writes rcx and r11; the kernel writes the result to rax.
    for (const register of writtenRegisters) builder.fill(registerOperand(register), 0, register.written)
    builder.fill(gprPlace(RAX), 0, 8)
    return builder.build()
  }

  if (FULL_MOVES.has(mnemonic) || EXTENDING_MOVES.has(mnemonic) || CMOVS.has(mnemonic)) {
    const to = operand(0)
    const from = operand(1)
    if (to && from && to.kind !== 'immediate') {
      const toSize = placeSize(to)
      const fromSize = from.kind === 'immediate' ? toSize : placeSize(from)
      const copied = Math.min(toSize, fromSize)
      builder.copy(to, 0, from, 0, copied)
      // movzx/movsx and a 32-bit register write fill the rest with zeros or the sign.
      builder.fill(to, copied, writtenSize(to) - copied)
      if (CMOVS.has(mnemonic)) builder.condition = instruction.conditionCode - 1
      return builder.build()
    }
  }

  if (XMM_ZEROING_MOVES.has(mnemonic) && instruction.opCount === 2) {
    const to = operand(0)
    const from = operand(1)
    if (to && from && to.kind !== 'immediate' && from.kind !== 'immediate') {
      const data = mnemonic === Mnemonic.Movss || mnemonic === Mnemonic.Movd ? 4 : 8
      const copied = Math.min(data, placeSize(to), placeSize(from))
      builder.copy(to, 0, from, 0, copied)
      // movss/movsd between two xmm registers keep the destination's upper bytes; every other form clears them.
      const keepsUpper = (mnemonic === Mnemonic.Movss || mnemonic === Mnemonic.Movsd) && from.kind === 'register' && to.kind === 'register'
      if (!keepsUpper) builder.fill(to, copied, writtenSize(to) - copied)
      return builder.build()
    }
  }

  if (mnemonic === Mnemonic.Movlps || mnemonic === Mnemonic.Movlpd || mnemonic === Mnemonic.Movhps || mnemonic === Mnemonic.Movhpd) {
    const to = operand(0)
    const from = operand(1)
    if (to && from && to.kind !== 'immediate' && from.kind !== 'immediate') {
      const high = mnemonic === Mnemonic.Movhps || mnemonic === Mnemonic.Movhpd ? 8 : 0
      builder.copy(to, to.kind === 'register' ? high : 0, from, from.kind === 'register' ? high : 0, 8)
      return builder.build()
    }
  }

  if (mnemonic === Mnemonic.Movhlps || mnemonic === Mnemonic.Movlhps) {
    const to = operand(0)
    const from = operand(1)
    if (to && from) {
      if (mnemonic === Mnemonic.Movhlps) builder.copy(to, 0, from, 8, 8)
      else builder.copy(to, 8, from, 0, 8)
      return builder.build()
    }
  }

  if (mnemonic === Mnemonic.Push && instruction.opCount === 1) {
    const stack = memory.find((m) => WRITES.has(m.access))
    const from = operand(0)
    if (stack && from && stack.ref.size === 8) {
      builder.copy({ kind: 'memory', memory: stack.ref }, 0, from, 0, 8)
      builder.fill(gprPlace(RSP), 0, 8)
      return builder.build()
    }
  }

  if (mnemonic === Mnemonic.Pop && instruction.opCount === 1 && instruction.op0Kind === OpKind.Register) {
    const stack = memory.find((m) => m.access === OpAccess.Read)
    const to = operand(0)
    if (stack && to && stack.ref.size === 8 && to.kind === 'register' && to.register.size === 8) {
      builder.copy(to, 0, { kind: 'memory', memory: stack.ref }, 0, 8)
      if (to.register.gpr !== RSP) builder.fill(gprPlace(RSP), 0, 8)
      return builder.build()
    }
  }

  if (mnemonic === Mnemonic.Xchg && instruction.opCount === 2) {
    const a = operand(0)
    const b = operand(1)
    if (a && b && a.kind !== 'immediate' && b.kind !== 'immediate') {
      const size = placeSize(a)
      builder.copy(a, 0, b, 0, size)
      builder.copy(b, 0, a, 0, size)
      builder.fill(a, size, writtenSize(a) - size)
      builder.fill(b, size, writtenSize(b) - size)
      return builder.build()
    }
  }

  if (mnemonic === Mnemonic.Leave) {
    const saved = memory.find((m) => m.access === OpAccess.Read)
    if (saved) {
      builder.copy(gprPlace(RBP), 0, { kind: 'memory', memory: saved.ref }, 0, 8)
      builder.fill(gprPlace(RSP), 0, 8)
      return builder.build()
    }
  }

  // Anything else calculates: each register and memory byte it writes gets its own label.
  for (const register of writtenRegisters) builder.fill(registerOperand(register), 0, register.written)
  for (const m of memory) if (WRITES.has(m.access) && m.ref.size > 0) builder.fill({ kind: 'memory', memory: m.ref }, 0, m.ref.size)
  if (mnemonic === Mnemonic.Ret) {
    builder.ret = true
    const slot = memory.find((m) => m.access === OpAccess.Read)
    if (slot) builder.target = { kind: 'memory', memory: slot.ref }
  }
  if (mnemonic === Mnemonic.Call) builder.call = true
  if ((mnemonic === Mnemonic.Jmp || mnemonic === Mnemonic.Call) && instruction.op0Kind !== OpKind.NearBranch64) {
    builder.target = operand(0)
  }
  return builder.build()
}

class EffectsBuilder {
  readonly copies: Copy[] = []
  readonly filled: Filled[] = []
  condition: number | null = null
  string: Effects['string'] = null
  syscall = false
  target: Place | null = null
  call = false
  ret = false
  canaryRegister: number | null = null
  stores: readonly MemoryRef[] = []
  readonly operands: (Place | null)[] = []

  constructor(
    readonly address: number,
    readonly length: number,
    readonly mnemonic: Mnemonic,
  ) {}

  copy(to: Place, toOffset: number, from: Place, fromOffset: number, length: number): void {
    if (length > 0) this.copies.push({ to, toOffset, from, fromOffset, length })
  }

  fill(place: Place, offset: number, length: number): void {
    if (length > 0) this.filled.push({ place, offset, length })
  }

  build(): Effects {
    const gprs = new Set<number>()
    for (const copy of this.copies) if (copy.to.kind === 'register' && copy.to.register.gpr >= 0) gprs.add(copy.to.register.gpr)
    for (const fill of this.filled) if (fill.place.kind === 'register' && fill.place.register.gpr >= 0) gprs.add(fill.place.register.gpr)
    return { ...this, writtenGprs: [...gprs] }
  }
}

function registerOperand(register: RegisterPlace): Place {
  return { kind: 'register', register }
}

function gprPlace(gpr: number): Place {
  return { kind: 'register', register: { slot: gpr * 8, size: 8, written: 8, gpr } }
}

/** string instructions have the implicit [rsi]/[rdi] operands (movsd the SSE move does not). */
function isStringForm(instruction: Instruction): boolean {
  for (let n = 0; n < instruction.opCount; n++) {
    const kind = instruction.opKind(n)
    if (kind === OpKind.MemorySegRSI || kind === OpKind.MemoryESRDI || kind === OpKind.MemorySegRDI) return true
  }
  return false
}

function operandPlace(instruction: Instruction, n: number, memory: readonly UsedMemoryEntry[]): Place | null {
  const kind = instruction.opKind(n)
  if (kind === OpKind.Register) {
    const register = registerPlace(instruction.opRegister(n))
    return register ? { kind: 'register', register } : null
  }
  if (kind === OpKind.Memory) {
    // The explicit memory operand: the one entry that is not the implicit stack slot of push/pop/call.
    const explicit = memory.filter((m) => !(m.ref.base === RSP && instruction.memoryBase !== Register.RSP && instruction.memoryBase !== Register.ESP))
    const entry = explicit[0] ?? memory[0]
    return entry ? { kind: 'memory', memory: entry.ref } : null
  }
  if (kind >= OpKind.Immediate8 && kind <= OpKind.Immediate32to64) return { kind: 'immediate' }
  return null
}

function placeSize(place: Place): number {
  if (place.kind === 'register') return place.register.size
  if (place.kind === 'memory') return place.memory.size
  return 0
}

function writtenSize(place: Place): number {
  if (place.kind === 'register') return place.register.written
  if (place.kind === 'memory') return place.memory.size
  return 0
}
