import type { Command } from '../command'

/** gdb's parse_escape: the C escapes it knows; any other escaped character stands for itself. */
const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' }
const OCTAL_DIGIT = /[0-7]/

/** Expands escapes exactly as gdb's echo does (checked against gdb 13 on Debian 12). */
export function expandEchoText(text: string): string {
  let result = ''
  let i = 0
  while (i < text.length) {
    const c = text[i++]!
    if (c !== '\\') {
      result += c
      continue
    }
    // A backslash ending the argument only protects the whitespace before it.
    if (i >= text.length) break
    const next = text[i]!
    if (OCTAL_DIGIT.test(next)) {
      let digits = ''
      while (digits.length < 3 && i < text.length && OCTAL_DIGIT.test(text[i]!)) digits += text[i++]
      const code = parseInt(digits, 8)
      // gdb prints the character with printf("%c"), so NUL prints nothing.
      if (code !== 0) result += String.fromCharCode(code & 0xff)
      continue
    }
    i++
    result += SIMPLE_ESCAPES[next] ?? next
  }
  return result
}

export const echoCommand: Command = {
  name: 'echo',
  category: 'support',
  summary: 'Print a constant string.  Give string as argument.',
  documentation: [
    'Print a constant string.  Give string as argument.',
    'C escape sequences may be used in the argument.',
    'No newline is added at the end of the argument;',
    'use "\\n" if you want a newline to be printed.',
    'Since leading and trailing whitespace are ignored in command arguments,',
    'if you want to print some you must use "\\" before leading whitespace',
    'to be printed or after trailing whitespace.',
    'Example: echo rsp is now\\n',
  ].join('\n'),
  run(args, out) {
    out.write(expandEchoText(args))
  },
}
