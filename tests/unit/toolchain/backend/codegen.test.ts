import { describe, expect, it } from 'vitest'
import type { IrModule } from '../../../../shared/toolchain/ir/types'
import type { CodegenOptions } from '../../../../shared/toolchain/x86/codegen'
import { addr, bin, branch, c, call, cmp, conv, fn, jump, label, local, printInt, ret, run, set } from './ir-builder'
import { buildAndRun } from './pipeline'

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
