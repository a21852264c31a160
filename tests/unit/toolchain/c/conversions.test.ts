import { describe, expect, it } from 'vitest'
import { gccResults, ourResults } from './gcc-compare'

const TYPES = ['_Bool', 'char', 'signed char', 'unsigned char', 'short', 'unsigned short', 'int', 'unsigned', 'long', 'unsigned long', 'long long', 'unsigned long long', 'enum pos', 'enum neg']

/** For `a OP b`: the result's size and signedness (a cast of -1 to the result type is negative). */
function typeProbe(expr: string): string[] {
  return [`sizeof(${expr})`, `((__typeof__(${expr}))-1 < 0)`]
}

describe('usual arithmetic conversions and integer promotions match gcc', () => {
  it('binary +, <<, ?: and unary - over every pair of integer types', () => {
    const decls = TYPES.map((t, i) => `extern ${t} v${i};`).join('\n')
    const entries: string[] = []
    TYPES.forEach((_, i) => {
      entries.push(...typeProbe(`-v${i}`), ...typeProbe(`~v${i}`), ...typeProbe(`!v${i}`), ...typeProbe(`v${i}++`))
      TYPES.forEach((_, j) => {
        entries.push(...typeProbe(`v${i} + v${j}`), ...typeProbe(`v${i} << v${j}`), ...typeProbe(`1 ? v${i} : v${j}`), ...typeProbe(`v${i} < v${j}`))
      })
    })
    const source = `enum pos { P1 = 1 };\nenum neg { N1 = -1 };\n${decls}\nlong long results[] = {\n${entries.join(',\n')}\n};\n`
    // gcc needs the externs defined to link; define them after the table.
    const gccSource = `${source}\n${TYPES.map((t, i) => `${t} v${i};`).join('\n')}\n`
    expect(ourResults(source)).toEqual(gccResults(gccSource))
  })

  it('types of integer constants (decimal, hex, octal, suffixes) and character constants', () => {
    const constants = ['2147483647', '2147483648', '4294967295', '0x7fffffff', '0x80000000', '0xffffffff', '0x100000000', '017777777777',
      '020000000000', '9223372036854775807', '0x8000000000000000', '1u', '1l', '1ul', '1lu', '1ll', '1ull', '0xffffffffu', "'a'", "'\\377'", "L'x'"]
    const entries = constants.flatMap((c) => typeProbe(c))
    const source = `long long results[] = {\n${entries.join(',\n')}\n};\n`
    expect(ourResults(source)).toEqual(gccResults(source))
  })
})

describe('constant expressions evaluate like gcc', () => {
  it('wraparound, shifts, division, truncating casts, signed/unsigned comparisons', () => {
    const exprs = [
      '-1 / 2', '-7 % 3', '7 % -3', '-7 / 2', '(unsigned)-1 / 2', '-1 < 0u', '-1L < 0u', '-1 < (unsigned char)0',
      '(char)200', '(unsigned char)-1', '(short)70000', '(unsigned short)-2', '(signed char)0x80', '(_Bool)256', '(_Bool)0',
      '1 << 31', '1u << 31', '1L << 62', '0x80000000 >> 4', '-16 >> 2', '(unsigned)-16 >> 2', '~0u', '~0ul', '~0', '-(-2147483647 - 1)',
      '2147483647 + 1u', '4294967295u + 1', '(long)(int)0x80000000', '(unsigned long)(int)-1', '(long)(unsigned)-1', "'\\xff'", "'\\n' + '\\t'",
      '"abc"[1]', 'sizeof("abc")', 'sizeof(int[3][4]) / sizeof(int)', '(1 ? 2 : 3) + (0 ? 4 : 5)', '3 > 2 > 1', '1 && 2', '0 || 0', '!5',
      '(10 & 6) | (1 ^ 3)', '0x1234 & 0xff00', '(unsigned char)(250 + 10)', '(-5) >> 1', '100000 * 100000L', '(int)(100000 * 100000L)',
      "sizeof('a')", 'sizeof(char)', 'sizeof 1L', '(char)-129', "'ab'",
    ]
    const source = `long long results[] = {\n${exprs.join(',\n')}\n};\n`
    expect(ourResults(source)).toEqual(gccResults(source))
  })
})
