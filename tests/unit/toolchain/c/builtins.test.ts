/**
 * gcc folds output calls whose result is unused even at -O0 (printf("text\n") → puts("text"),
 * …): the calls our code makes must be the calls gcc's code makes (corpus bug 2).
 */
import { execFileSync } from 'node:child_process'
import { chmodSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compile } from '../../../../shared/toolchain/c/compile'
import { buildProgram } from '../../../../shared/toolchain/driver'
import { generateAssembly } from '../../../../shared/toolchain/x86/codegen'
import { scratchDir } from '../backend/gnu'

const DECLARATIONS = `typedef struct FILE FILE;
typedef unsigned long size_t;
extern FILE *stdout, *stderr;
int printf(const char *, ...);
int fprintf(FILE *, const char *, ...);
int sprintf(char *, const char *, ...);
int puts(const char *);
int fputs(const char *, FILE *);
`

const SOURCE = `${DECLARATIONS}
int main(int argc, char **argv) {
  char buf[32];
  const char *s = argv[0];
  char c = 'q';
  long wide = 65;
  printf("a line\\n");
  printf("x");
  printf("");
  printf("no newline");
  printf("%c", 'c');
  printf("%c", c);
  printf("%c", wide);
  printf("%s\\n", s);
  printf("%s\\n", "lit");
  printf("%s", s);
  printf("%s", "lit2\\n");
  printf("%s", "");
  printf("\\n");
  printf("\\xe9");
  printf("100%%\\n");
  printf("two\\0hidden\\n");
  printf("with %d\\n", argc);
  printf("text\\n", argc);
  int n = printf("ret\\n");
  (void)printf("cast away\\n");
  fprintf(stdout, "fp text\\n");
  fprintf(stderr, "%s", s);
  fprintf(stderr, "%s", "constant");
  fprintf(stderr, "%c", 'x');
  fprintf(stderr, "y");
  fprintf(stderr, "");
  fprintf(stderr, "%d", n);
  sprintf(buf, "copy");
  puts("");
  fputs("a", stdout);
  fputs("", stdout);
  fputs("longer", stdout);
  fputs(s, stdout);
  return n + buf[0];
}
`

/** The functions called, in order, in a function's assembly (gcc's `@PLT` dropped). */
function calls(assembly: string): string[] {
  return [...assembly.matchAll(/^\tcall\t(\S+)$/gm)].map((m) => (m[1] as string).replace(/@PLT$/, ''))
}

describe("output calls are folded like gcc's builtins", () => {
  it('printf, fprintf and fputs become puts, putchar, fputc, fwrite or nothing, as in gcc -O0', () => {
    const path = join(scratchDir(), 'folds.c')
    writeFileSync(path, SOURCE)
    const gcc = execFileSync('gcc', ['-O0', '-w', '-S', '-masm=intel', '-o', '-', path], { encoding: 'utf8' })
    const compiled = compile({ 'folds.c': SOURCE }, 'folds.c')
    if (compiled.ir === undefined) throw new Error(compiled.text)
    const ours = generateAssembly(compiled.ir, { pie: true, stackProtector: 'none' }).assembly
    expect(calls(ours)).toEqual(calls(gcc))
    expect(calls(ours)).toContain('fwrite')
    // puts gets the text without its newline, as a string of its own.
    expect(ours).toMatch(/\tdb\t"a line", 0\n/)
  })

  it('runs like gcc: with a 1-byte stdout buffer, stdout and stderr interleave the same way', () => {
    const source = `#include <stdio.h>
int main(void) {
  static char one[1];
  setvbuf(stdout, one, _IOFBF, sizeof one);
  printf("a line\\n"); fputs("|1\\n", stderr);
  printf("%c", 'c'); fputs("|2\\n", stderr);
  printf("%s\\n", "via puts"); fputs("|3\\n", stderr);
  fprintf(stdout, "fwrite\\n"); fputs("|4\\n", stderr);
  printf("no newline"); fputs("|5\\n", stderr);
  return 0;
}
`
    const dir = scratchDir()
    writeFileSync(join(dir, 'run.c'), source)
    execFileSync('gcc', ['-O0', '-w', '-o', join(dir, 'gcc'), join(dir, 'run.c')])
    const built = buildProgram({ 'run.c': source }, ['run.c'], { pie: true })
    if (built.executable === undefined) throw new Error(built.diagnostics)
    writeFileSync(join(dir, 'ours'), built.executable)
    chmodSync(join(dir, 'ours'), 0o755)
    const run = (program: string): string => execFileSync('sh', ['-c', `"${program}" 2>&1`], { encoding: 'utf8' })
    const expected = run(join(dir, 'gcc'))
    expect(expected).toContain('a line|1\n')
    expect(run(join(dir, 'ours'))).toBe(expected)
  })

  it('-fno-builtin (builtins: false) keeps the calls as written', () => {
    const compiled = compile({ 'plain.c': `${DECLARATIONS}int main(void) { printf("a line\\n"); fputs("x", stdout); return 0; }\n` }, 'plain.c', { builtins: false })
    if (compiled.ir === undefined) throw new Error(compiled.text)
    expect(calls(generateAssembly(compiled.ir, { pie: true, stackProtector: 'none' }).assembly)).toEqual(['printf', 'fputs'])
  })
})
