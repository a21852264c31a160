import { describe, expect, it } from 'vitest'
import { gccResults, ourResults, seeded } from './gcc-compare'

const SCALARS = ['char', 'unsigned char', 'short', 'unsigned short', 'int', 'unsigned', 'long', 'unsigned long long', 'void *', '_Bool', 'enum e']

/** Generates nested structs/unions with arrays and reports sizeof/_Alignof/offsetof of each. */
function generateLayouts(count: number, seed: number): string {
  const rnd = seeded(seed)
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T
  const defs: string[] = ['enum e { E0, E1 };']
  const entries: string[] = []
  const made: string[] = []
  for (let i = 0; i < count; i++) {
    const kind = rnd() < 0.25 ? 'union' : 'struct'
    const name = `${kind} r${i}`
    const members: string[] = []
    const n = 1 + Math.floor(rnd() * 6)
    for (let m = 0; m < n; m++) {
      let type = made.length > 0 && rnd() < 0.25 ? pick(made) : pick(SCALARS)
      let decl = `m${m}`
      if (rnd() < 0.3) decl += `[${1 + Math.floor(rnd() * 5)}]`
      if (rnd() < 0.15) decl += `[${1 + Math.floor(rnd() * 3)}]`
      if (rnd() < 0.1) type = `${type} *`
      members.push(`  ${type} ${decl};`)
      entries.push(`__builtin_offsetof(${name}, m${m})`)
    }
    if (kind === 'struct' && rnd() < 0.2) {
      members.push('  char tail[];') // flexible array member
      entries.push(`__builtin_offsetof(${name}, tail)`)
    }
    defs.push(`${name} {\n${members.join('\n')}\n};`)
    entries.push(`sizeof(${name})`, `_Alignof(${name})`)
    made.push(name)
  }
  return `${defs.join('\n')}\nlong long results[] = {\n  ${entries.join(',\n  ')}\n};\n`
}

describe('struct and union layout matches gcc on x86-64', () => {
  it('generated records: sizeof, _Alignof and offsetof of every member', () => {
    const source = generateLayouts(60, 12345)
    expect(ourResults(source)).toEqual(gccResults(source))
  })

  it('hand-picked layouts: padding, nested anonymous members, packed, arrays of structs', () => {
    const source = `
struct a { char c; int i; char d; };
struct b { char c; long l; short s; };
struct c { struct a x[3]; char y; };
struct d { int i; union { char c; long l; }; struct { short s; char t; }; };
struct __attribute__((packed)) p { char c; int i; long l; };
union u { char c[9]; int i; };
struct e { char c; union u u; };
long long results[] = {
  sizeof(struct a), __builtin_offsetof(struct a, d), sizeof(struct b), __builtin_offsetof(struct b, s),
  sizeof(struct c), __builtin_offsetof(struct c, y), sizeof(struct d), __builtin_offsetof(struct d, l),
  __builtin_offsetof(struct d, s), __builtin_offsetof(struct d, t), sizeof(struct p), __builtin_offsetof(struct p, l),
  _Alignof(struct p), sizeof(union u), _Alignof(union u), sizeof(struct e), __builtin_offsetof(struct e, u),
  sizeof(int[3][5]), sizeof(char *[4]), sizeof(int (*)[4]), _Alignof(long long), sizeof(_Bool), sizeof(enum { Z = -1 }),
};
`
    expect(ourResults(source)).toEqual(gccResults(source))
  })

  it('bit-fields: units, straddling, zero width, unnamed, unions and packed', () => {
    const source = `
struct a { unsigned x:3, y:5; char c; };
struct b { char c; int x:20; int y:20; };
struct c { char a; int :0; char b; };
struct d { long x:40; int y:30; };
struct e { char a:4; char b:6; short s:9; };
union u { int a:3; char b; };
struct f { unsigned char a:1; int :5; unsigned long long b:60; };
struct __attribute__((packed)) g { char a; int x:20; int y:20; };
struct h { _Bool b:1; unsigned :7; short s; int i:7, :0, j:1; char tail; };
long long results[] = {
  sizeof(struct a), _Alignof(struct a), __builtin_offsetof(struct a, c), sizeof(struct b), _Alignof(struct b),
  sizeof(struct c), _Alignof(struct c), __builtin_offsetof(struct c, b), sizeof(struct d), _Alignof(struct d),
  sizeof(struct e), _Alignof(struct e), sizeof(union u), _Alignof(union u), sizeof(struct f), _Alignof(struct f),
  sizeof(struct g), _Alignof(struct g), sizeof(struct h), _Alignof(struct h), __builtin_offsetof(struct h, s),
  __builtin_offsetof(struct h, tail),
};
`
    expect(ourResults(source)).toEqual(gccResults(source))
  })

  it('bit-fields with an aligned attribute or of a type a typedef aligned', () => {
    const source = `
typedef long l32 __attribute__((aligned(32)));
typedef int ilow __attribute__((aligned(2)));
struct a { int x : 3; int y : 5 __attribute__((aligned(8))); char after; };
struct b { char c; int y : 5 __attribute__((aligned(2))); char after; };
struct c { char c; int y : 8 __attribute__((aligned(1))); char after; };
struct __attribute__((packed)) d { char c; int y : 5 __attribute__((aligned(2))); char after; };
struct e { char c; int : 5 __attribute__((aligned(8))); char after; };
struct f { char c; __attribute__((aligned(8))) int : 5; char after; };
struct g { char c; int : 0 __attribute__((aligned(16))); char after; };
union h { char c; int y : 5 __attribute__((aligned(8))); };
struct i { char c; l32 y : 5; char after; };
struct j { short s; ilow y : 20; char after; };
struct k { char c; ilow y : 12; char after; };
struct l { ilow y : 4; };
struct m { char c; int x : 4 __attribute__((aligned(2))), y : 4; char after; };
long long results[] = {
  sizeof(struct a), _Alignof(struct a), __builtin_offsetof(struct a, after), sizeof(struct b), _Alignof(struct b),
  __builtin_offsetof(struct b, after), sizeof(struct c), _Alignof(struct c), __builtin_offsetof(struct c, after),
  sizeof(struct d), _Alignof(struct d), __builtin_offsetof(struct d, after), sizeof(struct e), _Alignof(struct e),
  __builtin_offsetof(struct e, after), sizeof(struct f), __builtin_offsetof(struct f, after), sizeof(struct g),
  _Alignof(struct g), __builtin_offsetof(struct g, after), sizeof(union h), _Alignof(union h), sizeof(struct i),
  _Alignof(struct i), __builtin_offsetof(struct i, after), sizeof(struct j), _Alignof(struct j),
  __builtin_offsetof(struct j, after), sizeof(struct k), __builtin_offsetof(struct k, after), sizeof(struct l),
  _Alignof(struct l), sizeof(struct m), _Alignof(struct m), __builtin_offsetof(struct m, after),
};
`
    expect(ourResults(source)).toEqual(gccResults(source))
  })

  it('pointer types with an aligned attribute after the *: raised, lowered, as members', () => {
    const source = `
int *__attribute__((aligned(16))) raised;
int *__attribute__((aligned(2))) lowered;
int *const __attribute__((aligned(32))) qualified_raised = 0;
struct p { char c; int *__attribute__((aligned(32))) m; char after; };
struct q { char c; int *__attribute__((aligned(2))) m; char after; };
struct __attribute__((packed)) r { char c; int *__attribute__((aligned(4))) m; };
long long results[] = {
  _Alignof(raised), _Alignof(lowered), _Alignof(qualified_raised), sizeof(struct p), _Alignof(struct p),
  __builtin_offsetof(struct p, after), sizeof(struct q), _Alignof(struct q), __builtin_offsetof(struct q, m),
  __builtin_offsetof(struct q, after), sizeof(struct r), _Alignof(struct r), _Alignof(int *__attribute__((aligned(64)))),
};
`
    expect(ourResults(source)).toEqual(gccResults(source))
  })
})
