/** Random straight-line C programs for differential tests against gcc. */
import { seeded } from './gcc-compare'

const TYPES = ['signed char', 'unsigned char', 'short', 'unsigned short', 'int', 'unsigned', 'long', 'unsigned long', '_Bool', 'char']

/**
 * Random straight-line programs over variables of every integer type: arithmetic, comparisons,
 * shifts, compound assignments, ++/--, casts, ?: and logical operators, each result printed.
 * Division and shift operands are shaped so that nothing is undefined (no /0, INT_MIN/-1 or
 * oversized shifts); signed overflow wraps in gcc -O0 code, which is what we compare against.
 */
export function generateProgram(seed: number): string {
  const rnd = seeded(seed)
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T
  const vars = TYPES.map((t, i) => ({ name: `v${i}`, type: t }))
  const lines: string[] = []
  const literal = (): string => pick(['0', '1', '-1', '7', '255', '-128', '65535', '100000', '0x7fffffff', '-2147483647', '4294967295u', '123456789012L', '0xffffffffffffffffUL'])
  const atom = (): string => (rnd() < 0.7 ? pick(vars).name : literal())
  const expr = (depth: number): string => {
    if (depth <= 0 || rnd() < 0.25) return atom()
    const a = expr(depth - 1)
    const b = expr(depth - 1)
    switch (Math.floor(rnd() * 12)) {
      case 0: return `(${a} + ${b})`
      case 1: return `(${a} - ${b})`
      case 2: return `(${a} * ${b})`
      case 3: return `(${a} / (((${b}) & 7) + 1))`
      case 4: return `(${a} % (((${b}) & 15) + 1))`
      case 5: return `(${a} ${pick(['<', '>', '<=', '>=', '==', '!='])} ${b})`
      case 6: return `(${a} ${pick(['&', '|', '^'])} ${b})`
      case 7: return `(${a} ${pick(['<<', '>>'])} ((${b}) & 7))`
      case 8: return `((${pick(TYPES)})${a})`
      case 9: return `(${a} ? ${b} : ${expr(depth - 1)})`
      case 10: return `(${a} ${pick(['&&', '||'])} ${b})`
      default: return `${pick(['-', '~', '!'])}(${a})`
    }
  }
  vars.forEach((v) => lines.push(`  ${v.type} ${v.name} = ${literal()};`))
  for (let i = 0; i < 25; i++) {
    const target = pick(vars)
    const r = rnd()
    if (r < 0.3) lines.push(`  ${target.name} ${pick(['=', '+=', '-=', '*=', '&=', '|=', '^='])} ${expr(3)};`)
    else if (r < 0.4) lines.push(`  ${target.name} ${pick(['<<=', '>>='])} ((${expr(2)}) & 7);`)
    else if (r < 0.5) lines.push(`  ${pick(['++', '--'])}${target.name};`)
    else if (r < 0.6) lines.push(`  ${target.name}${pick(['++', '--'])};`)
    lines.push(`  printf("%lld\\n", (long long)(${expr(3)}));`)
  }
  lines.push(`  printf("${vars.map(() => '%lld').join(' ')}\\n", ${vars.map((v) => `(long long)${v.name}`).join(', ')});`)
  return `int printf(const char *, ...);\nint main(void) {\n${lines.join('\n')}\n  return 0;\n}\n`
}
