// pwndbg's `vmmap`: the mappings, coloured by kind under pwndbg's legend; with an address or a
// name, the matching mappings (marked ►, an address's offset after it) and one either side.

import { CommandError, type Command } from '../command'
import { LEGEND, memoryStyle, pageRow, pyHex, type Page } from '../memory-map'
import type { OutputBuilder } from '../output'
import { flagsAndWords, integerArgument, runningView, splitWords } from '../pwndbg-arguments'

const HEADER = `${'Start'.padStart(18)} ${'End'.padStart(18)} Perm ${'Size'.padStart(8)} ${'Offset'.padStart(6)} File`

export function writeLegend(out: OutputBuilder): void {
  out.write('LEGEND: ')
  LEGEND.forEach((entry, i) => {
    if (i > 0) out.write(' | ')
    out.write(entry.text, entry.style)
  })
  out.write('\n')
}

function count(text: string | undefined, flag: string): number {
  const n = Number(text)
  if (text === undefined || !Number.isInteger(n)) throw new CommandError(`vmmap: error: argument ${flag}: invalid int value: '${text ?? ''}'`)
  return Math.min(n, 64)
}

export const vmmapCommand: Command = {
  name: 'vmmap',
  category: 'memory',
  summary: 'Print virtual memory map pages.',
  documentation: [
    'Print virtual memory map pages (pwndbg).',
    'Usage: vmmap [ADDRESS | NAME] [-w] [-x] [-A N] [-B N]',
    'With an address or part of a mapping\'s name, the matching pages are marked with ►',
    '(an address also gets its offset in the page), with -B and -A pages (default 1)',
    'before and after them. -w shows writable pages only, -x executable ones.',
    'Unnamed mappings are named [anon_%x] after the high part of their start address.',
    'Colours: STACK, HEAP, CODE, DATA, WX (writable code) and RODATA.',
    'Example: vmmap $rsp',
  ].join('\n'),
  run(args, out, { session }) {
    const { view } = runningView(session, 'vmmap')
    const words = splitWords(args)
    let before = 1
    let after = 1
    const positional: string[] = []
    for (let i = 0; i < words.length; i++) {
      const word = words[i]!
      if (word === '-A' || word === '--lines-after') after = count(words[++i], word)
      else if (word === '-B' || word === '--lines-before') before = count(words[++i], word)
      else positional.push(word)
    }
    const { flags, rest } = flagsAndWords(positional, ['-w', '--writable', '-x', '--executable'], 'vmmap')
    if (rest.length > 1) throw new CommandError(`vmmap: error: unrecognized arguments: ${rest.slice(1).join(' ')}`)
    const writable = flags.has('-w') || flags.has('--writable')
    const executable = flags.has('-x') || flags.has('--executable')
    // pwndbg's sloppy parsing: an expression if gdb can evaluate it, else part of a name.
    let address: bigint | null = null
    let name: string | null = null
    if (rest[0] !== undefined) {
      try {
        address = integerArgument(session, rest[0])
      } catch (error) {
        if (!(error instanceof CommandError)) throw error
        name = rest[0]
      }
    }
    let shown: Page[] = view.pages
    let matched: Page[] = []
    if (address !== null || name !== null) {
      matched = view.pages.filter((page) => (address !== null ? address >= page.start && address < page.end : page.objfile.includes(name!)))
      const chosen = new Set<Page>()
      for (const page of matched) {
        const index = view.pages.indexOf(page)
        for (let b = 0; b <= before; b++) if (index - b >= 0) chosen.add(view.pages[index - b]!)
        // pwndbg's loop stops one short of the last page.
        for (let a = 1; a <= after; a++) if (index + a < view.pages.length - 1) chosen.add(view.pages[index + a]!)
      }
      shown = view.pages.filter((page) => chosen.has(page))
    }
    if (shown.length === 0) throw new CommandError('There are no mappings for specified address or module.')
    writeLegend(out)
    out.line(HEADER)
    for (const page of shown) {
      if ((executable && !page.execute) || (writable && !page.write)) continue
      let text = pageRow(page)
      if (matched.includes(page)) {
        text = `► ${text}`
        if (matched.length === 1 && address !== null) text += ` +${pyHex(address - page.start)}`
      }
      out.line(text, memoryStyle(page))
    }
  },
}
