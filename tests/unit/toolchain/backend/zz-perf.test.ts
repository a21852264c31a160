import { it } from 'vitest'
import { compile } from '../../../../shared/toolchain/c/compile'
import { buildFromIr } from '../../../../shared/toolchain/link/build'
it('perf', () => {
  let src = 'void print_int(long v);\n'
  for (let f = 0; f < 100; f++) {
    src += `int f${f}(int a, int b) {\n  int i, total = 0;\n  char buf[16];\n  for (i = 0; i < a; i++) {\n    total += i * b;\n    if (total > 1000) total -= 7;\n    buf[i & 15] = total;\n  }\n  switch (a) { case 1: total++; break; case 2: total--; break; default: break; }\n  print_int(total);\n  return total + buf[0] + ${f > 0 ? `f${f - 1}(a - 1, b)` : '0'};\n}\n\n`
  }
  src += 'int main(void) { return f99(3, 4); }\n'
  console.log('C lines', src.split('\n').length)
  for (let round = 0; round < 4; round++) {
    const t0 = performance.now()
    const r = compile({ 'big.c': src }, 'big.c', { pie: true, stackProtector: 'strong' })
    const t1 = performance.now()
    const b = buildFromIr(r.ir!, { pie: true, stackProtector: 'strong' })
    const t2 = performance.now()
    console.log(`front ${(t1 - t0).toFixed(0)} ms, back ${(t2 - t1).toFixed(0)} ms, asm lines ${b.assembly.split('\n').length}, errors ${b.errors.length}`)
  }
})
