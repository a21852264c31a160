/**
 * ABI check against the real thing: functions compiled by the back end are written as an ELF
 * relocatable, linked by gcc with a C program and glibc, and called both ways (gcc → ours,
 * ours → glibc's printf, ours → a gcc function through a pointer).
 */
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compile } from '../../../../shared/toolchain/c/compile'
import type { IrFunction, IrModule } from '../../../../shared/toolchain/ir/types'
import { writeRelocatable } from '../../../../shared/toolchain/link/relocatable'
import { generateAssembly, type CodegenOptions } from '../../../../shared/toolchain/x86/codegen'
import { runNative, scratchDir } from './gnu'
import { addr, bin, branch, c, call, cmp, fn, jump, label, load, local, ret, run, store, sym } from './ir-builder'
import { assembleOrFail } from './pipeline'

const FIXTURE = join(import.meta.dirname, '../../../fixtures/toolchain/interop.c')
const aggregate = (name: string, size: number, kind: 'local' | 'param' = 'local') => ({ name, size, align: 8, scalar: false, kind, protector: { aggregate: true } })

function oursModule(): IrModule {
  const format = new TextEncoder().encode('ours: %d\n\0')
  const functions: IrFunction[] = [
    fn('ours_add', [{ name: 'a', size: 4, kind: 'param' }, { name: 'b', size: 4, kind: 'param' }], [ret(bin('add', 'i32', local('i32', 0), local('i32', 1)))]),
    fn('ours_report', [{ name: 'n', size: 4, kind: 'param' }], [
      run({ kind: 'update', op: 'add', type: 'i32', opType: 'i32', addr: sym('ours_counter'), operand: c(1), postfix: false }),
      run(call('printf', [sym('.LC0'), local('i32', 0)], 'i32', true)),
      ret(),
    ], { returns: { kind: 'void' } }),
    fn('ours_callback', [{ name: 'f', size: 8, kind: 'param' }, { name: 'x', size: 8, kind: 'param' }], [
      ret(bin('mul', 'i64', { kind: 'call', callee: { kind: 'indirect', address: local('ptr', 0) }, args: [{ kind: 'int', value: local('i64', 1) }, { kind: 'int', value: c(10, 'i64') }], type: 'i64', variadic: false }, c(2, 'i64'))),
    ], { returns: { kind: 'int', type: 'i64' }, paramTypes: ['ptr', 'i64'] }),
    fn('ours_make', [aggregate('s', 16), { name: 'x', size: 8, kind: 'param' }], [
      store('i64', addr(0), local('i64', 1)),
      store('i64', addr(0, 8), bin('add', 'i64', local('i64', 1), c(1, 'i64'))),
      ret(addr(0)),
    ], { returns: { kind: 'aggregate', size: 16 } }),
    {
      ...fn('ours_sum', [aggregate('value', 24, 'param')], [ret(bin('add', 'i64', bin('add', 'i64', load('i64', addr(0)), load('i64', addr(0, 8))), load('i64', addr(0, 16))))], { returns: { kind: 'int', type: 'i64' } }),
      params: [{ object: 0, type: { kind: 'aggregate', size: 24 } }],
    },
    fn('ours_vsum', [{ name: 'ap', size: 24, align: 8, scalar: false, vaList: true, protector: { array: true } }, { name: 'total', size: 4 }, { name: 'n', size: 4, kind: 'param' }], [
      { kind: 'store', type: 'i32', addr: addr(1), value: c(0) },
      { kind: 'vaStart', list: addr(0) },
      label('loop'),
      branch(cmp('gt', { kind: 'update', op: 'sub', type: 'i32', opType: 'i32', addr: addr(2), operand: c(1), postfix: true }, c(0)), false, 'done'),
      run({ kind: 'update', op: 'add', type: 'i32', opType: 'i32', addr: addr(1), operand: { kind: 'vaArg', type: 'i32', list: addr(0) }, postfix: false }),
      jump('loop'),
      label('done'),
      ret(local('i32', 1)),
    ], { variadic: true }),
  ]
  return {
    sourceFile: 'ours.c',
    functions,
    globals: [
      { name: '.LC0', linkage: 'static', section: 'rodata', size: format.length, align: 1, init: format },
      { name: 'ours_counter', linkage: 'global', section: 'data', size: 4, align: 4, init: new Uint8Array([100, 0, 0, 0]) },
    ],
  }
}

describe('ABI interoperability with gcc and glibc', () => {
  it.each([
    { pie: true, stackProtector: 'strong' },
    { pie: false, stackProtector: 'all' },
    { pie: false, stackProtector: 'none' },
  ] as CodegenOptions[])('gcc-built main and glibc work with our functions (%o)', (options) => {
    const { assembly } = generateAssembly(oursModule(), options)
    const object = writeRelocatable(assembleOrFail(assembly, 'ours.s'))
    const dir = scratchDir()
    writeFileSync(join(dir, 'ours.o'), object)
    execFileSync('gcc', ['-O0', options.pie ? '-pie' : '-no-pie', '-o', join(dir, 'program'), FIXTURE, join(dir, 'ours.o')])
    const result = runNative(join(dir, 'program'))
    expect(result.stdout).toBe('add 42\nours: 7\ncallback 80\nmake 21 22\nsum 321\nvsum 36\ncounter 101\n')
    expect(result.status).toBe(0)
    // readelf accepts the object and sees our symbols.
    const symbols = execFileSync('readelf', ['-sW', join(dir, 'ours.o')]).toString()
    expect(symbols).toMatch(/FUNC\s+GLOBAL\s+DEFAULT\s+1 ours_add/)
    expect(symbols).toMatch(/NOTYPE\s+GLOBAL\s+DEFAULT\s+UND printf/)
  })
})

/** Our unit: C names that are registers or NASM keywords, defined here and used from gcc's unit. */
const RESERVED_NAMES_OURS = `int printf(const char *, ...);
extern int rel;
extern int offset(int);
extern long strict[2];
int byte = 3;
static int word = 4;
int *rax = &byte;
int (*seg)(int) = offset;
long *const xmm0 = &strict[1];
int wrt(int times) { int al = times * 2; int fs = al + word; return fs + rel; }
int RAX(void) { static int rip = 7; return rip++ + *rax; }
`
/** gcc's unit: defines the externs above and calls into ours. */
const RESERVED_NAMES_THEIRS = `int printf(const char *, ...);
extern int byte, *rax, (*seg)(int), wrt(int), RAX(void);
extern long *const xmm0;
int rel = 20;
long strict[2] = { 30, 31 };
int offset(int qword) { return qword + 1000; }
int main(void) {
  printf("%d %d %d %d\\n", wrt(5), RAX(), RAX(), seg(byte));
  byte = 50;
  printf("%d %ld\\n", *rax, *xmm0);
  return 0;
}
`

describe('C names that are registers or NASM keywords ($name in the assembly)', () => {
  it.each([true, false])('our unit links and runs with a gcc unit like two gcc units do (pie: %s)', (pie) => {
    const dir = scratchDir()
    writeFileSync(join(dir, 'ours.c'), RESERVED_NAMES_OURS)
    writeFileSync(join(dir, 'theirs.c'), RESERVED_NAMES_THEIRS)
    const mode = pie ? '-pie' : '-no-pie'
    execFileSync('gcc', ['-O0', mode, '-o', join(dir, 'gcc-only'), join(dir, 'ours.c'), join(dir, 'theirs.c')])
    const expected = runNative(join(dir, 'gcc-only'))
    expect(expected.stdout).toBe('34 11 10 1003\n50 31\n')

    const compiled = compile({ 'ours.c': RESERVED_NAMES_OURS }, 'ours.c', { pie })
    if (compiled.ir === undefined) throw new Error(compiled.text)
    const { assembly } = generateAssembly(compiled.ir, { pie, stackProtector: 'none' })
    for (const name of ['rel', 'offset', 'byte', 'word', 'rax', 'seg', 'wrt', 'RAX']) expect(assembly).toContain(`$${name}`)
    writeFileSync(join(dir, 'ours.o'), writeRelocatable(assembleOrFail(assembly, 'ours.s')))
    execFileSync('gcc', ['-O0', mode, '-o', join(dir, 'mixed'), join(dir, 'theirs.c'), join(dir, 'ours.o')])
    expect(runNative(join(dir, 'mixed'))).toEqual(expected)
  })
})
