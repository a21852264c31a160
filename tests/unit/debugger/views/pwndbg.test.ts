// pwndbg's memory views over a stopped gcc-built and Memscape-built program: the shapes pwndbg
// prints (its legend, rows, pointer chains, hexdump rows, banners), the values they must show
// (return addresses, the canary, mappings), and one clear error for each mistake.

import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { OutputBuilder, outputText, type CommandOutput } from '../../../../shared/debugger'
import { writeHexdump } from '../../../../shared/debugger/commands/hexdump'
import { pythonRepr } from '../../../../shared/debugger/pointer-chain'
import { buildWithGcc, buildWithMemscape, drive, scratch, type Built, type Driven } from './harness'

const { dir, cleanUp } = scratch()
afterAll(cleanUp)
const gcc = buildWithGcc(dir, 'w')
/** With -fstack-protector-all every function keeps a copy of the canary below its saved rbp. */
const guarded = buildWithGcc(dir, 'guarded', undefined, ['-fstack-protector-all'])
const memscape = buildWithMemscape(dir, 'm')

const errorText = (output: CommandOutput): string => output.segments.filter((s) => s.style === 'error').map((s) => s.text).join('')
const hex = (n: bigint | number): string => `0x${n.toString(16)}`

/** A session stopped at the breakpoint in square (frames: square, sum, main). */
async function stoppedInSquare(built: Built): Promise<Driven & { value(expression: string): Promise<bigint> }> {
  const driven = drive(built)
  await driven.run('break square')
  await driven.run('run')
  return { ...driven, value: async (expression) => BigInt(/= (0x[0-9a-f]+)\n$/.exec(await driven.text(`print/x (long)(${expression})`))![1]!) }
}

const POINTER_COMMANDS = ['vmmap', 'telescope', 'stack', 'hexdump', 'context', 'nearpc', 'canary', 'piebase', 'search x', 'distance 1', 'xinfo', 'retaddr']

test('every view needs a running program and says so with pwndbg\'s words', async () => {
  const { run } = drive(gcc)
  for (const line of POINTER_COMMANDS) {
    const output = await run(line)
    expect(output.ok, line).toBe(false)
    expect(outputText(output), line).toBe(`${line.split(' ')[0]}: The program is not being run.\n`)
  }
})

describe('vmmap', () => {
  let s: Awaited<ReturnType<typeof stoppedInSquare>>
  beforeAll(async () => {
    s = await stoppedInSquare(gcc)
  })

  test('the legend, the header and one row per mapping, coloured by kind', async () => {
    const output = await s.run('vmmap')
    const lines = outputText(output).split('\n')
    expect(lines[0]).toBe('LEGEND: STACK | HEAP | CODE | DATA | WX | RODATA')
    expect(lines[1]).toBe('             Start                End Perm     Size Offset File')
    const regions = s.session.inferior!.machine.regions()
    expect(lines.length - 3).toBe(regions.length)
    expect(lines).toContain(`          0x401000           0x479000 r-xp    78000   1000 ${gcc.path}`)
    expect(lines.some((line) => /^ {4}0x7ffffffde000 {5}0x7ffffffff000 rw-p {4}21000 {6}0 \[stack\]$/.test(line))).toBe(true)
    expect(lines).toContain('0xffffffffff600000 0xffffffffff601000 --xp     1000      0 [vsyscall]')
    const style = (text: string): string | undefined => output.segments.find((s) => s.text.includes(text))?.style
    expect(style('[stack]')).toBe('stack')
    expect(style('[heap]')).toBe('heap')
    expect(style('r-xp    78000')).toBe('code')
    expect(style('rw-p     3000')).toBe('data')
    expect(style('r--p    27000')).toBe('plain')
    expect(output.segments.filter((s) => s.text === 'STACK' || s.text === 'WX').map((s) => s.style)).toEqual(['stack', 'rwx'])
  })

  test('an address or a name picks mappings, ► marks them, with the neighbours pwndbg shows', async () => {
    const rsp = await s.value('$rsp')
    const lines = (await s.text('vmmap $rsp')).split('\n')
    expect(lines.slice(2, 4)).toEqual([
      '    0x7ffff7ffd000     0x7ffff7fff000 r-xp     2000      0 [vdso]',
      `►     0x7ffffffde000     0x7ffffffff000 rw-p    21000      0 [stack] +${hex(rsp - 0x7ffffffde000n)}`,
    ])
    expect((await s.text('vmmap heap')).split('\n').filter((l) => l.startsWith('►'))).toHaveLength(1)
    expect((await s.text('vmmap -x')).split('\n').slice(2).filter((l) => l !== '').every((l) => / r-xp | --xp /.test(l))).toBe(true)
    const none = await s.run('vmmap 0')
    expect(none.ok).toBe(false)
    expect(outputText(none)).toBe('There are no mappings for specified address or module.\n')
  })
})

describe('telescope and stack', () => {
  test('slots from rsp: registers or the offset from rbp, chains into code, strings and integers', async () => {
    const s = await stoppedInSquare(gcc)
    const rsp = await s.value('$rsp')
    const lines = (await s.text('telescope')).split('\n')
    expect(lines).toHaveLength(9)
    expect(lines[0]).toMatch(new RegExp(`^00:0000│ rbp rsp ${hex(rsp)} —▸ 0x7ffffff[0-9a-f]+ `))
    // The return address into sum, and what it points at as capstone writes it.
    const into = lines.find((line) => line.includes('(sum+'))!
    expect(into).toMatch(/^0[0-7]:00[0-3][0-9a-f]│\+0[0-9a-f]{2} {5}0x7ffffff[0-9a-f]+ —▸ 0x40[0-9a-f]+ \(sum\+\d+\) ◂— add dword ptr \[rbp - (0x[0-9a-f]+|\d)\], eax$/)
    expect(await s.text('stack')).toBe(lines.join('\n'))
    // From rsp+8 no register points into the slots, so the offset column is narrower.
    expect((await s.text('stack 2 1')).split('\n')[0]).toBe(lines[1]!.replace(/^01:0008│(\S+) +/, '00:0000│$1 '))
    expect((await s.text('telescope $rsp 2')).split('\n')).toHaveLength(3)
    // `telescope 3`: a small unreadable first argument is a count.
    expect((await s.text('telescope 3')).split('\n').slice(0, 3)).toEqual(lines.slice(0, 3))
    // argv[0]: a pointer to a pointer to the program's path, as a Python string.
    const argv = await s.value('((char **)$rsi)')
    expect(await s.text(`telescope ${hex(argv)} 1`)).toMatch(new RegExp(`^00:0000│ [a-z0-9 ]+ ?${hex(argv)} —▸ 0x7ffffff[0-9a-f]+ ◂— '${gcc.path}'\n$`))
  })

  test('a self-pointer stops at its second occurrence; runs of one value collapse; memory ends', async () => {
    const s = await stoppedInSquare(gcc)
    const rsp = await s.value('$rsp')
    await s.run('set var *(long *)$rsp = $rsp')
    expect((await s.text('telescope 1')).trimEnd()).toBe(`00:0000│ rbp rsp ${hex(rsp)} ◂— ${hex(rsp)}`)
    // Five zero slots well below the stack pointer: the first shown, the other four counted.
    for (let slot = 0; slot < 5; slot++) await s.run(`set var *(long *)($rsp - 0x800 + ${slot * 8}) = 0`)
    expect(await s.text('telescope $rsp-0x800 5')).toBe(`00:0000│-800 ${hex(rsp - 0x800n)} ◂— 0x0\n... ↓     4 skipped\n`)
    const top = (await s.text('telescope 0x7fffffffefe8 4')).split('\n')
    expect(top.at(-2)).toBe('<Could not read memory at 0x7ffffffff000>')
    expect(errorText(await s.run('telescope nosuch'))).toBe('No symbol "nosuch" in current context.\n')
  })

  test('a Memscape-built program telescopes the same way', async () => {
    const s = await stoppedInSquare(memscape)
    expect((await s.text('telescope 2')).split('\n')[1]).toMatch(/^01:0008│\+008 {5}0x7ffffff[0-9a-f]+ —▸ 0x40[0-9a-f]+ \(sum\+\d+\) ◂— /)
  })
})

describe('hexdump', () => {
  test('rows of 16 bytes in two groups, then the characters between │', async () => {
    const s = await stoppedInSquare(gcc)
    const origin = await s.value('&origin')
    expect(await s.text('hexdump &origin 24')).toBe(
      [
        `+0000 ${hex(origin)}  03 00 00 00 00 00 00 00  fc ff ff ff ff ff ff ff  │........│........│`,
        `+0010 ${hex(origin + 16n)}  6f 72 69 67 69 6e 00 00                           │origin..│        │`,
        '',
      ].join('\n'),
    )
    expect((await s.text('hexdump')).split('\n')).toHaveLength(5)
    expect(errorText(await s.run('hexdump 0'))).toBe('Could not read memory at specified address\n')
    expect(errorText(await s.run('hexdump nosuchmodule'))).toBe('hexdump: error: argument address: Could not find pages for module nosuchmodule\n')
  })

  test('identical rows after the first are counted, as pwndbg does', () => {
    const out = new OutputBuilder()
    const data = new Uint8Array(80)
    data.set([0x41, 0x20, 0x7f], 64)
    writeHexdump(out, data, 0x1000n)
    expect(outputText(out.build(true))).toBe(
      [
        '+0000 0x001000  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  │........│........│',
        '... ↓            skipped 2 identical lines (32 bytes)',
        '+0030 0x001030  00 00 00 00 00 00 00 00  00 00 00 00 00 00 00 00  │........│........│',
        '+0040 0x001040  41 20 7f 00 00 00 00 00  00 00 00 00 00 00 00 00  │A.......│........│',
        '',
      ].join('\n'),
    )
  })
})

describe('stack frames and the canary', () => {
  test('retaddr shows the slots holding the callers\' return addresses, innermost first', async () => {
    const s = await stoppedInSquare(gcc)
    const lines = (await s.text('retaddr')).trimEnd().split('\n')
    expect(lines).toHaveLength(2)
    expect(lines[0]).toMatch(/^0x7ffffff[0-9a-f]+ —▸ 0x40[0-9a-f]+ \(sum\+\d+\) ◂— add dword ptr/)
    expect(lines[1]).toMatch(/^0x7ffffff[0-9a-f]+ —▸ 0x40[0-9a-f]+ \(main\+\d+\) ◂— mov dword ptr/)
  })

  test('canary: AT_RANDOM, the TLS slot fs:0x28 and a copy on the stack', async () => {
    const s = await stoppedInSquare(guarded)
    const tls = (await s.value('$fs_base')) + 0x28n
    const canary = await s.value(`*(long *)${hex(tls)}`)
    const lines = (await s.text('canary')).trimEnd().split('\n')
    expect(lines[0]).toMatch(/^AT_RANDOM {2}= 0x7ffffff[0-9a-f]+ # points to global canary seed value$/)
    expect(lines[1]).toBe(`TLS Canary = ${hex(tls)} # address where canary is stored`)
    expect(lines[2]).toBe(`Canary     = ${hex(canary)} (may be incorrect on != glibc)`)
    expect(lines[3]).toBe('Thread 1: Found valid canaries.')
    expect(lines[4]).toMatch(new RegExp(`^00:0000│.{4} 0x7ffffff[0-9a-f]+ ◂— ${hex(canary)}$`))
    expect(lines[5]).toBe('Additional results hidden. Use --all to see them.')
    const all = (await s.text('canary -a')).trimEnd().split('\n')
    expect(all.filter((line) => line.endsWith(hex(canary)) && line.startsWith('00:0000')).length).toBeGreaterThanOrEqual(3)
    expect(errorText(await s.run('canary now'))).toBe('canary: error: unrecognized arguments: now\n')
  })

  test('xinfo on the stack: its ends, rsp and rbp, and the next canary above', async () => {
    const s = await stoppedInSquare(guarded)
    const rsp = await s.value('$rsp')
    const lines = (await s.text('xinfo $rsp')).split('\n')
    expect(lines.slice(0, 3)).toEqual([`Extended information for virtual address ${hex(rsp)}:`, '', '  Containing mapping:'])
    expect(lines).toContain(`           Stack Top ${hex(rsp)} = 0x7ffffffde000 + ${hex(rsp - 0x7ffffffde000n)}`)
    expect(lines).toContain(`           Stack End ${hex(rsp)} = 0x7ffffffff000 - ${hex(0x7ffffffff000n - rsp)}`)
    expect(lines).toContain(`       Stack Pointer ${hex(rsp)} = ${hex(rsp)} + 0x0`)
    expect(lines.some((line) => line.startsWith('   Next Stack Canary '))).toBe(true)
    const main = await s.value('main')
    const code = (await s.text('xinfo main')).split('\n')
    expect(code).toContain(`         Mapped Area ${hex(main)} = 0x401000 + ${hex(main - 0x401000n)}`)
    expect(code).toContain(`         File (Disk) ${hex(main)} = ${guarded.path} + ${hex(main - 0x400000n)}`)
    expect(code).toContain(' Containing ELF sections:')
    expect(code.some((line) => line.startsWith('               .text '))).toBe(true)
    expect(errorText(await s.run('xinfo 0'))).toBe('Virtual address 0x0 is not mapped.\n')
  })
})

describe('addresses', () => {
  test('distance between two addresses, and from a mapping\'s start', async () => {
    const s = await stoppedInSquare(gcc)
    const rsp = await s.value('$rsp')
    expect(await s.text('distance $rsp $rsp+0x48')).toBe(`${hex(rsp)}->${hex(rsp + 0x48n)} is 0x48 bytes (0x9 words)\n`)
    expect(await s.text('distance $rsp+0x10 $rsp')).toBe(`${hex(rsp + 0x10n)}->${hex(rsp)} is -0x10 bytes (-0x2 words)\n`)
    expect(await s.text('distance $rsp')).toBe(`0x7ffffffde000->${hex(rsp)} is ${hex(rsp - 0x7ffffffde000n)} bytes (${hex((rsp - 0x7ffffffde000n) / 8n)} words)\n`)
    expect(errorText(await s.run('distance 16'))).toBe('0x10 does not belong to a mapped page in memory\n')
    expect(errorText(await s.run('distance'))).toBe('distance: error: the following arguments are required: a\n')
  })

  test('piebase rebases an offset on the executable; a PIE moves with ASLR', async () => {
    const s = await stoppedInSquare(gcc)
    expect(await s.text('piebase')).toBe(`Calculated VA from ${gcc.path} = 0x400000\n`)
    expect(await s.text('piebase 0x1139')).toBe(`Calculated VA from ${gcc.path} = 0x401139\n`)
    const beyond = await s.run('piebase 0x100000000')
    expect(outputText(beyond)).toMatch(/^Offset 0x100000000 rebased to module .* as 0x100400000 is beyond module's memory pages:\n/)
    expect(errorText(beyond)).toBe('Could not calculate VA on current target.\n')
    const pie = buildWithMemscape(dir, 'pie', undefined, true)
    const p = drive(pie, { aslr: 2 })
    await p.run('starti')
    const base = p.session.inferior!.loadBias + Math.min(...p.session.program!.elf.programHeaders.filter((h) => h.type === 1).map((h) => h.vaddr))
    expect(await p.text('piebase 0x10')).toBe(`Calculated VA from ${pie.path} = ${hex(base + 0x10)}\n`)
  }, 60_000)

  test('search: strings, integers and bytes, where they are and what is there', async () => {
    const s = await stoppedInSquare(gcc)
    const msg = await s.value('msg')
    const hits = (await s.text('search -t string hello')).split('\n')
    expect(hits[0]).toBe("Searching for string: b'hello\\x00'")
    expect(hits).toContain(`w               ${hex(msg)} 0x6425006f6c6c6568 /* 'hello' */`)
    const g = await s.value('&g')
    expect((await s.text('search -4 7 w')).split('\n').some((line) => line.startsWith(`w               ${hex(g)} 0x`))).toBe(true)
    expect((await s.text('search -x 68656c6c6f w')).split('\n')[0]).toBe("Searching for byte: b'hello'")
    expect(errorText(await s.run('search -t nosuch 1'))).toMatch(/^search: error: argument -t\/--type: invalid choice: 'nosuch'/)
    expect(errorText(await s.run('search -x abc'))).toBe("invalid input for type hex: decoding with 'hex' codec failed (Error: Odd-length string)\n")
    expect(errorText(await s.run('search hello nosuchmapping'))).toBe("Could not find mapping 'nosuchmapping'\n")
    expect(errorText(await s.run('search -s 3 hello'))).toBe('search: the step must be a positive power of two, not 3\n')
  })

  test('aslr reports and sets randomisation for the next run', async () => {
    const { run, text, session } = drive(gcc)
    expect(await text('aslr')).toBe('ASLR is OFF (show disable-randomization)\n')
    expect(await text('aslr on')).toBe('ASLR is ON (show disable-randomization)\n')
    expect(session.run.aslr).toBe(2)
    await run('starti')
    expect(await text('aslr off')).toBe("Change will take effect when the process restarts\nASLR is ON (read status from process' personality)\n")
    expect(session.run.aslr).toBe(0)
    expect(errorText(await run('aslr maybe'))).toBe("aslr: error: argument state: invalid choice: 'maybe' (choose from 'on', 'off')\n")
  })

  test("gdb's set disable-randomization and Memscape's set random-seed set the next run", async () => {
    const { run, text, session } = drive(gcc)
    await run('set disable-randomization off')
    expect(await text('show disable-randomization')).toBe("Disabling randomization of debuggee's virtual address space is off.\n")
    expect(session.run.aslr).toBe(2)
    await run('set disable-randomization')
    expect(session.run.aslr).toBe(0)
    expect(errorText(await run('set disable-randomization maybe'))).toBe('"on" or "off" expected.\n')
    await run('set random-seed 0x2a')
    expect(session.run.seed).toBe(42)
    expect(await text('show random-seed')).toBe("The seed of the next run's randomness (ASLR slides, the canary, getrandom) is 42.\n")
    expect(errorText(await run('set random-seed -1'))).toBe('random-seed: a number from 0 to 4294967295 expected, not "-1".\n')
  })
})

describe('nearpc and context', () => {
  test('nearpc: five instructions either side, ► at the pc, branch targets named, a gap after flow changes', async () => {
    const s = await stoppedInSquare(gcc)
    const pc = await s.value('$pc')
    const lines = (await s.text('nearpc')).split('\n')
    const current = lines.findIndex((line) => line.startsWith(' ► '))
    expect(lines[current]).toMatch(new RegExp(`^ ► ${hex(pc)} <square\\+7> +mov +eax, dword ptr \\[rbp - 4\\]$`))
    expect(lines.slice(0, current).every((line) => /^ {3}0x40[0-9a-f]+ <square(\+\d+)?> +\S/.test(line))).toBe(true)
    // `ret` ends square: pwndbg leaves a line with one space before the next function.
    expect(lines).toContain(' ')
    // The address asked for is the one marked.
    const call = (await s.text('nearpc sum+32 0')).trimEnd()
    expect(call).toMatch(/^ ► 0x40[0-9a-f]+ <sum\+32> +call +square +<square>$/)
    expect(errorText(await s.run('nearpc 0x10 4'))).toBe('Invalid address 0x10\n')
  })

  test('context: the legend, then registers, disassembly, source, stack and backtrace under banners', async () => {
    const s = await stoppedInSquare(gcc)
    const text = await s.text('context')
    const banners = text.split('\n').filter((line) => line.startsWith('─'))
    expect(banners.map((line) => line.replace(/─+/g, '─'))).toEqual([
      '─[ REGISTERS / show-flags off / show-compact-regs off ]─',
      '─[ DISASM / x86-64 / set emulate off ]─',
      '─[ SOURCE (CODE) ]─',
      '─[ STACK ]─',
      '─[ BACKTRACE ]─',
      '─',
    ])
    expect(banners.every((line) => [...line].length === 80)).toBe(true)
    expect(text).toMatch(/^LEGEND: STACK \| HEAP \| CODE \| DATA \| WX \| RODATA\n/)
    expect(text).toMatch(/\n RIP {2}0x40161c \(square\+7\) ◂— mov eax, dword ptr \[rbp - 4\]\n/)
    expect(text).toMatch(/\n EFLAGS 0x[0-9a-f]+ \[ (cf|CF) (pf|PF) (af|AF) (zf|ZF) (sf|SF) (if|IF) (df|DF) (of|OF) \]\n/)
    expect(text).toContain(`In file: ${gcc.sourcePath}:15\n`)
    expect(text).toContain('\n ► 15   return v * v;\n')
    expect(text).toMatch(/\n ► 0 {9}0x40161c square\+7\n {3}1 {9}0x40[0-9a-f]+ sum\+\d+\n {3}2 {9}0x40[0-9a-f]+ main\+\d+\n/)
    // After a step the registers it changed are starred.
    await s.run('stepi')
    const regs = await s.text('context regs')
    expect(regs).toMatch(/\n\*RIP {2}/)
    expect(regs).toMatch(/\n RBX {2}/)
    expect(errorText(await s.run('context nosuch'))).toBe('Invalid context section "nosuch": choose from regs, disasm, code, stack, backtrace.\n')
  })

  test('a Memscape-built program in context', async () => {
    const s = await stoppedInSquare(memscape)
    const text = await s.text('context code backtrace')
    expect(text).toContain('\n ► 15   return v * v;\n')
    expect(text).toMatch(/ ► 0 {9}0x40[0-9a-f]+ square\+7\n/)
  })
})

test('Python reprs of strings, as pwndbg shows them', () => {
  expect(pythonRepr('hello')).toBe("'hello'")
  expect(pythonRepr("it's")).toBe('"it\'s"')
  expect(pythonRepr('a\tb\n\\')).toBe("'a\\tb\\n\\\\'")
  expect(pythonRepr('\x0b')).toBe("'\\x0b'")
})
