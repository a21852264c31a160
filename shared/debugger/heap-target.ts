// The heap library's view of the stopped program: memory, symbols (with the load bias), the
// thread pointer and TLS block for glibc's `tcache`, and the [heap] region.

import { PT_TLS, STT_TLS } from '../machine/elf'
import type { HeapTarget } from './heap'
import type { Inferior } from './inferior'
import { symbolize } from './target-environment'

export function heapTarget(inferior: Inferior): HeapTarget {
  const program = inferior.program
  const tls = program.elf.programHeaders.find((header) => header.type === PT_TLS)
  return {
    read: (address, length) => inferior.read(address, length),
    symbol(name) {
      const symbol = program.symbols.named(name)
      return symbol === undefined || symbol.type === STT_TLS ? null : inferior.runtimeAddress(symbol.value)
    },
    symbolSize: (name) => program.symbols.named(name)?.size ?? null,
    tlsSymbol: (name) => program.symbols.threadLocal(name)?.value ?? null,
    tlsBlockSize() {
      if (tls === undefined) return null
      const align = Math.max(1, tls.align)
      return Math.ceil(tls.memsz / align) * align
    },
    threadPointer: () => inferior.machine.cpu.r.fsBase,
    heapRegion() {
      const region = inferior.machine.regions().find((candidate) => candidate.name === '[heap]')
      return region === undefined ? null : { start: Number(region.start), end: Number(region.end) }
    },
    symbolize: (address) => symbolize(program, inferior, BigInt(address)),
  }
}
