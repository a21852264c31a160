/**
 * `_Alignas` and `__attribute__((aligned(N)))` on locals, globals, struct members and typedefs,
 * against gcc 12 on this machine: type layouts (sizeof, _Alignof, offsetof), the section
 * alignment of globals, and frame slots (rbp- or, in a realigned frame, rsp-relative) read from
 * gcc's DWARF. Programs that check the alignment at run time are in
 * tests/fixtures/toolchain-c/programs/alignment.c (end-to-end.test.ts).
 */
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compile } from '../../../../shared/toolchain/c/compile'
import { generateAssembly } from '../../../../shared/toolchain/x86/codegen'
import type { StackProtector } from '../../../../shared/toolchain/x86/frame'
import { gccSlots, PROTECTOR_FLAGS } from '../backend/gcc-frames'
import { scratchDir } from '../backend/gnu'
import { gccResults, ourResults } from './gcc-compare'

function writeSource(name: string, source: string): string {
  const path = join(scratchDir(), name)
  writeFileSync(path, source)
  return path
}

/** Alignment of each global in gcc's assembly (the `.align` before its label, 1 without one). */
function gccGlobalAlignments(source: string): Map<string, number> {
  const assembly = execFileSync('gcc', ['-O0', '-S', '-o', '-', writeSource('globals.c', source)], { encoding: 'utf8' })
  const result = new Map<string, number>()
  let align = 1
  for (const line of assembly.split('\n')) {
    const directive = /^\t\.align (\d+)$/.exec(line)
    if (directive !== null) align = Number(directive[1])
    const label = /^([A-Za-z_][\w.]*):$/.exec(line)
    if (label !== null) {
      result.set(label[1] as string, align)
      align = 1
    }
    // Zero-filled statics: `.local name` then `.comm name,size,align`.
    const common = /^\t\.comm\t([\w.]+),\d+,(\d+)$/.exec(line)
    if (common !== null) result.set(common[1] as string, Number(common[2]))
  }
  return result
}

/** Where gcc -O0 -g puts each variable: `rbp-N` or, in a realigned frame, `rsp+N` (DWARF). */
function gccSlotTexts(source: string, mode: StackProtector): Map<string, string> {
  return new Map([...gccSlots(writeSource('slots.c', source), mode)].map(([name, slot]) => [name, slotText(slot.base, slot.offset)]))
}

function slotText(base: string, offset: number): string {
  return offset < 0 ? `${base}${offset}` : `${base}+${offset}`
}

/** The same, from our front end and back end: the frame layout of every named object. */
function ourSlots(source: string, mode: StackProtector): Map<string, string> {
  const compiled = compile({ 'slots.c': source }, 'slots.c', { stackProtector: mode })
  if (compiled.ir === undefined) throw new Error(compiled.text)
  const { frames } = generateAssembly(compiled.ir, { pie: true, stackProtector: mode })
  const result = new Map<string, string>()
  compiled.ir.functions.forEach((fn, index) => {
    const layout = frames[index]
    if (layout === undefined) throw new Error(`no frame for ${fn.name}`)
    for (const object of fn.frame) {
      const offset = layout.offsets.get(object.id)
      if (offset === undefined || object.name === '') continue
      const realigned = layout.realignment !== undefined && offset < 0
      result.set(`${fn.name}.${object.name}`, realigned ? slotText('rsp', layout.stackAllocation + offset) : slotText('rbp', offset))
    }
  })
  return result
}

/** `and rsp, -A` and `sub rsp, N` (or `add rsp, -N`) per function: gcc's and ours. */
function prologues(assembly: string): Map<string, string> {
  const result = new Map<string, string>()
  let current: string | undefined
  for (const line of assembly.split('\n')) {
    const label = /^([A-Za-z_]\w*):$/.exec(line)
    if (label !== null) {
      current = label[1] as string
      result.set(current, '')
      continue
    }
    if (current === undefined) continue
    const adjust = /^\t(and|sub|add)\trsp, (-?\d+)$/.exec(line)
    if (adjust !== null) result.set(current, `${result.get(current) ?? ''}${adjust[1]} ${adjust[2]}; `)
    if (/^\t(call|ret|mov|lea)/.test(line)) current = undefined
  }
  return result
}

const FRAMES = `
void use(void *p);
int leaf_register(int a) { _Alignas(32) int v = a; return v + 1; }
int leaf_realigned(int a) { _Alignas(32) char buf[5]; buf[0] = a; return buf[0]; }
int params(int a, long b) { _Alignas(32) char buf[5]; int k = a; char big[40]; use(buf); use(big); return k + (int)b; }
int sixteen(int a) { int x __attribute__((aligned(16))) = a; char c; use(&x); use(&c); return x; }
void protected(void) { _Alignas(32) char buf[5]; char s[20]; int n; use(buf); use(s); use(&n); }
void sixty_four(long a, long b) { _Alignas(64) char buf[5]; int i = 1; use(buf); use(&i); use(&a); }
void lowered(void) { char c1; char big[40] __attribute__((aligned(4))); char c2; int lo __attribute__((aligned(1))); char c3;
  _Alignas(4) char big2[20]; char c4; use(&c1); use(big); use(&c2); use(&lo); use(&c3); use(big2); use(&c4); }
typedef int int16a __attribute__((aligned(16)));
struct wide { char c; _Alignas(32) char d; };
void typed(void) { char c; int16a t; struct wide w; use(&c); use(&t); use(&w); }
int saved(int (*f)(int)) { _Alignas(32) int slot = 7; int *p = &slot; return f(*p) + f(*p + 1) * 2; }
`

describe('_Alignas and __attribute__((aligned)) lay out like gcc', () => {
  it('records, typedefs, packed members and objects: sizeof, _Alignof and offsetof', () => {
    const source = `
struct aligned_member { char c; _Alignas(16) long long value; };
struct type_alignas { char c; _Alignas(long) char d; };
struct attribute_member { char c; int v __attribute__((aligned(8))); char d; };
struct bare { char c; int v __attribute__((aligned)); };
struct cannot_lower { char c; short s __attribute__((aligned(1))); };
struct __attribute__((aligned(32))) before { int x; };
struct after { int x; } __attribute__((aligned(64)));
struct __attribute__((packed, aligned(2))) packed_record { char c; int i; };
struct packed_member { char c; int i __attribute__((__aligned__(2))); } __attribute__((packed));
union with_aligned { char c; _Alignas(8) char d; };
struct packed_int { char c; int i __attribute__((packed)); char d; };
struct packed_aligned_member { char c; int i __attribute__((packed, aligned(2))); char d; };
struct packed_long { char c; long l __attribute__((packed)); int k; };
struct packed_in_specifiers { char c; __attribute__((packed)) int i; };
typedef int int16a __attribute__((aligned(16)));
typedef long long2a __attribute__((aligned(2)));
typedef char char1 __attribute__((aligned(1)));
typedef struct { char c; } __attribute__((aligned(8))) record8;
typedef struct before_alias { char c; } alias8 __attribute__((aligned(8)));
typedef int triple[3] __attribute__((aligned(32)));
struct with_typedefs { char c; int16a a; long2a l; };
_Alignas(64) int g64;
int g32 __attribute__((aligned(32)));
long g2 __attribute__((aligned(2)));
__attribute__((aligned(16))) int first, second;
char array[40];
struct packed_record pr;
long long results[] = {
  sizeof(struct aligned_member), _Alignof(struct aligned_member), __builtin_offsetof(struct aligned_member, value),
  sizeof(struct type_alignas), __builtin_offsetof(struct type_alignas, d),
  sizeof(struct attribute_member), _Alignof(struct attribute_member), __builtin_offsetof(struct attribute_member, d),
  sizeof(struct bare), _Alignof(struct bare), sizeof(struct cannot_lower), __builtin_offsetof(struct cannot_lower, s),
  sizeof(struct before), _Alignof(struct before), sizeof(struct after), _Alignof(struct after),
  sizeof(struct packed_record), _Alignof(struct packed_record), sizeof(struct packed_member), _Alignof(struct packed_member),
  __builtin_offsetof(struct packed_member, i), sizeof(union with_aligned), _Alignof(union with_aligned),
  sizeof(int16a), _Alignof(int16a), sizeof(long2a), _Alignof(long2a), sizeof(char1), _Alignof(char1),
  sizeof(record8), _Alignof(record8), sizeof(alias8), _Alignof(alias8), sizeof(triple), _Alignof(triple),
  sizeof(struct with_typedefs), __builtin_offsetof(struct with_typedefs, a), __builtin_offsetof(struct with_typedefs, l),
  _Alignof(g64), _Alignof(g32), _Alignof(g2), _Alignof(first), _Alignof(second), _Alignof(array), _Alignof(pr.i),
  _Alignof(((struct attribute_member *)0)->v),
  sizeof(struct packed_int), _Alignof(struct packed_int), __builtin_offsetof(struct packed_int, i), __builtin_offsetof(struct packed_int, d),
  sizeof(struct packed_aligned_member), _Alignof(struct packed_aligned_member), __builtin_offsetof(struct packed_aligned_member, d),
  sizeof(struct packed_long), _Alignof(struct packed_long), __builtin_offsetof(struct packed_long, k),
  sizeof(struct packed_in_specifiers), __builtin_offsetof(struct packed_in_specifiers, i),
};
`
    expect(ourResults(source)).toEqual(gccResults(source))
  })

  it('globals and static locals: the section alignment gcc gives them', () => {
    const source = `
typedef char c40[40];
typedef c40 c40_4 __attribute__((aligned(4)));
typedef long long2a __attribute__((aligned(2)));
_Alignas(64) int g64;
int g32 __attribute__((aligned(32))) = 5;
long lowered __attribute__((aligned(2)));
char one __attribute__((aligned(1)));
char attribute_array[40] __attribute__((aligned(4)));
_Alignas(4) char alignas_array[40];
_Alignas(long) char by_type[3];
c40_4 typed_array;
long2a typed_scalar = 7;
struct s { int a[10]; } record __attribute__((aligned(8)));
int *counter(void) { static _Alignas(32) int count; return &count; }
`
    const compiled = compile({ 'globals.c': source }, 'globals.c')
    if (compiled.ir === undefined) throw new Error(compiled.text)
    // Static locals are `name.N`, numbered differently by gcc and by us.
    const unnumbered = (name: string): string => name.replace(/\.\d+$/, '')
    const ours = new Map(compiled.ir.globals.map((global) => [unnumbered(global.name), global.align]))
    const gcc = new Map([...gccGlobalAlignments(source)].map(([name, align]) => [unnumbered(name), align]))
    for (const name of ['g64', 'g32', 'lowered', 'one', 'attribute_array', 'alignas_array', 'by_type', 'typed_array', 'typed_scalar', 'record', 'count']) {
      expect({ name, align: ours.get(name) }).toEqual({ name, align: gcc.get(name) })
    }
  })

  it.each(['none', 'strong'] as const)('frame slots and realignment with %s stack protection', (mode) => {
    expect(ourSlots(FRAMES, mode)).toEqual(gccSlotTexts(FRAMES, mode))
    const compiled = compile({ 'slots.c': FRAMES }, 'slots.c', { stackProtector: mode })
    if (compiled.ir === undefined) throw new Error(compiled.text)
    const ours = prologues(generateAssembly(compiled.ir, { pie: true, stackProtector: mode }).assembly)
    const gcc = prologues(execFileSync('gcc', ['-O0', '-S', '-masm=intel', PROTECTOR_FLAGS[mode], '-o', '-', writeSource('slots.c', FRAMES)], { encoding: 'utf8' }))
    expect(ours).toEqual(gcc)
  })

  it('rejects what gcc rejects, with its messages', () => {
    const source = `typedef _Alignas(8) int T;
_Alignas(3) int x;
_Alignas(1) int y;
struct B { _Alignas(8) int f : 3; };
void f(_Alignas(8) int p);
_Alignas(8) void g(void);
int z __attribute__((aligned(3)));
typedef int I8 __attribute__((aligned(8)));
I8 array[3];
int w __attribute__((aligned(1 << 29)));
int fn(void) { register _Alignas(16) int r = 0; return r; }
int v2;
int v __attribute__((aligned(v2)));
`
    const messages = compile({ 'bad.c': source }, 'bad.c').diagnostics.filter((d) => d.severity === 'error').map((d) => `${d.location?.line}: ${d.message}`)
    expect(messages).toEqual([
      "1: alignment specified for typedef 'T'",
      "2: requested alignment '3' is not a positive power of 2",
      "3: '_Alignas' specifiers cannot reduce alignment of 'y'",
      "4: alignment specified for bit-field 'f'",
      "5: alignment specified for parameter 'p'",
      "6: alignment specified for function 'g'",
      "7: requested alignment '3' is not a positive power of 2",
      '9: alignment of array elements is greater than element size',
      "10: requested alignment '536870912' exceeds object file maximum 268435456",
      "11: alignment specified for 'register' object 'r'",
      '13: requested alignment is not an integer constant',
    ])
  })
})
