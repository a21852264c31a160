import { describe, expect, it } from 'vitest'
import { Memory, PAGE_SIZE, PROT_NONE, PROT_READ, PROT_EXEC } from '../../../shared/machine/memory'
import { disassemble } from '../../../shared/machine/disasm'

function memoryWith(address: number, bytes: number[], prot = PROT_READ | PROT_EXEC): Memory {
  const memory = Memory.create({ maxBytes: 16 * PAGE_SIZE })
  memory.map(address - (address % PAGE_SIZE), PAGE_SIZE, prot)
  memory.poke(address, Uint8Array.from(bytes))
  return memory
}

describe('disassemble', () => {
  it('formats a function prologue in Intel syntax', () => {
    const memory = memoryWith(0x401000, [0x55, 0x48, 0x89, 0xe5, 0x48, 0x83, 0xec, 0x10, 0xc3])
    const lines = disassemble(memory, 0x401000, 4)
    expect(lines.map((l) => l.text)).toEqual(['push rbp', 'mov rbp,rsp', 'sub rsp,10h', 'ret'])
    expect(lines.map((l) => l.address)).toEqual([0x401000, 0x401001, 0x401004, 0x401008])
    expect([...lines[1]!.bytes]).toEqual([0x48, 0x89, 0xe5])
  })

  it('shows branch targets as addresses', () => {
    const memory = memoryWith(0x401000, [0xe8, 0xfb, 0x0f, 0x00, 0x00, 0x74, 0xfe])
    expect(disassemble(memory, 0x401000, 2).map((l) => l.text)).toEqual(['call 0000000000402000h', 'je short 0000000000401005h'])
  })

  it('reads pages without read permission and reports undecodable and unmapped bytes', () => {
    const memory = memoryWith(0x7ffffffde000 - 3, [0x90, 0x0f, 0x0b], PROT_NONE)
    // nop; ud2 at the very end of the page; then the unmapped page that follows
    const lines = disassemble(memory, 0x7ffffffde000 - 3, 3)
    expect(lines.map((l) => [l.text, l.mapped, l.valid])).toEqual([
      ['nop', true, true],
      ['ud2', true, true],
      ['(unmapped)', false, false],
    ])
    const bad = memoryWith(0x500000, [0x06, 0x90]) // push es is invalid in 64-bit mode
    expect(disassemble(bad, 0x500000, 2).map((l) => l.text)).toEqual(['(bad)', 'nop'])
  })

  it('marks an instruction cut off by an unmapped page', () => {
    const memory = memoryWith(0x600000 + PAGE_SIZE - 2, [0x48, 0x89])
    const lines = disassemble(memory, 0x600000 + PAGE_SIZE - 2, 2)
    expect(lines[0]).toMatchObject({ text: '(bad)', mapped: true, valid: false })
    expect([...lines[0]!.bytes]).toEqual([0x48, 0x89])
    expect(lines[1]).toMatchObject({ text: '(unmapped)', address: 0x600000 + PAGE_SIZE })
  })
})
