// gdb's wording for command lookup failures, kept in one place so every caller matches gdb.

export function undefinedCommandMessage(word: string): string {
  return `Undefined command: "${word}".  Try "help".`
}

export function ambiguousCommandMessage(word: string, candidates: readonly string[]): string {
  return `Ambiguous command "${word}": ${candidates.join(', ')}.`
}
