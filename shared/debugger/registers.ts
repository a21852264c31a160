// Registers by gdb's names: the 64-bit registers in gdb's order, their 32/16/8-bit parts,
// rip/pc, sp/fp, eflags (with gdb's flag names), the segment selectors Linux gives a 64-bit
// process, and the fs/gs bases. Values are unsigned bigints of the register's width.

import type { Cpu } from '../machine/cpu/cpu'
import { RAX, RBP, RBX, RCX, RDI, RDX, RSI, RSP, R8, R9, R10, R11, R12, R13, R14, R15 } from '../machine/cpu/registers'

/** gdb's order for `info registers`. */
export const GENERAL_REGISTERS = [
  'rax', 'rbx', 'rcx', 'rdx', 'rsi', 'rdi', 'rbp', 'rsp', 'r8', 'r9', 'r10', 'r11', 'r12', 'r13', 'r14', 'r15',
] as const

const INDEX: Record<string, number> = {
  rax: RAX, rbx: RBX, rcx: RCX, rdx: RDX, rsi: RSI, rdi: RDI, rbp: RBP, rsp: RSP,
  r8: R8, r9: R9, r10: R10, r11: R11, r12: R12, r13: R13, r14: R14, r15: R15,
}

/** Lower parts: name -> [64-bit register, bit offset, bits]. */
const PARTS = new Map<string, [string, number, number]>()
for (const [wide, dword, word, low, high] of [
  ['rax', 'eax', 'ax', 'al', 'ah'], ['rbx', 'ebx', 'bx', 'bl', 'bh'], ['rcx', 'ecx', 'cx', 'cl', 'ch'], ['rdx', 'edx', 'dx', 'dl', 'dh'],
  ['rsi', 'esi', 'si', 'sil', ''], ['rdi', 'edi', 'di', 'dil', ''], ['rbp', 'ebp', 'bp', 'bpl', ''], ['rsp', 'esp', 'sp', 'spl', ''],
] as const) {
  PARTS.set(dword, [wide, 0, 32]).set(word, [wide, 0, 16]).set(low, [wide, 0, 8])
  if (high !== '') PARTS.set(high, [wide, 8, 8])
}
for (let n = 8; n <= 15; n++) PARTS.set(`r${n}d`, [`r${n}`, 0, 32]).set(`r${n}w`, [`r${n}`, 0, 16]).set(`r${n}l`, [`r${n}`, 0, 8])

/** What Linux loads into a 64-bit user process's segment registers. */
export const SEGMENT_SELECTORS: Readonly<Record<string, bigint>> = { cs: 0x33n, ss: 0x2bn, ds: 0n, es: 0n, fs: 0n, gs: 0n }

/** eflags bits gdb names, low to high. */
const EFLAGS_NAMES: readonly [number, string][] = [
  [0, 'CF'], [2, 'PF'], [4, 'AF'], [6, 'ZF'], [7, 'SF'], [8, 'TF'], [9, 'IF'], [10, 'DF'], [11, 'OF'],
  [14, 'NT'], [16, 'RF'], [17, 'VM'], [18, 'AC'], [19, 'VIF'], [20, 'VIP'], [21, 'ID'],
]

/** gdb's rendering of eflags: `[ PF ZF IF ]`. */
export function formatEflags(value: bigint): string {
  const names = EFLAGS_NAMES.filter(([bit]) => (value >> BigInt(bit)) & 1n).map(([, name]) => name)
  return `[ ${names.join(' ')}${names.length ? ' ' : ''}]`
}

const mask = (bits: number): bigint => (1n << BigInt(bits)) - 1n

/** The register's value, or undefined when gdb has no register by that name. */
export function readRegister(cpu: Cpu, name: string): bigint | undefined {
  const index = INDEX[name]
  if (index !== undefined) return cpu.r.getBig(index)
  const part = PARTS.get(name)
  if (part) return (cpu.r.getBig(INDEX[part[0]]!) >> BigInt(part[1])) & mask(part[2])
  switch (name) {
    case 'rip':
    case 'pc':
      return BigInt(cpu.r.rip)
    case 'sp':
      return cpu.r.getBig(RSP)
    case 'fp':
      return cpu.r.getBig(RBP)
    case 'eflags':
      return BigInt(cpu.getRflags() >>> 0)
    case 'fs_base':
      return BigInt(cpu.r.fsBase)
    case 'gs_base':
      return BigInt(cpu.r.gsBase)
  }
  return SEGMENT_SELECTORS[name]
}

/** Sets a register (parts keep the other bits); false when it cannot be written. */
export function writeRegister(cpu: Cpu, name: string, value: bigint): boolean {
  const index = INDEX[name] ?? (name === 'sp' ? RSP : name === 'fp' ? RBP : undefined)
  if (index !== undefined) {
    cpu.r.setBig(index, BigInt.asUintN(64, value))
    return true
  }
  const part = PARTS.get(name)
  if (part) {
    const [wide, shift, bits] = part
    const old = cpu.r.getBig(INDEX[wide]!)
    const field = mask(bits) << BigInt(shift)
    // Writing a 32-bit part zero-extends into the whole register, as the CPU does.
    const kept = bits === 32 ? 0n : old & ~field
    cpu.r.setBig(INDEX[wide]!, kept | ((BigInt.asUintN(bits, value) << BigInt(shift)) & field))
    return true
  }
  switch (name) {
    case 'rip':
    case 'pc':
      cpu.r.rip = Number(BigInt.asUintN(64, value))
      return true
    case 'eflags':
      cpu.setUserRflags(Number(BigInt.asUintN(32, value)))
      return true
    case 'fs_base':
      cpu.r.fsBase = Number(BigInt.asUintN(64, value))
      return true
    case 'gs_base':
      cpu.r.gsBase = Number(BigInt.asUintN(64, value))
      return true
  }
  return false
}

/** Every name readRegister knows: for completion and `info registers NAME`. */
export function registerNames(): string[] {
  return [...GENERAL_REGISTERS, ...PARTS.keys(), 'rip', 'pc', 'sp', 'fp', 'eflags', ...Object.keys(SEGMENT_SELECTORS), 'fs_base', 'gs_base']
}
