/**
 * Where line-table rows point, against gcc -O0 -g's `.loc` directives: the prologue at the body's
 * '{' (a second row there for the canary load), `return expr;` at the expression, `if`/`while`
 * at their '(', loop tests at the condition, one row per statement even on one line.
 */
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { compile } from '../../../../shared/toolchain/c/compile'
import { generateAssembly } from '../../../../shared/toolchain/x86/codegen'
import type { StackProtector } from '../../../../shared/toolchain/x86/frame'
import { scratchDir } from '../backend/gnu'

const SOURCE = `int f(int x) {
  return x;
}
int g(int a, int b)
{
  return a + b;
}
int h(int a) {
  return f(a);
}
long m(int a) {
  return a;
}
int n(int *p) {
  return p[1];
}
int r(int a) {
  return -a;
}
int s(void)
{
  char buf[8];
  buf[0] = 0;
  return buf[0];
}
`

/** Per function, its first `.loc` rows (line:column), up to `count`. */
function firstRows(assembly: string, count: number): Map<string, string[]> {
  const rows = new Map<string, string[]>()
  let current: string[] | undefined
  for (const line of assembly.split('\n')) {
    const label = /^([a-z]):$/.exec(line)
    if (label !== null) rows.set(label[1] as string, (current = []))
    const loc = /^\t\.loc 1 (\d+) (\d+)/.exec(line)
    if (loc !== null && current !== undefined && current.length < count) current.push(`${loc[1]}:${loc[2]}`)
  }
  return rows
}

describe('line-table rows are where gcc -O0 -g puts them', () => {
  it.each(['none', 'strong'] as const)('prologue, canary load and return rows (%s)', (mode: StackProtector) => {
    const path = join(scratchDir(), 'rows.c')
    writeFileSync(path, SOURCE)
    const flag = mode === 'none' ? '-fno-stack-protector' : '-fstack-protector-strong'
    const gcc = execFileSync('gcc', ['-O0', '-g', '-S', '-masm=intel', flag, '-o', '-', path], { encoding: 'utf8' })
    const compiled = compile({ 'rows.c': SOURCE }, 'rows.c', { stackProtector: mode })
    if (compiled.ir === undefined) throw new Error(compiled.text)
    const ours = generateAssembly(compiled.ir, { pie: true, stackProtector: mode }).assembly
    expect(firstRows(ours, 3)).toEqual(firstRows(gcc, 3))
  })

  it('every row of a function with loops and branches, several statements on a line', () => {
    const source = `int puts(const char *);
int sum(int n)
{
  int s = 0;
  for (int i = 0; i < n; i++)
    s += i;
  while (s > 100) s -= 7;
  if (s > 3) { puts("big"); } else puts("small");
  return s;
}
`
    const path = join(scratchDir(), 'loops.c')
    writeFileSync(path, source)
    const rows = (assembly: string): string[] => [...assembly.matchAll(/^\t\.loc 1 (\d+) (\d+)/gm)].map((m) => `${m[1]}:${m[2]}`)
    const gcc = execFileSync('gcc', ['-O0', '-g', '-S', '-masm=intel', '-o', '-', path], { encoding: 'utf8' })
    const compiled = compile({ 'loops.c': source }, 'loops.c')
    if (compiled.ir === undefined) throw new Error(compiled.text)
    expect(rows(generateAssembly(compiled.ir, { pie: true, stackProtector: 'none' }).assembly)).toEqual(rows(gcc))
  })
})
