import { execFileSync } from 'node:child_process'
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { DiagnosticSink } from '../../../../shared/toolchain/c/diagnostics'
import { tokenize } from '../../../../shared/toolchain/c/lexer'
import { optionMacros } from '../../../../shared/toolchain/c/compile'
import { PREDEFINED_MACROS, preprocess, renderTokens } from '../../../../shared/toolchain/c/preprocess'

/** Token spellings of a text, whitespace ignored: how we compare with gcc -E -P. */
function spellings(text: string): string[] {
  return tokenize(text, 'x', new DiagnosticSink())
    .filter((t) => t.kind !== 'eof')
    .map((t) => t.text)
}

function ours(files: Record<string, string>, main = 'main.c', includeDirs: string[] = []): { tokens: string[]; errors: string[] } {
  const diags = new DiagnosticSink()
  const toks = preprocess(files, main, { includeDirs }, diags)
  return {
    tokens: toks.filter((t) => t.kind !== 'eof').map((t) => t.text),
    errors: diags.diagnostics.filter((d) => d.severity === 'error' || d.severity === 'fatal error').map((d) => d.message),
  }
}

function gccE(files: Record<string, string>, main = 'main.c', includeDirs: string[] = []): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'memscape-pp-'))
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true })
    writeFileSync(join(dir, name), text)
  }
  // -undef would drop the predefined macros we imitate; -nostdinc keeps system headers out.
  const out = execFileSync('gcc', ['-E', '-P', '-w', '-nostdinc', ...includeDirs.map((d) => `-I${d}`), main], { cwd: dir, encoding: 'utf8' })
  return spellings(out)
}

const CASES: Record<string, string> = {
  objectLike: '#define N 10\n#define M (N * 2)\nint a[M]; int b = N + M;\n',
  functionLike: '#define MAX(a, b) ((a) > (b) ? (a) : (b))\nint x = MAX(1 + 2, 3 * 4);\nint y = MAX(MAX(1, 2), 3);\n',
  stringize: '#define S(x) #x\n#define XS(x) S(x)\n#define V 42\nconst char *a = S(V);\nconst char *b = XS(V);\nconst char *c = S( "a\\n"  \'b\'   c  );\n',
  paste: '#define CAT(a, b) a ## b\n#define XCAT(a, b) CAT(a, b)\n#define P pre\nint CAT(foo, bar) = CAT(1, 2);\nint XCAT(P, fix);\nint CAT(P, fix);\n',
  variadic: '#define LOG(fmt, ...) printf(fmt, __VA_ARGS__)\n#define ELOG(fmt, ...) printf(fmt, ## __VA_ARGS__)\n#define NAMED(f, args...) g(f, args)\nLOG("%d %d", 1, 2);\nELOG("x");\nELOG("%d", 3);\nNAMED(1, 2, 3);\n',
  recursionStops: '#define foo foo + 1\n#define f(x) x + f(x)\n#define g f\nfoo; f(2); g(3);\n',
  standardExample:
    '#define x 3\n#define f(a) f(x * (a))\n#undef x\n#define x 2\n#define g f\n#define z z[0]\n#define h g(~\n#define m(a) a(w)\n#define w 0,1\n#define t(a) a\n#define p() int\n#define q(x) x\n#define r(x,y) x ## y\n#define str(x) # x\nf(y+1) + f(f(z)) % t(t(g)(0) + t)(1);\ng(x+(3,4)-w) | h 5) & m\n(f)^m(m);\np() i[q()] = { q(1), r(2,3), r(4,), r(,5), r(,) };\nchar c[2][6] = { str(hello), str() };\n',
  conditionals:
    '#define A 1\n#if A && !defined(B)\nint one;\n#elif 1\nint two;\n#else\nint three;\n#endif\n#ifdef A\n# ifndef B\nint four;\n# else\nint five;\n# endif\n#endif\n#if 0\n#error never\n#elif defined A\nint six;\n#endif\n#if (1 ? 2 : (1/0)) == 2 && -1 < 0 && -1 > 0u && 0x10 == 16 && 010 == 8 && \'A\' == 65\nint arith;\n#endif\n#if UNDEFINED_NAME == 0 && (1 << 62) > 0 && 7 / 2 == 3 && -7 % 3 == -1\nint more;\n#endif\n',
  predefined: '#if defined(__x86_64__) && defined(__linux__) && __STDC__ == 1 && __STDC_VERSION__ >= 201710L && __LP64__ && __CHAR_BIT__ == 8\nint ok;\n#endif\n__SIZE_TYPE__ s;\nlong v = __LONG_MAX__;\n',
  lineAndFile: 'int a = __LINE__;\n#define L __LINE__\nint b = L;\nconst char *f = __FILE__;\n#line 100\nint c = __LINE__;\n#line 7 "other.c"\nconst char *g = __FILE__; int d = __LINE__;\n',
  includes: '#include "inc/a.h"\n#include <b.h>\nint main_tok = A_VALUE + B_VALUE;\n',
  spliceAndComments: '#define LONG 1 + \\\n  2\nint x = LONG; /* comment\n spanning */ int y; // line comment\nint z = 3;\n',
  emptyArgs: '#define F(x) [x]\n#define G(x, y) x y\n#define E()\nF() G(,) G(a,) E() F(())\n',
  nestedParens: '#define F(x) <x>\nF((a, b)) F((a)(b)) F([a])\n',
  functionNameNotCalled: '#define f(x) x\nint f; int (f)(int); f\n(1);\n',
  digraphs: '%:define D(x) <:x:>\nint a D(3); <% %>\n',
  pasteMakesOperator: '#define OP(a, b) a ## b\nint x OP(+, =) 1; OP(<, <) OP(-, >)\n',
  ifArithmetic: ['-1 < 0', '-1 > 0u', '0xffffffffffffffff == -1', '(2 || 1/0)', '(0 && 1/0) == 0', '~0 == -1', '(1 ? -1 : 0u) > 0',
    '0x7fffffffffffffff + 0 > 0', '(-1) >> 63 == -1', "'\\377' < 0", '1 == 1L', '-1 / 2 == 0', '0x10 >> 1 == 8', '(1 << 63) < 0', '(1u << 63) > 0']
    .map((c, i) => `#if ${c}\nint yes${i};\n#else\nint no${i};\n#endif\n`).join(''),
  counter: 'int a = __COUNTER__, b = __COUNTER__, c = __COUNTER__;\n',
}

const EXTRA_FILES: Record<string, string> = {
  'inc/a.h': '#pragma once\n#define A_VALUE 1\n#include "a2.h"\n',
  'inc/a2.h': '#define A2 2\nint from_a2;\n',
  'sys/b.h': '#ifndef B_H\n#define B_H\n#define B_VALUE 3\n#endif\n',
}

describe('preprocessor matches gcc -E -P', () => {
  for (const [name, source] of Object.entries(CASES)) {
    it(name, () => {
      const files = { 'main.c': source, ...EXTRA_FILES }
      const mine = ours(files, 'main.c', ['sys'])
      expect(mine.errors).toEqual([])
      expect(mine.tokens).toEqual(gccE(files, 'main.c', ['sys']))
    })
  }
})

describe('preprocessor diagnostics', () => {
  const errorsOf = (src: string): string[] => ours({ 'main.c': src }).errors

  it('reports #error with its text', () => {
    expect(errorsOf('#error stop here\n')).toEqual(['#error stop here'])
  })
  it('reports unterminated conditionals and stray #endif/#else', () => {
    expect(errorsOf('#if 1\nint x;\n')).toEqual(['unterminated #if'])
    expect(errorsOf('#endif\n')).toEqual(['#endif without #if'])
    expect(errorsOf('#else\n')).toEqual(['#else without #if'])
    expect(errorsOf('#if 1\n#else\n#else\n#endif\n')).toEqual(['#else after #else', 'the conditional began here'])
    expect(errorsOf('#ifndef A\n#ifdef B\n')).toEqual(['unterminated #ifdef', 'unterminated #ifndef'])
  })
  it('reports wrong macro argument counts', () => {
    expect(errorsOf('#define F(a,b) a\nF(1)\n')).toEqual(['macro "F" requires 2 arguments, but only 1 given'])
    expect(errorsOf('#define F(a) a\nF(1,2)\n')).toEqual(['macro "F" passed 2 arguments, but takes just 1'])
    expect(errorsOf('#define F(a) a\nF(1\n')).toEqual(['unterminated argument list invoking macro "F"'])
  })
  it('reports a missing include and stops', () => {
    expect(errorsOf('#include "nope.h"\n#error later\n')).toEqual(['nope.h: No such file or directory'])
  })
  it('reports bad #if expressions', () => {
    expect(errorsOf('#if 1 / 0\n#endif\n')).toEqual(['division by zero in #if'])
    expect(errorsOf('#if\n#endif\n')).toEqual(['#if with no expression'])
    expect(errorsOf('#if 1 +\n#endif\n')).toEqual(['#if with no expression'])
    expect(errorsOf('#if 1.5\n#endif\n')).toEqual(['floating constant in preprocessor expression'])
  })
  it('reports invalid directives and pastes', () => {
    expect(errorsOf('#frobnicate\n')).toEqual(['invalid preprocessing directive #frobnicate'])
    expect(errorsOf('#define P(a,b) a##b\nP(+,-)\n')).toEqual(['pasting "+" and "-" does not give a valid preprocessing token'])
    expect(errorsOf('#define S(a) #b\n')).toEqual(["'#' is not followed by a macro parameter"])
  })
  it('locates diagnostics at the offending token', () => {
    const diags = new DiagnosticSink()
    preprocess({ 'main.c': 'int a;\n  #error here\n' }, 'main.c', {}, diags)
    // At the directive's name, as gcc (`main.c:2:4: error: #error here`).
    expect(diags.diagnostics[0]?.location).toEqual({ file: 'main.c', line: 2, column: 4 })
  })
  it('includes relative to the including file, then -I directories', () => {
    const files = { 'src/main.c': '#include "../h/x.h"\n#include "y.h"\nX Y\n', 'h/x.h': '#define X 1\n', 'inc/y.h': '#define Y 2\n' }
    expect(ours(files, 'src/main.c', ['inc']).tokens).toEqual(['1', '2'])
  })
})

describe('predefined macros', () => {
  const gccMacros = (flags: string[]): Map<string, string> => {
    const out = execFileSync('gcc', [...flags, '-dM', '-E', '-x', 'c', '/dev/null'], { encoding: 'utf8' })
    const map = new Map<string, string>()
    for (const line of out.split('\n')) {
      const m = /^#define (\w+) ?(.*)$/.exec(line)
      if (m) map.set(m[1] as string, m[2] as string)
    }
    return map
  }

  it('have the values gcc gives them on this machine', () => {
    const theirs = gccMacros([])
    for (const [name, value] of Object.entries(PREDEFINED_MACROS)) {
      expect(theirs.get(name), name).toBe(value)
    }
  })

  it('follow -fstack-protector* and -fno-PIE like gcc', () => {
    const cases: [string[], Parameters<typeof optionMacros>[0]][] = [
      [[], {}],
      [['-fstack-protector'], { stackProtector: 'default' }],
      [['-fstack-protector-strong'], { stackProtector: 'strong' }],
      [['-fstack-protector-all'], { stackProtector: 'all' }],
      [['-fno-PIE'], { pie: false }],
    ]
    for (const [flags, options] of cases) {
      const theirs = gccMacros(flags)
      const relevant = [...theirs.keys()].filter((k) => /^__(SSP\w*|pie|PIE|pic|PIC)__$/.test(k)).sort()
      const mine = optionMacros(options)
      expect(Object.keys(mine).sort(), flags.join(' ')).toEqual(relevant)
      for (const k of relevant) expect(mine[k]).toBe(theirs.get(k))
    }
  })
})

describe('rendering preprocessed tokens (the -E view)', () => {
  it('keeps every token apart, even when an expansion puts them side by side', () => {
    const files = { 'main.c': '#define P +\n#define M -\n#define ID(x) x\nint a = 1 P+ 2 M-1 ID(a)ID(b) P=3;\n#define CAT(a,b) a##b\nint CAT(x,y) = 0;\n' }
    const tokens = preprocess(files, 'main.c', {}, new DiagnosticSink())
    const text = renderTokens(tokens)
    expect(spellings(text)).toEqual(tokens.filter((t) => t.kind !== 'eof').map((t) => t.text))
    expect(spellings(text)).toEqual(gccE(files))
    expect(text.split('\n').filter((l) => l !== '')).toHaveLength(2)
  })
})
