import { describe, expect, it } from 'vitest'
import type { IrFunction, IrModule } from '../../../../shared/toolchain/ir/types'
import { validateModule } from '../../../../shared/toolchain/ir/validate'
import { buildFromIr } from '../../../../shared/toolchain/link/build'
import { link } from '../../../../shared/toolchain/link/linker'
import { generateAssembly, symbolText, type CodegenOptions } from '../../../../shared/toolchain/x86/codegen'
import { addr, bin, branch, c, call, charArray, cmp, conv, fn, jump, label, load, local, printInt, ret, run, set, store, sym } from './ir-builder'
import { assembleOrFail, buildAndRun } from './pipeline'

const MODES: CodegenOptions[] = [
  { pie: true, stackProtector: 'strong' },
  { pie: false, stackProtector: 'none' },
]

function program(functions: IrModule['functions'], globals: IrModule['globals'] = []): IrModule {
  return { sourceFile: 'test.c', functions, globals }
}

describe('code generation runs natively', () => {
  it.each(MODES)('arithmetic and conversions (%o)', (options) => {
    // int main(void) { int a = 17, b = -5; long l = ...; ... print ... }
    const main = fn(
      'main',
      [{ name: 'a', size: 4 }, { name: 'b', size: 4 }, { name: 'u', size: 4 }, { name: 'l', size: 8 }, { name: 'ch', size: 1 }],
      [
        set('i32', 0, c(17)),
        set('i32', 1, c(-5)),
        set('u32', 2, c(0xfffffff0)),
        set('i64', 3, c(-3000000000n, 'i64')),
        set('i8', 4, c(-56, 'i8')),
        ...printInt(bin('add', 'i32', local('i32', 0), local('i32', 1))),
        ...printInt(bin('sub', 'i32', local('i32', 1), local('i32', 0))),
        ...printInt(bin('mul', 'i32', local('i32', 0), local('i32', 1))),
        ...printInt(bin('div', 'i32', local('i32', 0), local('i32', 1))),
        ...printInt(bin('rem', 'i32', local('i32', 0), local('i32', 1))),
        ...printInt(bin('div', 'u32', local('u32', 2), c(7, 'u32'))),
        ...printInt(bin('rem', 'u32', local('u32', 2), c(7, 'u32'))),
        ...printInt(bin('shr', 'u32', local('u32', 2), c(4))),
        ...printInt(bin('shr', 'i32', local('i32', 1), c(1))),
        ...printInt(bin('shl', 'i32', local('i32', 0), local('i32', 0))),
        ...printInt(bin('div', 'i64', local('i64', 3), conv('i64', local('i32', 0)))),
        ...printInt(conv('i32', local('i8', 4))),
        ...printInt(conv('u8', local('i8', 4))),
        ...printInt(conv('i64', local('u32', 2))),
        ...printInt(conv('i64', local('i32', 1))),
        ...printInt(cmp('lt', local('i32', 1), local('i32', 0))),
        ...printInt(cmp('lt', conv('u32', local('i32', 1)), conv('u32', local('i32', 0)))),
        ...printInt({ kind: 'logical', op: 'and', left: cmp('gt', local('i32', 0), c(10)), right: cmp('ne', local('i32', 1), c(0)) }),
        ...printInt({ kind: 'select', type: 'i32', cond: cmp('eq', local('i32', 0), c(3)), then: c(111), otherwise: c(222) }),
        ...printInt({ kind: 'unary', op: 'neg', type: 'i32', value: local('i32', 0) }),
        ...printInt({ kind: 'unary', op: 'not', type: 'i32', value: local('i32', 0) }),
        ...printInt({ kind: 'unary', op: 'lnot', type: 'i32', value: local('i32', 0) }),
        ret(c(0)),
      ],
    )
    const result = buildAndRun(program([main]), options)
    expect(result.stdout).toBe('12 -22 -85 -3 2 613566754 2 268435455 -3 2228224 -176470588 -56 200 4294967280 -5 1 0 1 222 -17 -18 0 ')
    expect(result.status).toBe(0)
  })

  it.each(MODES)('loops, recursion and calls with stack arguments (%o)', (options) => {
    // int fact(int n) { if (n <= 1) return 1; return n * fact(n - 1); }
    const fact = fn('fact', [{ name: 'n', size: 4, kind: 'param' }], [
      branch(cmp('gt', local('i32', 0), c(1)), true, 'recurse'),
      ret(c(1)),
      label('recurse'),
      ret(bin('mul', 'i32', local('i32', 0), call('fact', [bin('sub', 'i32', local('i32', 0), c(1))]))),
    ])
    // long sum8(long a..h) { return a + 2b + ... + 8h; }
    const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']
    let weighted = bin('mul', 'i64', local('i64', 0), c(1, 'i64'))
    for (let i = 1; i < 8; i++) weighted = bin('add', 'i64', weighted, bin('mul', 'i64', local('i64', i), c(i + 1, 'i64')))
    const sum8 = fn('sum8', names.map((name) => ({ name, size: 8, kind: 'param' as const })), [ret(weighted)], { returns: { kind: 'int', type: 'i64' } })
    // int main(void) { int i, total = 0; for (i = 1; i <= 100; i++) total += i; print... }
    const main = fn('main', [{ name: 'i', size: 4 }, { name: 'total', size: 4 }], [
      set('i32', 1, c(0)),
      set('i32', 0, c(1)),
      jump('cond'),
      label('body'),
      run({ kind: 'update', op: 'add', type: 'i32', opType: 'i32', addr: addr(1), operand: local('i32', 0), postfix: false }),
      run({ kind: 'update', op: 'add', type: 'i32', opType: 'i32', addr: addr(0), operand: c(1), postfix: true }),
      label('cond'),
      branch(cmp('le', local('i32', 0), c(100)), true, 'body'),
      ...printInt(local('i32', 1)),
      ...printInt(call('fact', [c(10)])),
      ...printInt(call('sum8', [1, 2, 3, 4, 5, 6, 7, 8].map((v) => c(v, 'i64')), 'i64')),
      // nested calls inside stack arguments keep the stack aligned
      ...printInt(call('sum8', [1, 2, 3, 4, 5, 6, 7].map((v) => c(v, 'i64')).concat([conv('i64', call('fact', [c(5)]))]), 'i64')),
      ret(call('fact', [c(4)])),
    ])
    const result = buildAndRun(program([fact, sum8, main]), options)
    expect(result.stdout).toBe('5050 3628800 204 1100 ')
    expect(result.status).toBe(24)
  })
})

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text)

describe('code generation: data, aggregates, control flow', () => {
  it.each(MODES)('globals in .data/.bss/.rodata and pointers to them (%o)', (options) => {
    const globals: IrModule['globals'] = [
      { name: 'counter', linkage: 'global', section: 'data', size: 4, align: 4, init: new Uint8Array([3, 0, 0, 0]) },
      { name: 'table', linkage: 'global', section: 'bss', size: 16, align: 16 },
      { name: 'greeting', linkage: 'global', section: 'rodata', size: 4, align: 1, init: bytes('hi \0') },
      { name: '.LC0', linkage: 'static', section: 'rodata', size: 9, align: 1, init: bytes('pointer \0') },
      // char *message = "pointer "; (an absolute address in .data: R_X86_64_RELATIVE under -pie)
      { name: 'message', linkage: 'global', section: 'data', size: 8, align: 8, init: new Uint8Array(8), relocations: [{ offset: 0, symbol: '.LC0', addend: 0, size: 8 }] },
      // int *const slot = &table[2]; (constant, but patched at start-up under -pie)
      { name: 'slot', linkage: 'static', section: 'rodata', size: 8, align: 8, init: new Uint8Array(8), relocations: [{ offset: 0, symbol: 'table', addend: 8, size: 8 }] },
    ]
    const main = fn('main', [], [
      run({ kind: 'update', op: 'add', type: 'i32', opType: 'i32', addr: sym('counter'), operand: c(1), postfix: true }),
      { kind: 'store', type: 'i32', addr: sym('table', 8), value: bin('mul', 'i32', load('i32', sym('counter')), c(10)) },
      run(call('print_str', [sym('greeting')], 'void')),
      run(call('print_str', [load('ptr', sym('message'))], 'void')),
      ...printInt(load('i32', load('ptr', sym('slot')))),
      ...printInt(load('i32', sym('counter'))),
      ret(load('i32', sym('counter'))),
    ])
    const result = buildAndRun(program([main], globals), options)
    expect(result.stdout).toBe('hi pointer 40 4 ')
    expect(result.status).toBe(4)
  })

  it.each(MODES)('structs: copies, returns in rax:rdx and through a hidden pointer, by-value arguments (%o)', (options) => {
    const aggregate = (name: string, size: number, kind: 'local' | 'param' = 'local') => ({ name, size, align: 8, scalar: false, kind, protector: { aggregate: true } })
    // struct S { long a, b; } make(long x) { struct S s; s.a = x; s.b = 2 * x; return s; }
    const make = fn('make', [aggregate('s', 16), { name: 'x', size: 8, kind: 'param' }], [
      store('i64', addr(0), local('i64', 1)),
      store('i64', addr(0, 8), bin('mul', 'i64', local('i64', 1), c(2, 'i64'))),
      ret(addr(0)),
    ], { returns: { kind: 'aggregate', size: 16 } })
    // struct B { long a, b, c; } makeb(long x) { ... }
    const makeb = fn('makeb', [aggregate('b', 24), { name: 'x', size: 8, kind: 'param' }], [
      store('i64', addr(0), local('i64', 1)),
      store('i64', addr(0, 8), bin('add', 'i64', local('i64', 1), c(1, 'i64'))),
      store('i64', addr(0, 16), bin('add', 'i64', local('i64', 1), c(2, 'i64'))),
      ret(addr(0)),
    ], { returns: { kind: 'aggregate', size: 24 } })
    // long sums(struct S s) / long sumb(struct B b): by value, in registers and in memory
    const sums: IrFunction = { ...fn('sums', [aggregate('s', 16, 'param')], [ret(bin('add', 'i64', load('i64', addr(0)), load('i64', addr(0, 8))))], { returns: { kind: 'int', type: 'i64' } }), params: [{ object: 0, type: { kind: 'aggregate', size: 16 } }] }
    const sumb: IrFunction = { ...fn('sumb', [aggregate('b', 24, 'param')], [ret(bin('add', 'i64', bin('add', 'i64', load('i64', addr(0)), load('i64', addr(0, 8))), load('i64', addr(0, 16))))], { returns: { kind: 'int', type: 'i64' } }), params: [{ object: 0, type: { kind: 'aggregate', size: 24 } }] }
    const main = fn('main', [aggregate('s', 16), aggregate('b', 24), aggregate('c', 24)], [
      run({ kind: 'call', callee: { kind: 'direct', name: 'make' }, args: [{ kind: 'int', value: c(5, 'i64') }], type: { aggregate: 16 }, resultAddr: addr(0), variadic: false }),
      run({ kind: 'call', callee: { kind: 'direct', name: 'makeb' }, args: [{ kind: 'int', value: c(10, 'i64') }], type: { aggregate: 24 }, resultAddr: addr(1), variadic: false }),
      { kind: 'copy', dst: addr(2), src: addr(1), size: 24 },
      ...printInt(load('i64', addr(0, 8))),
      ...printInt(load('i64', addr(2, 16))),
      ...printInt({ kind: 'call', callee: { kind: 'direct', name: 'sums' }, args: [{ kind: 'aggregate', addr: addr(0), size: 16 }], type: 'i64', variadic: false }),
      ...printInt({ kind: 'call', callee: { kind: 'direct', name: 'sumb' }, args: [{ kind: 'aggregate', addr: addr(2), size: 24 }], type: 'i64', variadic: false }),
      { kind: 'zero', dst: addr(2), size: 24 },
      ...printInt(load('i64', addr(2, 16))),
      ret(c(0)),
    ])
    const result = buildAndRun(program([make, makeb, sums, sumb, main]), options)
    expect(result.stdout).toBe('10 12 15 33 0 ')
  })

  it.each(MODES)('switch as a jump table and as a compare chain (%o)', (options) => {
    // int classify(int x) { switch (x) { case 0..5 (table) ... default: return -1; } }
    const cases = [0, 1, 2, 3, 5, 6].map((value) => ({ value: BigInt(value), target: `case${value}` }))
    const classify = fn('classify', [{ name: 'x', size: 4, kind: 'param' }], [
      { kind: 'switch', value: local('i32', 0), cases, defaultTarget: 'other' },
      ...cases.flatMap((entry) => [label(entry.target), ret(c(Number(entry.value) * 11))]),
      label('other'),
      ret(c(-1)),
    ])
    const sparse = fn('sparse', [{ name: 'x', size: 4, kind: 'param' }], [
      { kind: 'switch', value: local('i32', 0), cases: [{ value: 1000n, target: 'big' }, { value: -7n, target: 'negative' }], defaultTarget: 'other' },
      label('big'),
      ret(c(1)),
      label('negative'),
      ret(c(2)),
      label('other'),
      ret(c(0)),
    ])
    const main = fn('main', [{ name: 'i', size: 4 }], [
      set('i32', 0, c(-1)),
      label('loop'),
      ...printInt(call('classify', [local('i32', 0)])),
      run({ kind: 'update', op: 'add', type: 'i32', opType: 'i32', addr: addr(0), operand: c(1), postfix: false }),
      branch(cmp('le', local('i32', 0), c(7)), true, 'loop'),
      ...printInt(call('sparse', [c(1000)])),
      ...printInt(call('sparse', [c(-7)])),
      ...printInt(call('sparse', [c(3)])),
      ret(c(0)),
    ])
    const result = buildAndRun(program([classify, sparse, main]), options)
    expect(result.stdout).toBe('-1 0 11 22 33 -1 55 66 -1 1 2 0 ')
    expect(result.assembly).toMatch(options.pie ? /dd\t\.L\d+ - \.L\d+/ : /dq\t\.L\d+/)
  })

  it.each(MODES)('variadic functions and function pointers (%o)', (options) => {
    // int sum(int n, ...) { va_list ap; int total = 0; va_start(ap, n); while (n-- > 0) total += va_arg(ap, int); return total; }
    const sum = fn('sum', [{ name: 'ap', size: 24, align: 8, scalar: false, vaList: true, protector: { array: true } }, { name: 'total', size: 4 }, { name: 'n', size: 4, kind: 'param' }], [
      set('i32', 1, c(0)),
      { kind: 'vaStart', list: addr(0) },
      label('loop'),
      branch(cmp('gt', { kind: 'update', op: 'sub', type: 'i32', opType: 'i32', addr: addr(2), operand: c(1), postfix: true }, c(0)), false, 'done'),
      run({ kind: 'update', op: 'add', type: 'i32', opType: 'i32', addr: addr(1), operand: { kind: 'vaArg', type: 'i32', list: addr(0) }, postfix: false }),
      jump('loop'),
      label('done'),
      ret(local('i32', 1)),
    ], { variadic: true })
    const twice = fn('twice', [{ name: 'v', size: 4, kind: 'param' }], [ret(bin('mul', 'i32', local('i32', 0), c(2)))], { linkage: 'static' })
    const main = fn('main', [{ name: 'op', size: 8 }], [
      ...printInt(call('sum', [c(3), c(10), c(20), c(30)], 'i32', true)),
      ...printInt(call('sum', [c(9), c(1), c(2), c(3), c(4), c(5), c(6), c(7), c(8), c(9)], 'i32', true)),
      set('ptr', 0, sym('twice')),
      ...printInt({ kind: 'call', callee: { kind: 'indirect', address: local('ptr', 0) }, args: [{ kind: 'int', value: c(21) }], type: 'i32', variadic: false }),
      ret(c(0)),
    ])
    const result = buildAndRun(program([sum, twice, main]), options)
    expect(result.stdout).toBe('60 45 42 ')
  })

  it('a canary stops an overflowing copy with glibc\'s message; without one the return address is hit', () => {
    // void fill(int n) { char buf[16]; int i; for (i = 0; i < n; i++) buf[i] = 'A'; }
    // (i is address-taken, so gcc places it below buf and the overflow reaches the return address)
    const fill = fn('fill', [charArray('buf', 16), { name: 'i', size: 4, addressTaken: true }, { name: 'n', size: 4, kind: 'param' }], [
      set('i32', 1, c(0)),
      jump('cond'),
      label('body'),
      store('i8', bin('add', 'ptr', addr(0), conv('ptr', conv('i64', local('i32', 1)))), c(65, 'i8')),
      run({ kind: 'update', op: 'add', type: 'i32', opType: 'i32', addr: addr(1), operand: c(1), postfix: true }),
      label('cond'),
      branch(cmp('lt', local('i32', 1), local('i32', 2)), true, 'body'),
      ret(),
    ], { returns: { kind: 'void' } })
    const main = fn('main', [], [run(call('fill', [c(8)], 'void')), run(call('print_str', [sym('.LC0')], 'void')), run(call('fill', [c(64)], 'void')), ret(c(0))])
    const globals: IrModule['globals'] = [{ name: '.LC0', linkage: 'static', section: 'rodata', size: 4, align: 1, init: bytes('ok\n\0') }]
    const guarded = buildAndRun(program([fill, main], globals), { pie: true, stackProtector: 'strong' })
    expect(guarded.stdout).toBe('ok\n')
    expect(guarded.stderr).toBe('*** stack smashing detected ***: terminated\n')
    expect(guarded.signal).toBe('SIGABRT')
    expect(guarded.assembly).toMatch(/mov\trax, QWORD PTR fs:40\n\tmov\tQWORD PTR \[rbp-8\], rax\n\txor\teax, eax/)
    expect(guarded.assembly).toMatch(/sub\trax, QWORD PTR fs:40\n\tje\t\.L\d+\n\tcall\t__stack_chk_fail/)
    const open = buildAndRun(program([fill, main], globals), { pie: true, stackProtector: 'none' })
    expect(open.stdout).toBe('ok\n')
    expect(open.signal).toBe('SIGSEGV')
  })
})

describe('line table', () => {
  it('carries IR source lines through .loc to addresses in the executable', () => {
    const main: IrFunction = {
      ...fn('main', [{ name: 'x', size: 4 }], [
        { kind: 'store', type: 'i32', addr: addr(0), value: c(1), loc: { line: 3, column: 7 } },
        { kind: 'return', value: local('i32', 0), loc: { line: 4, column: 3 } },
      ]),
      loc: { line: 2 },
      endLoc: { line: 5 },
    }
    const { assembly } = generateAssembly(program([main]), { pie: false, stackProtector: 'none' })
    expect(assembly).toContain('\t.file\t"test.c"')
    expect(assembly).toMatch(/\.loc 1 2 0\n\tpush\trbp/)
    const object = assembleOrFail(assembly + '\tglobal _start\n_start: ret\n', 'test.s')
    expect(object.sourceFile).toBe('test.c')
    const linked = link([object], { pie: false })
    expect(linked.lines.map((row) => [Number(row.address - 0x401000n), row.line, row.column])).toEqual([
      [0, 2, 0], // push rbp
      [4, 3, 7], // mov DWORD PTR [rbp-4], 1
      [11, 4, 3], // mov eax, DWORD PTR [rbp-4]
      [14, 5, 0], // pop rbp
    ])
    expect(linked.lines[0]?.file).toBe('test.c')
  })
})

describe('code generation: less common IR', () => {
  it.each(MODES)('large copies, pointer updates, chains, comma, 64-bit unsigned math, computed calls (%o)', (options) => {
    const big = { name: 'big', size: 100, align: 8, scalar: false, protector: { aggregate: true } }
    const add1 = fn('add1', [{ name: 'v', size: 4, kind: 'param' }], [ret(bin('add', 'i32', local('i32', 0), c(1)))], { linkage: 'static' })
    const sub1 = fn('sub1', [{ name: 'v', size: 4, kind: 'param' }], [ret(bin('sub', 'i32', local('i32', 0), c(1)))], { linkage: 'static' })
    const pair = { name: 'pr', size: 16, align: 8, scalar: false, protector: { aggregate: true } }
    // long pick(struct pair p, long k) { return p.a * k + p.b; }  (aggregate in two registers)
    const pick: IrFunction = {
      ...fn('pick', [{ ...pair, kind: 'param' as const }, { name: 'k', size: 8, kind: 'param' }], [ret(bin('add', 'i64', bin('mul', 'i64', load('i64', addr(0)), local('i64', 1)), load('i64', addr(0, 8))))], { returns: { kind: 'int', type: 'i64' } }),
      params: [{ object: 0, type: { kind: 'aggregate', size: 16 } }, { object: 1, type: { kind: 'int', type: 'i64' } }],
    }
    const main = fn('main', [big, { ...big, name: 'copy' }, { name: 'p', size: 8 }, { name: 'a', size: 4 }, { name: 'b', size: 4 }, { name: 'ch', size: 1 }, { name: 'u', size: 8 }, { name: 'ops', size: 16, align: 16, scalar: false, protector: { array: true } }, pair], [
      // fill big with 1..100 through a pointer: p = &big; for (a = 0; a < 100; a++) *(char *)p++ = a + 1;
      set('ptr', 2, addr(0)),
      set('i32', 3, c(0)),
      label('fill'),
      store('i8', { kind: 'update', op: 'add', type: 'ptr', opType: 'ptr', addr: addr(2), operand: c(1, 'ptr'), postfix: true }, conv('i8', bin('add', 'i32', local('i32', 3), c(1)))),
      run({ kind: 'update', op: 'add', type: 'i32', opType: 'i32', addr: addr(3), operand: c(1), postfix: false }),
      branch(cmp('lt', local('i32', 3), c(100)), true, 'fill'),
      { kind: 'copy', dst: addr(1), src: addr(0), size: 100 },
      { kind: 'zero', dst: addr(0), size: 100 },
      ...printInt(bin('add', 'i32', conv('i32', load('u8', addr(1, 99))), conv('i32', load('u8', addr(0, 99))))),
      ...printInt(conv('i32', load('u8', addr(1, 57)))),
      // a = b = 7 (assign chain); comma: (a += 1, a * 2)
      set('i32', 3, { kind: 'assign', type: 'i32', addr: addr(4), value: c(7) }),
      ...printInt({ kind: 'comma', first: { kind: 'update', op: 'add', type: 'i32', opType: 'i32', addr: addr(3), operand: c(1), postfix: false }, then: bin('mul', 'i32', local('i32', 3), local('i32', 4)) }),
      // char ch = 0; ch-- (postfix, narrow): prints 0 then -1
      set('i8', 5, c(0, 'i8')),
      ...printInt(conv('i32', { kind: 'update', op: 'sub', type: 'i8', opType: 'i32', addr: addr(5), operand: c(1), postfix: true })),
      ...printInt(conv('i32', load('i8', addr(5)))),
      // unsigned long u = ~0UL; u / 3, u % 10, u >> a (variable shift in 64 bits)
      set('u64', 6, c(-1n, 'u64')),
      ...printInt(bin('div', 'u64', load('u64', addr(6)), c(3n * 1000000000000n, 'u64'))),
      ...printInt(bin('rem', 'u64', load('u64', addr(6)), c(10, 'u64'))),
      ...printInt(bin('shr', 'u64', load('u64', addr(6)), local('i32', 3))),
      // int (*ops[2])(int) = { add1, sub1 }; ops[a & 1](40)
      store('ptr', addr(7), sym('add1')),
      store('ptr', addr(7, 8), sym('sub1')),
      ...printInt({
        kind: 'call',
        callee: { kind: 'indirect', address: load('ptr', bin('add', 'ptr', addr(7), bin('mul', 'ptr', conv('ptr', conv('i64', bin('and', 'i32', local('i32', 3), c(1)))), c(8, 'ptr')))) },
        args: [{ kind: 'int', value: c(40) }],
        type: 'i32',
        variadic: false,
      }),
      // pick(pr, add1(4)): an aggregate in registers next to an argument that is itself a call
      store('i64', addr(8), c(6, 'i64')),
      store('i64', addr(8, 8), c(7, 'i64')),
      ...printInt({ kind: 'call', callee: { kind: 'direct', name: 'pick' }, args: [{ kind: 'aggregate', addr: addr(8), size: 16 }, { kind: 'int', value: conv('i64', call('add1', [c(4)])) }], type: 'i64', variadic: false }),
      ret(c(0)),
    ])
    const result = buildAndRun(program([add1, sub1, pick, main]), options)
    // copy[99] + zeroed big[99]; copy[57]; (a=8) * (b=7); ch-- then ch; (2^64-1) / 3e12; (2^64-1) % 10;
    // (2^64-1) >> 8; ops[8 & 1] = add1 → 41; pick({6, 7}, add1(4)) = 6 * 5 + 7
    expect(result.stdout).toBe('100 58 56 0 -1 6148914 5 72057594037927935 41 37 ')
  })
})

describe('build API', () => {
  it('returns the assembly, frames and executable, or the errors of the stage that failed', () => {
    const ok = buildFromIr(program([fn('main', [{ name: 'x', size: 4 }], [set('i32', 0, c(3)), ret(local('i32', 0))])]), { pie: true, stackProtector: 'none' }, [
      assembleOrFail('extern main\nglobal _start\n_start: call main\nmov edi, eax\nmov eax, 60\nsyscall\n', 'start.asm'),
    ])
    expect(ok.errors).toEqual([])
    expect(ok.executable).toBeInstanceOf(Uint8Array)
    expect(ok.assembly).toMatch(/^main:$/m)
    expect(ok.frames[0]?.offsets.get(0)).toBe(-4)
    const unresolved = buildFromIr(program([fn('main', [], [ret(call('missing', []))])]), { pie: true, stackProtector: 'none' })
    expect(unresolved.executable).toBeUndefined()
    expect(unresolved.errors).toContain("test.s:(.text+0x5): undefined reference to `missing'")
    const invalid = buildFromIr(program([fn('main', [{ name: 'ap', size: 24 }], [{ kind: 'vaStart', list: addr(0) }, ret(c(0))])]), { pie: true, stackProtector: 'none' })
    expect(invalid.errors).toEqual(["test.c: error: va_start in 'main', which is not variadic"])
  })
})

describe('values kept across calls', () => {
  it.each(MODES)('uses rbx and r12 like gcc for nested calls in one expression (%o)', (options) => {
    const inc = fn('inc', [{ name: 'v', size: 4, kind: 'param' }], [ret(bin('add', 'i32', local('i32', 0), c(1)))])
    // printf("%d", inc(a) * 100 + (inc(a + 1) * 10 - inc(a + 5))) with a = 10: 1100 + (120 - 16)
    const main = fn('main', [{ name: 'a', size: 4 }], [
      set('i32', 0, c(10)),
      ...printInt(bin('add', 'i32', bin('mul', 'i32', call('inc', [local('i32', 0)]), c(100)), bin('sub', 'i32', bin('mul', 'i32', call('inc', [bin('add', 'i32', local('i32', 0), c(1))]), c(10)), call('inc', [bin('add', 'i32', local('i32', 0), c(5))])))),
      ret(c(0)),
    ])
    const minus = fn('minus', [{ name: 'x', size: 4, kind: 'param' }, { name: 'y', size: 4, kind: 'param' }, { name: 'z', size: 8, kind: 'param' }], [ret(bin('sub', 'i32', bin('sub', 'i32', local('i32', 0), local('i32', 1)), conv('i32', local('i64', 2))))])
    // minus(inc(100), inc(a), 3L): arguments with calls, evaluated last to first, kept in rbx
    const withArguments = { ...main, body: [...main.body.slice(0, -1), ...printInt(call('minus', [call('inc', [c(100)]), call('inc', [local('i32', 0)]), c(3, 'i64')])), ...main.body.slice(-1)] }
    const result = buildAndRun(program([inc, minus, withArguments]), options)
    expect(result.stdout).toBe('1204 87 ')
    expect(result.assembly).toMatch(/push\tr12\n\tpush\trbx/)
    expect(result.assembly).toContain('\tmov\trbx, QWORD PTR [rbp-16]\n\tmov\tr12, QWORD PTR [rbp-8]\n\tleave')
  })
})

describe('symbol names in the assembly', () => {
  it('are written $name only when NASM would read them as a register or keyword', () => {
    for (const reserved of ['rax', 'RAX', 'al', 'r8b', 'xmm0', 'st', 'fs', 'rip', 'byte', 'Byte', 'offset', 'rel', 'wrt', 'seg', 'strict', 'times', 'db', 'section']) {
      expect(symbolText(reserved)).toBe(`$${reserved}`)
    }
    // Plain names (gcc's spelling), instruction mnemonics and static locals' `name.N` included.
    for (const plain of ['main', 'printf', 'add', 'push', 'bytes', 'rax1', 'rip.0', '.LC0']) expect(symbolText(plain)).toBe(plain)
  })
})

describe('lexical block markers', () => {
  const begin = (scope: number) => ({ kind: 'scopeBegin' as const, scope })
  const end = (scope: number) => ({ kind: 'scopeEnd' as const, scope })
  const objects = [{ name: 'a', size: 4 }, { name: 'b', size: 4, scope: 1 }, { name: 'c', size: 4, scope: 2, parentScope: 1 }]
  const body = [set('i32', 0, c(1)), set('i32', 1, c(2)), set('i32', 2, c(3)), ret(bin('add', 'i32', local('i32', 1), local('i32', 2)))]

  it('puts gcc\'s .LBB/.LBE labels around each block, reports them nested, and changes no byte', () => {
    const marked = fn('main', objects, [body[0]!, begin(1), body[1]!, begin(2), body[2]!, end(2), end(1), body[3]!])
    const generated = generateAssembly(program([marked]), { pie: true, stackProtector: 'none' })
    expect(generated.assembly).toMatch(/^\.LBB0:\n(?:.*\n)*\.LBB1:\n(?:.*\n)*\.LBE1:\n\.LBE0:$/m)
    expect(generated.frames[0]?.blocks).toEqual([
      { scope: 1, begin: '.LBB0', end: '.LBE0' },
      { scope: 2, parent: 1, begin: '.LBB1', end: '.LBE1' },
    ])
    const plain = buildFromIr(program([fn('main', objects, body)]), { pie: true, stackProtector: 'none' })
    const withBlocks = buildFromIr(program([marked]), { pie: true, stackProtector: 'none' })
    expect(withBlocks.errors).toEqual([])
    expect(withBlocks.executable).toEqual(plain.executable)
  })

  it('a return followed only by scope ends is still the last statement (no jump to the epilogue)', () => {
    const generated = generateAssembly(program([fn('main', objects.slice(0, 2), [begin(1), body[1]!, ret(local('i32', 1)), end(1)])]), { pie: true, stackProtector: 'none' })
    expect(generated.assembly).not.toMatch(/\tjmp\t/)
  })

  it('rejects markers that do not nest', () => {
    const crossed = buildFromIr(program([fn('main', objects, [begin(1), begin(2), end(1), end(2), ret(c(0))])]), { pie: true, stackProtector: 'none' })
    expect(crossed.errors).toEqual(["test.c: error: scopeEnd 1 in 'main' does not close the innermost open scope"])
    expect(validateModule(program([fn('main', objects, [begin(1), begin(2), end(1), end(2), begin(0), begin(1), ret(c(0))])]))).toEqual([
      "in function 'main': scopeEnd 1 does not close the innermost open scope",
      "in function 'main': scope 0 is the function body: it has no scopeBegin",
      "in function 'main': scope 1 begins twice",
      "in function 'main': scope 1, 0, 1 never ends",
    ])
  })
})
