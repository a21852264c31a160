/**
 * Instruction selection and encoding through iced-x86. Every 64-bit legacy/VEX instruction form
 * iced knows is indexed by mnemonic; an instruction's operands are matched against each form's
 * operand kinds and the shortest encoding wins (ties go to the earliest form, which gives the
 * same choices as GNU as and NASM: `mov rax, rbx` = 48 89 d8, `add rax, 1` = 48 83 c0 01).
 */
import { Code, CodeExt, EncodingKind, Encoder, Instruction, MemoryOperand, MemorySizeExt, Mnemonic, OpCodeOperandKind, Register, RepPrefixKind } from 'iced-x86'
import type { RelocationKind, SectionName } from './object'
import type { RegisterInfo } from './registers'

export class EncodeError extends Error {
  constructor(
    message: string,
    readonly column?: number,
  ) {
    super(message)
  }
}

/** A relocatable value: `base + addend`, optionally minus the start of `negatedSection`. */
export interface Value {
  readonly base?: ValueBase
  readonly negatedSection?: SectionName
  readonly addend: bigint
  /** The value depends on a label not placed yet (first layout pass). */
  readonly unknown: boolean
}

export type ValueBase = { readonly kind: 'section'; readonly section: SectionName } | { readonly kind: 'symbol'; readonly name: string }

export type ResolvedOperand =
  | { readonly kind: 'register'; readonly info: RegisterInfo; readonly column: number }
  | {
      readonly kind: 'memory'
      readonly size: number
      readonly segment: Register
      readonly base: Register
      readonly index: Register
      readonly scale: number
      readonly displacement: Value
      /** With base rip: true when `displacement` is the target address (`[rel label]`), false
       *  when it is the displacement itself (`[rip + 0x10]`). */
      readonly ripTarget: boolean
      readonly column: number
    }
  | { readonly kind: 'immediate'; readonly size: number; readonly value: Value; readonly column: number; readonly branchHint?: 'short' | 'near' }

export interface EncodeRequest {
  readonly mnemonic: string
  readonly prefixes: readonly string[]
  readonly operands: readonly ResolvedOperand[]
  /** Address of the instruction (section offset in objects, absolute for single lines). */
  readonly ip: bigint
  readonly section: SectionName
  /** Relaxation state: this branch must use its long form. */
  readonly forceLongBranch: boolean
  /** Branch/RIP targets given as plain numbers are absolute addresses (single-line mode). */
  readonly absoluteTargets: boolean
}

export interface EncodedFixup {
  readonly offset: number
  readonly kind: RelocationKind
  readonly base: ValueBase
  readonly addend: bigint
}

export interface EncodeResult {
  readonly bytes: Uint8Array
  readonly fixups: readonly EncodedFixup[]
  /** The short branch form did not reach; the caller must re-layout with the long form. */
  readonly needsLongBranch: boolean
}

// ---------------------------------------------------------------------------------------------
// The form table
// ---------------------------------------------------------------------------------------------

type OperandClass =
  | { readonly kind: 'register'; readonly registerKind: RegisterInfo['kind']; readonly size: number; readonly memory: boolean }
  | { readonly kind: 'fixedRegister'; readonly register: Register }
  | { readonly kind: 'memory' }
  | { readonly kind: 'immediate'; readonly bits: 8 | 16 | 32 | 64; readonly signExtendTo: number; readonly constOne: boolean }
  | { readonly kind: 'branch'; readonly bytes: 1 | 4 }

interface Form {
  readonly code: Code
  readonly operands: readonly OperandClass[]
  readonly memorySize: number
  readonly operandSize: number
}

const FIXED_REGISTERS = new Map<string, Register>(Object.entries({
  es: Register.ES,
  cs: Register.CS,
  ss: Register.SS,
  ds: Register.DS,
  fs: Register.FS,
  gs: Register.GS,
  al: Register.AL,
  cl: Register.CL,
  ax: Register.AX,
  dx: Register.DX,
  eax: Register.EAX,
  rax: Register.RAX,
  st0: Register.ST0,
}))

function classifyOperandKind(name: string, operandSize: number): OperandClass | undefined {
  const fixed = FIXED_REGISTERS.get(name)
  if (fixed !== undefined) return { kind: 'fixedRegister', register: fixed }
  const memory = name.includes('or_mem')
  const gpr = /^r(8|16|32|64)_/.exec(name)
  if (gpr !== null) return { kind: 'register', registerKind: 'gpr', size: Number(gpr[1]) / 8, memory }
  const vector = /^(xmm|ymm|zmm|mm|k|kp1|bnd|tmm)(p3)?_/.exec(name)
  if (vector !== null) {
    const registerKind = ({ xmm: 'xmm', ymm: 'ymm', zmm: 'zmm', mm: 'mmx', k: 'mask', kp1: 'mask', bnd: 'bound', tmm: 'tile' } as const)[vector[1] as 'xmm']
    return { kind: 'register', registerKind, size: 0, memory }
  }
  switch (name) {
    case 'seg_reg':
      return { kind: 'register', registerKind: 'segment', size: 0, memory: false }
    case 'cr_reg':
      return { kind: 'register', registerKind: 'control', size: 0, memory: false }
    case 'dr_reg':
      return { kind: 'register', registerKind: 'debug', size: 0, memory: false }
    case 'tr_reg':
      return { kind: 'register', registerKind: 'test', size: 0, memory: false }
    case 'sti_opcode':
      return { kind: 'register', registerKind: 'fpu', size: 0, memory: false }
    case 'mem':
    case 'mem_mpx':
    case 'mem_mib':
    case 'sibmem':
      return { kind: 'memory' }
    case 'imm8':
      return { kind: 'immediate', bits: 8, signExtendTo: 0, constOne: false }
    case 'imm8_const_1':
      return { kind: 'immediate', bits: 8, signExtendTo: 0, constOne: true }
    case 'imm8sex16':
      return { kind: 'immediate', bits: 8, signExtendTo: 16, constOne: false }
    case 'imm8sex32':
      return { kind: 'immediate', bits: 8, signExtendTo: 32, constOne: false }
    case 'imm8sex64':
      return { kind: 'immediate', bits: 8, signExtendTo: 64, constOne: false }
    case 'imm16':
      return { kind: 'immediate', bits: 16, signExtendTo: 0, constOne: false }
    case 'imm32':
      return { kind: 'immediate', bits: 32, signExtendTo: operandSize === 64 ? 64 : 0, constOne: false }
    case 'imm32sex64':
      return { kind: 'immediate', bits: 32, signExtendTo: 64, constOne: false }
    case 'imm64':
      return { kind: 'immediate', bits: 64, signExtendTo: 0, constOne: false }
    case 'br64_1':
      return { kind: 'branch', bytes: 1 }
    case 'br64_4':
    case 'xbegin_4':
      return { kind: 'branch', bytes: 4 }
  }
  return undefined
}

/**
 * Code numbers grouped by a key read from their enum name (`Add_rm8_r8` → add, `VEX_Vaddps_…` →
 * vaddps). The key is iced's mnemonic, or a prefix of it, or has it as a prefix (`Pushq_imm32` →
 * pushq for push, `Xlat_m8` → xlat for xlatb; nameKeyMayName says which, and
 * tests/unit/toolchain/asm checks every code), so
 * the forms of one mnemonic are found without asking iced about all ~4,900 codes: that scan took
 * most of the first assembly's time.
 */
let codesByNameKey: Map<string, number[]> | undefined

/** The grouping key of a Code enum name (exported for the test of the invariant above). */
export function codeNameKey(codeName: string): string {
  // Prefetchreserved3_m8 is prefetchw: 'reserved' names keep only their stem.
  return (codeName.replace(/^(?:VEX_KNC|VEX|EVEX|XOP|D3NOW|MVEX|Via)_/, '').split('_')[0] ?? '').toLowerCase().replace(/reserved\d*$/, '')
}

/** Operand sizes iced writes after a mnemonic in a Code name (`Nopw`, `Retnq`). */
const SIZE_SUFFIXES = ['', 'w', 'd', 'q', 'nw', 'nd', 'nq']

/**
 * Whether codes whose name key is `key` may be forms of `mnemonic`. A longer key only when iced
 * spells an operand size after the mnemonic (`Pushq_imm32`, `Nopw_rm16`, `Retnq_imm16`); a
 * shorter one only for a trailing b or w or an `_suffix` (`Xlat_m8` for xlatb, `Prefetchreserved3`
 * for prefetchw, `Xstore` for xstore_alt). Other related keys are other instructions (`movsx`,
 * `addps` for mov, add): skipping them halves the codes iced is asked about on a mnemonic's first
 * use. Exported for the test that checks it over all of iced's codes.
 */
export function nameKeyMayName(key: string, mnemonic: string): boolean {
  if (key.startsWith(mnemonic)) return SIZE_SUFFIXES.includes(key.slice(mnemonic.length))
  if (!mnemonic.startsWith(key)) return false
  const rest = mnemonic.slice(key.length)
  return rest === 'b' || rest === 'w' || rest.startsWith('_')
}

/** The name keys nameKeyMayName accepts for `mnemonic`, looked up directly rather than by
 *  testing each of the ~1,900 keys. */
function nameKeysOf(mnemonic: string): string[] {
  const keys = SIZE_SUFFIXES.map((size) => mnemonic + size)
  for (let length = 1; length < mnemonic.length; length++) {
    const key = mnemonic.slice(0, length)
    if (nameKeyMayName(key, mnemonic)) keys.push(key)
  }
  return keys
}

function codeGroups(): Map<string, number[]> {
  if (codesByNameKey !== undefined) return codesByNameKey
  const groups = new Map<string, number[]>()
  for (const [name, code] of Object.entries(Code)) {
    if (typeof code !== 'number') continue
    const key = codeNameKey(name)
    const group = groups.get(key)
    if (group === undefined) groups.set(key, [code])
    else group.push(code)
  }
  codesByNameKey = groups
  return groups
}

const formTable = new Map<string, Form[]>()

/** Every 64-bit legacy or VEX form of `mnemonic` (iced's name, lower case), in Code order. */
function formsOf(mnemonic: string): Form[] {
  let list = formTable.get(mnemonic)
  if (list !== undefined) return list
  const candidates: number[] = []
  const groups = codeGroups()
  for (const key of nameKeysOf(mnemonic)) candidates.push(...(groups.get(key) ?? []))
  candidates.sort((a, b) => a - b)
  list = []
  for (const code of candidates) {
    const form = formOf(code, mnemonic)
    if (form !== undefined) list.push(form)
  }
  formTable.set(mnemonic, list)
  return list
}

/** The form of `code` when it is a usable 64-bit legacy or VEX instruction named `mnemonic`. */
function formOf(code: number, mnemonic: string): Form | undefined {
  const info = CodeExt.opCode(code)
  try {
    if (!info.mode64 || !info.isInstruction) return undefined
    if (info.encoding !== EncodingKind.Legacy && info.encoding !== EncodingKind.VEX) return undefined
    if (((Mnemonic as unknown as Record<number, string>)[info.mnemonic] ?? '').toLowerCase() !== mnemonic) return undefined
    const operands: OperandClass[] = []
    for (let i = 0; i < info.opCount; i++) {
      const operand = classifyOperandKind((OpCodeOperandKind as unknown as Record<number, string>)[info.opKind(i)] ?? '', info.operandSize)
      if (operand === undefined) return undefined
      operands.push(operand)
    }
    return { code, operands, memorySize: MemorySizeExt.size(info.memorySize), operandSize: info.operandSize }
  } finally {
    info.free()
  }
}

const CONDITION_ALIASES = new Map<string, string>(Object.entries({
  z: 'e',
  nz: 'ne',
  c: 'b',
  nae: 'b',
  nc: 'ae',
  nb: 'ae',
  na: 'be',
  nbe: 'a',
  nge: 'l',
  nl: 'ge',
  ng: 'le',
  nle: 'g',
  pe: 'p',
  po: 'np',
}))

const MNEMONIC_ALIASES = new Map<string, string>(Object.entries({
  sal: 'shl',
  movabs: 'mov',
  pushf: 'pushfq',
  popf: 'popfq',
  retq: 'ret',
  leaveq: 'leave',
  callq: 'call',
  jmpq: 'jmp',
  cwtl: 'cwde',
  cltq: 'cdqe',
  cqto: 'cqo',
  cltd: 'cdq',
  iret: 'iretq',
}))

export function canonicalMnemonic(mnemonic: string): string {
  const alias = MNEMONIC_ALIASES.get(mnemonic)
  if (alias !== undefined) return alias
  for (const prefix of ['j', 'set', 'cmov']) {
    if (mnemonic.startsWith(prefix)) {
      const condition = CONDITION_ALIASES.get(mnemonic.slice(prefix.length))
      if (condition !== undefined) return prefix + condition
    }
  }
  return mnemonic
}

export function isKnownMnemonic(mnemonic: string): boolean {
  const canonical = canonicalMnemonic(mnemonic)
  return formsOf(canonical).length > 0 || STRING_INSTRUCTIONS.get(canonical) !== undefined || PREFIX_BYTES.get(canonical) !== undefined
}

// ---------------------------------------------------------------------------------------------
// String instructions (implicit rsi/rdi operands) and lone prefixes
// ---------------------------------------------------------------------------------------------

type StringCreator = (repeat: RepPrefixKind) => Instruction
const STRING_INSTRUCTIONS = new Map<string, StringCreator>(Object.entries({
  movsb: (rep) => Instruction.createMovsb(64, Register.None, rep),
  movsw: (rep) => Instruction.createMovsw(64, Register.None, rep),
  movsd: (rep) => Instruction.createMovsd(64, Register.None, rep),
  movsq: (rep) => Instruction.createMovsq(64, Register.None, rep),
  stosb: (rep) => Instruction.createStosb(64, rep),
  stosw: (rep) => Instruction.createStosw(64, rep),
  stosd: (rep) => Instruction.createStosd(64, rep),
  stosq: (rep) => Instruction.createStosq(64, rep),
  lodsb: (rep) => Instruction.createLodsb(64, Register.None, rep),
  lodsw: (rep) => Instruction.createLodsw(64, Register.None, rep),
  lodsd: (rep) => Instruction.createLodsd(64, Register.None, rep),
  lodsq: (rep) => Instruction.createLodsq(64, Register.None, rep),
  scasb: (rep) => Instruction.createScasb(64, rep),
  scasw: (rep) => Instruction.createScasw(64, rep),
  scasd: (rep) => Instruction.createScasd(64, rep),
  scasq: (rep) => Instruction.createScasq(64, rep),
  cmpsb: (rep) => Instruction.createCmpsb(64, Register.None, rep),
  cmpsw: (rep) => Instruction.createCmpsw(64, Register.None, rep),
  cmpsd: (rep) => Instruction.createCmpsd(64, Register.None, rep),
  cmpsq: (rep) => Instruction.createCmpsq(64, Register.None, rep),
}))

const PREFIX_BYTES = new Map<string, number>(Object.entries({ lock: 0xf0, rep: 0xf3, repe: 0xf3, repz: 0xf3, repne: 0xf2, repnz: 0xf2 }))

function repeatKind(prefixes: readonly string[]): RepPrefixKind {
  if (prefixes.some((p) => p === 'repne' || p === 'repnz')) return RepPrefixKind.Repne
  if (prefixes.some((p) => p === 'rep' || p === 'repe' || p === 'repz')) return RepPrefixKind.Repe
  return RepPrefixKind.None
}

// ---------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------

const TWO_64 = 1n << 64n

/** Normalise `value` to a two's-complement number of `bits`, or undefined if it does not fit
 *  either as signed or unsigned. */
function wrap(value: bigint, bits: number): bigint | undefined {
  const limit = 1n << BigInt(bits)
  if (value < -(limit >> 1n) || value >= limit) {
    // 64-bit constants written as large unsigned numbers still wrap at 64 bits.
    if (bits === 64 || value < TWO_64 - limit || value >= TWO_64) return undefined
    value -= TWO_64
  }
  return value < 0n ? value + limit : value
}

function signed(value: bigint, bits: number): bigint {
  const half = 1n << BigInt(bits - 1)
  return value >= half ? value - (half << 1n) : value
}

function isRelocatable(value: Value): boolean {
  return value.base !== undefined || value.negatedSection !== undefined || value.unknown
}

/** The immediate to hand iced for `form`, or undefined if `value` does not fit. */
function immediateFor(operand: OperandClass & { kind: 'immediate' }, value: Value): bigint | undefined {
  if (isRelocatable(value)) return operand.bits >= 32 && !operand.constOne ? 0n : undefined
  const raw = value.addend
  if (operand.constOne) return raw === 1n ? 1n : undefined
  if (operand.signExtendTo > 0) {
    const wrapped = wrap(raw, operand.signExtendTo)
    if (wrapped === undefined) return undefined
    const asSigned = signed(wrapped, operand.signExtendTo)
    const half = 1n << BigInt(operand.bits - 1)
    return asSigned >= -half && asSigned < half ? asSigned : undefined
  }
  return wrap(raw, operand.bits)
}

function operandMatches(operand: ResolvedOperand, form: OperandClass, impliedMemorySize: number, formMemorySize: number): boolean {
  switch (operand.kind) {
    case 'register':
      if (form.kind === 'fixedRegister') return form.register === operand.info.register
      if (form.kind !== 'register' || form.registerKind !== operand.info.kind) return false
      return form.registerKind !== 'gpr' || form.size === operand.info.size
    case 'memory':
      if (form.kind === 'memory') return operand.size === 0 || formMemorySize === 0 || operand.size === formMemorySize
      if (form.kind !== 'register' || !form.memory) return false
      return impliedMemorySize === 0 || formMemorySize === 0 || impliedMemorySize === formMemorySize
    case 'immediate':
      if (form.kind === 'branch') return true
      return form.kind === 'immediate' && immediateFor(form, operand.value) !== undefined
  }
}

// ---------------------------------------------------------------------------------------------
// Encoding
// ---------------------------------------------------------------------------------------------

let encoder: Encoder | undefined

function encodeOne(instruction: Instruction, ip: bigint): { bytes: Uint8Array; displacementOffset: number; immediateOffset: number } {
  encoder ??= new Encoder(64)
  try {
    encoder.encode(instruction, ip)
  } catch (error) {
    encoder.takeBuffer()
    throw new EncodeError(icedMessage(error))
  }
  const bytes = encoder.takeBuffer()
  const offsets = encoder.getConstantOffsets()
  const result = {
    bytes,
    displacementOffset: offsets.hasDisplacement ? offsets.displacementOffset : -1,
    immediateOffset: offsets.hasImmediate ? offsets.immediateOffset : -1,
  }
  offsets.free()
  return result
}

function icedMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error)
  return text.replace(/\s*\(.*\)$/, '')
}

function memoryOperand(operand: ResolvedOperand & { kind: 'memory' }, request: EncodeRequest, instructionLength: number): MemoryOperand {
  const value = operand.displacement
  if (operand.base === Register.RIP && !operand.ripTarget && !isRelocatable(value)) {
    const target = request.ip + BigInt(instructionLength) + value.addend
    return MemoryOperand.new64(Register.RIP, Register.None, 1, target, 8, false, operand.segment)
  }
  if (operand.base === Register.RIP) {
    // iced takes the absolute target and computes the displacement from the next instruction.
    const known = !isRelocatable(value) || (value.base?.kind === 'section' && value.base.section === request.section && value.negatedSection === undefined && !value.unknown)
    const target = known ? value.addend : request.ip
    return MemoryOperand.new64(Register.RIP, Register.None, 1, target, 8, false, operand.segment)
  }
  if (isRelocatable(value)) return MemoryOperand.new64(operand.base, operand.index, operand.scale, 0n, 8, false, operand.segment)
  const displacement = wrap(value.addend, 64)
  if (displacement === undefined) throw new EncodeError('displacement out of range', operand.column)
  const asSigned = signed(displacement, 64)
  if (operand.base === Register.None && operand.index === Register.None) {
    if (asSigned < -(1n << 31n) || asSigned >= 1n << 31n) throw new EncodeError('absolute address does not fit in 32 bits', operand.column)
    return MemoryOperand.new64(Register.None, Register.None, 1, asSigned, 8, false, operand.segment)
  }
  if (asSigned < -(1n << 31n) || asSigned >= 1n << 31n) throw new EncodeError('displacement does not fit in 32 bits', operand.column)
  return MemoryOperand.new64(operand.base, operand.index, operand.scale, asSigned, asSigned === 0n ? 0 : 1, false, operand.segment)
}

/** Build the iced instruction for `form` with the operands (immediates already validated). */
function createInstruction(form: Form, request: EncodeRequest, branchTarget: bigint, instructionLength: number): Instruction {
  const shape = request.operands.map((operand) => (operand.kind === 'register' ? 'R' : operand.kind === 'memory' ? 'M' : 'I')).join('')
  const registers: Register[] = []
  let memory: MemoryOperand | undefined
  const immediates: bigint[] = []
  request.operands.forEach((operand, i) => {
    const formOperand = form.operands[i] as OperandClass
    if (operand.kind === 'register') registers.push(operand.info.register)
    else if (operand.kind === 'memory') memory = memoryOperand(operand, request, instructionLength)
    else if (formOperand.kind === 'immediate') immediates.push(immediateFor(formOperand, operand.value) as bigint)
  })
  if (form.operands.some((operand) => operand.kind === 'branch')) return Instruction.createBranch(form.code, branchTarget)
  const imm = (i: number): number => Number(immediates[i] as bigint)
  const useSigned = immediates.every((value) => value < 0n)
  const [r0, r1, r2, r3] = registers as [Register, Register, Register, Register]
  const mem = memory as MemoryOperand
  const wide = immediates[0] !== undefined && (immediates[0] >= 1n << 32n || immediates[0] < -(1n << 31n))
  switch (shape) {
    case '':
      return Instruction.create(form.code)
    case 'R':
      return Instruction.createReg(form.code, r0)
    case 'M':
      return Instruction.createMem(form.code, mem)
    case 'I':
      return useSigned ? Instruction.createI32(form.code, imm(0)) : Instruction.createU32(form.code, imm(0))
    case 'RR':
      return Instruction.createRegReg(form.code, r0, r1)
    case 'RM':
      return Instruction.createRegMem(form.code, r0, mem)
    case 'MR':
      return Instruction.createMemReg(form.code, mem, r0)
    case 'RI':
      if (wide) return (immediates[0] as bigint) < 0n ? Instruction.createRegI64(form.code, r0, immediates[0] as bigint) : Instruction.createRegU64(form.code, r0, immediates[0] as bigint)
      return useSigned ? Instruction.createRegI32(form.code, r0, imm(0)) : Instruction.createRegU32(form.code, r0, imm(0))
    case 'IR':
      return Instruction.createU32Reg(form.code, imm(0), r0)
    case 'MI':
      return useSigned ? Instruction.createMemI32(form.code, mem, imm(0)) : Instruction.createMemU32(form.code, mem, imm(0))
    case 'II':
      return Instruction.createU32U32(form.code, imm(0), imm(1))
    case 'RRR':
      return Instruction.createRegRegReg(form.code, r0, r1, r2)
    case 'RRM':
      return Instruction.createRegRegMem(form.code, r0, r1, mem)
    case 'RRI':
      return useSigned ? Instruction.createRegRegI32(form.code, r0, r1, imm(0)) : Instruction.createRegRegU32(form.code, r0, r1, imm(0))
    case 'RMI':
      return useSigned ? Instruction.createRegMemI32(form.code, r0, mem, imm(0)) : Instruction.createRegMemU32(form.code, r0, mem, imm(0))
    case 'MRI':
      return useSigned ? Instruction.createMemRegI32(form.code, mem, r0, imm(0)) : Instruction.createMemRegU32(form.code, mem, r0, imm(0))
    case 'MRR':
      return Instruction.createMemRegReg(form.code, mem, r0, r1)
    case 'RMR':
      return Instruction.createRegMemReg(form.code, r0, mem, r1)
    case 'RII':
      return Instruction.createRegU32U32(form.code, r0, imm(0), imm(1))
    case 'RRRR':
      return Instruction.createRegRegRegReg(form.code, r0, r1, r2, r3)
    case 'RRRI':
      return Instruction.createRegRegRegU32(form.code, r0, r1, r2, imm(0))
    case 'RRMR':
      return Instruction.createRegRegMemReg(form.code, r0, r1, mem, r2)
    case 'RRRM':
      return Instruction.createRegRegRegMem(form.code, r0, r1, r2, mem)
    case 'RRMI':
      return Instruction.createRegRegMemU32(form.code, r0, r1, mem, imm(0))
  }
  throw new EncodeError('unsupported operand combination')
}

function applyPrefixes(instruction: Instruction, prefixes: readonly string[]): void {
  for (const prefix of prefixes) {
    if (prefix === 'lock') instruction.hasLockPrefix = true
    else if (prefix === 'rep' || prefix === 'repe' || prefix === 'repz') instruction.hasRepePrefix = true
    else instruction.hasRepnePrefix = true
  }
}

function branchInfo(request: EncodeRequest): { target: bigint; external?: Value } {
  const operand = request.operands.find((o) => o.kind === 'immediate')
  if (operand === undefined || operand.kind !== 'immediate') return { target: request.ip }
  const value = operand.value
  if (!isRelocatable(value)) {
    if (!request.absoluteTargets) throw new EncodeError('a branch to a numeric address needs a label in an object file', operand.column)
    return { target: value.addend }
  }
  if (value.unknown) return { target: request.ip }
  if (value.base?.kind === 'section' && value.base.section === request.section && value.negatedSection === undefined) return { target: value.addend }
  return { target: request.ip, external: value }
}

function encodeStringInstruction(request: EncodeRequest): EncodeResult | undefined {
  const creator = STRING_INSTRUCTIONS.get(request.mnemonic)
  if (creator === undefined || request.operands.length !== 0) return undefined
  const instruction = creator(repeatKind(request.prefixes))
  try {
    if (request.prefixes.includes('lock')) instruction.hasLockPrefix = true
    return { bytes: encodeOne(instruction, request.ip).bytes, fixups: [], needsLongBranch: false }
  } finally {
    instruction.free()
  }
}

/** Encode one instruction. Throws EncodeError for impossible operand combinations. */
/**
 * Encodings of position-independent instructions (no branch, no RIP-relative operand): -O0 code
 * repeats the same few hundred instructions, so most lines are found here.
 */
const encodedCache = new Map<string, EncodeResult>()
const ENCODED_CACHE_LIMIT = 1 << 16

function valueKey(value: Value): string {
  const base = value.base === undefined ? '' : value.base.kind === 'section' ? value.base.section : `@${value.base.name}`
  return `${base}~${value.negatedSection ?? ''}~${value.addend}~${value.unknown ? 1 : 0}`
}

function requestKey(request: EncodeRequest): string | undefined {
  let key = `${request.mnemonic} ${request.prefixes.join(' ')}`
  for (const operand of request.operands) {
    if (operand.kind === 'register') key += `|${operand.info.name}`
    else if (operand.kind === 'memory') {
      if (operand.base === Register.RIP) return undefined
      key += `|m${operand.size}:${operand.segment}:${operand.base}:${operand.index}:${operand.scale}:${valueKey(operand.displacement)}`
    } else key += `|i${operand.size}:${operand.branchHint ?? ''}:${valueKey(operand.value)}`
  }
  return key
}

const BRANCH_MNEMONICS = /^(j|call|loop|xbegin)/

export function encodeInstruction(request: EncodeRequest): EncodeResult {
  const mnemonic = canonicalMnemonic(request.mnemonic)
  const normalized = { ...request, mnemonic }
  if (BRANCH_MNEMONICS.test(mnemonic)) return encodeUncached(normalized)
  const key = requestKey(normalized)
  if (key === undefined) return encodeRipRelative(normalized) ?? encodeUncached(normalized)
  const cached = encodedCache.get(key)
  if (cached !== undefined) return cached
  const result = encodeUncached(normalized)
  if (encodedCache.size >= ENCODED_CACHE_LIMIT) encodedCache.clear()
  encodedCache.set(key, result)
  return result
}

/**
 * Instructions with one `[rel label]` operand (and no other label) encode to the same bytes
 * whatever the label, except the 32-bit displacement: -O0 code loads every global and string
 * that way. The bytes are encoded once per shape, with the displacement field at zero.
 */
interface RipTemplate {
  readonly bytes: Uint8Array
  readonly displacementOffset: number
}

const ripTemplates = new Map<string, RipTemplate | null>()
const TEMPLATE_TARGET: ValueBase = { kind: 'symbol', name: '' }

function ripTemplateKey(request: EncodeRequest): string | undefined {
  let key = `${request.mnemonic} ${request.prefixes.join(' ')}`
  let ripOperands = 0
  for (const operand of request.operands) {
    if (operand.kind === 'register') key += `|${operand.info.name}`
    else if (operand.kind === 'memory') {
      if (operand.base !== Register.RIP || !operand.ripTarget || !isRelocatable(operand.displacement) || operand.displacement.negatedSection !== undefined) return undefined
      key += `|r${operand.size}:${operand.segment}`
      ripOperands++
    } else {
      if (isRelocatable(operand.value)) return undefined
      key += `|i${operand.size}:${operand.branchHint ?? ''}:${operand.value.addend}`
    }
  }
  return ripOperands === 1 ? key : undefined
}

function encodeRipRelative(request: EncodeRequest): EncodeResult | undefined {
  const key = ripTemplateKey(request)
  if (key === undefined) return undefined
  let template = ripTemplates.get(key)
  if (template === undefined) {
    // Encode against an external symbol: the field is left at zero with a pc32 fixup on it.
    const probe = request.operands.map((operand) => (operand.kind === 'memory' ? { ...operand, displacement: { base: TEMPLATE_TARGET, addend: 0n, unknown: false } } : operand))
    const encoded = encodeUncached({ ...request, operands: probe })
    const fixup = encoded.fixups[0]
    template = encoded.fixups.length === 1 && fixup?.kind === 'pc32' ? { bytes: encoded.bytes, displacementOffset: fixup.offset } : null
    if (ripTemplates.size >= ENCODED_CACHE_LIMIT) ripTemplates.clear()
    ripTemplates.set(key, template)
  }
  if (template === null) return undefined
  const memory = request.operands.find((operand) => operand.kind === 'memory') as ResolvedOperand & { kind: 'memory' }
  const value = memory.displacement
  const bytes = template.bytes.slice()
  const end = BigInt(bytes.length)
  if (value.base?.kind === 'section' && value.base.section === request.section) {
    // A label of this section: the displacement is known (before the labels are placed, the
    // target is taken to be the instruction itself, as memoryOperand does).
    const displacement = (value.unknown ? request.ip : value.addend) - (request.ip + end)
    if (displacement < -(1n << 31n) || displacement >= 1n << 31n) return undefined
    new DataView(bytes.buffer).setInt32(template.displacementOffset, Number(displacement), true)
    return { bytes, fixups: [], needsLongBranch: false }
  }
  const addend = value.addend - (end - BigInt(template.displacementOffset))
  return { bytes, fixups: [{ offset: template.displacementOffset, kind: 'pc32', base: relocationBase(value, memory.column), addend }], needsLongBranch: false }
}

function encodeUncached(normalized: EncodeRequest): EncodeResult {
  const request = normalized
  const mnemonic = normalized.mnemonic
  const stringResult = encodeStringInstruction(normalized)
  if (stringResult !== undefined) return stringResult
  const prefixByte = PREFIX_BYTES.get(mnemonic)
  if (prefixByte !== undefined && request.operands.length === 0) return { bytes: Uint8Array.of(prefixByte), fixups: [], needsLongBranch: false }
  let candidates = matchForms(mnemonic, normalized)
  // xchg and test are symmetric; iced lists one operand order (xchg r64, rax = 90+r).
  if ((mnemonic === 'xchg' || mnemonic === 'test') && request.operands.length === 2) {
    const swapped = { ...normalized, operands: [request.operands[1], request.operands[0]] as ResolvedOperand[] }
    const swappedCandidates = matchForms(mnemonic, swapped)
    if (swappedCandidates.length > 0) {
      const direct = candidates.length > 0 ? encodeShortest(candidates, normalized) : undefined
      const reversed = encodeShortest(swappedCandidates, swapped)
      return direct === undefined || reversed.bytes.length < direct.bytes.length ? reversed : direct
    }
  }
  // gcc and GNU as write `movsx r64, r/m32` for movsxd.
  if (candidates.length === 0 && mnemonic === 'movsx') candidates = matchForms('movsxd', normalized)
  if (candidates.length === 0) {
    if (formsOf(mnemonic).length === 0) throw new EncodeError(`unknown instruction '${request.mnemonic}'`)
    throw new EncodeError(`invalid combination of opcode and operands for '${request.mnemonic}'`)
  }
  const memory = request.operands.find((operand) => operand.kind === 'memory')
  if (memory !== undefined && memory.size === 0 && impliedSize(request) === 0) {
    const sizes = new Set(candidates.map((form) => form.memorySize))
    if (sizes.size > 1) throw new EncodeError('operation size not specified', memory.column)
  }
  const isBranch = candidates.some((form) => form.operands.some((operand) => operand.kind === 'branch'))
  if (isBranch) return encodeBranch(candidates, normalized)
  return encodeShortest(candidates, normalized)
}

function impliedSize(request: EncodeRequest): number {
  for (const operand of request.operands) {
    if (operand.kind === 'memory' && operand.size !== 0) return operand.size
    if (operand.kind === 'immediate' && operand.size !== 0) return operand.size
  }
  return 0
}

/** Matching depends only on the operand shape, so it is computed once per shape. */
const matchedForms = new Map<string, Form[]>()

function matchForms(mnemonic: string, request: EncodeRequest): Form[] {
  const key = shapeKey({ ...request, mnemonic })
  let matched = matchedForms.get(key)
  if (matched === undefined) {
    matched = matchFormsUncached(mnemonic, request)
    matchedForms.set(key, matched)
  }
  return matched
}

function matchFormsUncached(mnemonic: string, request: EncodeRequest): Form[] {
  const list = formsOf(mnemonic)
  const implied = impliedSize(request)
  // 16-bit operand-size forms (push imm16, ret imm16 with 66h) only when an operand is 16-bit.
  const wordSized = implied === 2 || request.operands.some((operand) => operand.kind === 'register' && operand.info.kind === 'gpr' && operand.info.size === 2)
  return list.filter(
    (form) => (form.operandSize !== 16 || wordSized) && form.operands.length === request.operands.length && request.operands.every((operand, i) => operandMatches(operand, form.operands[i] as OperandClass, implied, form.memorySize)),
  )
}

/** The winning form per operand shape: the choice depends only on mnemonic, registers, memory
 *  sizes and which immediate encodings a value fits, so later instructions encode just once. */
const chosenForms = new Map<string, Form>()

const IMMEDIATE_PROBES: readonly (OperandClass & { kind: 'immediate' })[] = [
  { kind: 'immediate', bits: 8, signExtendTo: 0, constOne: true },
  { kind: 'immediate', bits: 8, signExtendTo: 0, constOne: false },
  { kind: 'immediate', bits: 8, signExtendTo: 16, constOne: false },
  { kind: 'immediate', bits: 8, signExtendTo: 32, constOne: false },
  { kind: 'immediate', bits: 8, signExtendTo: 64, constOne: false },
  { kind: 'immediate', bits: 16, signExtendTo: 0, constOne: false },
  { kind: 'immediate', bits: 32, signExtendTo: 0, constOne: false },
  { kind: 'immediate', bits: 32, signExtendTo: 64, constOne: false },
  { kind: 'immediate', bits: 64, signExtendTo: 0, constOne: false },
]

function shapeKey(request: EncodeRequest): string {
  const parts = request.operands.map((operand) => {
    if (operand.kind === 'register') return operand.info.name
    if (operand.kind === 'memory') return `m${operand.size}`
    if (isRelocatable(operand.value)) return `i${operand.size}R`
    return `i${operand.size}:` + IMMEDIATE_PROBES.map((probe) => (immediateFor(probe, operand.value) === undefined ? '0' : '1')).join('')
  })
  return `${request.mnemonic} ${request.prefixes.join(' ')}|${parts.join(',')}`
}

function encodeWithForm(form: Form, request: EncodeRequest): ReturnType<typeof encodeOne> {
  const encoded = encodeForm(form, request, 0)
  // `[rip + n]`: the displacement is relative to the end of the instruction, so encode again
  // once the length is known (the length does not depend on the displacement).
  return hasRipDisplacement(request) ? encodeForm(form, request, encoded.bytes.length) : encoded
}

function encodeShortest(candidates: readonly Form[], request: EncodeRequest): EncodeResult {
  const key = shapeKey(request)
  const cached = chosenForms.get(key)
  if (cached !== undefined) {
    try {
      const encoded = encodeWithForm(cached, request)
      return { bytes: encoded.bytes, fixups: fixupsFor(cached, encoded, request), needsLongBranch: false }
    } catch (error) {
      if (!(error instanceof EncodeError)) throw error
    }
  }
  const relocatableImmediate = request.operands.some((operand) => operand.kind === 'immediate' && isRelocatable(operand.value))
  let best: { form: Form; encoded: ReturnType<typeof encodeOne> } | undefined
  let lastError: EncodeError | undefined
  for (const form of candidates) {
    let encoded: ReturnType<typeof encodeOne>
    try {
      encoded = encodeWithForm(form, request)
      // NASM gives `mov r64, label` the full 64-bit immediate, so the address is never truncated.
      const preferred = relocatableImmediate && form.operands.some((operand) => operand.kind === 'immediate' && operand.bits === 64)
      if (best === undefined || encoded.bytes.length < best.encoded.bytes.length || preferred) best = { form, encoded }
      if (preferred) break
    } catch (error) {
      if (!(error instanceof EncodeError)) throw error
      lastError = error
    }
  }
  if (best === undefined) throw lastError ?? new EncodeError(`cannot encode '${request.mnemonic}'`)
  chosenForms.set(key, best.form)
  return { bytes: best.encoded.bytes, fixups: fixupsFor(best.form, best.encoded, request), needsLongBranch: false }
}

function encodeForm(form: Form, request: EncodeRequest, instructionLength: number): ReturnType<typeof encodeOne> {
  let instruction: Instruction
  try {
    instruction = createInstruction(form, request, request.ip, instructionLength)
  } catch (error) {
    if (error instanceof EncodeError) throw error
    throw new EncodeError(icedMessage(error))
  }
  try {
    applyPrefixes(instruction, request.prefixes)
    return encodeOne(instruction, request.ip)
  } finally {
    instruction.free()
  }
}

function hasRipDisplacement(request: EncodeRequest): boolean {
  return request.operands.some((operand) => operand.kind === 'memory' && operand.base === Register.RIP && !operand.ripTarget && !isRelocatable(operand.displacement))
}

function fixupsFor(form: Form, encoded: ReturnType<typeof encodeOne>, request: EncodeRequest): EncodedFixup[] {
  const fixups: EncodedFixup[] = []
  const end = encoded.bytes.length
  request.operands.forEach((operand, i) => {
    if (operand.kind === 'memory' && isRelocatable(operand.displacement)) {
      const value = operand.displacement
      const offset = encoded.displacementOffset
      if (offset < 0) throw new EncodeError('internal: displacement not found', operand.column)
      if (operand.base === Register.RIP) {
        if (value.base?.kind === 'section' && value.base.section === request.section && value.negatedSection === undefined) return
        const target = relocationBase(value, operand.column)
        encoded.bytes.fill(0, offset, offset + 4)
        fixups.push({ offset, kind: 'pc32', base: target, addend: value.addend - BigInt(end - offset) })
      } else {
        const target = relocationBase(value, operand.column)
        encoded.bytes.fill(0, offset, offset + 4)
        fixups.push({ offset, kind: 'abs32s', base: target, addend: value.addend })
      }
    }
    const formOperand = form.operands[i]
    if (operand.kind === 'immediate' && formOperand?.kind === 'immediate' && isRelocatable(operand.value)) {
      const offset = encoded.immediateOffset
      if (offset < 0) throw new EncodeError('internal: immediate not found', operand.column)
      const target = relocationBase(operand.value, operand.column)
      const kind: RelocationKind = formOperand.bits === 64 ? 'abs64' : formOperand.signExtendTo === 64 ? 'abs32s' : 'abs32'
      fixups.push({ offset, kind, base: target, addend: operand.value.addend })
    }
  })
  return fixups
}

function relocationBase(value: Value, column: number): ValueBase {
  if (value.negatedSection !== undefined) throw new EncodeError('a difference with a label in another section is not allowed here', column)
  if (value.base === undefined) {
    if (value.unknown) return { kind: 'section', section: '.text' }
    throw new EncodeError('internal: relocation without a base', column)
  }
  return value.base
}

function encodeBranch(candidates: readonly Form[], request: EncodeRequest): EncodeResult {
  const { target, external } = branchInfo(request)
  const operand = request.operands.find((o) => o.kind === 'immediate')
  const hint = operand?.kind === 'immediate' ? operand.branchHint : undefined
  const short = candidates.find((form) => form.operands.some((o) => o.kind === 'branch' && o.bytes === 1))
  const long = candidates.find((form) => form.operands.some((o) => o.kind === 'branch' && o.bytes === 4))
  const column = operand?.column
  const tryEncode = (form: Form): Uint8Array | undefined => {
    // Opcode bytes from iced once per form; the displacement is ours to compute.
    const opcode = branchOpcode(form, request.prefixes)
    const width = form.operands.some((o) => o.kind === 'branch' && o.bytes === 1) ? 1 : 4
    const end = request.ip + BigInt(opcode.length + width)
    const distance = target - end
    const limit = width === 1 ? 0x80n : 0x80000000n
    if (distance < -limit || distance >= limit) return undefined
    const bytes = new Uint8Array(opcode.length + width)
    bytes.set(opcode)
    const view = new DataView(bytes.buffer)
    if (width === 1) view.setInt8(opcode.length, Number(distance))
    else view.setInt32(opcode.length, Number(distance), true)
    return bytes
  }
  const wantShort = short !== undefined && external === undefined && hint !== 'near' && (!request.forceLongBranch || long === undefined || hint === 'short')
  if (wantShort) {
    const bytes = tryEncode(short)
    if (bytes !== undefined) return { bytes, fixups: [], needsLongBranch: false }
    if (long === undefined || hint === 'short') {
      // During layout an unplaced target may still come into range; report only when final.
      if (operandValueUnknown(request)) return { bytes: new Uint8Array(2), fixups: [], needsLongBranch: false }
      throw new EncodeError('short jump is out of range', column)
    }
    const placeholder = tryEncode(long)
    if (placeholder === undefined) throw new EncodeError('jump target out of range', column)
    return { bytes: placeholder, fixups: [], needsLongBranch: true }
  }
  if (long === undefined) throw new EncodeError(external !== undefined ? 'short jump to a symbol outside this section' : 'short jump is out of range', column)
  const bytes = tryEncode(long)
  if (bytes === undefined) throw new EncodeError('jump target out of range', column)
  if (external === undefined) return { bytes, fixups: [], needsLongBranch: false }
  const offset = bytes.length - 4
  bytes.fill(0, offset)
  const kind: RelocationKind = external.base?.kind === 'symbol' ? 'plt32' : 'pc32'
  return { bytes, fixups: [{ offset, kind, base: relocationBase(external, column ?? 0), addend: external.addend - 4n }], needsLongBranch: false }
}

/** One form of a relative branch: the bytes before the displacement (prefixes included) and the
 *  total length with the displacement. */
export interface RelativeBranchForm {
  readonly opcode: Uint8Array
  readonly length: number
}

export interface RelativeBranchForms {
  /** rel8 */
  readonly short?: RelativeBranchForm
  /** rel32 */
  readonly long?: RelativeBranchForm
}

const branchFormCache = new Map<string, RelativeBranchForms | null>()

/**
 * The forms `encodeBranch` chooses from for `mnemonic label` (no size keyword), or undefined when
 * the mnemonic has no relative-branch form. The assembler sizes and writes branches to labels of
 * their own section from these, without a full encoding.
 */
export function relativeBranchForms(mnemonic: string, prefixes: readonly string[]): RelativeBranchForms | undefined {
  const canonical = canonicalMnemonic(mnemonic)
  const key = prefixes.length === 0 ? canonical : `${canonical} ${prefixes.join(' ')}`
  let result = branchFormCache.get(key)
  if (result === undefined) {
    // The candidates encodeBranch sees for one immediate operand: the branch forms, 16-bit ones excluded.
    const candidates = formsOf(canonical).filter((form) => form.operandSize !== 16 && form.operands.length === 1 && form.operands[0]?.kind === 'branch')
    const pick = (width: 1 | 4): RelativeBranchForm | undefined => {
      const form = candidates.find((candidate) => candidate.operands.some((o) => o.kind === 'branch' && o.bytes === width))
      if (form === undefined) return undefined
      const opcode = branchOpcode(form, prefixes)
      return { opcode, length: opcode.length + width }
    }
    const short = pick(1)
    const long = pick(4)
    result = candidates.length === 0 ? null : { ...(short === undefined ? {} : { short }), ...(long === undefined ? {} : { long }) }
    branchFormCache.set(key, result)
  }
  return result ?? undefined
}

const branchOpcodes = new Map<string, Uint8Array>()

/** The bytes of a relative branch before its displacement (prefixes included). */
function branchOpcode(form: Form, prefixes: readonly string[]): Uint8Array {
  const key = `${form.code} ${prefixes.join(' ')}`
  let opcode = branchOpcodes.get(key)
  if (opcode === undefined) {
    const instruction = Instruction.createBranch(form.code, 0x100n)
    try {
      applyPrefixes(instruction, prefixes)
      const width = form.operands.some((o) => o.kind === 'branch' && o.bytes === 1) ? 1 : 4
      const bytes = encodeOne(instruction, 0x100n).bytes
      opcode = bytes.slice(0, bytes.length - width)
    } finally {
      instruction.free()
    }
    branchOpcodes.set(key, opcode)
  }
  return opcode
}

function operandValueUnknown(request: EncodeRequest): boolean {
  return request.operands.some((operand) => operand.kind === 'immediate' && operand.value.unknown)
}
