/** Helpers that evaluate the same C source with gcc (natively) and with our front end. */
import { execFileSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { compile } from '../../../../shared/toolchain/c/compile'

/**
 * `source` defines `long long results[]` with constant initializers. gcc compiles it with a
 * main that prints every element; returns them as bigints.
 */
export function gccResults(source: string): bigint[] {
  const dir = mkdtempSync(join(tmpdir(), 'memscape-fe-'))
  const program = `${source}
int printf(const char *, ...);
int main(void) {
  for (unsigned long i = 0; i < sizeof results / sizeof results[0]; i++) printf("%lld\\n", results[i]);
  return 0;
}
`
  writeFileSync(join(dir, 't.c'), program)
  execFileSync('gcc', ['-w', '-O0', '-o', join(dir, 't'), join(dir, 't.c')])
  const out = execFileSync(join(dir, 't'), { encoding: 'utf8' })
  return out.trim().split('\n').map((l) => BigInt(l))
}

/** Compiles `source` with our front end and decodes the initial bytes of `results`. */
export function ourResults(source: string): bigint[] {
  const r = compile({ 't.c': source }, 't.c')
  if (!r.ir) throw new Error(r.text)
  const g = r.ir.globals.find((x) => x.name === 'results')
  if (!g) throw new Error('no results global')
  const bytes = g.init ?? new Uint8Array(g.size)
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const out: bigint[] = []
  for (let i = 0; i + 8 <= bytes.length; i += 8) out.push(view.getBigInt64(i, true))
  return out
}

/** A small deterministic generator (xorshift) so generated cases are the same every run. */
export function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1
  return () => {
    s ^= s << 13
    s >>>= 0
    s ^= s >>> 17
    s ^= s << 5
    s >>>= 0
    return s / 0x100000000
  }
}
