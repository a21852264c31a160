// The toolchain driver end to end: C and assembly sources → executable, run natively on this
// machine and in a Memscape machine, with the options gcc spells, checked against readelf and
// objdump (the GNU tools) and against what gcc's programs do.

import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { Machine } from '../../../../shared/machine/machine'
import { buildProgram, type DriverOptions, type DriverResult, type StackProtector } from '../../../../shared/toolchain/driver'

const scratch = mkdtempSync(join(tmpdir(), 'memscape-driver-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const PROGRAMS = {
  hello: { source: '#include <stdio.h>\nint main(void) { puts("hello, world"); return 0; }\n', stdout: 'hello, world\n', status: 0 },
  printf: {
    source: `#include <stdio.h>
int main(int argc, char **argv) {
  printf("%d|%5d|%-5d|%05d|%x|%X|%o|%c|%s|%%|%ld|%lld|%zu|%u\\n", -42, 42, 42, 42, 255, 255, 8, 'z', "str", -1L << 40, 1LL << 62, sizeof(long), 4000000000u);
  printf("%.3s|%10.2s|%p\\n", "abcdef", "xyz", (void *)0);
  return argc + 4;
}
`,
    stdout: `-42|   42|42   |00042|ff|FF|10|z|str|%|${-(2 ** 40)}|4611686018427387904|8|4000000000\nabc|        xy|(nil)\n`,
    status: 5,
  },
  malloc: {
    source: `#include <stdio.h>
#include <stdlib.h>
#include <string.h>
int main(void) {
  char *a = malloc(24), *b = malloc(24);
  strcpy(a, "heap");
  printf("%s %ld\\n", a, (long)(b - a));
  free(a);
  char *c = malloc(24);
  printf("%d\\n", c == a);
  free(b); free(c);
  return 0;
}
`,
    // glibc: 24-byte requests get 0x20 chunks; a freed chunk comes back from the tcache.
    stdout: 'heap 32\n1\n',
    status: 0,
  },
} as const

const VULNERABLE = `#include <stdio.h>
void vuln(void) {
  char buf[64];
  gets(buf);
  printf("read %s\\n", buf);
}
int main(void) { vuln(); puts("back in main"); return 0; }
`

const PROTECTORS: readonly StackProtector[] = ['none', 'default', 'strong', 'all']

function build(files: Record<string, string>, sources: string[], options: DriverOptions = {}): DriverResult {
  return buildProgram(files, sources, options)
}

function buildOk(files: Record<string, string>, sources: string[], options: DriverOptions = {}): string {
  const result = build(files, sources, options)
  expect(result.diagnostics).toBe('')
  expect(result.executable).toBeDefined()
  const path = join(scratch, `program-${Math.random().toString(36).slice(2)}`)
  writeFileSync(path, result.executable!, { mode: 0o755 })
  return path
}

function runNative(path: string, input = '') {
  const result = spawnSync(path, [], { input, encoding: 'latin1', timeout: 10_000 })
  return { stdout: result.stdout, stderr: result.stderr, status: result.status, signal: result.signal }
}

function runInMachine(image: Uint8Array, input = '') {
  const machine = Machine.fromElf(image, { argv: ['program'], env: [], seed: 1, aslr: 2, stdin: new TextEncoder().encode(input), stdinClosed: true })
  let stdout = ''
  machine.onOutput = (fd, bytes) => {
    if (fd === 1) stdout += Buffer.from(bytes).toString('latin1')
  }
  let status = machine.status
  for (let slices = 0; slices < 100 && status.state !== 'exited' && status.state !== 'signaled'; slices++) status = machine.run(10_000_000)
  return { stdout, status }
}

function readelf(path: string, flag: string): string {
  return execFileSync('readelf', [flag, '-W', path], { encoding: 'utf8' })
}

describe('C programs with each option set, run natively', () => {
  for (const [name, program] of Object.entries(PROGRAMS)) {
    for (const pie of [true, false]) {
      for (const stackProtector of PROTECTORS) {
        test(`${name}: ${pie ? '-pie' : '-no-pie'} -f${stackProtector === 'none' ? 'no-' : ''}stack-protector${stackProtector === 'strong' || stackProtector === 'all' ? `-${stackProtector}` : ''}`, () => {
          const path = buildOk({ [`${name}.c`]: program.source }, [`${name}.c`], { pie, stackProtector })
          const run = runNative(path)
          expect(run).toEqual({ stdout: program.stdout, stderr: '', status: program.status, signal: null })
        })
      }
    }
  }

  test('the same executable runs in the machine with the same output', () => {
    const result = build({ 'printf.c': PROGRAMS.printf.source }, ['printf.c'])
    const run = runInMachine(result.executable!)
    expect(run.stdout).toBe(PROGRAMS.printf.stdout)
    expect(run.status).toEqual({ state: 'exited', code: 5 })
  })

  test('defaults are Debian gcc 12\'s: PIE, no stack protector', () => {
    const result = build({ 'v.c': VULNERABLE }, ['v.c'])
    expect(result.units[0]!.assembly).not.toContain('fs:40')
    expect(result.units[0]!.assembly).not.toContain('__stack_chk_fail')
    const path = buildOk({ 'v.c': VULNERABLE }, ['v.c'])
    expect(readelf(path, '-h')).toMatch(/Type:\s+DYN/)
  })
})

describe('ELF shape per option (readelf)', () => {
  test('-no-pie is ET_EXEC at 0x400000, -pie is ET_DYN', () => {
    const files = { 'hello.c': PROGRAMS.hello.source }
    const fixed = readelf(buildOk(files, ['hello.c'], { pie: false }), '-h')
    expect(fixed).toMatch(/Type:\s+EXEC \(Executable file\)/)
    expect(fixed).toMatch(/Entry point address:\s+0x40[0-9a-f]{4}\n/)
    expect(readelf(buildOk(files, ['hello.c'], { pie: true }), '-h')).toMatch(/Type:\s+DYN /)
  })

  test('PT_GNU_STACK is RW, or RWE with -z execstack', () => {
    const files = { 'hello.c': PROGRAMS.hello.source }
    expect(readelf(buildOk(files, ['hello.c']), '-l')).toMatch(/GNU_STACK( +0x0+){5} RW {2}0x10\n/)
    expect(readelf(buildOk(files, ['hello.c'], { execStack: true }), '-l')).toMatch(/GNU_STACK( +0x0+){5} RWE 0x10\n/)
    expect(readelf(buildOk(files, ['hello.c'], { execStack: true, pie: false }), '-l')).toMatch(/GNU_STACK( +0x0+){5} RWE 0x10\n/)
  })
})

describe('frame shape of char buf[64] + gets, as gcc -O0', () => {
  /** The rbp offset gets() receives, read from objdump's disassembly of vuln. */
  function bufferOffset(path: string): number {
    const listing = execFileSync('objdump', ['-d', '-M', 'intel', '--no-show-raw-insn', path], { encoding: 'utf8' })
    const body = listing.slice(listing.indexOf('<vuln>:'))
    const lea = /lea\s+rax,\[rbp-(0x[0-9a-f]+)\]\s*\n\s*[0-9a-f]+:\s+mov\s+rdi,rax\s*\n\s*[0-9a-f]+:\s+call\s+[0-9a-f]+ <gets>/.exec(body)
    expect(lea, body.slice(0, 800)).not.toBeNull()
    return Number(lea![1])
  }

  for (const stackProtector of PROTECTORS) {
    for (const pie of [true, false]) {
      const protectedFrame = stackProtector !== 'none'
      test(`${stackProtector} ${pie ? '-pie' : '-no-pie'}: buf at rbp-${protectedFrame ? '0x50' : '0x40'}`, () => {
        const path = buildOk({ 'v.c': VULNERABLE }, ['v.c'], { pie, stackProtector })
        expect(bufferOffset(path)).toBe(protectedFrame ? 0x50 : 0x40)
        // Normal input: the program works.
        expect(runNative(path, 'abc\n')).toEqual({ stdout: 'read abc\nback in main\n', stderr: '', status: 0, signal: null })
      })
    }
  }

  test('without a canary the return address is 0x48 bytes past buf: overwriting it jumps there', () => {
    const result = build({ 'v.c': VULNERABLE }, ['v.c'], { pie: false, stackProtector: 'none' })
    // 0x48 filler bytes, then a return address of 0x424242424242 (non-canonical-free, unmapped).
    const run = runInMachine(result.executable!, `${'A'.repeat(0x48)}BBBBBB\n`)
    expect(run.status.state).toBe('signaled')
    if (run.status.state !== 'signaled') return
    expect(run.status.signal).toBe(11)
    expect(run.status.fault?.ip).toBe('0x424242424242')
    const native = runNative(buildOk({ 'v.c': VULNERABLE }, ['v.c'], { pie: false, stackProtector: 'none' }), `${'A'.repeat(0x48)}BBBBBB\n`)
    expect(native.signal).toBe('SIGSEGV')
  })

  test('with a canary 0x48 bytes past buf, overwriting it is detected before the return', () => {
    const input = `${'A'.repeat(0x49)}\n`
    const path = buildOk({ 'v.c': VULNERABLE }, ['v.c'], { stackProtector: 'strong' })
    const native = runNative(path, input)
    expect(native.signal).toBe('SIGABRT')
    expect(native.stderr).toBe('*** stack smashing detected ***: terminated\n')
    // 0x48 bytes leave the canary intact (gets' terminating NUL lands on its low byte, which is zero).
    expect(runNative(path, `${'A'.repeat(0x48)}\n`).status).toBe(0)
  })
})

describe('several files, includes and macros', () => {
  const files = {
    'src/main.c': '#include <stdio.h>\n#include "util.h"\nstatic int hidden = 1;\nint main(void) { printf("%d %d %s\\n", twice(LIMIT), hidden, NAME); return 0; }\n',
    'src/util.h': '#define LIMIT 21\nint twice(int x);\n',
    'src/util.c': '#include "util.h"\nstatic int hidden = 7;\nint twice(int x) { return 2 * x + hidden - 7; }\n',
    'inc/name.h': '#define NAME "from -I"\n',
  }

  test('units are compiled separately and linked; #include "..." finds the including file\'s folder, then -I', () => {
    const path = buildOk({ ...files, 'src/main.c': files['src/main.c'].replace('#include "util.h"', '#include "util.h"\n#include "name.h"') }, ['src/main.c', 'src/util.c'], { includeDirs: ['inc'] })
    expect(runNative(path).stdout).toBe('42 1 from -I\n')
  })

  test('-D and -U', () => {
    const source = '#include <stdio.h>\nint main(void) {\n#ifdef GONE\n  return 9;\n#endif\n  printf("%d %s\\n", VALUE, WORD);\n  return 0;\n}\n'
    const path = buildOk({ 'd.c': source }, ['d.c'], { defines: { VALUE: '6*7', WORD: '"w"', GONE: '1' }, undefines: ['GONE'] })
    expect(runNative(path).stdout).toBe('42 w\n')
  })

  test('errors of every file are reported in one pass, like gcc, and nothing is linked', () => {
    const result = build({ 'a.c': 'int main(void) {\n  int x = 1\n  return x;\n}\n', 'b.c': 'int f(void) { return y; }\n' }, ['a.c', 'b.c'])
    expect(result.executable).toBeUndefined()
    expect(result.errorCount).toBe(2)
    expect(result.diagnostics).toBe(
      "a.c: In function 'main':\na.c:3:3: error: expected ',' or ';' before 'return'\n    3 |   return x;\n      |   ^~~~~~\n" +
        "b.c: In function 'f':\nb.c:1:22: error: 'y' undeclared (first use in this function)\n    1 | int f(void) { return y; }\n      |                      ^\n" +
        'b.c:1:22: note: each undeclared identifier is reported only once for each function it appears in\n',
    )
  })

  test('-w drops warnings but keeps errors', () => {
    const source = 'int main(void) { return undeclared_function(); }\n'
    expect(build({ 'w.c': source }, ['w.c']).diagnostics).toContain("warning: implicit declaration of function 'undeclared_function'")
    const quiet = build({ 'w.c': source }, ['w.c'], { suppressWarnings: true })
    expect(quiet.diagnostics).not.toContain('warning')
    expect(quiet.diagnostics).toMatch(/^ld: .*undefined reference to `undeclared_function'\n$/)
  })

  test('a missing file and an unknown suffix are errors', () => {
    expect(build({}, ['none.c']).diagnostics).toBe('none.c: error: No such file or directory\n')
    expect(build({ 'x.txt': '' }, ['x.txt']).diagnostics).toBe('x.txt: error: file format not recognized (expected .c, .s or .asm)\n')
    expect(build({}, []).diagnostics).toBe('error: no input files\n')
  })
})

describe('assembly inputs', () => {
  const START = 'section .text\nglobal _start\n_start:\n  mov eax, 60\n  mov edi, 9\n  syscall\n'
  const MAIN = 'default rel\nsection .rodata\nmsg: db "asm main", 0\nsection .text\nglobal main\nextern puts\nmain:\n  push rbp\n  mov rbp, rsp\n  lea rdi, [msg]\n  call puts\n  mov eax, 4\n  pop rbp\n  ret\n'

  test('a file defining _start links alone (no libc)', () => {
    const result = build({ 's.s': START }, ['s.s'])
    expect(result.link?.symbols.some((symbol) => symbol.name === 'printf')).toBe(false)
    expect(runNative(buildOk({ 's.s': START }, ['s.s'])).status).toBe(9)
  })

  test('a file defining main links with the libc start-up code', () => {
    for (const pie of [true, false]) expect(runNative(buildOk({ 'm.asm': MAIN }, ['m.asm'], { pie }))).toEqual({ stdout: 'asm main\n', stderr: '', status: 4, signal: null })
  })

  test('C and assembly in one program', () => {
    const c = '#include <stdio.h>\nint add3(int a, int b, int c);\nint main(void) { printf("%d\\n", add3(1, 2, 3)); return 0; }\n'
    const asm = 'section .text\nglobal add3\nadd3:\n  lea eax, [rdi+rsi]\n  add eax, edx\n  ret\n'
    expect(runNative(buildOk({ 'p.c': c, 'add3.s': asm }, ['p.c', 'add3.s'])).stdout).toBe('6\n')
  })

  test('assembler errors are located, quote the line with a caret, and all come in one pass', () => {
    const result = build({ 'e.s': 'section .text\n  mov rax, [\n  frobnicate rax\n' }, ['e.s'])
    expect(result.executable).toBeUndefined()
    expect(result.errorCount).toBe(2)
    expect(result.diagnostics).toMatch(/^e\.s:2:\d+: error: .+\n {4}2 \| {3}mov rax, \[\n {6}\| +\^\ne\.s:3:\d+: error: .+\n {4}3 \| {3}frobnicate rax\n {6}\| +\^\n$/)
  })

  test('-nostdlib without _start: the linker says what is missing', () => {
    const result = build({ 'm.asm': MAIN }, ['m.asm'], { noStdlib: true })
    expect(result.executable).toBeUndefined()
    expect(result.diagnostics).toContain("undefined reference to `puts'")
  })
})

describe('garbage input never crashes the driver', () => {
  /** A small deterministic generator (xorshift), so a failure can be replayed. */
  function randomBytes(seed: number, length: number): string {
    let state = seed >>> 0 || 1
    let out = ''
    for (let i = 0; i < length; i++) {
      state ^= state << 13
      state ^= state >>> 17
      state ^= state << 5
      state >>>= 0
      out += String.fromCharCode(state & 0xff)
    }
    return out
  }

  test('random bytes as C and as assembly: diagnostics, no exception, no executable', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const text = randomBytes(seed, 200 + seed * 37)
      for (const name of ['g.c', 'g.s']) {
        const result = build({ [name]: text }, [name])
        expect(result.executable).toBeUndefined()
        expect(result.errorCount).toBeGreaterThan(0)
        expect(result.diagnostics).toMatch(/error: /)
      }
    }
  })

  test('C tokens shuffled into nonsense are reported, not thrown', () => {
    const words = ['int', 'main', '(', ')', '{', '}', ';', 'return', '0', '*', 'char', '[', ']', '"s"', ',', '=', 'struct', 'if', '#define', '\n', 'x']
    let state = 7
    for (let round = 0; round < 60; round++) {
      let source = ''
      for (let i = 0; i < 80; i++) {
        state = (state * 1103515245 + 12345) >>> 0
        source += `${words[state % words.length]} `
      }
      expect(() => build({ 'n.c': source }, ['n.c'])).not.toThrow()
    }
  })
})

describe('timings', () => {
  test('each stage is measured', () => {
    const result = build({ 'hello.c': PROGRAMS.hello.source }, ['hello.c'])
    for (const stage of ['frontEnd', 'backEnd', 'assembler', 'link'] as const) expect(result.timings[stage]).toBeGreaterThan(0)
  })
})
