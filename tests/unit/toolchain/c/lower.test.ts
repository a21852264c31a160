import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compile } from '../../../../shared/toolchain/c/compile'
import type { CDebugType } from '../../../../shared/toolchain/c/debug-types'
import type { IrFunction, IrModule } from '../../../../shared/toolchain/ir/types'

function lowered(source: string): IrModule {
  const r = compile({ 'l.c': source }, 'l.c')
  if (!r.ir) throw new Error(r.text)
  return r.ir
}

function fn(module: IrModule, name: string): IrFunction {
  const f = module.functions.find((x) => x.name === name)
  if (!f) throw new Error(`no function ${name}`)
  return f
}

describe('frame objects carry what the back end needs for gcc -O0 frames', () => {
  const module = lowered(`
struct pair { int a; char tag[3]; };
int f(int n, char *s) {
  int counter = 0;
  char small[4];
  char buf[64];
  int nums[10];
  char grid[4][10];
  struct pair p;
  long *ptr = &nums[2];
  int taken;
  int *tp = &taken;
  {
    int inner = n;
    for (int i = 0; i < inner; i++) counter += i;
  }
  { char other[40]; other[0] = 0; }
  small[0] = buf[0] = grid[0][0] = p.tag[0] = s[0];
  return counter + *tp + (int)(long)ptr;
}
`)
  const f = fn(module, 'f')
  const byName = new Map(f.frame.map((o) => [o.name, o]))
  const get = (name: string): (typeof f.frame)[number] => {
    const o = byName.get(name)
    if (!o) throw new Error(`no frame object ${name}`)
    return o
  }

  it('lists locals in declaration order, then parameters', () => {
    expect(f.frame.map((o) => `${o.kind}:${o.name}`)).toEqual([
      'local:counter', 'local:small', 'local:buf', 'local:nums', 'local:grid', 'local:p', 'local:ptr', 'local:taken', 'local:tp',
      'local:inner', 'local:i', 'local:other', 'param:n', 'param:s',
    ])
    expect(f.params.map((p) => f.frame.find((o) => o.id === p.object)?.name)).toEqual(['n', 's'])
    expect(f.params.map((p) => p.type)).toEqual([{ kind: 'int', type: 'i32' }, { kind: 'int', type: 'ptr' }])
  })

  it('gives sizes, alignments, scalar-ness and address-taken flags', () => {
    expect([get('counter').size, get('counter').align, get('counter').scalar]).toEqual([4, 4, true])
    expect([get('buf').size, get('buf').align, get('buf').scalar]).toEqual([64, 1, false])
    expect([get('p').size, get('p').align]).toEqual([8, 4])
    expect(get('taken').addressTaken).toBe(true)
    expect(get('counter').addressTaken).toBe(false)
  })

  it("classifies types as gcc's stack protector does", () => {
    expect(get('small').protector).toEqual({ smallCharArray: true, largeCharArray: false, array: true, aggregate: false })
    expect(get('buf').protector).toEqual({ smallCharArray: false, largeCharArray: true, array: true, aggregate: false })
    expect(get('nums').protector).toEqual({ smallCharArray: false, largeCharArray: false, array: true, aggregate: false })
    expect(get('grid').protector).toEqual({ smallCharArray: false, largeCharArray: false, array: true, aggregate: false })
    expect(get('p').protector).toEqual({ smallCharArray: true, largeCharArray: false, array: true, aggregate: true })
    expect(get('counter').protector).toEqual({ smallCharArray: false, largeCharArray: false, array: false, aggregate: false })
  })

  it('numbers blocks in source order with their nesting', () => {
    expect([get('counter').scope, get('counter').scopeDepth]).toEqual([0, 0])
    expect([get('inner').scope, get('inner').parentScope, get('inner').scopeDepth]).toEqual([1, 0, 1])
    expect([get('i').scope, get('i').parentScope, get('i').scopeDepth]).toEqual([2, 1, 2])
    expect([get('other').scope, get('other').parentScope, get('other').scopeDepth]).toEqual([3, 0, 1])
  })

  it('brackets the code of each block that declares variables with scope markers, nested as in the source', () => {
    const markers = f.body.flatMap((s) => (s.kind === 'scopeBegin' ? [`begin ${s.scope}`] : s.kind === 'scopeEnd' ? [`end ${s.scope}`] : []))
    expect(markers).toEqual(['begin 1', 'begin 2', 'end 2', 'end 1', 'begin 3', 'end 3'])
  })

  it('describes C types and source lines for debug info', () => {
    expect(get('buf').debugType?.text).toBe('char[64]')
    expect(get('ptr').debugType?.text).toBe('long int *')
    expect(get('p').debugType?.text).toBe('struct pair')
    expect(get('s').loc).toEqual({ line: 3, column: 20 })
    expect(f.loc?.line).toBe(3)
    expect(f.endLoc?.line).toBe(20)
    const code = f.body.filter((s) => s.kind !== 'label' && s.kind !== 'scopeBegin' && s.kind !== 'scopeEnd')
    expect(code.every((s) => 'loc' in s && s.loc !== undefined)).toBe(true)
  })
})

describe('file-scope data', () => {
  const module = lowered(`
int zero;
int zero_init = 0;
int answer = 42;
static const int table[3] = { 1, 2, 3 };
const char *msg = "hi";
char text[] = "abc";
int *p = &answer;
struct { int a; long b; } s = { 1, 2 };
int use(void) { static int calls; return table[calls++] + *p; }
`)
  const g = (name: string): (typeof module.globals)[number] => {
    const x = module.globals.find((y) => y.name === name)
    if (!x) throw new Error(`no global ${name}`)
    return x
  }

  it('puts zero data in .bss, constants in .rodata, the rest in .data, like gcc', () => {
    expect(g('zero').section).toBe('bss')
    expect(g('zero_init').section).toBe('bss')
    expect(g('answer')).toMatchObject({ section: 'data', size: 4, align: 4, linkage: 'global', init: new Uint8Array([42, 0, 0, 0]) })
    expect(g('table')).toMatchObject({ section: 'rodata', linkage: 'static', size: 12 })
    expect(g('text').init).toEqual(new Uint8Array([97, 98, 99, 0]))
    expect(g('s').init).toEqual(new Uint8Array([1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0]))
  })

  it('records address constants as relocations and names string literals .LC<n>', () => {
    expect(g('msg').relocations).toEqual([{ offset: 0, symbol: '.LC0', addend: 0, size: 8 }])
    expect(g('.LC0')).toMatchObject({ section: 'rodata', linkage: 'static', init: new Uint8Array([104, 105, 0]) })
    expect(g('p').relocations).toEqual([{ offset: 0, symbol: 'answer', addend: 0, size: 8 }])
  })

  it('names static locals as gcc does (name.N)', () => {
    expect(g('calls.0')).toMatchObject({ section: 'bss', linkage: 'static', size: 4 })
  })
})

describe('data alignment matches gcc', () => {
  /** Alignment of each global in gcc's assembly (`.align N` before the label, or `.comm`'s third field). */
  function gccAlignments(source: string): Map<string, number> {
    const dir = mkdtempSync(join(tmpdir(), 'memscape-align-'))
    writeFileSync(join(dir, 'a.c'), source)
    const asm = execFileSync('gcc', ['-O0', '-S', '-o', '-', join(dir, 'a.c')], { encoding: 'utf8' })
    const out = new Map<string, number>()
    let pending = 1
    for (const line of asm.split('\n')) {
      const align = /^\s*\.align (\d+)/.exec(line)
      if (align) pending = Number(align[1])
      const comm = /^\s*\.comm\s+([\w.]+),\d+,(\d+)/.exec(line)
      if (comm) out.set(comm[1] as string, Number(comm[2]))
      const label = /^([\w.]+):/.exec(line)
      if (label) {
        out.set(label[1] as string, pending)
        pending = 1
      }
      if (/^\s*\.(text|section|data|bss)/.test(line)) pending = 1
    }
    return out
  }

  it('for globals, statics and string literals of many sizes', () => {
    const decls: string[] = []
    for (const n of [1, 3, 7, 8, 9, 15, 16, 17, 31, 32, 33, 100]) decls.push(`char c${n}[${n}] = { 1 };`, `char z${n}[${n}];`)
    decls.push('struct s3 { char a[3]; } st3 = { { 1 } };', 'struct s12 { int a, b, c; } st12 = { 1 };', 'struct s24 { long a, b, c; } st24 = { 1 };')
    decls.push('int i3[3] = { 1 };', 'short sh4[4] = { 1 };', 'long l1 = 1;', 'int plain = 2;', 'static char local_bss[20];')
    decls.push('const char *s_short = "short";', 'const char *s_long = "a string constant that is well over thirty-one bytes";')
    decls.push('int use(void) { static char buffer[40]; buffer[0] = local_bss[0]; return buffer[1]; }')
    const source = decls.join('\n') + '\n'
    const theirs = gccAlignments(source)
    const ours = lowered(source)
    const names = ours.globals.map((g) => g.name)
    expect(names.length).toBeGreaterThan(30)
    for (const g of ours.globals) expect([g.name, g.align]).toEqual([g.name, theirs.get(g.name)])
  })
})

describe('which functions are emitted, as gcc -O0', () => {
  it('drops unreferenced static inline functions and inline-only definitions', () => {
    const source = `static int unused(void) { return 1; }
static inline int unused_inline(void) { return 2; }
static inline int used_inline(void) { return 3; }
inline int inline_only(void) { return 4; }
inline int made_external(void) { return 5; }
extern int made_external(void);
static int used(void) { return used_inline(); }
int main(void) { return used() + made_external(); }
`
    const dir = mkdtempSync(join(tmpdir(), 'memscape-inline-'))
    writeFileSync(join(dir, 'i.c'), source)
    const asm = execFileSync('gcc', ['-O0', '-S', '-o', '-', join(dir, 'i.c')], { encoding: 'utf8' })
    const theirs = [...asm.matchAll(/^([a-z_]+):/gm)].map((m) => m[1]).sort()
    expect(lowered(source).functions.map((f) => f.name).sort()).toEqual(theirs)
  })
})

describe('structured debug types (for DWARF)', () => {
  it('describe base types, pointers, arrays, records with bit-fields, enums and cycles', () => {
    const module = lowered(`
enum color { RED = 1, BLUE = 4 };
struct node { int value; unsigned flag:1, kind:3; struct node *next; const char name[8]; enum color c; };
struct node head;
`)
    const head = module.globals.find((g) => g.name === 'head')
    const info = (head?.debugType as CDebugType | undefined)?.info
    if (info?.kind !== 'struct') throw new Error('expected a struct description')
    expect([info.name, info.size, info.complete]).toEqual(['node', 32, true])
    expect(info.members.map((m) => [m.name, m.offset, m.bitSize, m.bitOffset])).toEqual([
      ['value', 0, undefined, undefined], ['flag', 4, 1, 0], ['kind', 4, 3, 1], ['next', 8, undefined, undefined],
      ['name', 16, undefined, undefined], ['c', 24, undefined, undefined],
    ])
    expect(info.members[0]?.type).toEqual({ kind: 'base', name: 'int', size: 4, encoding: 'signed' })
    const next = info.members[3]?.type
    expect(next?.kind === 'pointer' && next.to).toBe(info) // the cycle is the same object
    expect(info.members[4]?.type).toEqual({ kind: 'array', count: 8, of: { kind: 'qualified', isConst: true, isVolatile: false, type: { kind: 'base', name: 'char', size: 1, encoding: 'signed_char' } } })
    expect(info.members[5]?.type).toEqual({ kind: 'enum', name: 'color', size: 4, enumerators: [{ name: 'RED', value: 1n }, { name: 'BLUE', value: 4n }] })
  })

  it('keep typedef names as declared (DW_TAG_typedef), and name untagged records after their typedef', () => {
    const module = lowered(`
typedef unsigned long size_t;
typedef struct { int x, y; } point;
size_t count;
const point origin;
int main(void) { size_t local = count; return (int)local + origin.x; }
`)
    const g = (name: string): CDebugType => module.globals.find((x) => x.name === name)?.debugType as CDebugType
    expect(g('count').text).toBe('size_t')
    expect(g('count').info).toEqual({ kind: 'typedef', name: 'size_t', type: { kind: 'base', name: 'long unsigned int', size: 8, encoding: 'unsigned' } })
    expect(g('origin').text).toBe('const point')
    const origin = g('origin').info
    expect(origin.kind === 'qualified' && origin.type.kind === 'typedef' && origin.type.name).toBe('point')
    expect(origin.kind === 'qualified' && origin.type.kind === 'typedef' && origin.type.type.kind === 'struct' && origin.type.type.name).toBeUndefined()
    const local = fn(module, 'main').frame.find((o) => o.name === 'local')
    expect(local?.debugType?.text).toBe('size_t')
  })
})
