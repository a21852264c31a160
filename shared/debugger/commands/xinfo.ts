// pwndbg's `xinfo`: where an address is: its mapping, its offsets from the stack's ends and
// registers, or from the executable's base, segment, file position and section.

import { CommandError, type Command } from '../command'
import { PT_LOAD } from '../../machine/elf'
import { isFilePage, isStackPage, memoryStyle, pageRow, pyHex, type Page } from '../memory-map'
import type { OutputBuilder } from '../output'
import { findOccurrences } from '../pwn'
import { AT_RANDOM } from '../../machine/initial-stack'
import { integerArgument, runningView, splitWords } from '../pwndbg-arguments'
import type { ProgramView } from '../pointer-chain'

const SHF_ALLOC = 2

/** `           Stack Top 0x7ffe… = 0x7ffffffde000 + 0x1f4f0`: pwndbg's offset line. */
function offsetLine(out: OutputBuilder, view: ProgramView, name: string, address: bigint, first: bigint | string, second: bigint, op: '+' | '-'): void {
  out.write(`${name.padStart(20)} `)
  out.write(pyHex(address), memoryStyle(view.page(address)))
  out.write(' = ')
  if (typeof first === 'string') out.write(first.padEnd(pyHex(address).length))
  else out.write(pyHex(first), memoryStyle(view.page(first)))
  out.line(` ${op} ${pyHex(second)}`)
}

function stackOffsets(out: OutputBuilder, view: ProgramView, page: Page, address: bigint): void {
  const sp = view.register('rsp')!
  const bp = view.register('rbp')!
  offsetLine(out, view, 'Stack Top', address, page.start, address - page.start, '+')
  offsetLine(out, view, 'Stack End', address, page.end, page.end - address, '-')
  offsetLine(out, view, 'Stack Pointer', address, sp, address - sp, '+')
  if (view.page(bp) === page) offsetLine(out, view, 'Frame Pointer', address, bp, bp - address, '-')
  const random = view.inferior.machine.process.auxv.find((entry) => entry.type === AT_RANDOM)
  const seed = random && view.readPointer(BigInt(random.value))
  const bytes = view.inferior.read(Number(page.start), Number(page.end - page.start))
  if (seed === null || seed === undefined || !bytes) return
  const pattern = new Uint8Array(8)
  new DataView(pattern.buffer).setBigUint64(0, seed & ~0xffn, true)
  const next = findOccurrences([{ start: Number(page.start), bytes }], pattern).map(BigInt).find((hit) => hit > address)
  if (next !== undefined) offsetLine(out, view, 'Next Stack Canary', address, next, next - address, '-')
}

function fileOffsets(out: OutputBuilder, view: ProgramView, page: Page, address: bigint): void {
  const program = view.inferior.program
  const first = view.pages.filter((p) => p.objfile === page.objfile).reduce((low, p) => (p.start < low.start ? p : low), page)
  offsetLine(out, view, 'File (Base)', address, first.start, address - first.start, '+')
  const bias = BigInt(view.inferior.loadBias)
  const loads = program.elf.programHeaders.filter((s) => s.type === PT_LOAD && address >= BigInt(s.vaddr) + bias && address < BigInt(s.vaddr + s.memsz) + bias)
  const segment = loads[0]
  if (segment) offsetLine(out, view, 'File (Segment)', address, BigInt(segment.vaddr) + bias, address - BigInt(segment.vaddr) - bias, '+')
  const backed = loads.find((s) => address < BigInt(s.vaddr + s.filesz) + bias)
  if (backed) offsetLine(out, view, 'File (Disk)', address, page.objfile, BigInt(backed.offset) + address - BigInt(backed.vaddr) - bias, '+')
  else {
    out.write(`${'File (Disk)'.padStart(20)} `)
    out.write(pyHex(address), memoryStyle(page))
    out.line(' = [not file backed]')
  }
  const sections = program.elf.sections.filter((s) => (s.flags & SHF_ALLOC) !== 0 && address >= BigInt(s.addr) + bias && address < BigInt(s.addr + s.size) + bias)
  if (sections.length === 0) return
  out.line('\n Containing ELF sections:')
  for (const section of sections) offsetLine(out, view, section.name, address, BigInt(section.addr) + bias, address - BigInt(section.addr) - bias, '+')
}

export const xinfoCommand: Command = {
  name: 'xinfo',
  category: 'memory',
  summary: 'Shows offsets of the specified address from various useful locations.',
  documentation: [
    'Shows offsets of the specified address from various useful locations (pwndbg).',
    'Usage: xinfo [ADDRESS]',
    'ADDRESS (default $pc): its mapping; on the stack, its distance from the stack\'s ends,',
    'rsp, rbp and the next canary; in the executable, from its base, its segment, its',
    'position in the file and its ELF sections.',
    'Example: xinfo $rsp',
  ].join('\n'),
  run(args, out, { session }) {
    const { view } = runningView(session, 'xinfo')
    const words = splitWords(args)
    const address = words.length === 0 ? view.register('rip')! : integerArgument(session, args)
    const page = view.page(address)
    if (!page) throw new CommandError(`Virtual address ${pyHex(address)} is not mapped.`)
    out.write('Extended information for virtual address ')
    out.write(pyHex(address), memoryStyle(page))
    out.line(':')
    out.line('\n  Containing mapping:')
    out.line(pageRow(page), memoryStyle(page))
    out.line('\n  Offset information:')
    if (isStackPage(page)) stackOffsets(out, view, page, address)
    else offsetLine(out, view, 'Mapped Area', address, page.start, address - page.start, '+')
    if (isFilePage(page)) fileOffsets(out, view, page, address)
  },
}
