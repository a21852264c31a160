// Expressions without a running program, as gdb answers them from the executable file alone:
// globals, functions and ELF symbols at their link-time addresses, their values read from the
// file's sections (.bss as zeros), named types, and `x/i` over the file's code. There are no
// registers, and nothing can be written.

import type { DwarfType } from '../debuginfo'
import { STT_FUNC, STT_GNU_IFUNC } from '../machine/elf'
import { gdbInstructions, type DisassemblyFlavor } from './disassembly'
import { cannotAccess, ExpressionError, type EvalEnvironment } from './expression/environment'
import { registerType } from './expression/registers'
import { FileMemory } from './file-memory'
import { symbolText } from './minimal-symbols'
import type { Program } from './program'

const NO_SYMBOL_TABLE = 'No symbol table is loaded.  Use the "file" command.'

const typeMaps = new WeakMap<Program, Map<string, DwarfType>>()

/** The program's named types by `struct node`, `typedef size_t`..., the first definition of each. */
export function programTypes(program: Program): Map<string, DwarfType> {
  let types = typeMaps.get(program)
  if (types) return types
  types = new Map()
  for (const unit of program.debug?.info.units ?? []) {
    for (const type of unit.types) {
      const key = typeKey(type)
      if (key && !types.has(key)) types.set(key, type)
    }
  }
  typeMaps.set(program, types)
  return types
}

/** Looking up named types and enumerators, the same with or without a running program. */
export function typeLookups(types: ReadonlyMap<string, DwarfType>): Pick<EvalEnvironment, 'lookupType' | 'lookupEnumerator'> {
  return {
    lookupType: (name, kind) => types.get(`${kind} ${name}`),
    lookupEnumerator(name) {
      for (const type of types.values()) {
        const resolved = type.kind === 'typedef' ? type.type : type
        if (resolved.kind !== 'enum') continue
        const found = resolved.enumerators.find((e) => e.name === name)
        if (found) return { type: resolved, value: found.value }
      }
      return undefined
    },
  }
}

/** An ELF symbol as expressions see one, at its link-time address. */
export function symbolEntry(program: Program, name: string): { address: bigint; size: number; kind: 'function' | 'object' } | undefined {
  const symbol = program.symbols.named(name)
  if (!symbol) return undefined
  const kind = symbol.type === STT_FUNC || symbol.type === STT_GNU_IFUNC ? 'function' : 'object'
  return { address: BigInt(symbol.value), size: symbol.size, kind }
}

function typeKey(type: DwarfType): string | undefined {
  if (type.kind === 'typedef') return `typedef ${type.name}`
  if ((type.kind === 'struct' || type.kind === 'union' || type.kind === 'enum') && type.name !== undefined) return `${type.kind} ${type.name}`
  return undefined
}

/** The environment over the file, or over nothing at all when no program is loaded. */
export function fileEnvironment(program: Program | null, flavor: DisassemblyFlavor): EvalEnvironment {
  const memory = program && new FileMemory(program)
  const types = program ? programTypes(program) : new Map<string, DwarfType>()
  // Without a program, or with one stripped of every symbol, gdb has no symbol table to look in.
  const known = <T>(find: (program: Program) => T): T => {
    if (!program || (!program.debug && program.elf.symbols.length === 0)) throw new ExpressionError(NO_SYMBOL_TABLE)
    return find(program)
  }
  return {
    readMemory: (address, length) => (memory && address <= BigInt(Number.MAX_SAFE_INTEGER) ? memory.read(Number(address), length) : null),
    writeMemory: () => false,
    readRegister(name) {
      if (registerType(name)) throw new ExpressionError('No registers.')
      return undefined
    },
    writeRegister: () => false,
    lookupVariable: (name) =>
      known((p) => {
        const variable = p.debug?.global(name)
        if (!variable || variable.location.kind !== 'static') return undefined
        return { type: variable.type, address: BigInt(variable.location.address) }
      }),
    lookupFunction: (name) =>
      known((p) => {
        const fn = p.debug?.functionNamed(name)
        if (!fn) return undefined
        const type: DwarfType = { kind: 'function', returns: fn.returns, params: fn.params.map((param) => param.type), variadic: false, prototyped: true }
        return { address: BigInt(fn.ranges[0]!.low), type }
      }),
    lookupSymbol: (name) => known((p) => symbolEntry(p, name)),
    ...typeLookups(types),
    symbolize: (address) => (program && address <= BigInt(Number.MAX_SAFE_INTEGER) ? symbolText(program, Number(address)) : null),
    disassemble(address, count) {
      if (!program || !memory) throw new ExpressionError(NO_SYMBOL_TABLE)
      if (address > BigInt(Number.MAX_SAFE_INTEGER)) throw cannotAccess(address)
      return gdbInstructions(memory, Number(address), count, flavor, (at) => symbolText(program, at)).map((line) => {
        if (!line.mapped) throw new ExpressionError(`Cannot access memory at address 0x${line.address.toString(16)}`)
        return { address: BigInt(line.address), length: line.bytes.length, text: line.text }
      })
    },
  }
}
