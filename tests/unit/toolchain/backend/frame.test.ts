/**
 * Frame layout against gcc -O0 on this machine: the C functions in
 * tests/fixtures/toolchain/frames.c are compiled with gcc -O0 -g; every variable's DWARF
 * location (DW_OP_fbreg, CFA = rbp+16) and each function's `sub rsp, N` must equal what the back
 * end computes for the same function written in IR.
 */
import { execFileSync } from 'node:child_process'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { writeFileSync } from 'node:fs'
import { compile } from '../../../../shared/toolchain/c/compile'
import type { IrFunction, Stmt } from '../../../../shared/toolchain/ir/types'
import { generateAssembly } from '../../../../shared/toolchain/x86/codegen'
import { layoutFrame, type StackProtector } from '../../../../shared/toolchain/x86/frame'
import { gccAllocations, gccSlots, PROTECTOR_FLAGS } from './gcc-frames'
import { scratchDir } from './gnu'
import { addr, bin, branch, c, call, charArray, cmp, conv, fn, intArray, jump, label, load, local, ret, run, set, store, sym, type ObjectSpec } from './ir-builder'

const SOURCE = join(import.meta.dirname, '../../../fixtures/toolchain/frames.c')
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
    const slots = gccSlots(SOURCE, mode)
    const allocations = gccAllocations(SOURCE, mode)
    const mismatches: string[] = []
    for (const fn of FUNCTIONS) {
      const layout = layoutFrame(fn, mode)
      if (!allocations.has(fn.name)) throw new Error(`gcc did not build ${fn.name}`)
      for (const object of fn.frame) {
        const ours = layout.offsets.get(object.id)
        const gcc = slots.get(`${fn.name}.${object.name}`)?.offset
        if (ours !== gcc) mismatches.push(`${fn.name}.${object.name}: ours ${ours} gcc ${gcc}`)
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
    const gcc = execFileSync('gcc', ['-O0', '-S', '-masm=intel', '-fno-asynchronous-unwind-tables', PROTECTOR_FLAGS[mode], '-o', '-', SOURCE], { stdio: ['ignore', 'pipe', 'ignore'] }).toString()
    const vuln = FUNCTIONS[0] as IrFunction
    const { assembly } = generateAssembly({ sourceFile: 'frames.c', functions: [vuln], globals: [] }, { pie: true, stackProtector: mode })
    expect(normalizeOurs(assembly, 'vuln')).toEqual(normalizeGcc(gcc, 'vuln'))
  })
})

/**
 * Functions written in C (through our front end) against gcc -O0 -g: loops and conditionals
 * (gcc's SSA order puts variables that need a PHI node first), nested blocks, several arrays and
 * scalars, and leaf functions with nested expressions (no `sub rsp`: the red zone).
 */
const C_FUNCTIONS = `void use(void *p);
int counters(int n) { int a = n; int s = 0; for (int i = 0; i < n; i++) s += i; int b = 1; return a + s + b; }
int arms(int n) { int x; int y = n; if (n) x = 1; else x = 2; return x + y; }
int changed_in_if(int n) { int a = 1; int b = 2; if (n) b = 3; return a + b; }
int loop_body(int n) { int u = 5; int w; for (w = 0; w < n; w++) { int q; q = w; u += q; } int z = u; return z; }
int until(int n) { int c = 0, d = 0; do { c++; } while (c < n); d = c; return d; }
int cases(int n) { int r = 0; switch (n) { case 1: r = 5; break; case 2: r = 7; break; default: break; } int e = 3; return r + e; }
int arrays(int n) { char name[16]; int count = 0; long total = 0; int arr[5]; for (int i = 0; i < 5; i++) { arr[i] = i; total += arr[i]; count++; } use(name); return count + (int)total; }
int scan(int n) { int best = -1; char buf[64]; int len = 0; while (len < n) { if (buf[len] > best) best = buf[len]; len++; } use(buf); return best; }
int vowels(const char *s) { int v = 0, o = 0; for (const char *p = s; *p; p++) { if (*p == 'a') v++; else o++; } return v * 100 + o; }
int sums(int n) { int a[10]; int sum = 0; int i; for (i = 0; i < 10; i++) a[i] = i * n; for (i = 0; i < 10; i++) sum += a[i]; return sum; }
long factorial(int n) { long f = 1; int k = n; while (k > 1) { f *= k; k--; } int after = 2; return f + after; }
int branches(int n) { int x = 0; if (n > 0) { int y = n * 2; x = y; } else { int z = -n; x = z; } return x; }
int record(int n) { struct { int a, b; } pt; char tag[4]; short s = 1; pt.a = n; pt.b = s; use(tag); use(&pt); return pt.a; }
int matrix(int argc, char **argv) { int i, j, t; int m[3][3]; for (i = 0; i < 3; i++) for (j = 0; j < 3; j++) m[i][j] = i + j; t = 0; for (i = 0; i < 3; i++) t += m[i][i]; return t + argc; }
int one_level(int *a, int i, int j) { int k = i + j; a[k] = a[i] * 3 + a[j]; return a[k]; }
`
/** Parameters: 4-byte slots for char and short, padding holes reused (corpus bug L1), stack-passed ones copied or not. */
const PARAMETERS = `void use(void *p);
struct s12 { int a, b, c; };
struct s8 { char c; short s; };
struct s24 { long a, b, c; };
int hole(int a, long b, char *p, int c) { char buf[64]; use(buf); return a + (int)b + c + (p != 0); }
int narrow(char a, long b, short c, int d, char e) { int x = 1; use(&x); return a + b + c + d + e; }
int leaf_params(int a, long b, int c, long d, int e, char f) { return a + b + c + d + e + f; }
int chars(char a, char b, int c, long d) { char s[3]; use(s); return a + b + c + d; }
int records(char a, struct s12 s, short b, struct s8 t) { return a + s.a + b + t.c; }
struct s24 returned(char a, long b) { struct s24 r = { a, b, 3 }; return r; }
int stacked(int a, int b, int c, int d, int e, int f, char g, int h) { char buf[10]; use(buf); return a + g + h; }
int guarded(int a, int b, int c, int d, int e, int f, int g, long h) { char buf[10]; use(buf); return a + g + h; }
int pointer(int a, int b, int c, int d, int e, int f, int *g, long h) { char buf[10]; use(buf); return a + *g + h; }
int address(int a, int b, int c, int d, int e, int f, int *g, long h) { int x; use(&x); return a + *g + h; }
int plain(int a, int b, int c, int d, int e, int f, int *g, char h) { return a + *g + h; }
`

/** Nested blocks: without a stack protector gcc shares nothing among these (see the README's known difference for -fstack-protector*). */
const NESTED_BLOCKS = `void use(void *p);
int after_block(int n) { int a = 1; { int b = 2; use(&b); } int c = 3; use(&a); use(&c); return a; }
int loop_locals(int n) { int a = n; for (int i = 0; i < n; i++) { int t = i; char buf[8]; use(buf); use(&t); } int z; use(&z); return a; }
int disjoint(int n) { char s[10]; if (n) { char big[40]; int k; use(big); use(&k); } else { char other[40]; long q; use(other); use(&q); } int x; use(&x); use(s); return 0; }
int deep(int n) { int a; { int b; { int c; use(&c); } use(&b); } { int d; use(&d); } use(&a); return 0; }
int mixed(int n) { int arr1[4]; char c1; int arr2[10]; long l; char buf[50]; use(arr1); use(&c1); use(arr2); use(&l); use(buf);
  { int inner[3]; char ib[33]; use(inner); use(ib); } return 0; }
`

/** Slots (function.variable → rbp offset) and allocations from gcc -O0 -g for a C source. */
function gccLayout(source: string, mode: StackProtector): { slots: Map<string, number>; allocations: Map<string, number> } {
  const path = join(scratchDir(), 'layout.c')
  writeFileSync(path, source)
  const slots = new Map([...gccSlots(path, mode)].map(([name, slot]) => [name, slot.offset]))
  return { slots, allocations: gccAllocations(path, mode) }
}

function ourLayout(source: string, mode: StackProtector): { slots: Map<string, number>; allocations: Map<string, number> } {
  const compiled = compile({ 'layout.c': source }, 'layout.c', { stackProtector: mode })
  if (compiled.ir === undefined) throw new Error(compiled.text)
  const { frames } = generateAssembly(compiled.ir, { pie: true, stackProtector: mode })
  const slots = new Map<string, number>()
  const allocations = new Map<string, number>()
  compiled.ir.functions.forEach((fn, index) => {
    const layout = frames[index]
    if (layout === undefined) throw new Error(`no layout for ${fn.name}`)
    allocations.set(fn.name, layout.stackAllocation)
    for (const object of fn.frame) {
      const offset = layout.offsets.get(object.id)
      if (offset !== undefined && object.name !== '') slots.set(`${fn.name}.${object.name}`, offset)
    }
  })
  return { slots, allocations }
}

describe('frame layout of C functions matches gcc -O0', () => {
  it.each(['none', 'default', 'strong', 'all'] as const)('loops, conditionals, arrays and scalars, leaf functions (%s)', (mode) => {
    expect(ourLayout(C_FUNCTIONS, mode)).toEqual(gccLayout(C_FUNCTIONS, mode))
  })

  it.each(['none', 'default', 'strong', 'all'] as const)('parameters: slot sizes, reused padding, stack-passed copies (%s)', (mode) => {
    expect(ourLayout(PARAMETERS, mode)).toEqual(gccLayout(PARAMETERS, mode))
  })

  it('nested blocks without a stack protector', () => {
    expect(ourLayout(NESTED_BLOCKS, 'none')).toEqual(gccLayout(NESTED_BLOCKS, 'none'))
  })
})
