import { spawnSync } from 'node:child_process'
import { describe, expect, test } from 'vitest'
import { createDispatcher, outputText } from '../../../shared/debugger'
import { expandEchoText } from '../../../shared/debugger/commands/echo'

// Each line is an `echo` command; the expected output is what gdb 13 printed on this machine.
const CASES: [string, string][] = [
  ['echo hi\\n', 'hi\n'],
  ['echo a\\tb\\x41\\101\\q\\e[0m|\\n', 'a\tbx41Aqe[0m|\n'],
  ['echo   lead  \\n', 'lead  \n'],
  ['echo trailing\\', 'trailing'],
  ['echo \\  x\\n', '  x\n'],
  ['echo \\^A|\\n', '^A|\n'],
  ['echo \\a\\b\\f\\r\\v\\0x\\12y\\1234\\n', '\x07\b\f\r\vx\ny\x534\n'],
  ['echo "q"\\\\\\n', '"q"\\\n'],
  ['echo', ''],
]

describe('echo', () => {
  test.each(CASES)('%s', async (line, expected) => {
    const output = await createDispatcher().execute(line)
    expect(output.ok).toBe(true)
    expect(outputText(output)).toBe(expected)
  })

  const gdb = spawnSync('gdb', ['--version'], { encoding: 'utf8' })
  test.skipIf(gdb.status !== 0)('matches the real gdb on this machine', () => {
    for (const [line, expected] of CASES) {
      const real = spawnSync('gdb', ['-nx', '-batch', '-ex', line], { encoding: 'latin1' })
      expect(real.stdout, line).toBe(expected)
    }
  })

  test('expands octal escapes of up to three digits', () => {
    expect(expandEchoText('\\1011')).toBe('A1')
  })
})
