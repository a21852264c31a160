// Translation of one decoded instruction into a closure specialised for its operands. The
// closure performs the whole instruction; faults are thrown (MemoryFault, CpuTrap) before the
// instruction commits anything, so rip can be left at the instruction and it can be retried.

import { Code as IcedCode, Mnemonic as IcedMnemonic, OpKind, Register as IcedRegister, type Instruction } from 'iced-x86'
import { CpuTrap, type Cpu } from './cpu'
import * as Flags from './flags'
import { Lazy } from './flags'
import {
  effectiveAddress,
  gprInfo,
  immediate,
  operand32,
  operand64,
  operandSize,
  split64,
  type Getter,
  type Setter,
} from './operands'
import * as Arith from './arith'
import { cpuid } from './cpuid'
import { translateSse } from './sse'
import { translateX87 } from './x87'

// iced-x86's enums are objects with thousands of members (slow, dictionary-mode lookups):
// the members this file uses are copied into small constant objects.
const Mnemonic = {
  Adc: IcedMnemonic.Adc,
  Add: IcedMnemonic.Add,
  And: IcedMnemonic.And,
  Bsf: IcedMnemonic.Bsf,
  Bsr: IcedMnemonic.Bsr,
  Bswap: IcedMnemonic.Bswap,
  Bt: IcedMnemonic.Bt,
  Btc: IcedMnemonic.Btc,
  Btr: IcedMnemonic.Btr,
  Bts: IcedMnemonic.Bts,
  Call: IcedMnemonic.Call,
  Cbw: IcedMnemonic.Cbw,
  Cdq: IcedMnemonic.Cdq,
  Cdqe: IcedMnemonic.Cdqe,
  Clc: IcedMnemonic.Clc,
  Cld: IcedMnemonic.Cld,
  Cli: IcedMnemonic.Cli,
  Cmc: IcedMnemonic.Cmc,
  Cmova: IcedMnemonic.Cmova,
  Cmovs: IcedMnemonic.Cmovs,
  Cmp: IcedMnemonic.Cmp,
  Cmpsb: IcedMnemonic.Cmpsb,
  Cmpsd: IcedMnemonic.Cmpsd,
  Cmpsq: IcedMnemonic.Cmpsq,
  Cmpsw: IcedMnemonic.Cmpsw,
  Cmpxchg: IcedMnemonic.Cmpxchg,
  Cmpxchg16b: IcedMnemonic.Cmpxchg16b,
  Cpuid: IcedMnemonic.Cpuid,
  Cqo: IcedMnemonic.Cqo,
  Cwd: IcedMnemonic.Cwd,
  Cwde: IcedMnemonic.Cwde,
  Dec: IcedMnemonic.Dec,
  Div: IcedMnemonic.Div,
  Endbr32: IcedMnemonic.Endbr32,
  Endbr64: IcedMnemonic.Endbr64,
  Enter: IcedMnemonic.Enter,
  Fldcw: IcedMnemonic.Fldcw,
  Fnstcw: IcedMnemonic.Fnstcw,
  Hlt: IcedMnemonic.Hlt,
  Idiv: IcedMnemonic.Idiv,
  Imul: IcedMnemonic.Imul,
  In: IcedMnemonic.In,
  Inc: IcedMnemonic.Inc,
  Insb: IcedMnemonic.Insb,
  Insd: IcedMnemonic.Insd,
  Insw: IcedMnemonic.Insw,
  Int: IcedMnemonic.Int,
  Int1: IcedMnemonic.Int1,
  Int3: IcedMnemonic.Int3,
  Into: IcedMnemonic.Into,
  Iret: IcedMnemonic.Iret,
  Jecxz: IcedMnemonic.Jecxz,
  Jmp: IcedMnemonic.Jmp,
  Jrcxz: IcedMnemonic.Jrcxz,
  Lahf: IcedMnemonic.Lahf,
  Ldmxcsr: IcedMnemonic.Ldmxcsr,
  Lea: IcedMnemonic.Lea,
  Leave: IcedMnemonic.Leave,
  Lfence: IcedMnemonic.Lfence,
  Lodsb: IcedMnemonic.Lodsb,
  Lodsd: IcedMnemonic.Lodsd,
  Lodsq: IcedMnemonic.Lodsq,
  Lodsw: IcedMnemonic.Lodsw,
  Loop: IcedMnemonic.Loop,
  Loope: IcedMnemonic.Loope,
  Loopne: IcedMnemonic.Loopne,
  Lzcnt: IcedMnemonic.Lzcnt,
  Mfence: IcedMnemonic.Mfence,
  Mov: IcedMnemonic.Mov,
  Movsb: IcedMnemonic.Movsb,
  Movsd: IcedMnemonic.Movsd,
  Movsq: IcedMnemonic.Movsq,
  Movsw: IcedMnemonic.Movsw,
  Movsx: IcedMnemonic.Movsx,
  Movsxd: IcedMnemonic.Movsxd,
  Movzx: IcedMnemonic.Movzx,
  Mul: IcedMnemonic.Mul,
  Neg: IcedMnemonic.Neg,
  Nop: IcedMnemonic.Nop,
  Not: IcedMnemonic.Not,
  Or: IcedMnemonic.Or,
  Out: IcedMnemonic.Out,
  Outsb: IcedMnemonic.Outsb,
  Outsd: IcedMnemonic.Outsd,
  Outsw: IcedMnemonic.Outsw,
  Pause: IcedMnemonic.Pause,
  Pop: IcedMnemonic.Pop,
  Popcnt: IcedMnemonic.Popcnt,
  Popfq: IcedMnemonic.Popfq,
  Prefetchnta: IcedMnemonic.Prefetchnta,
  Prefetcht0: IcedMnemonic.Prefetcht0,
  Prefetcht1: IcedMnemonic.Prefetcht1,
  Prefetcht2: IcedMnemonic.Prefetcht2,
  Prefetchw: IcedMnemonic.Prefetchw,
  Push: IcedMnemonic.Push,
  Pushfq: IcedMnemonic.Pushfq,
  Rcl: IcedMnemonic.Rcl,
  Rcr: IcedMnemonic.Rcr,
  Rdmsr: IcedMnemonic.Rdmsr,
  Rdpmc: IcedMnemonic.Rdpmc,
  Rdtsc: IcedMnemonic.Rdtsc,
  Rdtscp: IcedMnemonic.Rdtscp,
  Reservednop: IcedMnemonic.Reservednop,
  Ret: IcedMnemonic.Ret,
  Rol: IcedMnemonic.Rol,
  Ror: IcedMnemonic.Ror,
  Sahf: IcedMnemonic.Sahf,
  Sal: IcedMnemonic.Sal,
  Sar: IcedMnemonic.Sar,
  Sbb: IcedMnemonic.Sbb,
  Scasb: IcedMnemonic.Scasb,
  Scasd: IcedMnemonic.Scasd,
  Scasq: IcedMnemonic.Scasq,
  Scasw: IcedMnemonic.Scasw,
  Seta: IcedMnemonic.Seta,
  Sets: IcedMnemonic.Sets,
  Sfence: IcedMnemonic.Sfence,
  Shl: IcedMnemonic.Shl,
  Shld: IcedMnemonic.Shld,
  Shr: IcedMnemonic.Shr,
  Shrd: IcedMnemonic.Shrd,
  Stc: IcedMnemonic.Stc,
  Std: IcedMnemonic.Std,
  Sti: IcedMnemonic.Sti,
  Stmxcsr: IcedMnemonic.Stmxcsr,
  Stosb: IcedMnemonic.Stosb,
  Stosd: IcedMnemonic.Stosd,
  Stosq: IcedMnemonic.Stosq,
  Stosw: IcedMnemonic.Stosw,
  Sub: IcedMnemonic.Sub,
  Syscall: IcedMnemonic.Syscall,
  Sysenter: IcedMnemonic.Sysenter,
  Sysexit: IcedMnemonic.Sysexit,
  Sysret: IcedMnemonic.Sysret,
  Test: IcedMnemonic.Test,
  Tzcnt: IcedMnemonic.Tzcnt,
  Ud0: IcedMnemonic.Ud0,
  Ud1: IcedMnemonic.Ud1,
  Ud2: IcedMnemonic.Ud2,
  Wait: IcedMnemonic.Wait,
  Wrmsr: IcedMnemonic.Wrmsr,
  Xadd: IcedMnemonic.Xadd,
  Xchg: IcedMnemonic.Xchg,
  Xor: IcedMnemonic.Xor,
} as const
type Mnemonic = IcedMnemonic

const Code = {
  Cmpsb_m8_m8: IcedCode.Cmpsb_m8_m8,
  Cmpsd_m32_m32: IcedCode.Cmpsd_m32_m32,
  Cmpsq_m64_m64: IcedCode.Cmpsq_m64_m64,
  Cmpsw_m16_m16: IcedCode.Cmpsw_m16_m16,
  Lodsb_AL_m8: IcedCode.Lodsb_AL_m8,
  Lodsd_EAX_m32: IcedCode.Lodsd_EAX_m32,
  Lodsq_RAX_m64: IcedCode.Lodsq_RAX_m64,
  Lodsw_AX_m16: IcedCode.Lodsw_AX_m16,
  Movsb_m8_m8: IcedCode.Movsb_m8_m8,
  Movsd_m32_m32: IcedCode.Movsd_m32_m32,
  Movsq_m64_m64: IcedCode.Movsq_m64_m64,
  Movsw_m16_m16: IcedCode.Movsw_m16_m16,
  Scasb_AL_m8: IcedCode.Scasb_AL_m8,
  Scasd_EAX_m32: IcedCode.Scasd_EAX_m32,
  Scasq_RAX_m64: IcedCode.Scasq_RAX_m64,
  Scasw_AX_m16: IcedCode.Scasw_AX_m16,
  Stosb_m8_AL: IcedCode.Stosb_m8_AL,
  Stosd_m32_EAX: IcedCode.Stosd_m32_EAX,
  Stosq_m64_RAX: IcedCode.Stosq_m64_RAX,
  Stosw_m16_AX: IcedCode.Stosw_m16_AX,
} as const
type Code = IcedCode

const Register = {
  FS: IcedRegister.FS,
  GS: IcedRegister.GS,
  None: IcedRegister.None,
  RIP: IcedRegister.RIP,
} as const
type Register = IcedRegister

export type Op = () => void

export interface Translated {
  op: Op
  /** The block must end after this instruction even though it falls through (syscall, rdtsc). */
  endsBlock: boolean
  /** The op sets rip itself. */
  setsRip: boolean
}

const TWO_32 = 0x1_0000_0000

// Module-local copies of hot constants and helpers: closures then read constants rather than
// imported bindings, which some module loaders (vitest's) turn into getter calls.
const { CF, OF, ZF, SF, AF, PF, DF } = Flags
const { norm, bswap32, imul64, lowestBit, mul64, mulHighS32, mulHighU32, popcount32 } = Arith
const LAZY_INC = Lazy.Inc
const LAZY_DEC = Lazy.Dec

const plain = (op: Op): Translated => ({ op, endsBlock: false, setsRip: false })
const branch = (op: Op): Translated => ({ op, endsBlock: true, setsRip: true })

export function unsupported(): never {
  throw new CpuTrap({ vector: 'invalid-opcode', ip: 0, bytes: new Uint8Array(0) })
}

function generalProtection(): never {
  throw new CpuTrap({ vector: 'general-protection', ip: 0, address: null, access: null })
}

/** Translates the instruction at address; unknown instructions become #UD ops. */
export function translate(cpu: Cpu, instr: Instruction, address: number): Translated {
  const next = address + instr.length
  const m = instr.mnemonic
  switch (m) {
    case Mnemonic.Add:
    case Mnemonic.Or:
    case Mnemonic.Adc:
    case Mnemonic.Sbb:
    case Mnemonic.And:
    case Mnemonic.Sub:
    case Mnemonic.Xor:
    case Mnemonic.Cmp:
    case Mnemonic.Test:
      return plain(alu(cpu, instr, m))
    case Mnemonic.Mov:
      return plain(mov(cpu, instr))
    case Mnemonic.Movzx:
    case Mnemonic.Movsx:
    case Mnemonic.Movsxd:
      return plain(extend(cpu, instr, m !== Mnemonic.Movzx))
    case Mnemonic.Lea:
      return plain(lea(cpu, instr))
    case Mnemonic.Push:
      return plain(push(cpu, instr))
    case Mnemonic.Pop:
      return plain(pop(cpu, instr))
    case Mnemonic.Inc:
    case Mnemonic.Dec:
    case Mnemonic.Neg:
    case Mnemonic.Not:
      return plain(unary(cpu, instr, m))
    case Mnemonic.Shl:
    case Mnemonic.Sal:
    case Mnemonic.Shr:
    case Mnemonic.Sar:
    case Mnemonic.Rol:
    case Mnemonic.Ror:
    case Mnemonic.Rcl:
    case Mnemonic.Rcr:
      return plain(shift(cpu, instr, m))
    case Mnemonic.Shld:
    case Mnemonic.Shrd:
      return plain(doubleShift(cpu, instr, m === Mnemonic.Shld))
    case Mnemonic.Mul:
    case Mnemonic.Imul:
      return plain(multiply(cpu, instr, m === Mnemonic.Imul))
    case Mnemonic.Div:
    case Mnemonic.Idiv:
      return plain(divide(cpu, instr, m === Mnemonic.Idiv))
    case Mnemonic.Bt:
    case Mnemonic.Bts:
    case Mnemonic.Btr:
    case Mnemonic.Btc:
      return plain(bitTest(cpu, instr, m))
    case Mnemonic.Bsf:
    case Mnemonic.Bsr:
    case Mnemonic.Tzcnt: // without BMI1 (not in our cpuid) F3 0F BC executes as bsf
    case Mnemonic.Lzcnt: // without LZCNT, F3 0F BD executes as bsr
      return plain(bitScan(cpu, instr, m === Mnemonic.Bsf || m === Mnemonic.Tzcnt))
    case Mnemonic.Popcnt:
      return plain(popcnt(cpu, instr))
    case Mnemonic.Bswap:
      return plain(bswap(cpu, instr))
    case Mnemonic.Xchg:
      return plain(xchg(cpu, instr))
    case Mnemonic.Xadd:
      return plain(xadd(cpu, instr))
    case Mnemonic.Cmpxchg:
      return plain(cmpxchg(cpu, instr))
    case Mnemonic.Cmpxchg16b:
      return plain(cmpxchg16b(cpu, instr))
    case Mnemonic.Cbw:
    case Mnemonic.Cwde:
    case Mnemonic.Cdqe:
    case Mnemonic.Cwd:
    case Mnemonic.Cdq:
    case Mnemonic.Cqo:
      return plain(convert(cpu, m))
    case Mnemonic.Leave:
      return plain(leave(cpu, instr))
    case Mnemonic.Enter:
      return plain(enter(cpu, instr))
    case Mnemonic.Jmp:
      return branch(jump(cpu, instr))
    case Mnemonic.Call:
      return branch(call(cpu, instr, next))
    case Mnemonic.Ret:
      return branch(ret(cpu, instr))
    case Mnemonic.Jrcxz:
    case Mnemonic.Jecxz:
    case Mnemonic.Loop:
    case Mnemonic.Loope:
    case Mnemonic.Loopne:
      return branch(loop(cpu, instr, m, next))
    case Mnemonic.Cpuid:
      return plain(() => cpuid(cpu))
    case Mnemonic.Rdtsc:
    case Mnemonic.Rdtscp:
      return { op: rdtsc(cpu, m === Mnemonic.Rdtscp), endsBlock: true, setsRip: false }
    case Mnemonic.Syscall:
      return branch(syscall(cpu, next))
    case Mnemonic.Nop:
    case Mnemonic.Endbr64:
    case Mnemonic.Endbr32:
    case Mnemonic.Pause:
    case Mnemonic.Lfence:
    case Mnemonic.Mfence:
    case Mnemonic.Sfence:
    case Mnemonic.Prefetchnta:
    case Mnemonic.Prefetcht0:
    case Mnemonic.Prefetcht1:
    case Mnemonic.Prefetcht2:
    case Mnemonic.Prefetchw:
    case Mnemonic.Reservednop:
    case Mnemonic.Wait:
      return plain(() => {})
    case Mnemonic.Cld:
    case Mnemonic.Std:
      return plain(setDirection(cpu, m === Mnemonic.Std))
    case Mnemonic.Clc:
      return plain(() => cpu.setStatusFlags(CF, 0))
    case Mnemonic.Stc:
      return plain(() => cpu.setStatusFlags(CF, CF))
    case Mnemonic.Cmc:
      return plain(() => cpu.setStatusFlags(CF, cpu.cf() ^ CF))
    case Mnemonic.Lahf:
      return plain(() => {
        cpu.R8[1] = (cpu.statusFlags() & (SF | ZF | AF | PF | CF)) | 2
      })
    case Mnemonic.Sahf:
      return plain(() => cpu.setStatusFlags(SF | ZF | AF | PF | CF, cpu.R8[1]!))
    case Mnemonic.Pushfq:
      return plain(() => cpu.push64(cpu.getRflags() & ~0x30000, 0))
    case Mnemonic.Popfq:
      return plain(() => {
        cpu.peek64(0)
        const value = cpu.lo
        cpu.adjustSp(8)
        cpu.setUserRflags(value)
      })
    case Mnemonic.Fnstcw:
      return plain(storeControlWord(cpu, instr))
    case Mnemonic.Fldcw:
      return plain(loadControlWord(cpu, instr))
    case Mnemonic.Stmxcsr: {
      const ea = effectiveAddress(cpu, instr, 'write')
      return plain(() => cpu.st32(ea(), cpu.r.mxcsr))
    }
    case Mnemonic.Ldmxcsr: {
      const ea = effectiveAddress(cpu, instr, 'read')
      return plain(() => {
        const value = cpu.ld32(ea())
        if (value & ~0xffff) generalProtection()
        cpu.r.mxcsr = value
      })
    }
    case Mnemonic.Int3:
      return branch(() => {
        throw new CpuTrap({ vector: 'breakpoint', ip: 0 })
      })
    case Mnemonic.Int:
    case Mnemonic.Int1:
    case Mnemonic.Into:
    case Mnemonic.Hlt:
    case Mnemonic.Cli:
    case Mnemonic.Sti:
    case Mnemonic.In:
    case Mnemonic.Out:
    case Mnemonic.Insb:
    case Mnemonic.Insw:
    case Mnemonic.Insd:
    case Mnemonic.Outsb:
    case Mnemonic.Outsw:
    case Mnemonic.Outsd:
    case Mnemonic.Iret:
    case Mnemonic.Sysret:
    case Mnemonic.Sysexit:
    case Mnemonic.Sysenter:
    case Mnemonic.Rdmsr:
    case Mnemonic.Wrmsr:
    case Mnemonic.Rdpmc:
      return branch(generalProtection)
    case Mnemonic.Ud0:
    case Mnemonic.Ud1:
    case Mnemonic.Ud2:
      return branch(unsupported)
    default:
      break
  }
  if (instr.isPrivileged) return branch(generalProtection)
  if (instr.conditionCode !== 0) {
    const cc = instr.conditionCode - 1
    switch (instr.flowControl) {
      case 3: // ConditionalBranch
        return branch(conditionalJump(cpu, instr, cc, next))
      default:
        if (m >= Mnemonic.Seta && m <= Mnemonic.Sets) return plain(setcc(cpu, instr, cc))
        if (m >= Mnemonic.Cmova && m <= Mnemonic.Cmovs) return plain(cmovcc(cpu, instr, cc))
    }
  }
  if (instr.isStringInstruction) {
    const op = stringOp(cpu, instr)
    if (op !== null) return plain(op)
  }
  const sse = translateSse(cpu, instr)
  if (sse !== null) return plain(sse)
  const fpu = translateX87(cpu, instr)
  if (fpu !== null) return plain(fpu)
  return branch(unsupported)
}

// --- data movement ----------------------------------------------------------------------------

/**
 * A memory operand of the two commonest shapes, [reg+disp] and [rip+disp] (a constant), in a
 * form the fast paths compute inline with {@link simpleAddress}; null for other shapes.
 */
interface SimpleMemory {
  /** Base register index times 2, or -1 for none (with no index either: a constant address in `lo`). */
  b: number
  /** Index register index times 2, or -1. */
  x: number
  scale: number
  lo: number
  hi: number
}

function simpleMemory(instr: Instruction): SimpleMemory | null {
  if (instr.memorySegment === Register.FS || instr.memorySegment === Register.GS) return null
  if (instr.memoryBase === Register.RIP) {
    const address = Number(instr.ipRelMemoryAddress)
    return address < 2 ** 47 ? { b: -1, x: -1, scale: 1, lo: address, hi: 0 } : null
  }
  const base = instr.memoryBase === Register.None ? null : gprInfo(instr.memoryBase)
  const index = instr.memoryIndex === Register.None ? null : gprInfo(instr.memoryIndex)
  if (base === null || base.size !== 64 || (index !== null && index.size !== 64)) return null
  const [lo, hi] = split64(instr.memoryDisplacementU64)
  return { b: base.index * 2, x: index === null ? -1 : index.index * 2, scale: instr.memoryIndexScale, lo: lo >>> 0, hi }
}

function simpleAddress(cpu: Cpu, R: Int32Array, m: SimpleMemory, access: 'read' | 'write'): number {
  const b = m.b
  if (b < 0) return m.lo
  const x = m.x
  if (x < 0) {
    const lo = (R[b]! >>> 0) + m.lo
    return cpu.address(lo, (R[b + 1]! + m.hi + (lo >= TWO_32 ? 1 : 0)) | 0, access)
  }
  const lo = (R[b]! >>> 0) + m.lo + (R[x]! >>> 0) * m.scale
  return cpu.address(lo, (R[b + 1]! + m.hi + R[x + 1]! * m.scale + Math.floor(lo / TWO_32)) | 0, access)
}

/** mov between a register (or an immediate) and a simple memory operand; null for other forms. */
function movSimple(cpu: Cpu, instr: Instruction, size: number): Op | null {
  const load = instr.opKind(1) === OpKind.Memory
  if (!load && instr.opKind(0) !== OpKind.Memory) return null
  const mem = simpleMemory(instr)
  if (mem === null) return null
  const R = cpu.R
  const other = load ? 0 : 1
  if (instr.opKind(other) !== OpKind.Register) {
    // mov [mem], imm
    const { lo, hi } = immediate(instr, 1, size)
    switch (size) {
      case 8:
        return () => cpu.st8(simpleAddress(cpu, R, mem, 'write'), lo)
      case 16:
        return () => cpu.st16(simpleAddress(cpu, R, mem, 'write'), lo)
      case 32:
        return () => cpu.st32(simpleAddress(cpu, R, mem, 'write'), lo)
      default:
        return () => cpu.st64(simpleAddress(cpu, R, mem, 'write'), lo, hi)
    }
  }
  const reg = gprInfo(instr.opRegister(other))
  if (reg === null) return null
  const r = reg.index * 2
  const R8 = cpu.R8
  const R16 = cpu.R16
  const byte = reg.offset
  if (load) {
    switch (size) {
      case 8:
        return () => {
          R8[byte] = cpu.ld8(simpleAddress(cpu, R, mem, 'read'))
        }
      case 16:
        return () => {
          R16[r * 2] = cpu.ld16(simpleAddress(cpu, R, mem, 'read'))
        }
      case 32:
        return () => {
          R[r] = cpu.ld32(simpleAddress(cpu, R, mem, 'read'))
          R[r + 1] = 0
        }
      default:
        return () => cpu.ldWords(simpleAddress(cpu, R, mem, 'read'), 2, R, r)
    }
  }
  switch (size) {
    case 8:
      return () => cpu.st8(simpleAddress(cpu, R, mem, 'write'), R8[byte]!)
    case 16:
      return () => cpu.st16(simpleAddress(cpu, R, mem, 'write'), R16[r * 2]!)
    case 32:
      return () => cpu.st32(simpleAddress(cpu, R, mem, 'write'), R[r]!)
    default:
      return () => cpu.st64(simpleAddress(cpu, R, mem, 'write'), R[r]!, R[r + 1]!)
  }
}

function mov(cpu: Cpu, instr: Instruction): Op {
  const size = operandSize(instr, 0)
  const R = cpu.R
  if (instr.opKind(0) === OpKind.Register && gprInfo(instr.opRegister(0)) === null) return unsupported
  if (instr.opKind(1) === OpKind.Register && gprInfo(instr.opRegister(1)) === null) {
    return unsupported // segment and control registers
  }
  const fast = movSimple(cpu, instr, size)
  if (fast !== null) return fast
  if (size === 64) {
    const dst = operand64(cpu, instr, 0, 'write')
    const k1 = instr.opKind(1)
    if (instr.opKind(0) === OpKind.Register) {
      const d = gprInfo(instr.opRegister(0))!.index * 2
      if (k1 === OpKind.Register) {
        const s = gprInfo(instr.opRegister(1))!.index * 2
        return () => {
          R[d] = R[s]!
          R[d + 1] = R[s + 1]!
        }
      }
      if (k1 === OpKind.Memory) {
        const ea = effectiveAddress(cpu, instr, 'read')
        return () => {
          const a = ea()
          const lo = cpu.ld32(a)
          R[d + 1] = cpu.ld32(a + 4)
          R[d] = lo
        }
      }
      const { lo, hi } = immediate(instr, 1, 64)
      return () => {
        R[d] = lo
        R[d + 1] = hi
      }
    }
    if (k1 === OpKind.Register) {
      const s = gprInfo(instr.opRegister(1))!.index * 2
      const ea = effectiveAddress(cpu, instr, 'write')
      return () => cpu.st64(ea(), R[s]!, R[s + 1]!)
    }
    const src = operand64(cpu, instr, 1)
    return () => {
      src.get()
      dst.store(cpu.lo, cpu.hi)
    }
  }
  const dst = operand32(cpu, instr, 0, size, 'write')
  const src = operand32(cpu, instr, 1, size)
  const get = src.get
  const store = dst.store
  return () => store(get())
}

function extend(cpu: Cpu, instr: Instruction, signed: boolean): Op {
  const dstSize = operandSize(instr, 0)
  const srcSize = operandSize(instr, 1)
  const mem = instr.opKind(1) === OpKind.Memory ? simpleMemory(instr) : null
  if (mem !== null && (dstSize === 32 || dstSize === 64) && srcSize < 32) {
    // movzx/movsx r32/r64, byte/word [simple memory]: char and short loads.
    const R = cpu.R
    const d = gprInfo(instr.opRegister(0))!.index * 2
    const shift = 32 - srcSize
    const wide = dstSize === 64
    if (srcSize === 8) {
      return signed
        ? () => {
            const v = (cpu.ld8(simpleAddress(cpu, R, mem, 'read')) << 24) >> 24
            R[d] = v
            R[d + 1] = wide ? v >> 31 : 0
          }
        : () => {
            R[d] = cpu.ld8(simpleAddress(cpu, R, mem, 'read'))
            R[d + 1] = 0
          }
    }
    return signed
      ? () => {
          const v = (cpu.ld16(simpleAddress(cpu, R, mem, 'read')) << shift) >> shift
          R[d] = v
          R[d + 1] = wide ? v >> 31 : 0
        }
      : () => {
          R[d] = cpu.ld16(simpleAddress(cpu, R, mem, 'read'))
          R[d + 1] = 0
        }
  }
  const src = operand32(cpu, instr, 1, srcSize).get
  const shift = 32 - srcSize
  const read: Getter = signed ? (srcSize === 32 ? src : () => (src() << shift) >> shift) : src
  if (dstSize === 64) {
    const d = gprInfo(instr.opRegister(0))!.index * 2
    const R = cpu.R
    if (signed) {
      return () => {
        const v = read()
        R[d] = v
        R[d + 1] = v >> 31
      }
    }
    return () => {
      R[d] = read()
      R[d + 1] = 0
    }
  }
  const store = operand32(cpu, instr, 0, dstSize, 'write').store
  return () => store(norm(dstSize, read()))
}

function lea(cpu: Cpu, instr: Instruction): Op {
  const R = cpu.R
  const dst = gprInfo(instr.opRegister(0))!
  const d = dst.index * 2
  const b = instr.memoryBase === Register.None ? null : gprInfo(instr.memoryBase)
  const x = instr.memoryIndex === Register.None ? null : gprInfo(instr.memoryIndex)
  const scale = instr.memoryIndexScale
  let dispLo: number
  let dispHi: number
  if (instr.memoryBase === Register.RIP) [dispLo, dispHi] = split64(instr.ipRelMemoryAddress)
  else [dispLo, dispHi] = split64(instr.memoryDisplacementU64)
  const bi = b === null ? -1 : b.index * 2
  const xi = x === null ? -1 : x.index * 2
  const dLo = dispLo >>> 0
  // Computes the full 64-bit sum into cpu.lo/hi without any canonical check.
  const compute =
    bi >= 0 && xi >= 0
      ? () => {
          const lo = (R[bi]! >>> 0) + dLo + (R[xi]! >>> 0) * scale
          cpu.hi = (R[bi + 1]! + dispHi + R[xi + 1]! * scale + Math.floor(lo / TWO_32)) | 0
          cpu.lo = lo | 0
        }
      : bi >= 0
        ? () => {
            const lo = (R[bi]! >>> 0) + dLo
            cpu.hi = (R[bi + 1]! + dispHi + (lo >= TWO_32 ? 1 : 0)) | 0
            cpu.lo = lo | 0
          }
        : xi >= 0
          ? () => {
              const lo = (R[xi]! >>> 0) * scale + dLo
              cpu.hi = (dispHi + R[xi + 1]! * scale + Math.floor(lo / TWO_32)) | 0
              cpu.lo = lo | 0
            }
          : () => {
              cpu.lo = dispLo
              cpu.hi = dispHi
            }
  const addr32 = (b !== null && b.size === 32) || (x !== null && x.size === 32)
  switch (dst.size) {
    case 64:
      if (addr32) {
        return () => {
          compute()
          R[d] = cpu.lo
          R[d + 1] = 0
        }
      }
      if (bi >= 0 && xi < 0) {
        return () => {
          const lo = (R[bi]! >>> 0) + dLo
          R[d + 1] = (R[bi + 1]! + dispHi + (lo >= TWO_32 ? 1 : 0)) | 0
          R[d] = lo | 0
        }
      }
      if (bi >= 0) {
        return () => {
          const lo = (R[bi]! >>> 0) + dLo + (R[xi]! >>> 0) * scale
          R[d + 1] = (R[bi + 1]! + dispHi + R[xi + 1]! * scale + Math.floor(lo / TWO_32)) | 0
          R[d] = lo | 0
        }
      }
      return () => {
        compute()
        R[d] = cpu.lo
        R[d + 1] = cpu.hi
      }
    case 32:
      // The low half of the sum only depends on the low halves.
      if (bi >= 0) {
        return () => {
          R[d] = (R[bi]! + dLo + (xi >= 0 ? Math.imul(R[xi]!, scale) : 0)) | 0
          R[d + 1] = 0
        }
      }
      return () => {
        compute()
        R[d] = cpu.lo
        R[d + 1] = 0
      }
    default: {
      const R16 = cpu.R16
      return () => {
        compute()
        R16[d * 2] = cpu.lo & 0xffff
      }
    }
  }
}

function push(cpu: Cpu, instr: Instruction): Op {
  const size = instr.opKind(0) === OpKind.Register || instr.opKind(0) === OpKind.Memory ? operandSize(instr, 0) : 64
  if (size !== 64) return pushPop16Unsupported(instr)
  const R = cpu.R
  if (instr.opKind(0) === OpKind.Register) {
    const g = gprInfo(instr.opRegister(0))
    if (g === null) return unsupported
    const s = g.index * 2
    return () => cpu.push64(R[s]!, R[s + 1]!)
  }
  const src = operand64(cpu, instr, 0)
  return () => {
    src.get()
    cpu.push64(cpu.lo, cpu.hi)
  }
}

function pushPop16Unsupported(_instr: Instruction): Op {
  return unsupported
}

function pop(cpu: Cpu, instr: Instruction): Op {
  if (operandSize(instr, 0) !== 64) return pushPop16Unsupported(instr)
  const R = cpu.R
  if (instr.opKind(0) === OpKind.Register) {
    const g = gprInfo(instr.opRegister(0))
    if (g === null) return unsupported
    const d = g.index * 2
    return () => {
      cpu.peek64(0)
      cpu.adjustSp(8)
      R[d] = cpu.lo
      R[d + 1] = cpu.hi
    }
  }
  // pop to memory: the address is computed with rsp already incremented.
  const dst = operand64(cpu, instr, 0, 'write')
  return () => {
    cpu.peek64(0)
    const lo = cpu.lo
    const hi = cpu.hi
    cpu.adjustSp(8)
    try {
      dst.store(lo, hi)
    } catch (e) {
      cpu.adjustSp(-8)
      throw e
    }
  }
}

function xchg(cpu: Cpu, instr: Instruction): Op {
  const size = operandSize(instr, 0)
  // The memory operand (if any) is written first so a fault changes nothing.
  const memFirst = instr.opKind(1) === OpKind.Memory ? 1 : 0
  const a = memFirst
  const b = 1 - memFirst
  if (size === 64) {
    const x = operand64(cpu, instr, a, 'write')
    const y = operand64(cpu, instr, b, 'write')
    return () => {
      x.get()
      const xl = cpu.lo
      const xh = cpu.hi
      y.get()
      const yl = cpu.lo
      const yh = cpu.hi
      x.set(yl, yh)
      y.set(xl, xh)
    }
  }
  const x = operand32(cpu, instr, a, size, 'write')
  const y = operand32(cpu, instr, b, size, 'write')
  return () => {
    const xv = x.get()
    const yv = y.get()
    x.set(yv)
    y.set(xv)
  }
}

function convert(cpu: Cpu, m: Mnemonic): Op {
  const R = cpu.R
  const R16 = cpu.R16
  switch (m) {
    case Mnemonic.Cbw:
      return () => {
        R16[0] = (cpu.R8[0]! << 24) >> 24
      }
    case Mnemonic.Cwde:
      return () => {
        R[0] = (R16[0]! << 16) >> 16
        R[1] = 0
      }
    case Mnemonic.Cdqe:
      return () => {
        R[1] = R[0]! >> 31
      }
    case Mnemonic.Cwd:
      return () => {
        R16[8] = (R16[0]! & 0x8000) !== 0 ? 0xffff : 0
      }
    case Mnemonic.Cdq:
      return () => {
        R[4] = R[0]! >> 31
        R[5] = 0
      }
    default:
      return () => {
        const s = R[1]! >> 31
        R[4] = s
        R[5] = s
      }
  }
}

// --- arithmetic -------------------------------------------------------------------------------

// ALU operation codes of the register fast paths (closures switch on them instead of calling
// operand closures: one call per instruction in the hottest forms).
const ALU_ADD = 0
const ALU_OR = 1
const ALU_ADC = 2
const ALU_SBB = 3
const ALU_AND = 4
const ALU_SUB = 5
const ALU_XOR = 6
const ALU_CMP = 7
const ALU_TEST = 8
const LAZY_ADD = Lazy.Add
const LAZY_ADC = Lazy.Adc
const LAZY_SUB = Lazy.Sub
const LAZY_SBB = Lazy.Sbb

function aluCode(m: Mnemonic): number {
  switch (m) {
    case Mnemonic.Add:
      return ALU_ADD
    case Mnemonic.Or:
      return ALU_OR
    case Mnemonic.Adc:
      return ALU_ADC
    case Mnemonic.Sbb:
      return ALU_SBB
    case Mnemonic.And:
      return ALU_AND
    case Mnemonic.Sub:
      return ALU_SUB
    case Mnemonic.Xor:
      return ALU_XOR
    case Mnemonic.Cmp:
      return ALU_CMP
    default:
      return ALU_TEST
  }
}

/** Register source index (times 2) or -1 for an immediate; the immediate split for 64 bits. */
function registerOrImmediate(instr: Instruction, size: number): { s: number; lo: number; hi: number } | null {
  const k1 = instr.opKind(1)
  if (k1 === OpKind.Register) {
    const g = gprInfo(instr.opRegister(1))
    return g === null ? null : { s: g.index * 2, lo: 0, hi: 0 }
  }
  if (k1 === OpKind.Memory) return null
  const { lo, hi } = immediate(instr, 1, size)
  return { s: -1, lo, hi }
}

/** Applies a 32-bit ALU op and records its flags; returns the result (cmp/test: unused). */
function applyAlu32(cpu: Cpu, op: number, a: number, b: number): number {
  switch (op) {
    case ALU_ADD: {
      const r = (a + b) | 0
      cpu.recordArith(LAZY_ADD, 32, a, b, r)
      return r
    }
    case ALU_SUB:
    case ALU_CMP: {
      const r = (a - b) | 0
      cpu.recordArith(LAZY_SUB, 32, a, b, r)
      return r
    }
    case ALU_AND:
    case ALU_TEST: {
      const r = a & b
      cpu.logic(32, r)
      return r
    }
    case ALU_OR: {
      const r = a | b
      cpu.logic(32, r)
      return r
    }
    case ALU_XOR: {
      const r = a ^ b
      cpu.logic(32, r)
      return r
    }
    case ALU_ADC: {
      const cin = cpu.cf()
      const r = (a + b + cin) | 0
      cpu.recordArith(LAZY_ADC, 32, a, b, r)
      cpu.fCin = cin
      return r
    }
    default: {
      const cin = cpu.cf()
      const r = (a - b - cin) | 0
      cpu.recordArith(LAZY_SBB, 32, a, b, r)
      cpu.fCin = cin
      return r
    }
  }
}

/** Applies a 64-bit ALU op and records its flags; the result goes to cpu.lo / cpu.hi. */
function applyAlu64(cpu: Cpu, op: number, aLo: number, aHi: number, bLo: number, bHi: number): void {
  switch (op) {
    case ALU_ADD:
    case ALU_ADC: {
      const cin = op === ALU_ADC ? cpu.cf() : 0
      const sum = (aLo >>> 0) + (bLo >>> 0) + cin
      const hi = (aHi + bHi + (sum >= TWO_32 ? 1 : 0)) | 0
      cpu.recordArith64(op === ALU_ADC ? LAZY_ADC : LAZY_ADD, aLo, aHi, bLo, bHi, sum | 0, hi)
      cpu.fCin = cin
      cpu.lo = sum | 0
      cpu.hi = hi
      return
    }
    case ALU_SUB:
    case ALU_SBB:
    case ALU_CMP: {
      const cin = op === ALU_SBB ? cpu.cf() : 0
      const diff = (aLo >>> 0) - (bLo >>> 0) - cin
      const hi = (aHi - bHi - (diff < 0 ? 1 : 0)) | 0
      cpu.recordArith64(op === ALU_SBB ? LAZY_SBB : LAZY_SUB, aLo, aHi, bLo, bHi, diff | 0, hi)
      cpu.fCin = cin
      cpu.lo = diff | 0
      cpu.hi = hi
      return
    }
    case ALU_AND:
    case ALU_TEST:
      cpu.lo = aLo & bLo
      cpu.hi = aHi & bHi
      break
    case ALU_OR:
      cpu.lo = aLo | bLo
      cpu.hi = aHi | bHi
      break
    default:
      cpu.lo = aLo ^ bLo
      cpu.hi = aHi ^ bHi
  }
  cpu.logic64(cpu.lo, cpu.hi)
}

/** ALU ops that write their destination (all but cmp and test). */
const writesResult = (op: number) => op !== ALU_CMP && op !== ALU_TEST

/** 32-bit ALU op with a register destination and a register or immediate source. */
function aluRegister32(cpu: Cpu, d: number, s: number, imm: number, op: number): Op {
  const R = cpu.R
  const write = writesResult(op)
  return () => {
    const r = applyAlu32(cpu, op, R[d]!, s >= 0 ? R[s]! : imm)
    if (write) {
      R[d] = r
      R[d + 1] = 0
    }
  }
}

/** 64-bit ALU op with a register destination and a register or immediate source. */
function aluRegister64(cpu: Cpu, d: number, s: number, immLo: number, immHi: number, op: number): Op {
  const R = cpu.R
  const write = writesResult(op)
  // add, sub and cmp written out: the loop counters and pointer bumps of -O2 code.
  if (op === ALU_ADD) {
    return () => {
      const aLo = R[d]!
      const aHi = R[d + 1]!
      const bLo = s >= 0 ? R[s]! : immLo
      const bHi = s >= 0 ? R[s + 1]! : immHi
      const sum = (aLo >>> 0) + (bLo >>> 0)
      const lo = sum | 0
      const hi = (aHi + bHi + (sum >= TWO_32 ? 1 : 0)) | 0
      R[d] = lo
      R[d + 1] = hi
      cpu.recordArith64(LAZY_ADD, aLo, aHi, bLo, bHi, lo, hi)
    }
  }
  if (op === ALU_SUB || op === ALU_CMP) {
    return () => {
      const aLo = R[d]!
      const aHi = R[d + 1]!
      const bLo = s >= 0 ? R[s]! : immLo
      const bHi = s >= 0 ? R[s + 1]! : immHi
      const diff = (aLo >>> 0) - (bLo >>> 0)
      const lo = diff | 0
      const hi = (aHi - bHi - (diff < 0 ? 1 : 0)) | 0
      if (write) {
        R[d] = lo
        R[d + 1] = hi
      }
      cpu.recordArith64(LAZY_SUB, aLo, aHi, bLo, bHi, lo, hi)
    }
  }
  return () => {
    applyAlu64(cpu, op, R[d]!, R[d + 1]!, s >= 0 ? R[s]! : immLo, s >= 0 ? R[s + 1]! : immHi)
    if (write) {
      R[d] = cpu.lo
      R[d + 1] = cpu.hi
    }
  }
}

/** reg op [simple memory], 32 or 64 bits. */
function aluRegisterMemory(cpu: Cpu, size: number, d: number, mem: SimpleMemory, op: number): Op {
  const R = cpu.R
  const write = writesResult(op)
  if (size === 32) {
    return () => {
      const r = applyAlu32(cpu, op, R[d]!, cpu.ld32(simpleAddress(cpu, R, mem, 'read')))
      if (write) {
        R[d] = r
        R[d + 1] = 0
      }
    }
  }
  return () => {
    const a = simpleAddress(cpu, R, mem, 'read')
    const lo = cpu.ld32(a)
    const hi = cpu.ld32(a + 4)
    applyAlu64(cpu, op, R[d]!, R[d + 1]!, lo, hi)
    if (write) {
      R[d] = cpu.lo
      R[d + 1] = cpu.hi
    }
  }
}

/**
 * [simple memory] op reg/imm, 32 or 64 bits, for add/sub/cmp/and/or/xor/test (the -O0 loop
 * counter forms). The result is stored before the flags are recorded, so a faulting store
 * leaves the flags as they were.
 */
function aluMemory(cpu: Cpu, size: number, mem: SimpleMemory, s: number, immLo: number, immHi: number, op: number): Op {
  const R = cpu.R
  const write = writesResult(op)
  const access = write ? 'write' : 'read'
  if (size === 32) {
    return () => {
      const address = simpleAddress(cpu, R, mem, access)
      const a = cpu.ld32(address)
      const b = s >= 0 ? R[s]! : immLo
      let r: number
      switch (op) {
        case ALU_ADD:
          r = (a + b) | 0
          cpu.st32(address, r)
          cpu.recordArith(LAZY_ADD, 32, a, b, r)
          return
        case ALU_SUB:
        case ALU_CMP:
          r = (a - b) | 0
          if (write) cpu.st32(address, r)
          cpu.recordArith(LAZY_SUB, 32, a, b, r)
          return
        case ALU_AND:
        case ALU_TEST:
          r = a & b
          break
        case ALU_OR:
          r = a | b
          break
        default:
          r = a ^ b
      }
      if (write) cpu.st32(address, r)
      cpu.logic(32, r)
    }
  }
  const W = cpu.words
  return () => {
    const address = simpleAddress(cpu, R, mem, access)
    cpu.ldWords(address, 2, W, 0)
    const aLo = W[0]!
    const aHi = W[1]!
    const bLo = s >= 0 ? R[s]! : immLo
    const bHi = s >= 0 ? R[s + 1]! : immHi
    let lo: number
    let hi: number
    switch (op) {
      case ALU_ADD: {
        const sum = (aLo >>> 0) + (bLo >>> 0)
        lo = sum | 0
        hi = (aHi + bHi + (sum >= TWO_32 ? 1 : 0)) | 0
        cpu.st64(address, lo, hi)
        cpu.recordArith64(LAZY_ADD, aLo, aHi, bLo, bHi, lo, hi)
        return
      }
      case ALU_SUB:
      case ALU_CMP: {
        const diff = (aLo >>> 0) - (bLo >>> 0)
        lo = diff | 0
        hi = (aHi - bHi - (diff < 0 ? 1 : 0)) | 0
        if (write) cpu.st64(address, lo, hi)
        cpu.recordArith64(LAZY_SUB, aLo, aHi, bLo, bHi, lo, hi)
        return
      }
      case ALU_AND:
      case ALU_TEST:
        lo = aLo & bLo
        hi = aHi & bHi
        break
      case ALU_OR:
        lo = aLo | bLo
        hi = aHi | bHi
        break
      default:
        lo = aLo ^ bLo
        hi = aHi ^ bHi
    }
    if (write) cpu.st64(address, lo, hi)
    cpu.logic64(lo, hi)
  }
}

function alu(cpu: Cpu, instr: Instruction, m: Mnemonic): Op {
  const size = operandSize(instr, 0)
  const writes = m !== Mnemonic.Cmp && m !== Mnemonic.Test
  if ((size === 32 || size === 64) && instr.opKind(0) === OpKind.Register && instr.opKind(1) === OpKind.Memory) {
    const dst = gprInfo(instr.opRegister(0))
    const mem = simpleMemory(instr)
    if (dst !== null && mem !== null) return aluRegisterMemory(cpu, size, dst.index * 2, mem, aluCode(m))
  }
  if ((size === 32 || size === 64) && instr.opKind(0) === OpKind.Register) {
    const src = registerOrImmediate(instr, size)
    const dst = gprInfo(instr.opRegister(0))
    if (src !== null && dst !== null) {
      const d = dst.index * 2
      // xor r32, r32 / sub r32, r32: the zeroing idiom gcc emits everywhere.
      return size === 32 ? aluRegister32(cpu, d, src.s, src.lo, aluCode(m)) : aluRegister64(cpu, d, src.s, src.lo, src.hi, aluCode(m))
    }
  }
  if ((size === 32 || size === 64) && instr.opKind(0) === OpKind.Memory && m !== Mnemonic.Adc && m !== Mnemonic.Sbb) {
    const mem = simpleMemory(instr)
    const src = registerOrImmediate(instr, size)
    if (mem !== null && src !== null) return aluMemory(cpu, size, mem, src.s, src.lo, src.hi, aluCode(m))
  }
  if (size === 64) return alu64(cpu, instr, m, writes)
  const dst = operand32(cpu, instr, 0, size, writes ? 'write' : 'read')
  const get = dst.get
  const set = dst.set
  const src = operand32(cpu, instr, 1, size).get
  switch (m) {
    case Mnemonic.Add:
      return () => {
        const a = get()
        const b = src()
        const r = norm(size, a + b)
        set(r)
        cpu.recordArith(LAZY_ADD, size, a, b, r)
      }
    case Mnemonic.Sub:
      return () => {
        const a = get()
        const b = src()
        const r = norm(size, a - b)
        set(r)
        cpu.recordArith(LAZY_SUB, size, a, b, r)
      }
    case Mnemonic.Cmp:
      return () => {
        const a = get()
        const b = src()
        cpu.recordArith(LAZY_SUB, size, a, b, norm(size, a - b))
      }
    case Mnemonic.Adc:
      return () => {
        const a = get()
        const b = src()
        const cin = cpu.cf()
        const r = norm(size, a + b + cin)
        set(r)
        cpu.recordArith(LAZY_ADC, size, a, b, r)
        cpu.fCin = cin
      }
    case Mnemonic.Sbb:
      return () => {
        const a = get()
        const b = src()
        const cin = cpu.cf()
        const r = norm(size, a - b - cin)
        set(r)
        cpu.recordArith(LAZY_SBB, size, a, b, r)
        cpu.fCin = cin
      }
    case Mnemonic.And:
      return () => {
        const r = get() & src()
        set(r)
        cpu.logic(size, r)
      }
    case Mnemonic.Or:
      return () => {
        const r = get() | src()
        set(r)
        cpu.logic(size, r)
      }
    case Mnemonic.Xor:
      return () => {
        const r = get() ^ src()
        set(r)
        cpu.logic(size, r)
      }
    default:
      return () => {
        cpu.logic(size, get() & src())
      }
  }
}

function alu64(cpu: Cpu, instr: Instruction, m: Mnemonic, writes: boolean): Op {
  const dst = operand64(cpu, instr, 0, writes ? 'write' : 'read')
  const get = dst.get
  const set = dst.set
  const R = cpu.R
  const k1 = instr.opKind(1)
  let bLoConst = 0
  let bHiConst = 0
  let srcReg = -1
  let srcGet: (() => void) | null = null
  if (k1 === OpKind.Register) srcReg = gprInfo(instr.opRegister(1))!.index * 2
  else if (k1 === OpKind.Memory) srcGet = operand64(cpu, instr, 1).get
  else ({ lo: bLoConst, hi: bHiConst } = immediate(instr, 1, 64))
  // Source into (cpu.lo, cpu.hi) after the destination was read into locals.
  const readSrc: () => void =
    srcReg >= 0
      ? () => {
          cpu.lo = R[srcReg]!
          cpu.hi = R[srcReg + 1]!
        }
      : srcGet !== null
        ? srcGet
        : () => {
            cpu.lo = bLoConst
            cpu.hi = bHiConst
          }
  switch (m) {
    case Mnemonic.Add:
    case Mnemonic.Adc: {
      const carry = m === Mnemonic.Adc
      const kind = carry ? LAZY_ADC : LAZY_ADD
      return () => {
        get()
        const aLo = cpu.lo
        const aHi = cpu.hi
        readSrc()
        const bLo = cpu.lo
        const bHi = cpu.hi
        const cin = carry ? cpu.cf() : 0
        const sum = (aLo >>> 0) + (bLo >>> 0) + cin
        const hi = (aHi + bHi + (sum >= TWO_32 ? 1 : 0)) | 0
        set(sum | 0, hi)
        cpu.recordArith64(kind, aLo, aHi, bLo, bHi, sum | 0, hi)
        cpu.fCin = cin
      }
    }
    case Mnemonic.Sub:
    case Mnemonic.Sbb:
    case Mnemonic.Cmp: {
      const borrow = m === Mnemonic.Sbb
      const kind = borrow ? LAZY_SBB : LAZY_SUB
      const store = m !== Mnemonic.Cmp
      return () => {
        get()
        const aLo = cpu.lo
        const aHi = cpu.hi
        readSrc()
        const bLo = cpu.lo
        const bHi = cpu.hi
        const cin = borrow ? cpu.cf() : 0
        const diff = (aLo >>> 0) - (bLo >>> 0) - cin
        const hi = (aHi - bHi - (diff < 0 ? 1 : 0)) | 0
        if (store) set(diff | 0, hi)
        cpu.recordArith64(kind, aLo, aHi, bLo, bHi, diff | 0, hi)
        cpu.fCin = cin
      }
    }
    case Mnemonic.Or:
      return () => {
        get()
        const aLo = cpu.lo
        const aHi = cpu.hi
        readSrc()
        const lo = aLo | cpu.lo
        const hi = aHi | cpu.hi
        set(lo, hi)
        cpu.logic64(lo, hi)
      }
    case Mnemonic.Xor:
      return () => {
        get()
        const aLo = cpu.lo
        const aHi = cpu.hi
        readSrc()
        const lo = aLo ^ cpu.lo
        const hi = aHi ^ cpu.hi
        set(lo, hi)
        cpu.logic64(lo, hi)
      }
    default: {
      const store = m !== Mnemonic.Test
      return () => {
        get()
        const aLo = cpu.lo
        const aHi = cpu.hi
        readSrc()
        const lo = aLo & cpu.lo
        const hi = aHi & cpu.hi
        if (store) set(lo, hi)
        cpu.logic64(lo, hi)
      }
    }
  }
}

function unary(cpu: Cpu, instr: Instruction, m: Mnemonic): Op {
  const size = operandSize(instr, 0)
  if ((m === Mnemonic.Inc || m === Mnemonic.Dec) && size === 32 && instr.opKind(0) === OpKind.Register) {
    const R = cpu.R
    const d = gprInfo(instr.opRegister(0))!.index * 2
    const delta = m === Mnemonic.Inc ? 1 : -1
    const kind = m === Mnemonic.Inc ? LAZY_INC : LAZY_DEC
    return () => {
      const a = R[d]!
      const r = (a + delta) | 0
      R[d] = r
      R[d + 1] = 0
      const cf = cpu.cf()
      cpu.recordArith(kind, 32, a, 1, r)
      cpu.fCin = cf
    }
  }
  if (size === 64) {
    const { get, set } = operand64(cpu, instr, 0, 'write')
    switch (m) {
      case Mnemonic.Inc:
      case Mnemonic.Dec: {
        const kind = m === Mnemonic.Inc ? LAZY_INC : LAZY_DEC
        const delta = m === Mnemonic.Inc ? 1 : -1
        return () => {
          get()
          const aLo = cpu.lo
          const aHi = cpu.hi
          const s = (aLo >>> 0) + delta
          const hi = (aHi + (s >= TWO_32 ? 1 : s < 0 ? -1 : 0)) | 0
          set(s | 0, hi)
          const cf = cpu.cf()
          cpu.recordArith64(kind, aLo, aHi, 1, 0, s | 0, hi)
          cpu.fCin = cf
        }
      }
      case Mnemonic.Neg:
        return () => {
          get()
          const bLo = cpu.lo
          const bHi = cpu.hi
          const diff = -(bLo >>> 0)
          const hi = (-bHi - (diff < 0 ? 1 : 0)) | 0
          set(diff | 0, hi)
          cpu.recordArith64(LAZY_SUB, 0, 0, bLo, bHi, diff | 0, hi)
        }
      default:
        return () => {
          get()
          set(~cpu.lo, ~cpu.hi)
        }
    }
  }
  const { get, set } = operand32(cpu, instr, 0, size, 'write')
  switch (m) {
    case Mnemonic.Inc:
      return () => {
        const a = get()
        const r = norm(size, a + 1)
        set(r)
        const cf = cpu.cf()
        cpu.recordArith(LAZY_INC, size, a, 1, r)
        cpu.fCin = cf
      }
    case Mnemonic.Dec:
      return () => {
        const a = get()
        const r = norm(size, a - 1)
        set(r)
        const cf = cpu.cf()
        cpu.recordArith(LAZY_DEC, size, a, 1, r)
        cpu.fCin = cf
      }
    case Mnemonic.Neg:
      return () => {
        const b = get()
        const r = norm(size, -b)
        set(r)
        cpu.recordArith(LAZY_SUB, size, 0, b, r)
      }
    default:
      return () => {
        set(norm(size, ~get()))
      }
  }
}

/** Shift count operand: 1, CL or an immediate, masked as the hardware masks it. */
function shiftCount(cpu: Cpu, instr: Instruction, n: number, size: number): Getter {
  const mask = size === 64 ? 63 : 31
  if (instr.opCount <= n) return () => 1
  if (instr.opKind(n) === OpKind.Register) {
    const R8 = cpu.R8
    return () => R8[8]! & mask // cl
  }
  const c = instr.immediate8 & mask
  return () => c
}

function signBit(size: number, lo: number, hi: number): number {
  switch (size) {
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

function shift(cpu: Cpu, instr: Instruction, m: Mnemonic): Op {
  const size = operandSize(instr, 0)
  const count = shiftCount(cpu, instr, 1, size)
  if (size === 64) return shift64(cpu, instr, m, count)
  const { get, set } = operand32(cpu, instr, 0, size, 'write')
  const shiftLeft = 32 - size
  switch (m) {
    case Mnemonic.Shl:
    case Mnemonic.Sal:
      return () => {
        const c = count()
        const a = get()
        if (c === 0) return set(a)
        const r = norm(size, a << c)
        set(r)
        const cf = c <= size ? (a >>> (size - c)) & 1 : 0
        cpu.result(size, r, 0, cf, signBit(size, r, 0) ^ cf)
      }
    case Mnemonic.Shr:
      return () => {
        const c = count()
        const a = get()
        if (c === 0) return set(a)
        const u = size === 32 ? a >>> 0 : a
        const r = norm(size, u >>> c)
        set(r)
        cpu.result(size, r, 0, (u >>> (c - 1)) & 1, signBit(size, a, 0))
      }
    case Mnemonic.Sar:
      return () => {
        const c = count()
        const a = get()
        if (c === 0) return set(a)
        const s = (a << shiftLeft) >> shiftLeft
        const r = norm(size, s >> c)
        set(r)
        cpu.result(size, r, 0, (s >> (c - 1)) & 1, 0)
      }
    case Mnemonic.Rol:
      return () => {
        const c = count()
        const a = get()
        if (c === 0) return set(a)
        const k = c % size
        const r = k === 0 ? a : norm(size, (a << k) | ((size === 32 ? a >>> 0 : a) >>> (size - k)))
        set(r)
        const cf = r & 1
        cpu.setStatusFlags(CF | OF, cf | ((signBit(size, r, 0) ^ cf) ? OF : 0))
      }
    case Mnemonic.Ror:
      return () => {
        const c = count()
        const a = get()
        if (c === 0) return set(a)
        const k = c % size
        const u = size === 32 ? a >>> 0 : a
        const r = k === 0 ? a : norm(size, (u >>> k) | (a << (size - k)))
        set(r)
        const msb = signBit(size, r, 0)
        const msb2 = signBit(size, r << 1, 0)
        cpu.setStatusFlags(CF | OF, msb | (msb ^ msb2 ? OF : 0))
      }
    default: {
      const left = m === Mnemonic.Rcl
      return () => {
        const c = count()
        let a = get()
        if (c === 0) return set(a)
        const rotations = size === 8 ? c % 9 : size === 16 ? c % 17 : c
        let cf = cpu.cf()
        const top = size - 1
        for (let i = 0; i < rotations; i++) {
          if (left) {
            const out = signBit(size, a, 0)
            a = norm(size, (a << 1) | cf)
            cf = out
          } else {
            const out = a & 1
            a = norm(size, ((size === 32 ? a >>> 0 : a) >>> 1) | (cf << top))
            cf = out
          }
        }
        set(a)
        const of = left ? signBit(size, a, 0) ^ cf : signBit(size, a, 0) ^ signBit(size, a << 1, 0)
        cpu.setStatusFlags(CF | OF, cf | (of ? OF : 0))
      }
    }
  }
}

/** 64-bit shift of (lo, hi) left by c (0..63) into cpu.lo/hi. */
function shl64(cpu: Cpu, lo: number, hi: number, c: number): void {
  if (c === 0) {
    cpu.lo = lo
    cpu.hi = hi
  } else if (c < 32) {
    cpu.hi = (hi << c) | (lo >>> (32 - c))
    cpu.lo = lo << c
  } else {
    cpu.hi = lo << (c - 32)
    cpu.lo = 0
  }
}

function shr64(cpu: Cpu, lo: number, hi: number, c: number, arithmetic: boolean): void {
  if (c === 0) {
    cpu.lo = lo
    cpu.hi = hi
  } else if (c < 32) {
    cpu.lo = (lo >>> c) | (hi << (32 - c))
    cpu.hi = arithmetic ? hi >> c : hi >>> c
  } else {
    cpu.lo = arithmetic ? hi >> (c - 32) : hi >>> (c - 32)
    cpu.hi = arithmetic ? hi >> 31 : 0
  }
  cpu.lo |= 0
  cpu.hi |= 0
}

/** Bit i (0..63) of (lo, hi). */
function bit64(lo: number, hi: number, i: number): number {
  return i < 32 ? (lo >>> i) & 1 : (hi >>> (i - 32)) & 1
}

function shift64(cpu: Cpu, instr: Instruction, m: Mnemonic, count: Getter): Op {
  const { get, set } = operand64(cpu, instr, 0, 'write')
  switch (m) {
    case Mnemonic.Shl:
    case Mnemonic.Sal:
      return () => {
        const c = count()
        get()
        const lo = cpu.lo
        const hi = cpu.hi
        if (c === 0) return set(lo, hi)
        shl64(cpu, lo, hi, c)
        const rl = cpu.lo
        const rh = cpu.hi
        set(rl, rh)
        const cf = bit64(lo, hi, 64 - c)
        cpu.result(64, rl, rh, cf, (rh >>> 31) ^ cf)
      }
    case Mnemonic.Shr:
    case Mnemonic.Sar: {
      const arithmetic = m === Mnemonic.Sar
      return () => {
        const c = count()
        get()
        const lo = cpu.lo
        const hi = cpu.hi
        if (c === 0) return set(lo, hi)
        shr64(cpu, lo, hi, c, arithmetic)
        const rl = cpu.lo
        const rh = cpu.hi
        set(rl, rh)
        cpu.result(64, rl, rh, bit64(lo, hi, c - 1), arithmetic ? 0 : hi >>> 31)
      }
    }
    case Mnemonic.Rol:
    case Mnemonic.Ror: {
      const left = m === Mnemonic.Rol
      return () => {
        const c = count()
        get()
        const lo = cpu.lo
        const hi = cpu.hi
        if (c === 0) return set(lo, hi)
        const k = left ? c : 64 - c
        shl64(cpu, lo, hi, k)
        const al = cpu.lo
        const ah = cpu.hi
        shr64(cpu, lo, hi, 64 - k, false)
        const rl = al | cpu.lo
        const rh = ah | cpu.hi
        set(rl, rh)
        if (left) {
          const cf = rl & 1
          cpu.setStatusFlags(CF | OF, cf | ((rh >>> 31) ^ cf ? OF : 0))
        } else {
          const msb = rh >>> 31
          cpu.setStatusFlags(CF | OF, msb | (msb ^ ((rh >>> 30) & 1) ? OF : 0))
        }
      }
    }
    default: {
      const left = m === Mnemonic.Rcl
      return () => {
        const c = count()
        get()
        let lo = cpu.lo
        let hi = cpu.hi
        if (c === 0) return set(lo, hi)
        let cf = cpu.cf()
        for (let i = 0; i < c; i++) {
          if (left) {
            const out = hi >>> 31
            hi = (hi << 1) | (lo >>> 31)
            lo = (lo << 1) | cf
            cf = out
          } else {
            const out = lo & 1
            lo = (lo >>> 1) | (hi << 31)
            hi = (hi >>> 1) | (cf << 31)
            cf = out
          }
        }
        set(lo | 0, hi | 0)
        const of = left ? (hi >>> 31) ^ cf : (hi >>> 31) ^ ((hi >>> 30) & 1)
        cpu.setStatusFlags(CF | OF, cf | (of ? OF : 0))
      }
    }
  }
}

function doubleShift(cpu: Cpu, instr: Instruction, left: boolean): Op {
  const size = operandSize(instr, 0)
  const count = shiftCount(cpu, instr, 2, size)
  if (size === 64) {
    const dst = operand64(cpu, instr, 0, 'write')
    const src = operand64(cpu, instr, 1)
    return () => {
      const c = count()
      dst.get()
      const dl = cpu.lo
      const dh = cpu.hi
      if (c === 0) return dst.set(dl, dh)
      src.get()
      const sl = cpu.lo
      const sh = cpu.hi
      let rl: number
      let rh: number
      let cf: number
      if (left) {
        shl64(cpu, dl, dh, c)
        rl = cpu.lo
        rh = cpu.hi
        shr64(cpu, sl, sh, 64 - c, false)
        rl |= cpu.lo
        rh |= cpu.hi
        cf = bit64(dl, dh, 64 - c)
      } else {
        shr64(cpu, dl, dh, c, false)
        rl = cpu.lo
        rh = cpu.hi
        shl64(cpu, sl, sh, 64 - c)
        rl |= cpu.lo
        rh |= cpu.hi
        cf = bit64(dl, dh, c - 1)
      }
      dst.set(rl, rh)
      cpu.result(64, rl, rh, cf, (rh >>> 31) ^ (dh >>> 31))
    }
  }
  const dst = operand32(cpu, instr, 0, size, 'write')
  const src = operand32(cpu, instr, 1, size).get
  return () => {
    const c = count()
    const d = dst.get()
    if (c === 0) return dst.set(d)
    const s = src()
    let r: number
    let cf: number
    if (size === 32) {
      if (left) {
        r = (d << c) | (s >>> (32 - c))
        cf = (d >>> (32 - c)) & 1
      } else {
        r = (d >>> c) | (s << (32 - c))
        cf = (d >>> (c - 1)) & 1
      }
      r |= 0
    } else {
      // 16-bit: shift the 32-bit concatenation; counts above 16 give undefined results.
      const cat = left ? ((d << 16) | s) >>> 0 : ((s << 16) | d) >>> 0
      if (left) {
        r = c <= 16 ? ((cat << c) >>> 16) & 0xffff : ((cat << (c - 16)) | (d >>> (32 - c))) & 0xffff
        cf = c <= 16 ? (d >>> (16 - c)) & 1 : 0
      } else {
        r = (cat >>> c) & 0xffff
        cf = (cat >>> (c - 1)) & 1
      }
    }
    dst.set(r)
    cpu.result(size, r, 0, cf, signBit(size, r, 0) ^ signBit(size, d, 0))
  }
}

function multiply(cpu: Cpu, instr: Instruction, signed: boolean): Op {
  const R = cpu.R
  if (instr.opCount === 1) {
    const size = operandSize(instr, 0)
    if (size === 64) {
      const src = operand64(cpu, instr, 0).get
      const out = new Int32Array(4)
      return () => {
        src()
        if (signed) imul64(out, R[0]!, R[1]!, cpu.lo, cpu.hi)
        else mul64(out, R[0]!, R[1]!, cpu.lo, cpu.hi)
        R[0] = out[0]!
        R[1] = out[1]!
        R[4] = out[2]!
        R[5] = out[3]!
        const ext = signed ? out[1]! >> 31 : 0
        const overflow = out[2] !== ext || out[3] !== ext ? 1 : 0
        cpu.result(64, out[0]!, out[1]!, overflow, overflow)
      }
    }
    const src = operand32(cpu, instr, 0, size).get
    const R16 = cpu.R16
    const R8 = cpu.R8
    switch (size) {
      case 8:
        return () => {
          const b = src()
          const p = signed ? ((R8[0]! << 24) >> 24) * ((b << 24) >> 24) : R8[0]! * b
          R16[0] = p & 0xffff
          const overflow = signed ? (((p << 24) >> 24) !== p ? 1 : 0) : p > 0xff ? 1 : 0
          cpu.result(8, p & 0xff, 0, overflow, overflow)
        }
      case 16:
        return () => {
          const b = src()
          const p = signed ? ((R16[0]! << 16) >> 16) * ((b << 16) >> 16) : R16[0]! * b
          R16[0] = p & 0xffff
          R16[8] = (p >> 16) & 0xffff
          const overflow = signed ? (((p << 16) >> 16) !== p ? 1 : 0) : p > 0xffff ? 1 : 0
          cpu.result(16, p & 0xffff, 0, overflow, overflow)
        }
      default:
        return () => {
          const b = src()
          const a = R[0]!
          const lo = Math.imul(a, b)
          const hi = signed ? mulHighS32(a, b) : mulHighU32(a, b)
          R[0] = lo
          R[1] = 0
          R[4] = hi
          R[5] = 0
          const overflow = hi !== (signed ? lo >> 31 : 0) ? 1 : 0
          cpu.result(32, lo, 0, overflow, overflow)
        }
    }
  }
  // imul r, r/m [, imm]: truncated product, CF=OF when it does not fit.
  const size = operandSize(instr, 0)
  const srcIndex = instr.opCount === 3 ? 1 : 0
  const factorIndex = instr.opCount === 3 ? 2 : 1
  const d = gprInfo(instr.opRegister(0))!
  if (size === 64) {
    const a = operand64(cpu, instr, srcIndex).get
    const b = operand64(cpu, instr, factorIndex).get
    const out = new Int32Array(4)
    const di = d.index * 2
    return () => {
      a()
      const aLo = cpu.lo
      const aHi = cpu.hi
      b()
      imul64(out, aLo, aHi, cpu.lo, cpu.hi)
      R[di] = out[0]!
      R[di + 1] = out[1]!
      const ext = out[1]! >> 31
      const overflow = out[2] !== ext || out[3] !== ext ? 1 : 0
      cpu.result(64, out[0]!, out[1]!, overflow, overflow)
    }
  }
  const a = operand32(cpu, instr, srcIndex, size).get
  const b = operand32(cpu, instr, factorIndex, size).get
  const store = operand32(cpu, instr, 0, size, 'write').store
  const shiftLeft = 32 - size
  if (size === 32) {
    return () => {
      const x = a()
      const y = b()
      const lo = Math.imul(x, y)
      const hi = mulHighS32(x, y)
      store(lo)
      const overflow = hi !== lo >> 31 ? 1 : 0
      cpu.result(32, lo, 0, overflow, overflow)
    }
  }
  return () => {
    const p = ((a() << shiftLeft) >> shiftLeft) * ((b() << shiftLeft) >> shiftLeft)
    const r = norm(size, p)
    store(r)
    const overflow = ((p << shiftLeft) >> shiftLeft) !== p ? 1 : 0
    cpu.result(size, r, 0, overflow, overflow)
  }
}

function divideError(): never {
  throw new CpuTrap({ vector: 'divide-error', ip: 0 })
}

function divide(cpu: Cpu, instr: Instruction, signed: boolean): Op {
  const size = operandSize(instr, 0)
  const R = cpu.R
  const R8 = cpu.R8
  const R16 = cpu.R16
  if (size === 64) {
    const src = operand64(cpu, instr, 0).get
    return () => {
      src()
      const divisor = (BigInt(cpu.hi >>> 0) << 32n) | BigInt(cpu.lo >>> 0)
      if (divisor === 0n) divideError()
      const dividend = (BigInt(R[5]! >>> 0) << 96n) | (BigInt(R[4]! >>> 0) << 64n) | (BigInt(R[1]! >>> 0) << 32n) | BigInt(R[0]! >>> 0)
      let q: bigint
      let r: bigint
      if (signed) {
        const n = BigInt.asIntN(128, dividend)
        const dv = BigInt.asIntN(64, divisor)
        q = n / dv
        r = n % dv
        if (q > 0x7fffffffffffffffn || q < -0x8000000000000000n) divideError()
      } else {
        q = dividend / divisor
        r = dividend % divisor
        if (q > 0xffffffffffffffffn) divideError()
      }
      const [ql, qh] = split64(q)
      const [rl, rh] = split64(r)
      R[0] = ql
      R[1] = qh
      R[4] = rl
      R[5] = rh
    }
  }
  const src = operand32(cpu, instr, 0, size).get
  switch (size) {
    case 8:
      return () => {
        const b = src()
        if (b === 0) divideError()
        const n = signed ? (R16[0]! << 16) >> 16 : R16[0]!
        const dv = signed ? (b << 24) >> 24 : b
        const q = Math.trunc(n / dv)
        if (signed ? q > 127 || q < -128 : q > 255) divideError()
        R8[0] = q & 0xff
        R8[1] = (n - q * dv) & 0xff
      }
    case 16:
      return () => {
        const b = src()
        if (b === 0) divideError()
        const u = ((R16[8]! << 16) | R16[0]!) >>> 0
        const n = signed ? u | 0 : u
        const dv = signed ? (b << 16) >> 16 : b
        const q = Math.trunc(n / dv)
        if (signed ? q > 32767 || q < -32768 : q > 0xffff) divideError()
        R16[0] = q & 0xffff
        R16[8] = (n - q * dv) & 0xffff
      }
    default:
      return () => {
        const b = src()
        if (b === 0) divideError()
        let q: number
        let r: number
        if (signed) {
          const n = BigInt(R[4]!) * 0x1_0000_0000n + BigInt(R[0]! >>> 0)
          const dv = BigInt(b)
          const bq = n / dv
          if (bq > 0x7fffffffn || bq < -0x80000000n) divideError()
          q = Number(bq)
          r = Number(n % dv)
        } else {
          const hi = R[4]! >>> 0
          const lo = R[0]! >>> 0
          const dv = b >>> 0
          if (hi >= dv) divideError()
          if (hi === 0) {
            q = Math.floor(lo / dv)
            r = lo - q * dv
          } else {
            const n = (BigInt(hi) << 32n) | BigInt(lo)
            q = Number(n / BigInt(dv))
            r = Number(n % BigInt(dv))
          }
        }
        R[0] = q | 0
        R[1] = 0
        R[4] = r | 0
        R[5] = 0
      }
  }
}

// --- bit operations ---------------------------------------------------------------------------

function bitTest(cpu: Cpu, instr: Instruction, m: Mnemonic): Op {
  const size = operandSize(instr, 0)
  const write = m !== Mnemonic.Bt
  const R = cpu.R
  const kind = m === Mnemonic.Bts ? 1 : m === Mnemonic.Btr ? 2 : m === Mnemonic.Btc ? 3 : 0
  const apply = (v: number, bit: number) => (kind === 1 ? v | bit : kind === 2 ? v & ~bit : kind === 3 ? v ^ bit : v)
  const immediateOffset = instr.opKind(1) !== OpKind.Register
  if (instr.opKind(0) === OpKind.Memory && !immediateOffset) {
    // Bit string in memory: the register offset is signed and selects any byte.
    const ea = effectiveAddress(cpu, instr, write ? 'write' : 'read')
    const offsetReg = gprInfo(instr.opRegister(1))!
    const oi = offsetReg.index * 2
    return () => {
      let offLo: number
      let offHi: number
      if (size === 64) {
        offLo = R[oi]!
        offHi = R[oi + 1]!
      } else if (size === 32) {
        offLo = R[oi]!
        offHi = offLo >> 31
      } else {
        offLo = (cpu.R16[oi * 2]! << 16) >> 16
        offHi = offLo >> 31
      }
      // byte displacement = offset >> 3 (arithmetic), bit = offset & 7
      const byteDisp = offHi * 0x20000000 + Math.floor((offLo >>> 0) / 8)
      const bitIndex = offLo & 7
      const a = ea() + byteDisp
      const addr = a >= 0 && a < 2 ** 47 ? a : cpu.badAddress(a % TWO_32, Math.floor(a / TWO_32) | 0, write ? 'write' : 'read')
      const v = cpu.ld8(addr)
      const bit = 1 << bitIndex
      if (write) cpu.st8(addr, apply(v, bit) & 0xff)
      cpu.setStatusFlags(CF, v & bit ? CF : 0)
    }
  }
  const offset: Getter = immediateOffset
    ? (() => {
        const c = instr.immediate8 & (size - 1)
        return () => c
      })()
    : (() => {
        const g = operand32(cpu, instr, 1, size === 64 ? 32 : size).get
        return () => g() & (size - 1)
      })()
  if (size === 64) {
    const { get, set } = operand64(cpu, instr, 0, write ? 'write' : 'read')
    return () => {
      const i = offset()
      get()
      let lo = cpu.lo
      let hi = cpu.hi
      const cf = bit64(lo, hi, i)
      if (write) {
        if (i < 32) lo = apply(lo, 1 << i)
        else hi = apply(hi, 1 << (i - 32))
        set(lo, hi)
      }
      cpu.setStatusFlags(CF, cf)
    }
  }
  const { get, set } = operand32(cpu, instr, 0, size, write ? 'write' : 'read')
  return () => {
    const i = offset()
    const v = get()
    if (write) set(norm(size, apply(v, 1 << i)))
    cpu.setStatusFlags(CF, (v >>> i) & 1)
  }
}

function bitScan(cpu: Cpu, instr: Instruction, forward: boolean): Op {
  const size = operandSize(instr, 0)
  if (size === 64) {
    const src = operand64(cpu, instr, 1).get
    const d = gprInfo(instr.opRegister(0))!.index * 2
    const R = cpu.R
    return () => {
      src()
      const lo = cpu.lo
      const hi = cpu.hi
      if ((lo | hi) === 0) return cpu.setStatusFlags(ZF, ZF)
      let index: number
      if (forward) index = lo !== 0 ? lowestBit(lo) : 32 + lowestBit(hi)
      else index = hi !== 0 ? 63 - Math.clz32(hi) : 31 - Math.clz32(lo)
      R[d] = index
      R[d + 1] = 0
      cpu.setStatusFlags(ZF, 0)
    }
  }
  const src = operand32(cpu, instr, 1, size).get
  const store = operand32(cpu, instr, 0, size, 'write').store
  return () => {
    const v = src()
    if (v === 0) return cpu.setStatusFlags(ZF, ZF)
    store(forward ? lowestBit(v) : 31 - Math.clz32(v))
    cpu.setStatusFlags(ZF, 0)
  }
}

function popcnt(cpu: Cpu, instr: Instruction): Op {
  const size = operandSize(instr, 0)
  if (size === 64) {
    const src = operand64(cpu, instr, 1).get
    const d = gprInfo(instr.opRegister(0))!.index * 2
    return () => {
      src()
      const n = popcount32(cpu.lo) + popcount32(cpu.hi)
      cpu.R[d] = n
      cpu.R[d + 1] = 0
      cpu.setStatusFlags(CF | PF | AF | ZF | SF | OF, n === 0 ? ZF : 0)
    }
  }
  const src = operand32(cpu, instr, 1, size).get
  const store = operand32(cpu, instr, 0, size, 'write').store
  return () => {
    const n = popcount32(src())
    store(n)
    cpu.setStatusFlags(CF | PF | AF | ZF | SF | OF, n === 0 ? ZF : 0)
  }
}

function bswap(cpu: Cpu, instr: Instruction): Op {
  const g = gprInfo(instr.opRegister(0))!
  const R = cpu.R
  const i = g.index * 2
  if (g.size === 64) {
    return () => {
      const lo = R[i]!
      R[i] = bswap32(R[i + 1]!)
      R[i + 1] = bswap32(lo)
    }
  }
  if (g.size === 32) {
    return () => {
      R[i] = bswap32(R[i]!)
      R[i + 1] = 0
    }
  }
  // bswap of a 16-bit register is undefined; hardware clears the word.
  return () => {
    cpu.R16[i * 2] = 0
  }
}

// --- atomics ----------------------------------------------------------------------------------

function xadd(cpu: Cpu, instr: Instruction): Op {
  const size = operandSize(instr, 0)
  if (size === 64) {
    const dst = operand64(cpu, instr, 0, 'write')
    const src = operand64(cpu, instr, 1, 'write')
    return () => {
      dst.get()
      const aLo = cpu.lo
      const aHi = cpu.hi
      src.get()
      const bLo = cpu.lo
      const bHi = cpu.hi
      const sum = (aLo >>> 0) + (bLo >>> 0)
      const hi = (aHi + bHi + (sum >= TWO_32 ? 1 : 0)) | 0
      dst.set(sum | 0, hi)
      src.set(aLo, aHi)
      cpu.recordArith64(LAZY_ADD, aLo, aHi, bLo, bHi, sum | 0, hi)
    }
  }
  const dst = operand32(cpu, instr, 0, size, 'write')
  const src = operand32(cpu, instr, 1, size, 'write')
  return () => {
    const a = dst.get()
    const b = src.get()
    const r = norm(size, a + b)
    dst.set(r)
    src.set(a)
    cpu.recordArith(LAZY_ADD, size, a, b, r)
  }
}

function cmpxchg(cpu: Cpu, instr: Instruction): Op {
  const size = operandSize(instr, 0)
  const R = cpu.R
  // A memory destination is written back even when unequal; a register one is left alone.
  const writeBack = instr.opKind(0) === OpKind.Memory
  if (size === 64) {
    const dst = operand64(cpu, instr, 0, 'write')
    const src = operand64(cpu, instr, 1)
    return () => {
      dst.get()
      const dLo = cpu.lo
      const dHi = cpu.hi
      const aLo = R[0]!
      const aHi = R[1]!
      const diff = (aLo >>> 0) - (dLo >>> 0)
      const hi = (aHi - dHi - (diff < 0 ? 1 : 0)) | 0
      if (aLo === dLo && aHi === dHi) {
        src.get()
        dst.set(cpu.lo, cpu.hi)
      } else {
        if (writeBack) dst.set(dLo, dHi)
        R[0] = dLo
        R[1] = dHi
      }
      cpu.recordArith64(LAZY_SUB, aLo, aHi, dLo, dHi, diff | 0, hi)
    }
  }
  const dst = operand32(cpu, instr, 0, size, 'write')
  const src = operand32(cpu, instr, 1, size).get
  const acc = size === 8 ? () => cpu.R8[0]! : size === 16 ? () => cpu.R16[0]! : () => R[0]!
  const setAcc: Setter =
    size === 8
      ? (v) => {
          cpu.R8[0] = v
        }
      : size === 16
        ? (v) => {
            cpu.R16[0] = v
          }
        : (v) => {
            R[0] = v
            R[1] = 0
          }
  return () => {
    const d = dst.get()
    const a = acc()
    if (a === d) dst.set(src())
    else {
      if (writeBack) dst.set(d)
      setAcc(d)
    }
    cpu.recordArith(LAZY_SUB, size, a, d, norm(size, a - d))
  }
}

function cmpxchg16b(cpu: Cpu, instr: Instruction): Op {
  const ea = effectiveAddress(cpu, instr, 'write')
  const R = cpu.R
  return () => {
    const a = ea()
    if (a % 16 !== 0) generalProtection()
    cpu.checkStore(a, 16)
    const m0 = cpu.ld32(a)
    const m1 = cpu.ld32(a + 4)
    const m2 = cpu.ld32(a + 8)
    const m3 = cpu.ld32(a + 12)
    if (m0 === R[0] && m1 === R[1] && m2 === R[4] && m3 === R[5]) {
      cpu.st128(a, R[6]!, R[7]!, R[2]!, R[3]!)
      cpu.setStatusFlags(ZF, ZF)
    } else {
      cpu.st128(a, m0, m1, m2, m3)
      R[0] = m0
      R[1] = m1
      R[4] = m2
      R[5] = m3
      cpu.setStatusFlags(ZF, 0)
    }
  }
}

// --- control flow -----------------------------------------------------------------------------

/**
 * The predicate of an even condition code (its odd partner is the negation), as a closure
 * calling one Cpu method so that each site stays monomorphic.
 */
function predicate(cpu: Cpu, cc: number): () => boolean {
  switch (cc & ~1) {
    case 0:
      return () => cpu.condO()
    case 2:
      return () => cpu.condB()
    case 4:
      return () => cpu.condE()
    case 6:
      return () => cpu.condBE()
    case 8:
      return () => cpu.condS()
    case 10:
      return () => cpu.condP()
    case 12:
      return () => cpu.condL()
    default:
      return () => cpu.condLE()
  }
}

function conditionalJump(cpu: Cpu, instr: Instruction, cc: number, next: number): Op {
  const target = Number(instr.nearBranchTarget)
  const r = cpu.r
  // Odd codes are the negations: swap the destinations instead of negating.
  const ifTrue = cc & 1 ? next : target
  const ifFalse = cc & 1 ? target : next
  switch (cc & ~1) {
    case 2:
      return () => {
        r.rip = cpu.condB() ? ifTrue : ifFalse
      }
    case 4:
      return () => {
        r.rip = cpu.condE() ? ifTrue : ifFalse
      }
    case 6:
      return () => {
        r.rip = cpu.condBE() ? ifTrue : ifFalse
      }
    case 8:
      return () => {
        r.rip = cpu.condS() ? ifTrue : ifFalse
      }
    case 12:
      return () => {
        r.rip = cpu.condL() ? ifTrue : ifFalse
      }
    case 14:
      return () => {
        r.rip = cpu.condLE() ? ifTrue : ifFalse
      }
    default: {
      const test = predicate(cpu, cc)
      return () => {
        r.rip = test() ? ifTrue : ifFalse
      }
    }
  }
}

function setcc(cpu: Cpu, instr: Instruction, cc: number): Op {
  const store = operand32(cpu, instr, 0, 8, 'write').store
  const test = predicate(cpu, cc)
  const negate = cc & 1
  return () => store((test() ? 1 : 0) ^ negate)
}

function cmovcc(cpu: Cpu, instr: Instruction, cc: number): Op {
  const size = operandSize(instr, 0)
  const R = cpu.R
  const d = gprInfo(instr.opRegister(0))!.index * 2
  const test = predicate(cpu, cc)
  const negate = (cc & 1) === 1
  if (size === 64) {
    const src = operand64(cpu, instr, 1).get
    return () => {
      src()
      if (test() !== negate) {
        R[d] = cpu.lo
        R[d + 1] = cpu.hi
      }
    }
  }
  const src = operand32(cpu, instr, 1, size).get
  const store = operand32(cpu, instr, 0, size, 'write').store
  if (size === 32) {
    // A 32-bit cmov zero-extends its destination even when the condition is false.
    return () => {
      const v = src()
      R[d] = test() !== negate ? v : R[d]!
      R[d + 1] = 0
    }
  }
  return () => {
    const v = src()
    if (test() !== negate) store(v)
  }
}

/** Branch target from a 64-bit value: #GP (at the branch) when it is not canonical. */
function branchTarget(cpu: Cpu, lo: number, hi: number): number {
  if (hi >= 0 && hi < 0x8000) return hi * TWO_32 + (lo >>> 0)
  if (hi < 0 && hi >= -0x8000) return (hi >>> 0) * TWO_32 + (lo >>> 0) // kernel half: faults on fetch
  return cpu.badAddress(lo, hi, 'exec')
}

function jump(cpu: Cpu, instr: Instruction): Op {
  const r = cpu.r
  const kind = instr.opKind(0)
  if (kind === OpKind.NearBranch64) {
    const target = Number(instr.nearBranchTarget)
    return () => {
      r.rip = target
    }
  }
  if (kind !== OpKind.Register && kind !== OpKind.Memory) return unsupported
  const src = operand64(cpu, instr, 0).get
  return () => {
    src()
    r.rip = branchTarget(cpu, cpu.lo, cpu.hi)
  }
}

function call(cpu: Cpu, instr: Instruction, next: number): Op {
  const r = cpu.r
  const nextLo = next % TWO_32 | 0
  const nextHi = Math.floor(next / TWO_32)
  const kind = instr.opKind(0)
  if (kind === OpKind.NearBranch64) {
    const target = Number(instr.nearBranchTarget)
    return () => {
      cpu.push64(nextLo, nextHi)
      r.rip = target
    }
  }
  if (kind !== OpKind.Register && kind !== OpKind.Memory) return unsupported
  const src = operand64(cpu, instr, 0).get
  return () => {
    src()
    const target = branchTarget(cpu, cpu.lo, cpu.hi)
    cpu.push64(nextLo, nextHi)
    r.rip = target
  }
}

function ret(cpu: Cpu, instr: Instruction): Op {
  const r = cpu.r
  const extra = instr.opCount === 1 ? instr.immediate16 : 0
  return () => {
    cpu.peek64(0)
    const target = branchTarget(cpu, cpu.lo, cpu.hi)
    cpu.adjustSp(8 + extra)
    r.rip = target
  }
}

function leave(cpu: Cpu, _instr: Instruction): Op {
  const R = cpu.R
  return () => {
    // rsp = rbp; pop rbp — read first so a fault leaves both registers unchanged.
    const lo = (R[10]! >>> 0) + 0
    const a = cpu.address(lo, R[11]!, 'read')
    const vLo = cpu.ld32(a)
    const vHi = cpu.ld32(a + 4)
    const spLo = lo + 8
    R[8] = spLo | 0
    R[9] = (R[11]! + (spLo >= TWO_32 ? 1 : 0)) | 0
    R[10] = vLo
    R[11] = vHi
  }
}

function enter(cpu: Cpu, instr: Instruction): Op {
  const frame = instr.immediate16
  const level = instr.immediate8_2nd & 31
  if (level !== 0) return unsupported
  const R = cpu.R
  return () => {
    cpu.push64(R[10]!, R[11]!)
    R[10] = R[8]!
    R[11] = R[9]!
    cpu.adjustSp(-frame)
  }
}

function loop(cpu: Cpu, instr: Instruction, m: Mnemonic, next: number): Op {
  const target = Number(instr.nearBranchTarget)
  const R = cpu.R
  const r = cpu.r
  switch (m) {
    case Mnemonic.Jrcxz:
      return () => {
        r.rip = (R[2]! | R[3]!) === 0 ? target : next
      }
    case Mnemonic.Jecxz:
      return () => {
        r.rip = R[2] === 0 ? target : next
      }
    default: {
      // 0: loop, 1: loope (also needs ZF=1), 2: loopne (also needs ZF=0)
      const kind = m === Mnemonic.Loop ? 0 : m === Mnemonic.Loope ? 1 : 2
      return () => {
        const lo = R[2]!
        R[2] = (lo - 1) | 0
        if (lo === 0) R[3] = (R[3]! - 1) | 0
        const nonzero = (R[2]! | R[3]!) !== 0
        const taken = kind === 0 ? nonzero : kind === 1 ? nonzero && cpu.zf() !== 0 : nonzero && cpu.zf() === 0
        r.rip = taken ? target : next
      }
    }
  }
}

function syscall(cpu: Cpu, next: number): Op {
  const R = cpu.R
  const r = cpu.r
  const nextLo = next % TWO_32 | 0
  const nextHi = Math.floor(next / TWO_32)
  return () => {
    // The hardware saves the return address in rcx and rflags in r11.
    R[2] = nextLo
    R[3] = nextHi
    R[22] = cpu.getRflags() & ~0x10000
    R[23] = 0
    r.rip = next
    cpu.host.syscall(cpu)
  }
}

function rdtsc(cpu: Cpu, withAux: boolean): Op {
  const R = cpu.R
  return () => {
    const t = cpu.tsc()
    R[0] = t % TWO_32 | 0
    R[1] = 0
    R[4] = Math.floor(t / TWO_32) | 0
    R[5] = 0
    if (withAux) {
      R[2] = 0 // IA32_TSC_AUX: Linux stores the cpu number there; we run on cpu 0
      R[3] = 0
    }
  }
}

function setDirection(cpu: Cpu, down: boolean): Op {
  return () => {
    if (down) cpu.flagsOther |= DF
    else cpu.flagsOther &= ~DF
    cpu.direction = down ? -1 : 1
  }
}

function storeControlWord(cpu: Cpu, instr: Instruction): Op {
  const ea = effectiveAddress(cpu, instr, 'write')
  return () => cpu.st16(ea(), cpu.fpuControl)
}

function loadControlWord(cpu: Cpu, instr: Instruction): Op {
  const ea = effectiveAddress(cpu, instr, 'read')
  return () => {
    cpu.fpuControl = cpu.ld16(ea())
  }
}

// --- string instructions ----------------------------------------------------------------------

function stringOp(cpu: Cpu, instr: Instruction): Op | null {
  const code = instr.code
  const R = cpu.R
  const m = instr.mnemonic
  const size = stringSize(code)
  if (size === 0) return null
  const rep = instr.hasRepPrefix || instr.hasRepePrefix
  const repne = instr.hasRepnePrefix
  const bytes = size / 8
  // rsi/rdi/rcx updates on (lo, hi) halves.
  const advance = (i: number, n: number) => {
    const lo = (R[i]! >>> 0) + n
    R[i] = lo | 0
    if (lo >= TWO_32) R[i + 1] = (R[i + 1]! + 1) | 0
    else if (lo < 0) R[i + 1] = (R[i + 1]! - 1) | 0
  }
  const addr = (i: number, access: 'read' | 'write') => cpu.address(R[i]!, R[i + 1]!, access)
  const countIsZero = () => (R[2]! | R[3]!) === 0
  const decCount = () => {
    const lo = R[2]!
    R[2] = (lo - 1) | 0
    if (lo === 0) R[3] = (R[3]! - 1) | 0
  }
  const load = (a: number): number => (size === 8 ? cpu.ld8(a) : size === 16 ? cpu.ld16(a) : cpu.ld32(a))
  const store = (a: number, v: number) => (size === 8 ? cpu.st8(a, v) : size === 16 ? cpu.st16(a, v) : cpu.st32(a, v))
  const RSI = 12
  const RDI = 14
  let one: () => void
  switch (m) {
    case Mnemonic.Movsb:
    case Mnemonic.Movsw:
    case Mnemonic.Movsd:
    case Mnemonic.Movsq:
      one = () => {
        const s = addr(RSI, 'read')
        const d = addr(RDI, 'write')
        if (size === 64) cpu.st64(d, cpu.ld32(s), cpu.ld32(s + 4))
        else store(d, load(s))
        const step = bytes * cpu.direction
        advance(RSI, step)
        advance(RDI, step)
      }
      break
    case Mnemonic.Stosb:
    case Mnemonic.Stosw:
    case Mnemonic.Stosd:
    case Mnemonic.Stosq:
      one = () => {
        const d = addr(RDI, 'write')
        if (size === 64) cpu.st64(d, R[0]!, R[1]!)
        else store(d, size === 8 ? cpu.R8[0]! : size === 16 ? cpu.R16[0]! : R[0]!)
        advance(RDI, bytes * cpu.direction)
      }
      break
    case Mnemonic.Lodsb:
    case Mnemonic.Lodsw:
    case Mnemonic.Lodsd:
    case Mnemonic.Lodsq:
      one = () => {
        const s = addr(RSI, 'read')
        if (size === 64) {
          const lo = cpu.ld32(s)
          R[1] = cpu.ld32(s + 4)
          R[0] = lo
        } else if (size === 32) {
          R[0] = cpu.ld32(s)
          R[1] = 0
        } else if (size === 16) cpu.R16[0] = cpu.ld16(s)
        else cpu.R8[0] = cpu.ld8(s)
        advance(RSI, bytes * cpu.direction)
      }
      break
    case Mnemonic.Cmpsb:
    case Mnemonic.Cmpsw:
    case Mnemonic.Cmpsd:
    case Mnemonic.Cmpsq:
      one = () => {
        const s = addr(RSI, 'read')
        const d = addr(RDI, 'read')
        if (size === 64) {
          const aLo = cpu.ld32(s)
          const aHi = cpu.ld32(s + 4)
          const bLo = cpu.ld32(d)
          const bHi = cpu.ld32(d + 4)
          const diff = (aLo >>> 0) - (bLo >>> 0)
          cpu.recordArith64(LAZY_SUB, aLo, aHi, bLo, bHi, diff | 0, (aHi - bHi - (diff < 0 ? 1 : 0)) | 0)
        } else {
          const a = load(s)
          const b = load(d)
          cpu.recordArith(LAZY_SUB, size, a, b, norm(size, a - b))
        }
        const step = bytes * cpu.direction
        advance(RSI, step)
        advance(RDI, step)
      }
      break
    case Mnemonic.Scasb:
    case Mnemonic.Scasw:
    case Mnemonic.Scasd:
    case Mnemonic.Scasq:
      one = () => {
        const d = addr(RDI, 'read')
        if (size === 64) {
          const bLo = cpu.ld32(d)
          const bHi = cpu.ld32(d + 4)
          const diff = (R[0]! >>> 0) - (bLo >>> 0)
          cpu.recordArith64(LAZY_SUB, R[0]!, R[1]!, bLo, bHi, diff | 0, (R[1]! - bHi - (diff < 0 ? 1 : 0)) | 0)
        } else {
          const a = size === 8 ? cpu.R8[0]! : size === 16 ? cpu.R16[0]! : R[0]!
          const b = load(d)
          cpu.recordArith(LAZY_SUB, size, a, b, norm(size, a - b))
        }
        advance(RDI, bytes * cpu.direction)
      }
      break
    default:
      return null
  }
  const compares = m >= Mnemonic.Cmpsb && m <= Mnemonic.Cmpsw ? true : m >= Mnemonic.Scasb && m <= Mnemonic.Scasw
  if (!rep && !repne) return one
  // A rep instruction runs at most REP_CHUNK elements per call; if more remain it asks to be
  // executed again (like an interrupt between iterations on the hardware), so a pause request
  // is served within one chunk even for a rep with a huge count.
  if (!compares) {
    return () => {
      for (let n = 0; n < REP_CHUNK; n++) {
        if (countIsZero()) return
        one()
        decCount()
      }
      if (!countIsZero()) cpu.repeatInstruction()
    }
  }
  return () => {
    for (let n = 0; n < REP_CHUNK; n++) {
      if (countIsZero()) return
      one()
      decCount()
      const zf = cpu.zf() !== 0
      if (repne ? zf : !zf) return
    }
    if (!countIsZero()) cpu.repeatInstruction()
  }
}

/** Elements a rep string instruction processes before it yields (and is resumed). */
const REP_CHUNK = 65536

function stringSize(code: Code): number {
  switch (code) {
    case Code.Movsb_m8_m8:
    case Code.Stosb_m8_AL:
    case Code.Lodsb_AL_m8:
    case Code.Cmpsb_m8_m8:
    case Code.Scasb_AL_m8:
      return 8
    case Code.Movsw_m16_m16:
    case Code.Stosw_m16_AX:
    case Code.Lodsw_AX_m16:
    case Code.Cmpsw_m16_m16:
    case Code.Scasw_AX_m16:
      return 16
    case Code.Movsd_m32_m32:
    case Code.Stosd_m32_EAX:
    case Code.Lodsd_EAX_m32:
    case Code.Cmpsd_m32_m32:
    case Code.Scasd_EAX_m32:
      return 32
    case Code.Movsq_m64_m64:
    case Code.Stosq_m64_RAX:
    case Code.Lodsq_RAX_m64:
    case Code.Cmpsq_m64_m64:
    case Code.Scasq_RAX_m64:
      return 64
    default:
      return 0
  }
}
