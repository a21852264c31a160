// Thousands of random and malformed command lines against a session before the program runs,
// while it is stopped, after it exited, and with a program that never stops: every line gives
// one error message or succeeds, none reaches the user as an internal error, none runs past
// the pause request the host makes after a deadline, and the session stays usable afterwards.
// The generator is seeded, so a failure names a line that fails again the same way.

import { describe, expect, test } from 'vitest'
import { createDispatcher, DebugSession, outputText, type Dispatcher } from '../../../shared/debugger'
import { buildProgram } from '../../../shared/toolchain/driver'

const SOURCE = `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
struct node { int value; struct node *next; };
int counter = 0;
char message[32] = "hello";
void forever(void) {
  for (;;)
    counter++;
}
int add(int a, int b) {
  return a + b;
}
int main(int argc, char **argv) {
  struct node *head = NULL;
  for (int i = 0; i < 5; i++) {
    struct node *n = malloc(sizeof *n);
    n->value = add(i, counter);
    n->next = head;
    head = n;
  }
  char line[64];
  if (argc > 1)
    forever();
  if (fgets(line, sizeof line, stdin))
    printf("read %s", line);
  printf("%s %d\\n", message, head->value);
  free(head);
  return 0;
}
`

/** How long one command may run the program before the host asks it to pause. */
const DEADLINE_MS = 400
/** How long one command may take at most, pause included (a hang fails the test). */
const COMMAND_LIMIT_MS = 15_000

const built = buildProgram({ 'fuzz.c': SOURCE }, ['fuzz.c'], { pie: false, debugInfo: true, compilationDirectory: '/src' })
if (!built.executable) throw new Error(built.diagnostics)
const image = built.executable

/** mulberry32: a small seeded generator, so every run makes the same lines. */
function generator(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const ARGUMENT_PIECES = [
  '', ' ', '0', '1', '-1', '3', '42', '0x401000', '0xffffffffffffffff', '18446744073709551616', '99999999999999999999999',
  '-9223372036854775808', '1e308', '0.5', 'NaN', '$pc', '$rsp', '$sp', '$rip', '$rax', '$eflags', '$1', '$', '$$', '$_', '$nonexistent',
  'main', 'add', 'forever', 'fuzz.c:18', 'fuzz.c:999', '*0x401000', '*$pc', '*main+4', '&counter', 'counter', 'message', 'head',
  'head->next', '*head', 'n->value', 'line', 'argv[0]', 'argv[1]', 'i', 'a + b', '(char)65', 'sizeof(struct node)', '{int} $sp',
  'struct node', 'int *', 'add(1, 2)', 'add(', 'forever()', 'puts("x")', '(int)puts("x")', '"text"', "'c'", '"unterminated', "'",
  '"', '(', ')', '((((', '[', ']', '{', '}', '\\', '\\x41', '#', ';', '|', '&&', '@', '@@', '*', '**', '->', '.', ',', '=', '==',
  'x = 3', 'counter = 7', '$pc = 0', '$rsp = 0', 'if', 'if counter == 3', 'if (', 'thread', '-l', '-n', '-n 4', '-l 0x61616162',
  '-f', '-f string', '-q', '/x', '/8xg', '/s', '/i', '/999999999x', '/0x', '/zz', 'registers', 'registers rip', 'frame', 'breakpoints',
  'proc mappings', 'line', 'display', 'watchpoints', 'all', 'args', 'var', 'variable', '< /nonexistent', '<', 'b"A"*72',
  'b"A"*99999999999', 'p64(0x401000)', 'cyclic(100)', 'cyclic(1, n=0)', 'flat(1, 2)', '"nop; ret"', '"xor eax, eax"', '90 90',
  '\\x90\\xcc', 'nop', 'jmp 0x401000', 'mov rax,', 'ünïcødé', '日本語', '😀', '\u0000', '\u202e', '\t', 'A'.repeat(300),
]

function randomLine(random: () => number, words: readonly string[]): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!
  const roll = random()
  if (roll < 0.03) return ''
  if (roll < 0.06) return pick(ARGUMENT_PIECES)
  let line = pick(words)
  // A prefix of the name now and then: gdb accepts unambiguous abbreviations.
  if (random() < 0.1) line = line.slice(0, 1 + Math.floor(random() * line.length))
  const count = Math.floor(random() * 4)
  for (let i = 0; i < count; i++) line += (random() < 0.8 ? ' ' : '') + pick(ARGUMENT_PIECES)
  if (random() < 0.05) line += String.fromCharCode(Math.floor(random() * 0x10000))
  return line
}

type Phase = 'before run' | 'stopped' | 'exited'

class FuzzSession {
  private deadline = Infinity
  readonly session = new DebugSession({ run: { aslr: 0 }, hooks: this.hooks() })
  readonly dispatcher: Dispatcher = createDispatcher(this.session)

  constructor() {
    this.load()
  }

  /** The host's side: output dropped, and a pause request once the command's deadline passed. */
  private hooks() {
    return { output: () => {}, console: () => {}, interruptRequested: () => performance.now() > this.deadline, yield: async () => {} }
  }

  private load(): void {
    this.session.load({ path: '/src/fuzz', image, sources: { '/src/fuzz.c': SOURCE } })
  }

  /** Runs one line under the deadline; what a user of the terminal would see. */
  async execute(line: string): Promise<{ ok: boolean; text: string; ms: number }> {
    const started = performance.now()
    this.deadline = started + DEADLINE_MS
    try {
      const output = await this.dispatcher.execute(line)
      return { ok: output.ok, text: outputText(output), ms: performance.now() - started }
    } finally {
      this.deadline = Infinity
    }
  }

  /** Brings the session back to the phase being fuzzed (random lines change it). */
  async enter(phase: Phase): Promise<void> {
    // `file` with no argument unloads the program.
    if (!this.session.program) this.load()
    const inferior = this.session.inferior
    const live = inferior !== null && inferior.phase !== 'gone'
    if (phase === 'before run' && inferior) await this.execute('kill')
    if (phase === 'stopped' && !(live && inferior.phase === 'alive')) {
      await this.execute('set args')
      await this.execute('start')
    }
    if (phase === 'exited' && !(inferior && inferior.phase === 'gone')) {
      await this.execute('set args')
      await this.execute('delete')
      await this.execute('input "line\\n"')
      await this.execute('run')
    }
  }
}

async function fuzz(phase: Phase, seed: number, lines: number): Promise<FuzzSession> {
  const fuzzer = new FuzzSession()
  const words = fuzzer.dispatcher.all.flatMap((command) => [command.name, ...(command.aliases ?? [])])
  const random = generator(seed)
  for (let i = 0; i < lines; i++) {
    await fuzzer.enter(phase)
    const line = randomLine(random, words)
    const result = await fuzzer.execute(line)
    const where = `${phase} #${i}: ${JSON.stringify(line)}`
    expect(result.text, where).not.toMatch(/Internal error/)
    if (!result.ok) expect(result.text.trim(), where).not.toBe('')
    expect(result.ms, where).toBeLessThan(COMMAND_LIMIT_MS)
  }
  return fuzzer
}

/** After the fuzzing, a new run works and shows its registers and stack. */
async function expectUsable(fuzzer: FuzzSession): Promise<void> {
  await fuzzer.execute('delete')
  await fuzzer.execute('set args')
  expect((await fuzzer.execute('start')).text).toContain('main (argc=1')
  const registers = await fuzzer.execute('info registers')
  expect(registers.ok).toBe(true)
  expect(registers.text).toMatch(/^rax\s+0x/)
  const backtrace = await fuzzer.execute('bt')
  expect(backtrace.ok).toBe(true)
  expect(backtrace.text).toMatch(/^#0 {2}main \(argc=1/)
}

describe('random and malformed command lines', () => {
  test('before the program runs', async () => {
    await expectUsable(await fuzz('before run', 1, 1500))
  }, 300_000)

  test('while the program is stopped', async () => {
    await expectUsable(await fuzz('stopped', 2, 1500))
  }, 300_000)

  test('after the program exited', async () => {
    await expectUsable(await fuzz('exited', 3, 1000))
  }, 300_000)

  test('a program that never stops is paused at the deadline, by every command that runs it', async () => {
    const fuzzer = new FuzzSession()
    await fuzzer.execute('set args forever')
    const lines = [
      'run', 'continue', 'next', 'step 1000000000', 'nexti 1000000000', 'finish', 'until', 'advance 27', 'stepi 100000000', 'goto 9000000000000000',
      'call forever()', 'call (void)forever()', 'reverse-continue', 'reverse-step 100000000', 'reverse-nexti 100000000', 'jump forever',
    ]
    for (const line of lines) {
      const result = await fuzzer.execute(line)
      expect(result.text, line).not.toMatch(/Internal error/)
      expect(result.ms, line).toBeLessThan(COMMAND_LIMIT_MS)
    }
    expect((await fuzzer.execute('bt')).text).toMatch(/^#0 {2}/)
    await expectUsable(fuzzer)
  }, 300_000)
})
