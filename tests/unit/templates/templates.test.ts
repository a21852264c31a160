// The New menu's templates: each builds with Memscape's toolchain (-g) without a diagnostic, runs in
// the machine to the end its metadata promises, and stops at its marked line; plus the facts a
// template's comment asks the learner to check (NX on, ASLR on and off).

import { describe, expect, test } from 'vitest'
import { DebugIndex, readDebugInfo } from '../../../shared/debuginfo'
import { describeOutcome, markedBreakpointLine, TEMPLATES, templateById, type MemoryTemplate } from '../../../shared/templates'
import { sourceKind } from '../../../shared/toolchain/driver'
import { sessionOver } from '../debugger/session-harness'
import { buildTemplate, executableOf, runTemplate, runToBreakpoint } from './run-template'

const built = new Map<string, Uint8Array>()
/** Each template's executable, built once per test file. */
function executable(template: MemoryTemplate): Uint8Array {
  let image = built.get(template.id)
  if (image === undefined) {
    image = executableOf(buildTemplate(template))
    built.set(template.id, image)
  }
  return image
}

function template(id: string): MemoryTemplate {
  const found = templateById(id)
  if (found === undefined) throw new Error(`no template ${id}`)
  return found
}

describe('the catalog', () => {
  test('lists the templates in the New menu order, each found by its id', () => {
    expect(TEMPLATES.map((t) => t.id)).toEqual([
      'address-space-tour',
      'stack-frame-walk',
      'gets-overflow',
      'stack-canary',
      'shellcode-exec-stack',
      'aslr',
      'tcache-reuse',
      'use-after-free',
      'double-free',
      'mmap-file',
      'stack-exhaustion',
    ])
    for (const t of TEMPLATES) expect(templateById(t.id)).toBe(t)
    expect(templateById('no-such-template')).toBeUndefined()
  })

  test.each(TEMPLATES)('$id: kebab-case id, a file name the driver builds as its language, an opening comment', (t) => {
    expect(t.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/)
    expect(sourceKind(t.fileName)).toBe(t.language)
    expect(t.source.startsWith(t.language === 'c' ? '/* ' : '; ')).toBe(true)
    expect(t.summary).not.toContain('\n')
  })

  test('the breakpoint line is the one line holding the marker', () => {
    expect(markedBreakpointLine('int x;\nint main(void) {\n  return 0;  // ◀ break here\n}\n')).toBe(3)
    expect(() => markedBreakpointLine('int main(void) { return 0; }\n')).toThrow(/marks 0 lines/)
    expect(() => markedBreakpointLine('a(); // ◀ break here\nb(); // ◀ break here\n')).toThrow(/marks 2 lines/)
  })

  test('what should happen, in a sentence', () => {
    expect(describeOutcome(template('double-free').expect)).toBe('The program is killed by SIGABRT after "free(): double free detected in tcache 2" on standard error.')
    expect(describeOutcome(template('tcache-reuse').expect)).toBe('The program exits with status 0 after printing "d is c: yes / e is b: yes".')
    expect(describeOutcome(template('aslr').expect)).toBe('The program exits with status 0.')
  })
})

describe.each(TEMPLATES)('$id', (t) => {
  test('builds with -g and its own options without an error or a warning', () => {
    const result = buildTemplate(t)
    expect(result.diagnostics).toBe('')
    expect(result.errorCount).toBe(0)
    built.set(t.id, executableOf(result))
  })

  test('ends as its metadata says', () => {
    const run = runTemplate(t, executable(t))
    const expected = t.expect
    if (expected.kind === 'exit') {
      expect({ exitCode: run.exitCode, signal: run.signal, stderr: run.stderr }).toEqual({ exitCode: expected.code, signal: null, stderr: '' })
      if (expected.stdoutIncludes !== undefined) expect(run.stdout).toContain(expected.stdoutIncludes)
    } else {
      expect({ exitCode: run.exitCode, signal: run.signal, fault: run.fault?.kind }).toEqual({ exitCode: null, signal: expected.signal, fault: expected.fault })
      if (expected.stderrIncludes !== undefined) expect(run.stderr).toContain(expected.stderrIncludes)
    }
  })

  test('its breakpoint line has code in the line table, and the run reaches it', () => {
    const image = executable(t)
    const addresses = new DebugIndex(readDebugInfo(image)).addressesOf(t.fileName, t.breakpointLine)
    expect(addresses.length).toBeGreaterThan(0)
    const { stoppedAt } = runToBreakpoint(t, image, addresses)
    expect(stoppedAt === null ? null : addresses.includes(stoppedAt)).toBe(true)
  })
})

describe('what the comments ask the learner to check', () => {
  test('gets-overflow: the J\'s are where vuln returns to', () => {
    const t = template('gets-overflow')
    expect(t.stdin).toBe('AAAAAAAABBBBBBBBCCCCCCCCDDDDDDDDEEEEEEEEFFFFFFFFGGGGGGGGHHHHHHHHIIIIIIIIJJJJJJJJ\n')
    const { fault } = runTemplate(t, executable(t))
    expect({ address: fault?.address, access: fault?.access }).toEqual({ address: '0x4a4a4a4a4a4a4a4a', access: 'exec' })
  })

  test('stack-canary: glibc\'s message, exactly, and nothing else on standard error', () => {
    const t = template('stack-canary')
    expect(runTemplate(t, executable(t)).stderr).toBe('*** stack smashing detected ***: terminated\n')
  })

  test('shellcode-exec-stack: with NX on (no -z execstack) the first fetch from the stack faults', () => {
    const t = template('shellcode-exec-stack')
    const run = runTemplate(t, executableOf(buildTemplate(t, { ...t.build, execStack: false })))
    expect({ signal: run.signal, fault: run.fault?.kind, stdout: run.stdout }).toEqual({ signal: 'SIGSEGV', fault: 'no-execute', stdout: '' })
  })

  test('shellcode-exec-stack: the same bytes run whatever the layout (no dependence on ASLR)', () => {
    const t = template('shellcode-exec-stack')
    for (const seed of [1, 2, 3]) expect(runTemplate(t, executable(t), { seed, aslr: 2 }).stdout).toBe('Hello from the stack!\n')
  })

  test('aslr: with ASLR on every printed address changes between runs; with it off none does', () => {
    const t = template('aslr')
    const addresses = (seed: number, aslr: 0 | 2): string[] => runTemplate(t, executable(t), { seed, aslr }).stdout.trimEnd().split('\n')
    const [first, second] = [addresses(1, 2), addresses(2, 2)]
    expect(first).toHaveLength(5)
    first.forEach((line, index) => expect(line).not.toBe(second[index]))
    expect(addresses(1, 0)).toEqual(addresses(2, 0))
  })

  test('address-space-tour: each printed address is in the area its line names; the large block is a mapping of its own', () => {
    const t = template('address-space-tour')
    const image = executable(t)
    // Stopped before the large block is freed (and unmapped), after every address is printed.
    const freeLine = t.source.split('\n').findIndex((line) => line.includes('free(large_block)')) + 1
    const { machine, stdout } = runToBreakpoint(t, image, new DebugIndex(readDebugInfo(image)).addressesOf(t.fileName, freeLine))
    const regions = machine.regions()
    const areaOf = (address: bigint): string => {
      const region = regions.find((r) => r.start <= address && address < r.end)
      if (region === undefined) return 'unmapped'
      return region.name === machine.kernel.execPath ? `executable ${region.perms}` : `${region.name || 'anonymous'} ${region.perms}`
    }
    const areas = stdout.split('\n').flatMap((line) => {
      const match = /^(\S+)\s.*\s(0x[0-9a-f]+)$/.exec(line)
      return match ? [`${match[1]} in ${areaOf(BigInt(match[2]!))}`] : []
    })
    expect(areas).toEqual([
      'code in executable r-xp',
      '.rodata in executable r--p',
      '.data in executable rw-p',
      // Past the last page the file provides, .bss is zeroed memory with no name, as on Linux.
      '.bss in anonymous rw-p',
      'heap in [heap] rw-p',
      'mmap in anonymous rw-p',
      'stack in [stack] rw-p',
    ])
  })
})

describe.each(TEMPLATES)('$id in the debugger', (t) => {
  test('`break FILE:LINE` then `run` stops at the marked line, as the app sets it up', async () => {
    const driven = sessionOver(`/home/user/${t.id}`, executable(t), { [t.fileName]: t.source })
    expect(await driven.run(`break ${t.fileName}:${t.breakpointLine}`)).toMatch(new RegExp(`^Breakpoint 1 at 0x[0-9a-f]+: file ${t.fileName}, line ${t.breakpointLine}\\.\\n$`))
    const stop = await driven.run('run')
    expect(stop).toContain(`Breakpoint 1, `)
    expect(stop).toMatch(new RegExp(`\\n${t.breakpointLine}\\t[^\\n]*◀ break here\\n$`))
  })
})
