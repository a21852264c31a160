// A run's arguments and standard input in the debugger's own words: `set args` takes a shell-like
// line, `input` a pwntools bytes literal.

/** Arguments as a shell would need them quoted for `set args`. */
export function argumentsLine(args: readonly string[]): string {
  return args.map((arg) => (/^[A-Za-z0-9_./:=,+-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`)).join(' ')
}

/** Text as a b"..." literal: printable ASCII as is, everything else (and " and \) escaped. */
export function payloadLiteral(text: string): string {
  let literal = ''
  for (const byte of new TextEncoder().encode(text)) {
    const char = String.fromCharCode(byte)
    literal += byte >= 0x20 && byte < 0x7f && char !== '"' && char !== '\\' ? char : `\\x${byte.toString(16).padStart(2, '0')}`
  }
  return `b"${literal}"`
}
