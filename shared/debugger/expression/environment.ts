// What expressions need from the debugged program, and the per-session state gdb keeps between
// commands (value history, convenience variables, the `x` command's memory of its last use).

import type { DwarfType } from '../../debuginfo'
import type { Value } from './values'

/**
 * The live target as expressions see it: the selected frame's registers and variables, memory,
 * symbols and named types. The debugger implements it over the machine; tests implement it over
 * a machine stopped at a breakpoint.
 */
export interface EvalEnvironment {
  /** Guest memory; null when any byte of the range is unmapped. */
  readMemory(address: bigint, length: number): Uint8Array | null
  /** False when any byte of the range is unmapped (nothing is written then). */
  writeMemory(address: bigint, bytes: Uint8Array): boolean
  /**
   * A register of the selected frame by gdb's name without '$': rax..r15, eax/ax/al..., rip,
   * eflags, cs..gs, fs_base, gs_base. undefined for a name the target does not have. The
   * aliases pc, sp and fp are resolved before the call (to rip, rsp, rbp).
   */
  readRegister(name: string): bigint | undefined
  /** False when the register cannot be written. */
  writeRegister(name: string, value: bigint): boolean
  /** A variable visible in the selected frame (innermost block first), then a global or static. */
  lookupVariable(name: string): { type: DwarfType; address: bigint } | { type: DwarfType; register: string } | undefined
  /** A DWARF function by name (its entry address and its `function` type). */
  lookupFunction(name: string): { address: bigint; type: DwarfType } | undefined
  /** An ELF symbol without debug information. */
  lookupSymbol(name: string): { address: bigint; size: number; kind: 'function' | 'object' } | undefined
  /** A named type from the debug information: `struct node` is ('node', 'struct'). */
  lookupType(name: string, kind: 'struct' | 'union' | 'enum' | 'typedef'): DwarfType | undefined
  /** An enumerator visible in the current scope, with its enum type. */
  lookupEnumerator(name: string): { type: DwarfType; value: bigint } | undefined
  /** `main+38` for an address inside a symbol, or null. */
  symbolize(address: bigint): string | null
  /** Instructions from `address` for `x/i` (text as `mov rax, rbx`), `count` of them. */
  disassemble?(address: bigint, count: number): { address: bigint; length: number; text: string }[]
}

/** A user mistake, worded as gdb words it. */
export class ExpressionError extends Error {
  override readonly name = 'ExpressionError'
}

export function cannotAccess(address: bigint): ExpressionError {
  return new ExpressionError(`Cannot access memory at address 0x${BigInt.asUintN(64, address).toString(16)}`)
}

/** gdb's value history: `$1`, `$2`..., `$`, `$$`, `$$N`. */
export class ValueHistory {
  private readonly values: Value[] = []

  get length(): number {
    return this.values.length
  }

  /** Records a value; returns its number (the N of `$N`). */
  record(value: Value): number {
    this.values.push(value)
    return this.values.length
  }

  /** `$N`; `$0` is the last value, as `$`. undefined when the history is empty. */
  absolute(index: number): Value | undefined {
    if (index === 0) return this.relative(0)
    if (index > this.values.length) throw new ExpressionError(`History has not yet reached $${index}.`)
    return this.values[index - 1]
  }

  /** `$` is back 0, `$$` back 1, `$$N` back N. */
  relative(back: number): Value | undefined {
    if (this.values.length === 0) return undefined
    const index = this.values.length - back
    if (index <= 0) throw new ExpressionError(`History does not go back to $$${back}.`)
    return this.values[index - 1]
  }
}

/** What `x` remembers between uses: format, size, count and where to continue. */
export interface ExamineState {
  format: string
  size: 'b' | 'h' | 'w' | 'g'
  count: number
  next: bigint | undefined
}

/** The state one debugging session keeps for expressions; the caller owns one per session. */
export class ExpressionSession {
  readonly history = new ValueHistory()
  /** Convenience variables by name without '$' (`$_exitcode` is `_exitcode`). */
  readonly convenience = new Map<string, Value>()
  readonly examine: ExamineState = { format: 'x', size: 'w', count: 1, next: undefined }
}

/** Everything an evaluation reads and changes. */
export interface ExpressionContext {
  readonly env: EvalEnvironment
  readonly session: ExpressionSession
}
