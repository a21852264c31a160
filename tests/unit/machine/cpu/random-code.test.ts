// Random bytes executed as code: whatever they decode to, the Cpu reports a budget stop, a halt
// or an exception value, and never throws into the host.

import { describe, expect, it } from 'vitest'
import { Memory, PAGE_SIZE, PROT_EXEC, PROT_READ, PROT_WRITE } from '../../../../shared/machine/memory'
import { Cpu } from '../../../../shared/machine/cpu/cpu'
import { seededU32 } from '../../seeded-random'

const PREFIXES = [0x0f, 0x0f, 0x0f, 0x66, 0xf2, 0xf3, 0x48, 0x4c, 0x41, 0xf0, 0x64, 0xd9, 0xdd, 0xdb]

describe('random code', () => {
  it('never throws into the host', () => {
    const random = seededU32(99)
    const memory = Memory.create({ maxBytes: 64 * PAGE_SIZE })
    const code = 0x400000
    memory.map(code, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE | PROT_EXEC)
    memory.map(0x600000, 4 * PAGE_SIZE, PROT_READ | PROT_WRITE)
    const cpu = new Cpu(memory, { syscall: (c) => c.r.set(0, 0) })
    const kinds = new Map<string, number>()
    for (let round = 0; round < 600; round++) {
      // Biased towards prefixes and the 0F escape, where the SSE, MMX and system opcodes live.
      const bytes = Uint8Array.from({ length: 4 * PAGE_SIZE }, () => {
        const r = random()
        return r % 5 === 0 ? PREFIXES[(r >>> 8) % PREFIXES.length]! : (r >>> 16) & 0xff
      })
      memory.poke(code, bytes)
      // Registers point into mapped memory half of the time, so memory operands get exercised.
      for (let r = 0; r < 16; r++) {
        if (r === 4) continue
        cpu.r.set(r, random() % 2 ? 0x600000 + (random() % (4 * PAGE_SIZE)) : random() * 0x10000 + random())
      }
      cpu.r.set(4, 0x600000 + 2 * PAGE_SIZE)
      cpu.r.rip = code + (random() % (4 * PAGE_SIZE - 16))
      cpu.setRflags(random())
      const stop = cpu.run(200)
      const kind = stop.kind === 'exception' ? stop.exception.vector : stop.kind
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1)
    }
    expect(cpu.translationErrors).toEqual([])
    expect([...kinds.keys()]).toContain('invalid-opcode')
    expect([...kinds.keys()]).toContain('page-fault')
  })
})
