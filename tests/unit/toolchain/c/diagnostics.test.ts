import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compile } from '../../../../shared/toolchain/c/compile'
import { validateModule } from '../../../../shared/toolchain/ir/validate'
import { seeded } from './gcc-compare'

/** gcc's located error lines ("file:line:col: error: message") for a source. */
function gccErrors(source: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'memscape-diag-'))
  writeFileSync(join(dir, 't.c'), source)
  try {
    execFileSync('gcc', ['-fsyntax-only', 't.c'], { cwd: dir, env: { ...process.env, LC_ALL: 'C' }, stdio: 'pipe' })
    return []
  } catch (e) {
    const stderr = String((e as { stderr: Buffer }).stderr)
    return stderr.split('\n').filter((l) => /^t\.c:\d+:\d+: error: /.test(l))
  }
}

/** gcc's located warning lines for a source. */
function gccWarnings(source: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'memscape-warn-'))
  writeFileSync(join(dir, 't.c'), source)
  const r = spawnSync('gcc', ['-fsyntax-only', 't.c'], { cwd: dir, env: { ...process.env, LC_ALL: 'C' }, encoding: 'utf8' })
  return r.stderr.split('\n').filter((l) => /^t\.c:\d+:\d+: warning: /.test(l))
}

function ourWarnings(source: string): string[] {
  return compile({ 't.c': source }, 't.c')
    .text.split('\n')
    .filter((l) => /^t\.c:\d+:\d+: warning: /.test(l))
}

function ourErrors(source: string): string[] {
  return compile({ 't.c': source }, 't.c')
    .text.split('\n')
    .filter((l) => /^t\.c:\d+:\d+: error: /.test(l))
}

/** Programs with several mistakes each; gcc reports them all in one pass and so must we. */
const BROKEN: Record<string, string> = {
  statements: `struct s { int a; };
int f(int x) {
  int y = x +;
  undefined_var = 3;
  struct s v;
  v.b = 1;
  return v;
}
int g(void) { return f(1, 2); }
int h(void) { int a[3]; a = 0; const int k = 1; k = 2; break; }
`,
  missingSemicolons: `int f(void) {
  int x = 1;
  x = 2
  return x;
}
int g(int a) { return a }
int h(int a) { int b = a * 2 return b; }
`,
  declarations: `int x;
char x;
struct t { int a; int a; };
int arr[-1];
int main(void) { int q; int q; continue; return 0; }
`,
  operators: `struct p { int x; };
int main(void) {
  struct p a, b;
  int i = 0;
  a + b;
  i.x = 1;
  *i = 2;
  &3;
  i();
  return a->x;
}
`,
  bitFields: `struct bf { int a:40; int b:-1; int c:0; int ok:3; };
int main(void) {
  struct bf s;
  int *p = &s.ok;
  return sizeof s.ok + *p;
}
`,
  alignedBitFields: `struct tagged { char c; _Alignas(8) int : 5; _Alignas(4) int named : 3; };
struct { char c;
  _Alignas(8) int : 5; } untagged;
`,
  switches: `int main(int argc, char **argv) {
  switch (argc) { case 1: case 1: break; default: default: break; }
  case 3: ;
  goto nowhere;
  return sizeof(struct undefined_tag);
}
`,
}

describe('diagnostics match gcc: same errors, same places, one pass', () => {
  for (const [name, source] of Object.entries(BROKEN)) {
    it(name, () => {
      const theirs = gccErrors(source)
      expect(theirs.length).toBeGreaterThan(0)
      expect(ourErrors(source)).toEqual(theirs)
    })
  }

  it("names the function in context like gcc (In function 'f': / At top level:)", () => {
    const source = 'int f(void) { return x; }\nint b = 1 +;\n'
    const dir = mkdtempSync(join(tmpdir(), 'memscape-ctx-'))
    writeFileSync(join(dir, 't.c'), source)
    const r = spawnSync('gcc', ['-fsyntax-only', 't.c'], { cwd: dir, env: { ...process.env, LC_ALL: 'C' }, encoding: 'utf8' })
    const headers = (text: string): string[] => text.split('\n').filter((l) => /^t\.c:( In function| At top level|\d+:\d+: )/.test(l))
    expect(headers(compile({ 't.c': source }, 't.c').text)).toEqual(headers(r.stderr))
  })

  it('reports directives like gcc, in source order with the parser\'s errors and in their function', () => {
    // gcc's preprocessor runs as the parser asks for tokens: a #warning inside a function is
    // reported there, between the errors before and after it. Directive problems point at the
    // directive's name; an open conditional is named by its line alone.
    const source = `int x = 1;
int main(void) {
#warning hi  there
  int y = ;
#if 1
#else
#elif 2
#endif
  return 0;
}
#error
#endif
#warning
#ifndef NOT_DEFINED
#if 0
#else
#else
#endif
#if 1
`
    const dir = mkdtempSync(join(tmpdir(), 'memscape-cpp-'))
    writeFileSync(join(dir, 't.c'), source)
    const r = spawnSync('gcc', ['-fsyntax-only', 't.c'], { cwd: dir, env: { ...process.env, LC_ALL: 'C' }, encoding: 'utf8' })
    expect(r.stderr).toContain('t.c:19: error: unterminated #if')
    expect(compile({ 't.c': source }, 't.c').text).toBe(r.stderr)
  })

  // The whole report, byte for byte: lexer and preprocessor messages in their function, a
  // missing header as gcc's fatal error, a line quoted again when the underline differs.
  it.each([
    ['an unterminated character constant', "int main(void) {\n  char c = 'a;\n  return 0;\n}\n"],
    ['an unterminated comment', 'int x; /* never closed\nint y;\n'],
    ['a missing header', 'int a;\n#include "missing.h"\nint b = ;\n'],
    ['a missing system header', '#include <no/such/header.h>\nint a;\n'],
    ['a missing header after an error, in a function', 'int main(void) {\n  int x = 1 +;\n#include "missing.h"\n  return 0;\n}\n'],
  ])('prints %s exactly as gcc does', (_, source) => {
    const dir = mkdtempSync(join(tmpdir(), 'memscape-whole-'))
    writeFileSync(join(dir, 't.c'), source)
    const r = spawnSync('gcc', ['-fsyntax-only', 't.c'], { cwd: dir, env: { ...process.env, LC_ALL: 'C' }, encoding: 'utf8' })
    expect(r.status).not.toBe(0)
    expect(compile({ 't.c': source }, 't.c').text).toBe(r.stderr)
  })

  it.each([
    ['an error in a header', { 't.c': '#include "bad.h"\nint main(void) { return f(); }\n', 'bad.h': 'int f(void) { return 1 +; }\nint g = ;\n' }],
    ['an error two includes deep', { 't.c': '#include "mid.h"\n#include "bad.h"\n', 'mid.h': '#include "bad.h"\n', 'bad.h': '#pragma once\nint z = ;\n' }],
    ['a header that includes itself', { 't.c': '#include "self.h"\n', 'self.h': '#include "self.h"\n' }],
  ])('names the #include lines that led to %s, as gcc does', (_, files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'memscape-included-'))
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text)
    const r = spawnSync('gcc', ['-fsyntax-only', 't.c'], { cwd: dir, env: { ...process.env, LC_ALL: 'C' }, encoding: 'utf8' })
    expect(r.stderr).toMatch(/^In file included from /)
    expect(compile(files, 't.c').text).toBe(r.stderr)
  })

  it('does not quote the same line twice in a row (gcc)', () => {
    const text = compile({ 't.c': 'int f(void) { return x; }\n' }, 't.c').text
    expect(text.match(/ \| int f/g)).toHaveLength(1)
    expect(text).toContain("t.c:1:22: note: each undeclared identifier is reported only once for each function it appears in\n")
  })

  it('quotes the offending line with a caret under the location', () => {
    const r = compile({ 'a.c': 'int main(void) {\n\tint x = ;\n}\n' }, 'a.c')
    expect(r.text).toBe("a.c: In function 'main':\na.c:2:17: error: expected expression before ';' token\n    2 |         int x = ;\n      |                 ^\n")
  })

  it('an explicit cast is not an lvalue, even to the type the operand already has (gcc)', () => {
    const source = 'int f(int x) { (int)x = 1; x = (int)2; return x; }\n'
    const theirs = gccErrors(source)
    expect(theirs).toHaveLength(1)
    expect(ourErrors(source)).toEqual(theirs)
  })

  it('nor is a cast between pointer types, or to an enum from int (gcc)', () => {
    const source = 'enum e { A };\nvoid f(int *p, char *q, int i) {\n  (char *)p = q;\n  ((char *)p)++;\n  (enum e)i = A;\n  q = (char *)p;\n}\n'
    const theirs = gccErrors(source)
    expect(theirs).toHaveLength(3)
    expect(ourErrors(source)).toEqual(theirs)
  })

  it('rejects floating point clearly', () => {
    expect(ourErrors('double d;\n')).toEqual(['t.c:1:1: error: floating-point types are not supported yet'])
    expect(ourErrors('int x = 1.5;\n')).toEqual(['t.c:1:9: error: floating-point types are not supported yet'])
  })

  it('warns about implicit declarations like gcc 12 (not an error)', () => {
    const r = compile({ 't.c': 'int main(void) { return foo(1); }\n' }, 't.c')
    expect(r.errorCount).toBe(0)
    expect(r.text).toContain("t.c:1:25: warning: implicit declaration of function 'foo' [-Wimplicit-function-declaration]")
    expect(r.ir?.externs).toContain('foo')
  })
})

describe('warnings match gcc (default warning set)', () => {
  it('conversions, pointers, returns, constants and overflow', () => {
    const source = `int f1(void) { return; }
void f2(void) { return 1; }
unsigned char b = 300;
unsigned char c = -1;
signed char e = -129;
char a = 200;
short h = 40000;
int ov = 2147483647 + 1;
int ov2 = 65536 * 65536;
int neg = -(-2147483647 - 1);
long big = 9223372036854775807L + 1;
int main(void) {
  int *p = 5; int i = p; char *c = p; const char *k = "x"; char *m = k;
  long *lp = 0; int *ip = 0;
  if (p == 5) {}
  if (lp == ip) {}
  int z = 1 ? p : 3;
  int w = 'ab';
  int dz = 5 / 0;
  int sh = 1 << 40;
  char x; x = 1000;
  unsigned short y = 70000;
  return i + z + w + dz + sh + x + y + (m == c);
}
`
    const theirs = gccWarnings(source)
    expect(theirs.length).toBeGreaterThan(15)
    expect(ourWarnings(source)).toEqual(theirs)
  })
  it("an unterminated ' or \" warns; it is an error only where the parser meets it (corpus bug 1)", () => {
    const skipped = `#if 0
    it's skipped text
#endif
#define UNUSED 'a
int main(void) { return 0; }
`
    expect(ourErrors(skipped)).toEqual([])
    expect(ourWarnings(skipped)).toEqual(gccWarnings(skipped))
    const live = `int puts(const char *);
int main(void) {
    char c = 'a;
    puts("ok);
    return c;
}
`
    expect(ourWarnings(live)).toEqual(gccWarnings(live))
    // (gcc then goes on with errors of its own recovery, which differs from ours)
    expect(ourErrors(live)).toEqual(gccErrors(live).slice(0, 3))
  })
})

describe('typedef names in messages, as gcc spells them', () => {
  it("uses the typedef name, with {aka '...'} when it hides another type", () => {
    const source = `typedef unsigned long size_t;
typedef struct { int x; } point;
int main(void) { size_t n = 0; point p; int *q = p; char *s = &n; point *pp = 5; return p; }
`
    const lines = (text: string): string[] => text.split('\n').filter((l) => /^t\.c:\d+:\d+: (error|warning): /.test(l))
    const dir = mkdtempSync(join(tmpdir(), 'memscape-td-'))
    writeFileSync(join(dir, 't.c'), source)
    const r = spawnSync('gcc', ['-fsyntax-only', 't.c'], { cwd: dir, env: { ...process.env, LC_ALL: 'C' }, encoding: 'utf8' })
    expect(lines(r.stderr)).toHaveLength(4)
    expect(lines(compile({ 't.c': source }, 't.c').text)).toEqual(lines(r.stderr))
  })
})

describe('garbage never crashes the compiler', () => {
  const VALID = `#define SQ(x) ((x) * (x))
struct node { int value; struct node *next; };
static int total(const struct node *n) { int s = 0; while (n) { s += SQ(n->value); n = n->next; } return s; }
int main(int argc, char **argv) {
  struct node b = { 2, 0 }, a = { 1, &b };
  int grid[2][3] = { [1] = { 4, 5 }, { 6 } };
  char msg[] = "ok\\n";
  switch (argc) { case 1: return total(&a) + grid[1][1] + msg[0]; default: break; }
  for (int i = 0; i < argc; i++) if (argv[i][0] == '-') goto out;
out:
  return argc > 2 ? -1 : 0;
}
`

  it('random bytes', () => {
    const rnd = seeded(7)
    for (let n = 0; n < 300; n++) {
      const len = Math.floor(rnd() * 200)
      let text = ''
      for (let i = 0; i < len; i++) text += String.fromCharCode(Math.floor(rnd() * 128))
      const r = compile({ 'f.c': text }, 'f.c')
      expect(typeof r.text).toBe('string')
    }
  })

  it('mutated corpus programs compile to valid IR or to diagnostics', () => {
    const dir = join(import.meta.dirname, '../../../fixtures/toolchain-c')
    const mini = readFileSync(join(dir, 'mini.h'), 'utf8')
    const rnd = seeded(4242)
    let compiled = 0
    for (const file of readdirSync(join(dir, 'programs'))) {
      const pieces = readFileSync(join(dir, 'programs', file), 'utf8').split(/(\s+|[;{}()[\],=*&<>+\-:.?!~%^|/"'#])/).filter((p) => p !== '')
      for (let n = 0; n < 25; n++) {
        const copy = [...pieces]
        for (let e = 1 + Math.floor(rnd() * 3); e > 0; e--) {
          const i = Math.floor(rnd() * copy.length)
          const j = Math.floor(rnd() * copy.length)
          const op = Math.floor(rnd() * 3)
          if (op === 0) copy.splice(i, 1)
          else if (op === 1) copy.splice(i, 0, copy[j] as string)
          else [copy[i], copy[j]] = [copy[j] as string, copy[i] as string]
        }
        const r = compile({ 'programs/m.c': copy.join(''), 'mini.h': mini }, 'programs/m.c')
        if (r.ir) {
          compiled++
          expect(validateModule(r.ir)).toEqual([])
        }
      }
    }
    expect(compiled).toBeGreaterThan(10)
  })

  it('ignores a UTF-8 byte order mark and CRLF line ends, as gcc does', () => {
    const r = compile({ 'b.c': '\uFEFFint main(void) {\r\n  return 0;\r\n}\r\n' }, 'b.c')
    expect(r.text).toBe('')
    expect(compile({ 'b.c': 'int main(void) {\r\n  return 0 \r\n}\r\n' }, 'b.c').text).toContain("b.c:2:11: error: expected ';' before '}' token\n    2 |   return 0 \n")
  })

  it('a function designator alone is a valid statement', () => {
    expect(compile({ 'f.c': 'int puts(const char *);\nint main(void) { puts; main; return 0; }\n' }, 'f.c').errorCount).toBe(0)
  })

  it('mutated valid programs (token deletion, duplication, swaps, truncation)', () => {
    expect(compile({ 'v.c': VALID }, 'v.c').errorCount).toBe(0)
    const rnd = seeded(99)
    const pieces = VALID.split(/(\s+|[;{}()[\],=*&<>+-])/).filter((p) => p !== '')
    for (let n = 0; n < 400; n++) {
      const copy = [...pieces]
      const edits = 1 + Math.floor(rnd() * 4)
      for (let e = 0; e < edits; e++) {
        const i = Math.floor(rnd() * copy.length)
        const j = Math.floor(rnd() * copy.length)
        const op = Math.floor(rnd() * 4)
        if (op === 0) copy.splice(i, 1)
        else if (op === 1) copy.splice(i, 0, copy[j] as string)
        else if (op === 2) [copy[i], copy[j]] = [copy[j] as string, copy[i] as string]
        else copy.length = i
      }
      const r = compile({ 'v.c': copy.join('') }, 'v.c')
      expect(typeof r.text).toBe('string')
      if (r.errorCount === 0) expect(r.ir).toBeDefined()
    }
  })
})

describe('pathological nesting gives a diagnostic, not a crash', () => {
  it('deep parentheses, blocks, declarators and initializer braces', () => {
    const deep = 5000
    const sources = [
      `int x = ${'('.repeat(deep)}1${')'.repeat(deep)};`,
      `int main(void) ${'{'.repeat(deep)}${'}'.repeat(deep)}`,
      `int ${'('.repeat(deep)}x${')'.repeat(deep)};`,
      `int x[1] = ${'{'.repeat(deep)}1${'}'.repeat(deep)};`,
      `int main(void) { return ${'-'.repeat(deep)}1; }`,
      `int f(int v) { return ${Array.from({ length: 30000 }, () => 'v').join('+')}; }`,
    ]
    for (const source of sources) {
      const r = compile({ 'deep.c': source }, 'deep.c')
      expect(r.text).toBeTypeOf('string')
    }
    expect(compile({ 'deep.c': sources[0] as string }, 'deep.c').text).toContain('nesting too deep')
  })
})
