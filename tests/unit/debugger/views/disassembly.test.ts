// Disassembly as gdb prints it: GNU's AT&T and Intel text checked against objdump over every
// instruction of a static glibc binary and of a Memscape-built one, then `disassemble`, `x/i` and
// `set disassembly-flavor` transcripts compared with gdb 13.

import { execFileSync } from 'node:child_process'
import { Decoder, DecoderOptions, Instruction } from 'iced-x86'
import { afterAll, describe, expect, test } from 'vitest'
import { disassemble } from '../../../../shared/machine/disasm'
import { gnuInstructionText, type GnuFlavor } from '../../../../shared/machine/disasm-gnu'
import { Memory, PAGE_SIZE, PROT_EXEC, PROT_READ } from '../../../../shared/machine/memory'
import { buildWithGcc, buildWithMemscape, drive, gdbTranscript, memscapeTranscript, normalise, readBinary, scratch, type Built } from './harness'

const { dir, cleanUp } = scratch()
afterAll(cleanUp)
const gcc = buildWithGcc(dir, 'w')
const memscape = buildWithMemscape(dir, 'm')

/** objdump's text for every instruction of the file's code sections, by address. */
function objdumpLines(built: Built, flavor: GnuFlavor): { address: number; text: string }[] {
  const dump = execFileSync('objdump', ['-d', '-z', '--no-show-raw-insn', ...(flavor === 'intel' ? ['-M', 'intel'] : []), built.path], { encoding: 'utf8', maxBuffer: 1 << 30 })
  const lines: { address: number; text: string }[] = []
  for (const line of dump.split('\n')) {
    const match = /^\s+([0-9a-f]+):\t(.*)$/.exec(line)
    // objdump restarts at each symbol, and shows padding cut short by one as `.byte`.
    if (!match || match[2]!.startsWith('.byte')) continue
    // objdump names targets `401624 <sum>` and comments `# 4a40d0 <g>`; gdb's annotations are the debugger's.
    const text = match[2]!
      .replace(/\s+$/, '')
      .replace(/ <[^>]*>/g, '')
      .replace(/\s+# [0-9a-f]+$/, '')
      .replace(/^((?:\w+ )*)(j\w+|call|jmp|loop\w*|xbegin)(\s+)([0-9a-f]+)$/, (_, prefixes: string, mnemonic: string, space: string, target: string) => `${prefixes}${mnemonic}${space}0x${target}`)
    lines.push({ address: parseInt(match[1]!, 16), text })
  }
  return lines
}

/** Our text for the instruction at each objdump address, decoded from the file's bytes. */
function ourText(built: Built, addresses: readonly number[], flavor: GnuFlavor): string[] {
  const image = readBinary(built.path)
  const sections = execFileSync('readelf', ['-SW', built.path], { encoding: 'utf8' })
    .split('\n')
    .map((l) => /\]\s+\S+\s+PROGBITS\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)/.exec(l))
    .filter((m) => m !== null)
    .map((m) => ({ address: parseInt(m[1]!, 16), offset: parseInt(m[2]!, 16), size: parseInt(m[3]!, 16) }))
  const instruction = new Instruction()
  return addresses.map((address) => {
    const section = sections.find((s) => address >= s.address && address < s.address + s.size)!
    const at = section.offset + address - section.address
    const bytes = image.subarray(at, Math.min(at + 15, section.offset + section.size))
    const decoder = new Decoder(64, bytes, DecoderOptions.None)
    decoder.ip = BigInt(address)
    decoder.decodeOut(instruction)
    decoder.free()
    return gnuInstructionText(instruction, bytes.subarray(0, instruction.length), flavor)
  })
}

describe('GNU syntax against objdump', () => {
  for (const flavor of ['att', 'intel'] as const) {
    test(`every instruction of static glibc and the program, ${flavor}`, () => {
      const expected = objdumpLines(gcc, flavor)
      const ours = ourText(gcc, expected.map((line) => line.address), flavor)
      const differing = expected.filter((line, i) => line.text !== ours[i]).map((line) => line.text)
      expect(expected.length).toBeGreaterThan(100_000)
      // The one known difference in all of glibc: an `addr32` prefix on a call, which iced drops.
      expect(differing.filter((text) => !text.startsWith('addr32 '))).toEqual([])
      expect(differing.length).toBeLessThanOrEqual(1)
    }, 60_000)

    test(`every instruction of a Memscape-built program, ${flavor}`, () => {
      const expected = objdumpLines(memscape, flavor)
      const ours = ourText(memscape, expected.map((line) => line.address), flavor)
      expect(ours).toEqual(expected.map((line) => line.text))
    }, 60_000)
  }

  test('prefixes, implicit operands and spellings libopcodes chooses', () => {
    const memory = Memory.create({ maxBytes: 16 * PAGE_SIZE })
    memory.map(0x401000, PAGE_SIZE, PROT_READ | PROT_EXEC)
    // repz ret; shr %edx; rep stos; data16 cs nopw; fxch; movabs; imul with one register twice
    const code = [0xf3, 0xc3, 0xd1, 0xea, 0xf3, 0x48, 0xab, 0x66, 0x66, 0x2e, 0x0f, 0x1f, 0x84, 0, 0, 0, 0, 0, 0xd9, 0xc9, 0x48, 0xb8, 1, 0, 0, 0, 1, 0, 0, 0, 0x69, 0xc0, 0x41, 4, 0, 0]
    memory.poke(0x401000, Uint8Array.from(code))
    const att = disassemble(memory, 0x401000, 7, { syntax: 'gnu-att' }).map((line) => line.text)
    expect(att).toEqual(['repz ret', 'shr    %edx', 'rep stos %rax,%es:(%rdi)', 'data16 cs nopw 0x0(%rax,%rax,1)', 'fxch   %st(1)', 'movabs $0x100000001,%rax', 'imul   $0x441,%eax,%eax'])
    const intel = disassemble(memory, 0x401000, 7, { syntax: 'gnu-intel' }).map((line) => line.text)
    expect(intel).toEqual(['repz ret', 'shr    edx,1', 'rep stos QWORD PTR es:[rdi],rax', 'data16 cs nop WORD PTR [rax+rax*1+0x0]', 'fxch   st(1)', 'movabs rax,0x100000001', 'imul   eax,eax,0x441'])
    // The default stays iced's Intel text for the other views.
    expect(disassemble(memory, 0x401002, 1)[0]!.text).toBe('shr edx,1')
  })
})

/** Frame lines name a Memscape-built file `./m.c` in gdb; the frame printer (not these commands) drops the `./`. */
const sameFile = (text: string): string => normalise(text).replace(/( at | file )\.\//g, '$1')

async function sameAsGdb(built: Built, script: readonly string[]): Promise<void> {
  expect(sameFile(await memscapeTranscript(built, script))).toBe(sameFile(gdbTranscript(built, script)))
}

describe('disassemble and x/i against gdb', () => {
  test('before the program runs, gdb reads the file: functions, ranges, /r /s /m, both flavours', async () => {
    await sameAsGdb(gcc, [
      'disassemble main', 'disassemble /r square', 'disassemble /s sum', 'disassemble /m main', 'disassemble square,+3',
      'disassemble 0x401010,0x401030', 'disassemble &g', 'x/3i main', 'show disassembly-flavor',
      'set disassembly-flavor intel', 'show disassembly-flavor', 'disassemble /rs sum', 'x/4i square', 'disassemble /m sum',
      'set disassembly-flavor att', 'disassemble main,main+10',
    ])
  }, 60_000)

  test('stopped: => marks the pc, in the selected frame too; /s in a range starting without line information', async () => {
    await sameAsGdb(gcc, [
      'break square', 'run', 'disassemble', 'up', 'disassemble', 'x/2i $pc', 'disassemble /s', 'down',
      'set disassembly-flavor intel', 'x/6i $pc-8', 'disassemble /s 0x401600,0x401640', 'disassemble /r', 'finish', 'x/3i $pc',
    ])
  }, 60_000)

  test('errors are gdb\'s, and what gdb printed before an unreadable address is printed', async () => {
    await sameAsGdb(gcc, [
      'disassemble', 'disassemble nosuch', 'disassemble 0', 'disassemble /x', 'disassemble 0,4', 'disassemble 0xffffffffffffffff,+2',
      'disassemble 0xfffffffffffffff0,0xffffffffffffffff', 'set disassembly-flavor foo', 'set disassembly-flavor', 'set disassembly-flavor att extra',
    ])
    const { run } = drive(gcc)
    for (const [line, message] of [
      ['disassemble', 'No frame selected.'],
      ['disassemble 0', 'No function contains specified address.'],
      ['disassemble /q main', 'Invalid disassembly modifier.'],
      ['disassemble /ms main', 'Cannot specify both /m and /s.'],
      ['set disassembly-flavor x86', 'Undefined item: "x86".'],
      ['show nosuch', 'Undefined show command: "nosuch".  Try "help show".'],
    ] as const) {
      const output = await run(line)
      expect(output.ok, line).toBe(false)
      expect(output.segments.filter((s) => s.style === 'error').map((s) => s.text).join(''), line).toBe(`${message}\n`)
    }
  }, 60_000)

  test('a Memscape-built program disassembles as gdb shows it, stopped or not', async () => {
    await sameAsGdb(memscape, ['disassemble main', 'disassemble /r sum', 'break square', 'run', 'disassemble', 'up', 'x/4i $pc', 'set disassembly-flavor intel', 'disassemble'])
  }, 60_000)

  test('a static PIE: link-time addresses before it runs, where the kernel put it once it does', async () => {
    const pie = buildWithMemscape(dir, 'pie', undefined, true)
    await sameAsGdb(pie, ['disassemble square', 'x/2i main', 'break square', 'run', 'disassemble', 'info symbol $pc', 'x/2i $pc', 'info line *$pc', 'print &g', 'info symbol &g'])
  }, 60_000)
})
