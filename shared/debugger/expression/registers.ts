// The types gdb gives x86-64 registers in expressions (`whatis $rip` is `void (*)()`).

import type { DwarfType } from '../../debuginfo'
import { BUILTIN, pointerTo, type ExprType, type FlagsType } from './types'

const EFLAGS_BITS: readonly [string, number][] = [
  ['CF', 0], ['', 1], ['PF', 2], ['AF', 4], ['ZF', 6], ['SF', 7], ['TF', 8], ['IF', 9], ['DF', 10], ['OF', 11],
  ['NT', 14], ['RF', 16], ['VM', 17], ['AC', 18], ['VIF', 19], ['VIP', 20], ['ID', 21],
]

export const EFLAGS_TYPE: FlagsType = {
  kind: 'flags',
  name: 'i386_eflags',
  size: 4,
  fields: EFLAGS_BITS.map(([name, bit]) => ({ name, bit })),
}

const CODE_POINTER: DwarfType = {
  kind: 'pointer',
  to: { kind: 'function', returns: { kind: 'void' }, params: [], variadic: false, prototyped: false },
}

const GENERAL = ['ax', 'bx', 'cx', 'dx', 'si', 'di', 'bp', 'sp']
const ALIASES: Record<string, string> = { pc: 'rip', sp: 'rsp', fp: 'rbp' }

/** gdb's type for register `name` (without '$'), and the name the target knows it by. */
export function registerType(name: string): { type: ExprType; register: string } | undefined {
  const register = ALIASES[name] ?? name
  const type = typeOf(register)
  return type && { type, register }
}

function typeOf(name: string): ExprType | undefined {
  if (name === 'rip') return CODE_POINTER
  if (name === 'rsp' || name === 'rbp') return pointerTo(BUILTIN.void)
  if (name === 'eflags') return EFLAGS_TYPE
  if (name === 'fs_base' || name === 'gs_base') return BUILTIN.long
  if (['cs', 'ss', 'ds', 'es', 'fs', 'gs'].includes(name)) return BUILTIN.int32
  if (GENERAL.some((r) => name === `r${r}`) || /^r(8|9|1[0-5])$/.test(name)) return BUILTIN.int64
  if (GENERAL.some((r) => name === `e${r}`) || /^r(8|9|1[0-5])d$/.test(name)) return BUILTIN.int32
  if (GENERAL.includes(name) || /^r(8|9|1[0-5])w$/.test(name)) return BUILTIN.int16
  if (/^([abcd][lh]|sil|dil|bpl|spl|r(8|9|1[0-5])l)$/.test(name)) return BUILTIN.int8
  return undefined
}
