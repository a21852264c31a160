/**
 * Frame layout against gcc -O0 on this machine: the C functions in
 * tests/fixtures/toolchain/frames.c are compiled with gcc -O0 -g; every variable's DWARF
 * location (DW_OP_fbreg, CFA = rbp+16) and each function's `sub rsp, N` must equal what the back
 * end computes for the same function written in IR.
 */
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import type { IrFunction, Stmt } from '../../../../shared/toolchain/ir/types'
import { generateAssembly } from '../../../../shared/toolchain/x86/codegen'
import { layoutFrame, type StackProtector } from '../../../../shared/toolchain/x86/frame'
import { scratchDir } from './gnu'
import { addr, bin, branch, c, call, charArray, cmp, conv, fn, intArray, jump, label, load, local, ret, run, set, store, sym, type ObjectSpec } from './ir-builder'

const SOURCE = join(import.meta.dirname, '../../../fixtures/toolchain/frames.c')
const FLAGS: Record<StackProtector, string> = {
  none: '-fno-stack-protector',
  default: '-fstack-protector',
  strong: '-fstack-protector-strong',
  all: '-fstack-protector-all',
}

/** rbp offsets per function and variable, from gcc's DWARF. */
function gccOffsets(mode: StackProtector): Map<string, Map<string, number>> {
  const object = join(scratchDir(), 'frames.o')
  execFileSync('gcc', ['-O0', '-g', '-c', FLAGS[mode], '-o', object, SOURCE], { stdio: ['ignore', 'ignore', 'ignore'] })
  const dump = execFileSync('readelf', ['--debug-dump=info', object], { maxBuffer: 1 << 26 }).toString()
  const result = new Map<string, Map<string, number>>()
  let tag = ''
  let name = ''
  let current: Map<string, number> | undefined
  for (const line of dump.split('\n')) {
    const tagMatch = /Abbrev Number: \d+ \((DW_TAG_\w+)\)/.exec(line)
    if (tagMatch !== null) {
      tag = tagMatch[1] as string
      name = ''
      continue
    }
    const nameMatch = /DW_AT_name\s*:\s*(?:\(indirect string, offset: 0x\w+\): )?(\S+)/.exec(line)
    if (nameMatch !== null) {
      name = nameMatch[1] as string
      if (tag === 'DW_TAG_subprogram') {
        current = new Map()
        result.set(name, current)
      }
    }
    const location = /DW_AT_location.*DW_OP_fbreg: (-?\d+)/.exec(line)
    if (location !== null && current !== undefined) current.set(name, Number(location[1]) + 16)
  }
  return result
}

/** N of `sub rsp, N` (or `add rsp, -N`) per function, from gcc -S. */
function gccAllocations(mode: StackProtector): Map<string, number> {
  const assembly = execFileSync('gcc', ['-O0', '-S', '-masm=intel', FLAGS[mode], '-o', '-', SOURCE], { stdio: ['ignore', 'pipe', 'ignore'] }).toString()
  const result = new Map<string, number>()
  let current: string | undefined
  for (const line of assembly.split('\n')) {
    const fnMatch = /^([A-Za-z_]\w*):$/.exec(line)
    if (fnMatch !== null) {
      current = fnMatch[1] as string
      result.set(current, 0)
      continue
    }
    if (current === undefined) continue
    const sub = /^\tsub\trsp, (\d+)$/.exec(line)
    const add = /^\tadd\trsp, -(\d+)$/.exec(line)
    if ((sub !== null || add !== null) && result.get(current) === 0) result.set(current, Number((sub ?? add)?.[1]))
    if (/^\t(call|ret)/.test(line)) current = undefined
  }
  return result
}

const param = (name: string, size: number): ObjectSpec => ({ name, size, kind: 'param' })
const use = (object: number): Stmt => run(call('use', [addr(object)], 'void'))
const i32 = (object: number) => local('i32', object)

const FUNCTIONS: IrFunction[] = [
  fn('vuln', [charArray('buf', 64)], [run(call('gets', [addr(0)], 'ptr'))], { returns: { kind: 'void' } }),
  fn('leaf', [{ name: 'x', size: 4 }, { name: 'y', size: 4 }, param('a', 4), param('b', 4)], [
    set('i32', 0, bin('add', 'i32', i32(2), i32(3))),
    set('i32', 1, bin('mul', 'i32', i32(0), c(2))),
    ret(i32(1)),
  ]),
  fn('mixed', [{ name: 'x', size: 4 }, charArray('buf', 16), { name: 'y', size: 8 }, intArray('arr', 4), param('a', 4), param('b', 8)], [
    set('i32', 0, i32(4)),
    set('i64', 2, local('i64', 5)),
    set('i32', 3, i32(0)),
    set('i8', 1, c(1, 'i8')),
    run(call('puts', [addr(1)])),
    ret(i32(0)),
  ]),
  fn('chars', [{ name: 'c', size: 1 }, { name: 'x', size: 4 }, { name: 'd', size: 1 }, { name: 's', size: 2 }, { name: 'l', size: 8 }], [
    set('i8', 0, c(1, 'i8')),
    set('i32', 1, c(2)),
    set('i8', 2, c(3, 'i8')),
    set('i16', 3, c(4, 'i16')),
    set('i64', 4, c(5, 'i64')),
    ret(i32(1)),
  ]),
  fn('rev', [{ name: 'x', size: 4 }, { name: 'y', size: 4 }], [set('i32', 1, c(1)), set('i32', 0, c(2)), ret(bin('add', 'i32', i32(0), i32(1)))]),
  fn('address', [{ name: 'x', size: 4, addressTaken: true }, { name: 'p', size: 8 }, param('a', 4)], [
    set('i32', 0, i32(2)),
    set('ptr', 1, addr(0)),
    run(call('puts', [sym('.LC0')])),
    ret(load('i32', local('ptr', 1))),
  ]),
  fn('structs', [{ name: 'x', size: 4 }, { name: 'p', size: 8, align: 4, scalar: false, protector: { aggregate: true } }, { name: 'q', size: 8 }], [
    set('i32', 0, c(1)),
    set('i64', 2, c(2, 'i64')),
    set('i32', 1, c(1)),
    ret(i32(0)),
  ]),
  fn('nested', [{ name: 'i', size: 4 }, { name: 't', size: 4, scope: 1 }, charArray('small', 8, 1), intArray('big', 10, 8, 1), param('n', 4)], [
    set('i32', 0, c(0)),
    jump('cond'),
    label('body'),
    set('i32', 1, i32(0)),
    set('i8', 2, c(1, 'i8')),
    set('i64', 3, conv('i64', i32(1))),
    use(2),
    use(3),
    run({ kind: 'update', op: 'add', type: 'i32', opType: 'i32', addr: addr(0), operand: c(1), postfix: true }),
    label('cond'),
    branch(cmp('lt', i32(0), i32(4)), true, 'body'),
    ret(c(0)),
  ]),
  fn('siblings', [charArray('a', 40, 1), charArray('b', 40, 2)], [use(0), use(1), ret(c(0))]),
  fn('big3', [charArray('a', 40), intArray('arr', 3), charArray('b', 100), intArray('big', 5, 8), { name: 's', size: 24, align: 4, scalar: false, protector: { largeCharArray: true, array: true, aggregate: true } }], [
    use(0),
    use(2),
    use(1),
    use(3),
    use(4),
    ret(c(0)),
  ]),
  fn('tiny', [charArray('c', 4), { name: 'x', size: 4 }], [set('i32', 1, c(0)), use(0), ret(i32(1))]),
  fn('pointers', [{ name: 's', size: 8 }, { name: 'p', size: 8 }, charArray('buf', 10)], [set('ptr', 0, sym('.LC1')), set('ptr', 1, c(0, 'ptr')), use(2), ret(c(0))]),
  fn('record', [{ name: 's', size: 24, align: 4, scalar: false, protector: { largeCharArray: true, array: true, aggregate: true } }], [
    set('i32', 0, c(1)),
    run(call('puts', [addr(0, 4)])),
    ret(i32(0)),
  ]),
  fn('many', ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'].map((name) => param(name, 4)), [ret(i32(0))]),
  fn('bigleaf', [charArray('b', 200), param('a', 4)], [store('i8', addr(0), i32(1)), ret(conv('i32', load('i8', addr(0))))]),
  fn('leaf100', [charArray('b', 100), param('a', 4)], [store('i8', addr(0), i32(1)), ret(conv('i32', load('i8', addr(0))))]),
  fn(
    'variadic',
    [{ name: 'ap', size: 24, align: 8, scalar: false, vaList: true, protector: { array: true } }, charArray('buf', 16), { name: 'r', size: 4 }, param('n', 4)],
    [{ kind: 'vaStart', list: addr(0) }, use(1), set('i32', 2, { kind: 'vaArg', type: 'i32', list: addr(0) }), ret(i32(2))],
    { variadic: true },
  ),
  fn('fib', [param('n', 4)], [
    branch(cmp('gt', i32(0), c(1)), true, 'recurse'),
    ret(i32(0)),
    label('recurse'),
    ret(bin('add', 'i32', call('fib', [bin('sub', 'i32', i32(0), c(1))]), call('fib', [bin('sub', 'i32', i32(0), c(2))]))),
  ]),
  fn('three', [{ name: 'x', size: 4 }, param('a', 4)], [
    set('i32', 0, c(1)),
    set('i32', 0, bin('add', 'i32', call('g', [i32(1)]), bin('add', 'i32', call('g', [i32(1)]), call('g', [i32(0)])))),
    ret(i32(0)),
  ]),
  fn('nest_args', [param('a', 4)], [ret(call('f2', [call('g', [i32(0)]), call('g', [bin('add', 'i32', i32(0), c(1))])]))]),
  fn('main', [{ name: 'x', size: 4 }, param('argc', 4), param('argv', 8)], [
    set('i32', 0, c(5)),
    run(call('vuln', [], 'void')),
    run(call('printf', [sym('.LC2'), i32(0), i32(1)], 'i32', true)),
    ret(c(0)),
  ]),
]

describe('frame layout matches gcc -O0', () => {
  it.each(['none', 'default', 'strong', 'all'] as const)('-fstack-protector mode %s', (mode) => {
    const expected = gccOffsets(mode)
    const allocations = gccAllocations(mode)
    const mismatches: string[] = []
    for (const fn of FUNCTIONS) {
      const layout = layoutFrame(fn, mode)
      const gcc = expected.get(fn.name)
      if (gcc === undefined) throw new Error(`gcc did not describe ${fn.name}`)
      for (const object of fn.frame) {
        const ours = layout.offsets.get(object.id)
        if (ours !== gcc.get(object.name)) mismatches.push(`${fn.name}.${object.name}: ours ${ours} gcc ${gcc.get(object.name)}`)
      }
      if (layout.stackAllocation !== allocations.get(fn.name)) mismatches.push(`${fn.name}: sub rsp ours ${layout.stackAllocation} gcc ${allocations.get(fn.name)}`)
    }
    expect(mismatches).toEqual([])
  })

  it('puts a 64-byte buffer 0x48 below the return address, or 0x58 with a canary at rbp-8', () => {
    const vuln = FUNCTIONS[0] as IrFunction
    const plain = layoutFrame(vuln, 'none')
    expect(plain.offsets.get(0)).toBe(-0x40)
    expect(8 - (plain.offsets.get(0) as number)).toBe(0x48)
    const guarded = layoutFrame(vuln, 'strong')
    expect(guarded.offsets.get(0)).toBe(-0x50)
    expect(guarded.canaryOffset).toBe(-8)
    expect(8 - (guarded.offsets.get(0) as number)).toBe(0x58)
  })
})

/** gcc -S function bodies and ours, in one spelling: `-80[rbp]` → `[rbp-80]`, no @PLT, labels .L*. */
function normalizeGcc(assembly: string, name: string): string[] {
  const lines = assembly.split('\n')
  const start = lines.indexOf(`${name}:`)
  const body: string[] = []
  for (const line of lines.slice(start + 1)) {
    if (/^\t\.cfi|^\t\.(size|type|globl|section|text|p2align|string|ident)|^\.LF|^\.LC/.test(line)) continue
    if (/^[A-Za-z_]\w*:$/.test(line)) break
    body.push(line.replace(/(-?\d+)\[rbp\]/g, (_, offset: string) => `[rbp${Number(offset) < 0 ? offset : '+' + offset}]`).replace(/@PLT/g, '').replace(/\.L\d+/g, '.L*'))
    if (line === '\tret') break
  }
  return body
}

function normalizeOurs(assembly: string, name: string): string[] {
  const lines = assembly.split('\n')
  const start = lines.indexOf(`${name}:`)
  const body: string[] = []
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('\t.loc')) continue
    body.push(line.replace(/\.L\d+/g, '.L*'))
    if (line === '\tret') break
  }
  return body
}

describe('instruction shape matches gcc -O0 for the classic overflow victim', () => {
  it.each(['none', 'strong', 'all'] as const)('vuln() with %s', (mode) => {
    const gcc = execFileSync('gcc', ['-O0', '-S', '-masm=intel', '-fno-asynchronous-unwind-tables', FLAGS[mode], '-o', '-', SOURCE], { stdio: ['ignore', 'pipe', 'ignore'] }).toString()
    const vuln = FUNCTIONS[0] as IrFunction
    const { assembly } = generateAssembly({ sourceFile: 'frames.c', functions: [vuln], globals: [] }, { pie: true, stackProtector: mode })
    expect(normalizeOurs(assembly, 'vuln')).toEqual(normalizeGcc(gcc, 'vuln'))
  })
})
