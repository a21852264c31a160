import { Register } from 'iced-x86'

export type RegisterKind = 'gpr' | 'segment' | 'xmm' | 'ymm' | 'zmm' | 'mmx' | 'mask' | 'control' | 'debug' | 'fpu' | 'bound' | 'tile' | 'test' | 'ip'

export interface RegisterInfo {
  readonly name: string
  readonly register: Register
  readonly kind: RegisterKind
  /** Width in bytes for general-purpose registers (1/2/4/8); 0 for the others. */
  readonly size: number
}

function classify(name: string): { kind: RegisterKind; size: number } | undefined {
  if (/^(al|cl|dl|bl|ah|ch|dh|bh|spl|bpl|sil|dil|r\d+l)$/.test(name)) return { kind: 'gpr', size: 1 }
  if (/^(ax|cx|dx|bx|sp|bp|si|di|r\d+w)$/.test(name)) return { kind: 'gpr', size: 2 }
  if (/^(eax|ecx|edx|ebx|esp|ebp|esi|edi|r\d+d)$/.test(name)) return { kind: 'gpr', size: 4 }
  if (/^(rax|rcx|rdx|rbx|rsp|rbp|rsi|rdi|r\d+)$/.test(name)) return { kind: 'gpr', size: 8 }
  if (/^(es|cs|ss|ds|fs|gs)$/.test(name)) return { kind: 'segment', size: 0 }
  if (/^xmm\d+$/.test(name)) return { kind: 'xmm', size: 16 }
  if (/^ymm\d+$/.test(name)) return { kind: 'ymm', size: 32 }
  if (/^zmm\d+$/.test(name)) return { kind: 'zmm', size: 64 }
  if (/^mm\d$/.test(name)) return { kind: 'mmx', size: 8 }
  if (/^k\d$/.test(name)) return { kind: 'mask', size: 0 }
  if (/^cr\d+$/.test(name)) return { kind: 'control', size: 0 }
  if (/^dr\d+$/.test(name)) return { kind: 'debug', size: 0 }
  if (/^st\d$/.test(name)) return { kind: 'fpu', size: 0 }
  if (/^bnd\d$/.test(name)) return { kind: 'bound', size: 0 }
  if (/^tmm\d$/.test(name)) return { kind: 'tile', size: 0 }
  if (/^tr\d$/.test(name)) return { kind: 'test', size: 0 }
  if (name === 'rip' || name === 'eip') return { kind: 'ip', size: 0 }
  return undefined
}

const REGISTERS = new Map<string, RegisterInfo>()
for (const [key, value] of Object.entries(Register)) {
  if (typeof value !== 'number' || key.startsWith('DontUse') || key === 'None') continue
  const name = key.toLowerCase()
  const kind = classify(name)
  if (kind === undefined) continue
  const info: RegisterInfo = { name, register: value, ...kind }
  REGISTERS.set(name, info)
  // NASM and gcc spell the low byte of r8..r15 as r8b; iced calls it R8L.
  if (/^r\d+l$/.test(name)) REGISTERS.set(name.slice(0, -1) + 'b', { ...info, name: name.slice(0, -1) + 'b' })
}
// `st` alone means st0 (NASM/gas).
const st0 = REGISTERS.get('st0')
if (st0 !== undefined) REGISTERS.set('st', st0)

export function registerByName(name: string): RegisterInfo | undefined {
  return REGISTERS.get(name.toLowerCase())
}
