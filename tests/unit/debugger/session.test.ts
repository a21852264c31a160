// The debugger's commands against real gdb on the same gcc-built program: the same command
// script gives the same transcript (stop lines, source lines, watchpoint reports, backtraces),
// and reverse execution restores every register.

import { execFileSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { SQUARES_PRINTED } from './programs'
import { sessionOver } from './session-harness'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { createDispatcher, DebugSession, outputText } from '../../../shared/debugger'

let dir: string
let binary: string

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'memscape-debug-'))
  writeFileSync(join(dir, 'w.c'), SQUARES_PRINTED)
  binary = join(dir, 'w')
  execFileSync('gcc', ['-g', '-O0', '-static', '-fno-pie', '-no-pie', '-o', binary, 'w.c'], { cwd: dir })
})

afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** gdb's transcript with software watchpoints: virtual machines often give gdb no debug
 *  registers (its hardware watchpoints are then set but never fire). Software watchpoints stop at
 *  the same places with the same reports; only their name lacks the "Hardware" that gdb on real
 *  hardware, and Memscape, print. */
function gdbTranscript(commands: readonly string[]): string {
  const args = ['-batch', '-nx', '-ex', 'set can-use-hw-watchpoints 0', ...commands.flatMap((c) => ['-ex', c]), binary]
  const transcript = execFileSync('gdb', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
  return transcript.replace(/^Watchpoint (\d+): /gm, 'Hardware watchpoint $1: ')
}

async function memscapeTranscript(commands: readonly string[]): Promise<string> {
  const driven = sessionOver(binary, new Uint8Array(readFileSync(binary)), { [join(dir, 'w.c')]: SQUARES_PRINTED })
  for (const command of commands) await driven.run(command)
  return driven.transcript()
}

/** What differs between any two runs and says nothing about the debugger: pids, "Continuing." lines gdb -batch omits. */
function normalise(text: string): string {
  return text
    .split('\n')
    .filter((line) => !line.startsWith('Starting program:') && line !== 'Continuing.' && !line.startsWith('Run till exit'))
    .map((line) => line.replace(/process \d+/, 'process N'))
    .join('\n')
}

describe('the debugger against gdb', () => {
  test('breakpoints, stepping, watchpoints and backtraces print as gdb prints them', async () => {
    const script = [
      'break sum', 'run', 'bt', 'watch total', 'continue', 'continue', 'delete',
      'next', 'next', 'next', 'step', 'step', 'step', 'bt', 'finish', 'next', 'next', 'next', 'p x', 'p g', 'p/x g',
    ]
    expect(normalise(await memscapeTranscript(script))).toBe(normalise(gdbTranscript(script)))
  })

  test('a watchpoint on a local ends when its frame returns, as gdb ends it', async () => {
    const script = ['break sum', 'run', 'watch total', 'continue', 'continue', 'continue', 'continue', 'continue', 'info watchpoints']
    expect(normalise(await memscapeTranscript(script))).toBe(normalise(gdbTranscript(script)))
  })

  test('step into a function, finish with its value, info registers and tbreak', async () => {
    const script = ['tbreak 13', 'run', 'step', 'step', 'bt', 'finish', 'info registers rip', 'info breakpoints', 'break 9 if i == 2', 'c', 'p i', 'p total', 'info breakpoints']
    expect(normalise(await memscapeTranscript(script))).toBe(normalise(gdbTranscript(script)))
  })
})

describe('reverse execution', () => {
  test('N instructions forward then N back restores every register and every byte of memory', async () => {
    const session = new DebugSession({ run: { aslr: 0 } })
    session.load({ path: binary, image: new Uint8Array(readFileSync(binary)) })
    const dispatcher = createDispatcher(session)
    /** Every mapped byte of the process, region by region, as one digest. */
    const memoryDigest = (): string => {
      const machine = session.inferior!.machine
      const hash = createHash('sha256')
      for (const region of machine.regions()) {
        if (region.end > BigInt(Number.MAX_SAFE_INTEGER)) continue
        const { data, mapped } = machine.memory.peek(Number(region.start), Number(region.end - region.start))
        hash.update(`${region.start}-${region.end} ${region.perms}`).update(data).update(mapped)
      }
      return hash.digest('hex')
    }
    await dispatcher.execute('break sum')
    await dispatcher.execute('run')
    const before = outputText(await dispatcher.execute('info registers'))
    const memory = memoryDigest()
    const count = session.inferior!.instructionCount
    // Far enough to return from sum and into printf, short of the exit.
    await dispatcher.execute('stepi 1500')
    expect(session.inferior!.instructionCount).toBe(count + 1500)
    expect(outputText(await dispatcher.execute('info registers'))).not.toBe(before)
    expect(memoryDigest()).not.toBe(memory)
    await dispatcher.execute('reverse-stepi 1500')
    expect(session.inferior!.instructionCount).toBe(count)
    expect(outputText(await dispatcher.execute('info registers'))).toBe(before)
    expect(memoryDigest()).toBe(memory)
  })

  test('reverse-continue finds the last write to a watched variable', async () => {
    const session = new DebugSession({ run: { aslr: 0 } })
    session.load({ path: binary, image: new Uint8Array(readFileSync(binary)) })
    const dispatcher = createDispatcher(session)
    await dispatcher.execute('break 15')
    await dispatcher.execute('run')
    const at15 = session.inferior!.instructionCount
    const watch = outputText(await dispatcher.execute('watch g'))
    expect(watch).toBe('Hardware watchpoint 2: g\n')
    const back = outputText(await dispatcher.execute('reverse-continue'))
    // Going back, the program stops just before the store to g (the last instruction of line 14).
    expect(back).toContain('Hardware watchpoint 2: g\n\nOld value = 15\nNew value = 7\n')
    expect(session.inferior!.instructionCount).toBe(at15 - 1)
    expect(outputText(await dispatcher.execute('p g'))).toMatch(/= 7\n$/)
    await dispatcher.execute('stepi')
    expect(outputText(await dispatcher.execute('p g'))).toMatch(/= 15\n$/)
  })

  test('bad commands each get one clear error and leave the session usable', async () => {
    const session = new DebugSession({ run: { aslr: 0 } })
    session.load({ path: binary, image: new Uint8Array(readFileSync(binary)) })
    const dispatcher = createDispatcher(session)
    for (const line of ['stepi', 'x/4x $sp', 'finish', 'break nosuch', 'break 999', 'info registers', 'frame 3', 'goto 5', 'p 1 +', 'watch 3', 'input b"\\x4', 'cyclic -l zzzzzzzz']) {
      const output = await dispatcher.execute(line)
      expect(output.ok, line).toBe(false)
      expect(outputText(output).length, line).toBeGreaterThan(0)
    }
    expect(outputText(await dispatcher.execute('start'))).toContain('main () at')
  })
})

describe('completion', () => {
  test('complete lists what gdb would: commands, symbols, registers, help topics', async () => {
    const session = new DebugSession({ run: { aslr: 0 } })
    session.load({ path: binary, image: new Uint8Array(readFileSync(binary)) })
    const dispatcher = createDispatcher(session)
    const complete = async (line: string): Promise<string[]> => outputText(await dispatcher.execute(`complete ${line}`)).split('\n').filter((l) => l !== '')
    const reverseCommands = dispatcher.all.flatMap((c) => [c.name, ...(c.aliases ?? [])]).filter((name) => name.startsWith('reverse-'))
    expect(await complete('reverse-')).toEqual([...new Set(reverseCommands)].sort())
    const gdb = gdbTranscript(['complete b ma']).split('\n').filter((l) => l !== '')
    expect(await complete('b ma')).toEqual(gdb.filter((line) => !line.includes('[')))
    expect(await complete('info reg')).toEqual(['info registers'])
    expect(await complete('p $ri')).toEqual(['p $rip'])
    expect(await complete('help runn')).toEqual(['help running'])
    await dispatcher.execute('break sum')
    await dispatcher.execute('run')
    expect(await complete('p tot')).toEqual(['p total'])
    expect(await complete('p n + tota')).toEqual(['p n + total'])
  })
})

describe('signals', () => {
  test('a fault the program handles stops first, as in gdb; continue runs the handler', async () => {
    writeFileSync(
      join(dir, 'hs.c'),
      '#include <signal.h>\n#include <unistd.h>\nstatic void on_segv(int sig) {\n  write(1, "caught\\n", 7);\n  _exit(7);\n}\nint main(void) {\n  signal(SIGSEGV, on_segv);\n  int *p = (int *)8;\n  *p = 1;\n  return 0;\n}\n',
    )
    const handled = join(dir, 'hs')
    execFileSync('gcc', ['-g', '-O0', '-static', '-fno-pie', '-no-pie', '-o', handled, 'hs.c'], { cwd: dir })
    const script = ['run', 'bt', 'continue']
    const driven = sessionOver(handled, new Uint8Array(readFileSync(handled)), { [join(dir, 'hs.c')]: readFileSync(join(dir, 'hs.c'), 'utf8') })
    for (const command of script) await driven.run(command)
    const text = driven.transcript()
    const gdb = execFileSync('gdb', ['-batch', '-nx', ...script.flatMap((c) => ['-ex', c]), handled], { cwd: dir, encoding: 'utf8' })
    expect(normalise(text)).toBe(normalise(gdb))
  })
})
