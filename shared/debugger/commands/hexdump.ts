// pwndbg's `hexdump`: bytes in rows of 16, in two groups of 8, with their printable characters.

import { CommandError, type Command } from '../command'
import type { OutputBuilder, OutputStyle } from '../output'
import { integerArgument, runningView, splitWords } from '../pwndbg-arguments'
import type { ProgramView } from '../pointer-chain'

const WIDTH = 16
/** pwndbg groups bytes by the pointer size. */
const GROUP = 8
/** pwndbg's `hexdump-bytes`. */
const DEFAULT_BYTES = 64n
/** pwndbg's `hexdump-limit-mb`, which refuses larger dumps. */
const LIMIT_BYTES = 10n * 1024n * 1024n
const SEPARATOR = '│'

/** pwndbg shows letters, digits and punctuation as themselves (not the space), the rest as '.'. */
const shown = (byte: number): boolean => byte > 0x20 && byte < 0x7f

function byteStyle(byte: number): OutputStyle {
  if (byte === 0) return 'muted'
  if (byte === 0xff || byte === 0x7f || byte === 0x80) return 'value'
  return 'plain'
}

/** The readable bytes from `address`, up to `count` (pwndbg reads partially, stopping at a hole). */
function readPrefix(view: ProgramView, address: bigint, count: number): Uint8Array {
  const start = Number(address)
  let length = 0
  while (length < count) {
    const chunk = Math.min(count - length, 0x1000 - ((start + length) % 0x1000))
    if (!view.inferior.read(start + length, chunk)) break
    length += chunk
  }
  return view.inferior.read(start, length) ?? new Uint8Array(0)
}

/** pwndbg's hexdump rows for `data` at `address`, identical rows after the first collapsed. */
export function writeHexdump(out: OutputBuilder, data: Uint8Array, address: bigint): void {
  const rows: number[][] = []
  for (let at = 0; at < data.length; at += WIDTH) rows.push([...data.subarray(at, at + WIDTH)])
  if (rows.length === 0) {
    out.line(`+0000 0x${address.toString(16).padStart(6, '0')}  `)
    return
  }
  const same = (a: number[], b: number[] | undefined): boolean => b !== undefined && a.length === b.length && a.every((x, i) => x === b[i])
  let skipped = -1
  rows.forEach((row, i) => {
    if (i < rows.length - 1 && same(row, rows[i + 1])) {
      skipped++
      if (skipped !== 0) return
    } else if (skipped > 0) {
      out.line(`... ↓            skipped ${skipped} identical lines (${skipped * WIDTH} bytes)`, 'muted')
      skipped = -1
    }
    out.write(`+${(i * WIDTH).toString(16).padStart(4, '0')} `, 'muted')
    out.write(`0x${(address + BigInt(i * WIDTH)).toString(16).padStart(6, '0')}  `, 'address')
    for (let group = 0; group < WIDTH; group += GROUP) {
      for (let j = group; j < group + GROUP; j++) {
        const byte = row[j]
        if (byte === undefined) out.write('  ')
        else out.write(byte.toString(16).padStart(2, '0'), byteStyle(byte))
        out.write(' ')
      }
      out.write(' ')
    }
    out.write(SEPARATOR)
    for (let group = 0; group < WIDTH; group += GROUP) {
      for (let j = group; j < group + GROUP; j++) {
        const byte = row[j]
        if (byte === undefined) out.write(' ')
        else out.write(shown(byte) ? String.fromCharCode(byte) : '.', byteStyle(byte))
      }
      out.write(SEPARATOR)
    }
    out.write('\n')
  })
}

export const hexdumpCommand: Command = {
  name: 'hexdump',
  category: 'memory',
  summary: 'Hexdumps data at the specified address or module name.',
  documentation: [
    'Hexdumps data at the specified address or module name (pwndbg).',
    'Usage: hexdump [ADDRESS | MODULE] [COUNT]',
    'COUNT bytes (default 64) from ADDRESS (default $sp), 16 to a row in two groups of 8,',
    'then the bytes as characters; repeated rows are collapsed. A MODULE name dumps from the',
    'start of its first mapping.',
    'Example: hexdump $rsp 128',
  ].join('\n'),
  run(args, out, { session }) {
    const { view } = runningView(session, 'hexdump')
    const words = splitWords(args)
    if (words.length > 2) throw new CommandError(`hexdump: error: unrecognized arguments: ${words.slice(2).join(' ')}`)
    let address: bigint
    if (words[0] === undefined) address = view.register('rsp')!
    else {
      try {
        address = integerArgument(session, words[0])
      } catch (error) {
        if (!(error instanceof CommandError)) throw error
        const page = view.pages.find((p) => p.objfile.includes(words[0]!))
        if (!page) throw new CommandError(`hexdump: error: argument address: Could not find pages for module ${words[0]}`)
        address = page.start
      }
    }
    let count = words[1] === undefined ? DEFAULT_BYTES : BigInt.asIntN(64, integerArgument(session, words[1]))
    if (count < 0n) count = 0n
    if (count > LIMIT_BYTES) throw new CommandError(`Hexdump count (${count}) exceeds the current limit of 10 MB.`)
    if (!view.readable(address)) throw new CommandError('Could not read memory at specified address')
    // `hexdump A B` with B beyond A: the bytes from A up to B.
    if (address > 0x10000n && address < count) count -= address
    writeHexdump(out, readPrefix(view, address, Number(count)), address)
  },
}
