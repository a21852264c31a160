// pwndbg's `search`: where bytes, a string or an integer occur in the program's memory.

import { CommandError, type Command } from '../command'
import { memoryStyle } from '../memory-map'
import { enhance, writeLines } from '../pointer-chain'
import { findOccurrences, PwnError, SEARCH_TYPES, searchPattern, type SearchType } from '../pwn'
import { integerArgument, runningView, splitWords } from '../pwndbg-arguments'
import type { Segment } from '../output'

const TYPE_FLAGS: Record<string, SearchType> = {
  '-1': 'byte', '--byte': 'byte', '-2': 'word', '--word': 'word', '--short': 'word',
  '-4': 'dword', '--dword': 'dword', '-8': 'qword', '--qword': 'qword', '-p': 'pointer', '--pointer': 'pointer',
}

interface SearchArguments {
  type: SearchType
  hex: boolean
  executable: boolean
  writable: boolean
  step?: string
  limit?: string
  aligned?: string
  value: string
  mapping?: string
}

function parse(words: readonly string[]): SearchArguments {
  const parsed: Omit<SearchArguments, 'value'> = { type: 'bytes', hex: false, executable: false, writable: false }
  const positional: string[] = []
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!
    const option = (): string => {
      const value = words[++i]
      if (value === undefined) throw new CommandError(`search: error: argument ${word}: expected one argument`)
      return value
    }
    if (word in TYPE_FLAGS) parsed.type = TYPE_FLAGS[word]!
    else if (word === '-t' || word === '--type') {
      const type = option()
      if (!(SEARCH_TYPES as readonly string[]).includes(type)) {
        throw new CommandError(`search: error: argument -t/--type: invalid choice: '${type}' (choose from ${SEARCH_TYPES.map((t) => `'${t}'`).join(', ')})`)
      }
      parsed.type = type as SearchType
    } else if (word === '-x' || word === '--hex') parsed.hex = true
    else if (word === '-e' || word === '--executable') parsed.executable = true
    else if (word === '-w' || word === '--writable') parsed.writable = true
    else if (word === '-s' || word === '--step') parsed.step = option()
    else if (word === '-l' || word === '--limit') parsed.limit = option()
    else if (word === '-a' || word === '--aligned') parsed.aligned = option()
    else if (/^-\D/.test(word)) throw new CommandError(`search: error: unrecognized arguments: ${word}`)
    else positional.push(word)
  }
  if (positional.length === 0) throw new CommandError('search: error: the following arguments are required: value')
  if (positional.length > 2) throw new CommandError(`search: error: unrecognized arguments: ${positional.slice(2).join(' ')}`)
  return { ...parsed, value: positional[0]!, ...(positional[1] === undefined ? {} : { mapping: positional[1] }) }
}

export const searchCommand: Command = {
  name: 'search',
  category: 'memory',
  summary: 'Search memory for byte sequences, strings, pointers, and integer values.',
  documentation: [
    'Search memory for byte sequences, strings, pointers, and integer values (pwndbg).',
    'Usage: search [-t TYPE | -1 | -2 | -4 | -8 | -p] [-x] [-e] [-w] [-s STEP] [-a ALIGN] [-l LIMIT] VALUE [MAPPING]',
    'TYPE is byte, short, word, dword, qword, pointer, string (NUL added) or bytes (the default).',
    '-x: VALUE is hex. -e / -w: executable / writable mappings only. MAPPING: part of a mapping\'s',
    'name ([stack], [heap], the program). Integers may be any expression.',
    'Example: search -t string /bin/sh',
  ].join('\n'),
  run(args, out, { session }) {
    const { view } = runningView(session, 'search')
    const parsed = parse(splitWords(args))
    const number = (text: string | undefined): number | undefined => (text === undefined ? undefined : Number(integerArgument(session, text)))
    const integer = !['string', 'bytes'].includes(parsed.type)
    let pattern
    try {
      pattern = searchPattern(parsed.type, integer && !parsed.hex ? integerArgument(session, parsed.value) : parsed.value, { hex: parsed.hex })
    } catch (error) {
      if (error instanceof PwnError) throw new CommandError(error.message)
      throw error
    }
    const mappings = parsed.mapping === undefined ? view.pages : view.pages.filter((page) => page.objfile.includes(parsed.mapping!))
    if (mappings.length === 0) throw new CommandError(`Could not find mapping '${parsed.mapping}'`)
    const regions = mappings
      .filter((page) => (!parsed.executable || page.execute) && (!parsed.writable || page.write))
      .flatMap((page) => {
        const bytes = view.inferior.read(Number(page.start), Number(page.end - page.start))
        return bytes ? [{ start: Number(page.start), bytes }] : []
      })
    let hits: number[]
    try {
      hits = findOccurrences(regions, pattern.bytes, { step: number(parsed.step), aligned: number(parsed.aligned), limit: number(parsed.limit) })
    } catch (error) {
      if (error instanceof PwnError) throw new CommandError(error.message)
      throw error
    }
    out.line(pattern.heading)
    const lines: Segment[][] = hits.map((hit) => {
      const address = BigInt(hit)
      const page = view.page(address)
      const style = memoryStyle(page)
      const region = page ? page.objfile.slice(page.objfile.lastIndexOf('/') + 1) : '[mapped]'
      return [{ text: region.padEnd(15), style }, { text: ' ', style: 'plain' }, { text: `0x${hit.toString(16)}`, style }, { text: ' ', style: 'plain' }, ...enhance(view, address)]
    })
    writeLines(out, lines)
  },
}
