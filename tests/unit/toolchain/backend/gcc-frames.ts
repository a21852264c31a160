/**
 * What gcc -O0 does with a C file's frames, read from gcc itself: where each variable lives
 * (its DWARF) and how much stack each function allocates (its assembly). Frame-shape tests
 * compare Memscape's back end with these.
 */
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import type { StackProtector } from '../../../../shared/toolchain/x86/frame'
import { scratchDir } from './gnu'

export const PROTECTOR_FLAGS: Readonly<Record<StackProtector, string>> = {
  none: '-fno-stack-protector',
  default: '-fstack-protector',
  strong: '-fstack-protector-strong',
  all: '-fstack-protector-all',
}

/** A variable's home: rbp-relative, or rsp-relative in a frame gcc realigned (`and rsp, -A`). */
export interface GccSlot {
  readonly base: 'rbp' | 'rsp'
  readonly offset: number
}

/** Each variable's slot, keyed `function.variable`, from gcc -O0 -g's DWARF. gcc's frame base
 *  is the CFA, which is rbp + 16 after `push rbp; mov rbp, rsp`. */
export function gccSlots(sourcePath: string, mode: StackProtector): Map<string, GccSlot> {
  const object = join(scratchDir(), 'gcc-frames.o')
  execFileSync('gcc', ['-O0', '-g', '-c', PROTECTOR_FLAGS[mode], '-o', object, sourcePath], { stdio: ['ignore', 'ignore', 'ignore'] })
  const dump = execFileSync('readelf', ['--debug-dump=info', object], { encoding: 'utf8', maxBuffer: 1 << 26 })
  const slots = new Map<string, GccSlot>()
  let tag = ''
  let name = ''
  let fn = ''
  for (const line of dump.split('\n')) {
    const tagMatch = /Abbrev Number: \d+ \((DW_TAG_\w+)\)/.exec(line)
    if (tagMatch !== null) [tag, name] = [tagMatch[1] as string, '']
    const nameMatch = /DW_AT_name\s*:\s*(?:\(indirect [^)]*\): )?(\S+)/.exec(line)
    if (nameMatch !== null) {
      name = nameMatch[1] as string
      if (tag === 'DW_TAG_subprogram') fn = name
    }
    const frameBase = /DW_AT_location.*DW_OP_fbreg: (-?\d+)/.exec(line)
    if (frameBase !== null) slots.set(`${fn}.${name}`, { base: 'rbp', offset: Number(frameBase[1]) + 16 })
    const stackPointer = /DW_AT_location.*DW_OP_breg7 \(rsp\): (-?\d+)/.exec(line)
    if (stackPointer !== null) slots.set(`${fn}.${name}`, { base: 'rsp', offset: Number(stackPointer[1]) })
  }
  return slots
}

/** N of each function's `sub rsp, N` (or `add rsp, -N`) from gcc -S; 0 when it has none. */
export function gccAllocations(sourcePath: string, mode: StackProtector): Map<string, number> {
  const assembly = execFileSync('gcc', ['-O0', '-S', '-masm=intel', PROTECTOR_FLAGS[mode], '-o', '-', sourcePath], { encoding: 'utf8' })
  const allocations = new Map<string, number>()
  let current: string | undefined
  for (const line of assembly.split('\n')) {
    const label = /^([A-Za-z_]\w*):$/.exec(line)
    if (label !== null) allocations.set((current = label[1] as string), 0)
    const sub = /^\t(?:sub\trsp, (\d+)|add\trsp, -(\d+))$/.exec(line)
    if (sub !== null && current !== undefined && allocations.get(current) === 0) allocations.set(current, Number(sub[1] ?? sub[2]))
    if (/^\t(call|ret)/.test(line)) current = undefined
  }
  return allocations
}
