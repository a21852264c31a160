// The encoder finds an instruction's forms from iced's Code names (encode.ts codeNameKey) instead
// of asking iced about every code first, and only under the name keys nameKeyMayName accepts for
// a mnemonic. That is complete only if every instruction code's name key passes nameKeyMayName
// for its own mnemonic: checked here for all of iced's codes.
import { Code, CodeExt, EncodingKind, Mnemonic } from 'iced-x86'
import { describe, expect, it } from 'vitest'
import { codeNameKey, nameKeyMayName } from '../../../../shared/toolchain/asm/encode'
import { assembleLine } from '../../../../shared/toolchain/asm/line'

describe('instruction forms by Code name', () => {
  it('every 64-bit legacy or VEX instruction code is found under its mnemonic', () => {
    const mnemonicNames = Mnemonic as unknown as Record<number, string>
    const unrelated: string[] = []
    let checked = 0
    for (const [name, code] of Object.entries(Code)) {
      if (typeof code !== 'number') continue
      const info = CodeExt.opCode(code)
      try {
        if (!info.mode64 || !info.isInstruction) continue
        if (info.encoding !== EncodingKind.Legacy && info.encoding !== EncodingKind.VEX) continue
        checked++
        const mnemonic = (mnemonicNames[info.mnemonic] ?? '').toLowerCase()
        const key = codeNameKey(name)
        if (!nameKeyMayName(key, mnemonic)) unrelated.push(`${name}: ${mnemonic}`)
      } finally {
        info.free()
      }
    }
    expect(checked).toBeGreaterThan(2000)
    expect(unrelated).toEqual([])
  })

  it('finds forms whose Code name differs from the mnemonic (Pushq_imm32, Retnq_imm16, Enterq, Prefetchw)', () => {
    const hex = (text: string): string => Buffer.from(assembleLine(text, 0n)).toString('hex')
    expect(hex('push 5')).toBe('6a05')
    expect(hex('push 0x12345')).toBe('6845230100')
    expect(hex('enter 16, 0')).toBe('c8100000')
    expect(hex('prefetchw [rax]')).toBe('0f0d08')
    expect(hex('ret 8')).toBe('c20800')
    expect(hex('retf')).toBe('cb')
    expect(hex('vmrun')).toBe('0f01d8')
  })
})
