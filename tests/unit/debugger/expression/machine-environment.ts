// An EvalEnvironment over Memscape's own machine stopped at a source line, independent of gdb:
// variables from our DWARF reader, memory and registers from the simulated process, symbols
// from the ELF symbol table. The gdb comparison tests evaluate over it.

import { DebugIndex, readDebugInfo, type DwarfType } from '../../../../shared/debuginfo'
import type { EvalEnvironment } from '../../../../shared/debugger/expression'
import { parseElf, STT_FUNC, STT_OBJECT, type ElfSymbol } from '../../../../shared/machine/elf'
import { Machine } from '../../../../shared/machine/machine'
import { RBP, REGISTER_NAMES } from '../../../../shared/machine/cpu/registers'
import { disassemble } from '../../../../shared/machine/disasm'

const LEGACY_32 = ['eax', 'ecx', 'edx', 'ebx', 'esp', 'ebp', 'esi', 'edi']
const LEGACY_16 = ['ax', 'cx', 'dx', 'bx', 'sp', 'bp', 'si', 'di']
const LEGACY_8 = ['al', 'cl', 'dl', 'bl']

export interface StoppedProgram {
  readonly machine: Machine
  readonly env: EvalEnvironment
  readonly breakpoint: number
}

/** Runs `binary` (argv[0] = `path`, empty environment, no ASLR) until `file:line` is reached. */
export function stopAtLine(binary: Uint8Array, path: string, file: string, line: number): StoppedProgram {
  const index = new DebugIndex(readDebugInfo(binary))
  const breakpoint = index.addressesOf(file, line)[0]
  if (breakpoint === undefined) throw new Error(`no code for ${file}:${line}`)
  const machine = Machine.fromElf(binary, { argv: [path], env: [], seed: 1, aslr: 0 })
  machine.cpu.setBreakpoint(breakpoint)
  const status = machine.run(50_000_000)
  if (machine.cpu.r.rip !== breakpoint) throw new Error(`never reached ${file}:${line}: ${status.state}`)
  machine.cpu.clearBreakpoint(breakpoint)
  return { machine, env: machineEnvironment(machine, index, parseElf(binary).symbols), breakpoint }
}

function machineEnvironment(machine: Machine, index: DebugIndex, symbols: readonly ElfSymbol[]): EvalEnvironment {
  const regs = machine.cpu.r
  const named = symbols.filter((s) => s.name !== '' && (s.type === STT_FUNC || s.type === STT_OBJECT))
  const types = index.info.units.flatMap((u) => u.types)
  const mapped = (address: bigint, length: number): Uint8Array | null => {
    const { data, mapped: present } = machine.memory.peek(Number(address), length)
    return present.every((b) => b === 1) ? data : null
  }
  const register = (name: string): bigint | undefined => {
    const full = REGISTER_NAMES.indexOf(name as (typeof REGISTER_NAMES)[number])
    if (full >= 0) return regs.getBig(full)
    if (LEGACY_32.includes(name)) return regs.getBig(LEGACY_32.indexOf(name)) & 0xffffffffn
    if (LEGACY_16.includes(name)) return regs.getBig(LEGACY_16.indexOf(name)) & 0xffffn
    if (LEGACY_8.includes(name)) return regs.getBig(LEGACY_8.indexOf(name)) & 0xffn
    if (name === 'rip') return BigInt(regs.rip)
    if (name === 'eflags') return BigInt(machine.cpu.getRflags())
    if (name === 'fs_base') return BigInt(regs.fsBase)
    // Linux's fixed user selectors.
    if (name === 'cs') return 0x33n
    if (name === 'ss') return 0x2bn
    if (['ds', 'es', 'fs', 'gs'].includes(name)) return 0n
    return undefined
  }
  return {
    readMemory: mapped,
    writeMemory(address, bytes) {
      if (!mapped(address, bytes.length)) return false
      machine.memory.poke(Number(address), bytes)
      return true
    },
    readRegister: register,
    writeRegister(name, value) {
      const full = REGISTER_NAMES.indexOf(name as (typeof REGISTER_NAMES)[number])
      if (full < 0) return false
      regs.setBig(full, value)
      return true
    },
    lookupVariable(name) {
      const local = index.variablesAt(regs.rip).reverse().find((v) => v.name === name)
      const variable = local ?? index.global(name)
      if (!variable) return undefined
      const location = variable.location
      if (location.kind === 'frame') return { type: variable.type, address: BigInt(regs.get(RBP) + location.rbpOffset) }
      if (location.kind === 'static') return { type: variable.type, address: BigInt(location.address) }
      return undefined
    },
    lookupFunction(name) {
      const fn = index.functionNamed(name)
      if (!fn) return undefined
      const type: DwarfType = { kind: 'function', returns: fn.returns, params: fn.params.map((p) => p.type), variadic: false, prototyped: true }
      return { address: BigInt(fn.ranges[0]?.low ?? 0), type }
    },
    lookupSymbol(name) {
      const symbol = named.find((s) => s.name === name)
      return symbol && { address: BigInt(symbol.value), size: symbol.size, kind: symbol.type === STT_FUNC ? 'function' : 'object' }
    },
    lookupType(name, kind) {
      return types.find((t) => (kind === 'typedef' ? t.kind === 'typedef' : t.kind === kind) && 'name' in t && t.name === name)
    },
    lookupEnumerator(name) {
      for (const t of types) {
        if (t.kind !== 'enum') continue
        const found = t.enumerators.find((e) => e.name === name)
        if (found) return { type: t, value: found.value }
      }
      return undefined
    },
    symbolize(address) {
      let best: ElfSymbol | undefined
      for (const s of named) {
        const start = BigInt(s.value)
        const inside = s.size > 0 ? address >= start && address < start + BigInt(s.size) : address === start
        if (inside && (!best || s.value > best.value)) best = s
      }
      if (!best) return null
      const offset = address - BigInt(best.value)
      return offset === 0n ? best.name : `${best.name}+${offset}`
    },
    disassemble(address, count) {
      return disassemble(machine.memory, Number(address), count).map((l) => ({ address: BigInt(l.address), length: l.bytes.length, text: l.text }))
    },
  }
}
