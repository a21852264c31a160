// pwndbg's `context`: registers, disassembly, source, stack and backtrace, each under a banner.

import { CommandError, type Command } from '../command'
import type { Inferior } from '../inferior'
import type { OutputBuilder, Segment } from '../output'
import { COMMON_REGISTERS, formatChain, telescopeLines, writeLines, type ProgramView } from '../pointer-chain'
import { nearpcLines } from '../pwndbg-disasm'
import { runningView, splitWords } from '../pwndbg-arguments'
import { writeLegend } from './vmmap'

/** The width banners fill (pwndbg uses the terminal's; the commands do not know it). */
const WIDTH = 80
const SECTIONS = ['regs', 'disasm', 'code', 'stack', 'backtrace'] as const
type Section = (typeof SECTIONS)[number]
/** pwndbg's `context-stack-lines`, `context-code-lines`, `context-source-code-lines`, `context-backtrace-lines`. */
const STACK_LINES = 8
const CODE_LINES = 10
const SOURCE_LINES = 10
const BACKTRACE_LINES = 8
/** pwndbg's names for the eflags bits it shows, capitals when set. */
const FLAG_BITS: readonly [string, number][] = [['CF', 0], ['PF', 2], ['AF', 4], ['ZF', 6], ['SF', 7], ['IF', 9], ['DF', 10], ['OF', 11]]

/** `─────[ STACK ]─────`: the title (in capitals, its settings after it as they are) centred in a rule. */
function banner(out: OutputBuilder, title: string, extra = ''): void {
  const label = `[ ${title.toUpperCase()}${extra === '' ? '' : ` / ${extra}`} ]`
  const left = Math.max(Math.floor((WIDTH + label.length) / 2) - label.length, 0)
  out.write('─'.repeat(left), 'muted')
  out.write(label, 'heading')
  out.line('─'.repeat(Math.max(WIDTH - left - label.length, 0)), 'muted')
}

/** Register values of the last stop `context` saw, to star the ones that changed since. */
const seen = new WeakMap<Inferior, { count: number; values: Map<string, bigint>; previous: Map<string, bigint> | null }>()

function changedRegisters(inferior: Inferior, values: Map<string, bigint>): Set<string> {
  const known = seen.get(inferior)
  let previous = known?.previous ?? null
  if (!known || known.count !== inferior.instructionCount) {
    previous = known?.values ?? null
    seen.set(inferior, { count: inferior.instructionCount, values, previous })
  }
  return new Set([...values].filter(([name, value]) => previous && previous.get(name) !== value).map(([name]) => name))
}

function registersSection(out: OutputBuilder, view: ProgramView): void {
  const values = new Map<string, bigint>()
  for (const name of COMMON_REGISTERS) {
    const value = view.register(name)
    if (value !== undefined) values.set(name, value)
  }
  const changed = changedRegisters(view.inferior, values)
  for (const [name, value] of values) {
    out.write(changed.has(name) ? '*' : ' ', 'code')
    out.write(name.padEnd(4).toUpperCase(), changed.has(name) ? 'code' : 'heading')
    out.write(' ')
    if (name === 'eflags') {
      const flags = FLAG_BITS.map(([flag, bit]) => ((value >> BigInt(bit)) & 1n ? flag : flag.toLowerCase()))
      out.line(`0x${value.toString(16)} [ ${flags.join(' ')} ]`)
      continue
    }
    writeLines(out, [formatChain(view, value)])
  }
}

/** pwndbg's source listing: the lines around the current one, numbered, ► at the current line. */
function sourceSection(out: OutputBuilder, view: ProgramView): void {
  const frame = view.session.selectedFrame()
  const inferior = view.inferior
  const span = inferior.program.debug?.spanAt(inferior.linkAddress(frame.level === 0 ? frame.pc : frame.pc - 1))
  const count = span && inferior.program.lineCount(span.file)
  if (!span || count === undefined) return
  banner(out, 'source (code)')
  out.line(`In file: ${span.file}:${span.line}`)
  const start = Math.max(span.line - 1 - SOURCE_LINES / 2, 0)
  const end = Math.min(span.line - 1 + SOURCE_LINES / 2 + 1, count)
  const width = String(end).length
  for (let line = start + 1; line <= end; line++) {
    const text = (inferior.program.sourceLine(span.file, line) ?? '').replace(/\t/g, ' '.repeat(8))
    const current = line === span.line
    out.line(` ${current ? '►' : ' '} ${String(line).padStart(width)} ${text}`, current ? 'heading' : 'plain')
  }
}

function backtraceSection(out: OutputBuilder, view: ProgramView): void {
  const selected = view.session.selectedFrameLevel
  const lines: Segment[][] = view.session
    .frames()
    .slice(0, BACKTRACE_LINES)
    .map((frame) => [
      { text: ` ${frame.level === selected ? '►' : ' '} `, style: frame.level === selected ? 'code' : 'plain' },
      { text: `${frame.level} `, style: 'plain' },
      { text: `0x${frame.pc.toString(16)}`.padStart(16), style: 'address' },
      { text: ` ${view.symbol(BigInt(frame.pc)) ?? ''}`, style: 'plain' },
    ])
  writeLines(out, lines)
}

export const contextCommand: Command = {
  name: 'context',
  category: 'status',
  aliases: ['ctx'],
  summary: 'Print out the current register, instruction, and stack context.',
  documentation: [
    'Print out the current register, instruction, and stack context (pwndbg).',
    `Usage: context [SECTION...], SECTION one of ${SECTIONS.join(', ')} (all by default).`,
    'Registers that changed since the last stop context showed are starred.',
    'Example: context stack regs',
  ].join('\n'),
  run(args, out, { session }) {
    const { view } = runningView(session, 'context')
    const words = splitWords(args)
    for (const word of words) if (!(SECTIONS as readonly string[]).includes(word)) throw new CommandError(`Invalid context section "${word}": choose from ${SECTIONS.join(', ')}.`)
    const wanted: readonly Section[] = words.length === 0 ? SECTIONS : (words as Section[])
    writeLegend(out)
    for (const section of wanted) {
      if (section === 'regs') {
        banner(out, 'registers', 'show-flags off / show-compact-regs off')
        registersSection(out, view)
      } else if (section === 'disasm') {
        banner(out, 'disasm', 'x86-64 / set emulate off')
        writeLines(out, nearpcLines(view, view.register('rip')!, CODE_LINES / 2))
      } else if (section === 'code') sourceSection(out, view)
      else if (section === 'stack') {
        banner(out, 'stack')
        writeLines(out, telescopeLines(view, view.register('rsp')!, STACK_LINES))
      } else {
        banner(out, 'backtrace')
        backtraceSection(out, view)
      }
    }
    out.line('─'.repeat(WIDTH), 'muted')
  },
}
