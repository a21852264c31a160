import { describe, expect, test } from 'vitest'
import { Text } from '@codemirror/state'
import { buildProgram } from '../../../shared/toolchain/driver'
import { displayColumnOffset, lintDiagnostics, parseGccDiagnostics, unplacedDiagnostics } from '../../../renderer/src/lib/editor/diagnostics'

// What Debian's gcc 12 printed for this file (LC_ALL=C gcc -c names.c): a tab before `return`,
// a range underlined around its caret, a fix-it line, notes.
const NAMES_C = 'int main(void) {\n\tint x = 1\n\treturn y + x;\n}\nint f(int a) { return a + "s"; }\nvoid g(void) { printf("hi"); }\n'
const GCC_OUTPUT = `names.c: In function 'main':
names.c:3:9: error: expected ',' or ';' before 'return'
    3 |         return y + x;
      |         ^~~~~~
names.c: In function 'f':
names.c:5:25: warning: returning 'char *' from a function with return type 'int' makes integer from pointer without a cast [-Wint-conversion]
    5 | int f(int a) { return a + "s"; }
      |                       ~~^~~~~
names.c: In function 'g':
names.c:6:16: warning: implicit declaration of function 'printf' [-Wimplicit-function-declaration]
    6 | void g(void) { printf("hi"); }
      |                ^~~~~~
names.c:1:1: note: include '<stdio.h>' or provide a declaration of 'printf'
  +++ |+#include <stdio.h>
    1 | int main(void) {
`

describe('parseGccDiagnostics', () => {
  test("reads gcc's messages, places and underlines, skipping its context lines", () => {
    const parsed = parseGccDiagnostics(GCC_OUTPUT)
    expect(parsed).toEqual([
      { severity: 'error', message: "expected ',' or ';' before 'return'", file: 'names.c', line: 3, column: 9, underline: { from: 9, to: 15 } },
      expect.objectContaining({ severity: 'warning', line: 5, column: 25, underline: { from: 23, to: 30 } }),
      expect.objectContaining({ severity: 'warning', line: 6, column: 16, underline: { from: 16, to: 22 } }),
      // The fix-it's `+++ |+` line and the quoted line after it are not a caret line.
      { severity: 'note', message: "include '<stdio.h>' or provide a declaration of 'printf'", file: 'names.c', line: 1, column: 1, underline: null },
    ])
  })

  test('a whole-line message, a fatal error, and messages that name no place', () => {
    const parsed = parseGccDiagnostics(
      "a.c:3: error: unterminated #if\n      | \nb.c:1:10: fatal error: nope.h: No such file or directory\ncompilation terminated.\nld: main.o:(.text+0x1e): undefined reference to `foo'\ncc1: warning: command-line option ignored\n",
    )
    expect(parsed).toEqual([
      { severity: 'error', message: 'unterminated #if', file: 'a.c', line: 3, column: null, underline: null },
      { severity: 'error', message: 'nope.h: No such file or directory', file: 'b.c', line: 1, column: 10, underline: null },
      { severity: 'error', message: "ld: main.o:(.text+0x1e): undefined reference to `foo'", file: null, line: null, column: null, underline: null },
      { severity: 'warning', message: 'cc1: warning: command-line option ignored', file: null, line: null, column: null, underline: null },
    ])
    expect(unplacedDiagnostics(parsed, ['a.c']).map((diagnostic) => diagnostic.file)).toEqual(['b.c', null, null])
  })

  test("the toolchain's own diagnostics parse the same way", () => {
    const source = 'int main(void) {\n  int count = 3;\n  return cuont;\n}\n'
    const built = buildProgram({ 'main.c': source }, ['main.c'], { debugInfo: true, compilationDirectory: '/home/learner' })
    expect(built.executable).toBeUndefined()
    const [error] = parseGccDiagnostics(built.diagnostics)
    expect(error).toMatchObject({ severity: 'error', file: 'main.c', line: 3, column: 10 })
    const [lint] = lintDiagnostics(parseGccDiagnostics(built.diagnostics), 'main.c', Text.of(source.split('\n')))
    expect(source.slice(lint?.from, lint?.to)).toBe('cuont')
  })
})

describe('lintDiagnostics', () => {
  const doc = Text.of(NAMES_C.split('\n'))
  const lint = lintDiagnostics(parseGccDiagnostics(GCC_OUTPUT), 'names.c', doc)

  test("underlines what gcc underlined, tabs counted as gcc's display columns", () => {
    expect(lint.map((diagnostic) => [diagnostic.severity, NAMES_C.slice(diagnostic.from, diagnostic.to)])).toEqual([
      ['error', 'return'],
      ['warning', 'a + "s"'],
      ['warning', 'printf'],
      ['info', 'i'],
    ])
  })

  test('matches the file by name under /home/learner, and drops lines the text no longer has', () => {
    const absolute = parseGccDiagnostics('/home/learner/names.c:2:2: error: x\n/home/learner/names.c:40:1: error: gone\nother.c:1:1: error: elsewhere\n')
    expect(lintDiagnostics(absolute, 'names.c', doc).map((diagnostic) => diagnostic.message)).toEqual(['x'])
  })

  test('display columns: a tab advances to the next multiple of 8', () => {
    expect(displayColumnOffset('\treturn', 9)).toBe(1)
    expect(displayColumnOffset('ab\tc', 9)).toBe(3)
    expect(displayColumnOffset('abc', 2)).toBe(1)
    expect(displayColumnOffset('abc', 40)).toBe(3)
  })
})
