// `memscape cc` and `memscape as` as a user runs them: child processes over the built CLI
// bundle (npm run build), in a scratch folder, with a private libc cache folder.

import { spawnSync } from 'node:child_process'
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { repoRoot } from '../../host/built'

const scratch = mkdtempSync(join(tmpdir(), 'memscape-cc-'))
const cache = join(scratch, 'cache')
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

function memscape(args: string[], cwd = scratch) {
  const result = spawnSync(process.execPath, [join(repoRoot, 'bin', 'memscape'), ...args], {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', MEMSCAPE_CACHE_DIR: cache },
    timeout: 60_000,
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

function file(name: string, text: string | Uint8Array): string {
  const path = join(scratch, name)
  mkdirSync(join(path, '..'), { recursive: true })
  writeFileSync(path, text)
  return path
}

function runNative(path: string, args: string[] = []) {
  const result = spawnSync(path, args, { encoding: 'latin1', timeout: 10_000 })
  return { stdout: result.stdout, status: result.status }
}

const HELLO = '#include <stdio.h>\n#include "greeting.h"\nint main(int argc, char **argv) { printf("%s from %s, %d\\n", GREETING, argv[0], argc); return 3; }\n'

describe('memscape cc', () => {
  test('builds a.out (mode 755) that runs natively; headers come from the source\'s folder', () => {
    file('hello/greeting.h', '#define GREETING "hello"\n')
    file('hello/hello.c', HELLO)
    const cwd = join(scratch, 'hello')
    expect(memscape(['cc', 'hello.c'], cwd)).toEqual({ status: 0, stdout: '', stderr: '' })
    const out = join(cwd, 'a.out')
    expect(statSync(out).mode & 0o777).toBe(0o755)
    expect(runNative(out, ['x'])).toEqual({ stdout: `hello from ${out}, 2\n`, status: 3 })
  })

  test('the compiled libc is cached on disk, one file per -pie/-no-pie', () => {
    file('cache-test.c', 'int main(void) { return 0; }\n')
    expect(memscape(['cc', 'cache-test.c', '-o', 'c1']).status).toBe(0)
    expect(memscape(['cc', 'cache-test.c', '-no-pie', '-o', 'c2']).status).toBe(0)
    const entries = readdirSync(cache).sort()
    expect(entries).toHaveLength(2)
    expect(entries[0]).toMatch(/^libc-nopie-[0-9a-f]{24}\.v8$/)
    expect(entries[1]).toMatch(/^libc-pie-[0-9a-f]{24}\.v8$/)
  })

  test('a damaged cache file is rebuilt, not trusted', () => {
    const entry = readdirSync(cache).find((name) => name.startsWith('libc-pie-'))!
    writeFileSync(join(cache, entry), 'not a cache')
    file('damaged.c', '#include <stdio.h>\nint main(void) { puts("still fine"); return 0; }\n')
    expect(memscape(['cc', 'damaged.c', '-o', 'damaged']).status).toBe(0)
    expect(runNative(join(scratch, 'damaged')).stdout).toBe('still fine\n')
    expect(readFileSync(join(cache, entry)).length).toBeGreaterThan(10_000)
  })

  test('gcc options: -o, -no-pie, -z execstack, -fstack-protector-strong, -I, -D, -U, -O0, -g', () => {
    file('opts/inc/value.h', '#define FROM_INCLUDE 40\n')
    file('opts/main.c', '#include <stdio.h>\n#include "value.h"\nint main(void) {\n#ifdef DROPPED\n  return 1;\n#endif\n  char buf[16];\n  sprintf(buf, "%d", FROM_INCLUDE + EXTRA);\n  puts(buf);\n  return 0;\n}\n')
    const cwd = join(scratch, 'opts')
    const result = memscape(['cc', '-O0', '-g', '-no-pie', '-z', 'execstack', '-fstack-protector-strong', '-Iinc', '-D', 'EXTRA=2', '-DDROPPED', '-UDROPPED', 'main.c', '-o', 'prog'], cwd)
    expect(result).toEqual({ status: 0, stdout: '', stderr: '' })
    expect(runNative(join(cwd, 'prog'))).toEqual({ stdout: '42\n', status: 0 })
    const header = spawnSync('readelf', ['-hlW', join(cwd, 'prog')], { encoding: 'utf8' }).stdout
    expect(header).toMatch(/Type:\s+EXEC/)
    expect(header).toMatch(/GNU_STACK.* RWE 0x10/)
    const disassembly = spawnSync('objdump', ['-d', '-M', 'intel', join(cwd, 'prog')], { encoding: 'utf8' }).stdout
    expect(disassembly.slice(disassembly.indexOf('<main>:'))).toMatch(/call .*<__stack_chk_fail>/)
    // -g: gdb finds the line, the local and the compilation directory.
    const gdb = spawnSync('gdb', ['-batch', '-nx', '-ex', 'break 8', '-ex', 'run', '-ex', 'print sizeof(buf)', '-ex', 'info source', './prog'], { cwd, encoding: 'utf8' }).stdout
    expect(gdb).toMatch(/Breakpoint 1, main \(\) at main\.c:8\n8\t {2}sprintf\(buf/)
    expect(gdb).toContain('$1 = 16\n')
    expect(gdb).toContain(`Compilation directory is ${cwd}\n`)
  })

  test('several C files and an assembly file in one program', () => {
    file('multi/a.c', '#include <stdio.h>\nint b(void);\nint c(void);\nint main(void) { printf("%d\\n", b() + c()); return 0; }\n')
    file('multi/b.c', 'int b(void) { return 40; }\n')
    file('multi/c.s', 'section .text\nglobal c\nc:\n  mov eax, 2\n  ret\n')
    const cwd = join(scratch, 'multi')
    expect(memscape(['cc', 'a.c', 'b.c', 'c.s', '-o', 'prog'], cwd).status).toBe(0)
    expect(runNative(join(cwd, 'prog')).stdout).toBe('42\n')
    // Without -g, no debug information (as gcc).
    expect(spawnSync('readelf', ['-SW', join(cwd, 'prog')], { encoding: 'utf8' }).stdout).not.toContain('.debug_')
  })

  test('compile errors: gcc\'s format with the line and a caret, all at once, status 1, no output file', () => {
    file('bad/bad.c', 'int main(void) {\n\tint x = 1\n\treturn y;\n}\nint f( { }\n')
    const cwd = join(scratch, 'bad')
    const result = memscape(['cc', 'bad.c', '-o', 'never'], cwd)
    expect(result.status).toBe(1)
    expect(result.stdout).toBe('')
    // Byte for byte what gcc 12 prints here with LC_ALL=C.
    expect(result.stderr).toBe(
      "bad.c: In function 'main':\n" +
        "bad.c:3:9: error: expected ',' or ';' before 'return'\n" +
        '    3 |         return y;\n' +
        '      |         ^~~~~~\n' +
        'bad.c: At top level:\n' +
        "bad.c:5:8: error: expected declaration specifiers or '...' before '{' token\n" +
        '    5 | int f( { }\n' +
        '      |        ^\n',
    )
    expect(existsSync(join(cwd, 'never'))).toBe(false)
  })

  test('a link error names ld and fails', () => {
    file('link.c', 'int missing(void);\nint main(void) { return missing(); }\n')
    const result = memscape(['cc', 'link.c', '-o', 'link'])
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(/^ld: .*undefined reference to `missing'\nmemscape cc: error: ld returned 1 exit status\n$/)
  })

  test('random bytes: errors, status 1, no crash', () => {
    let state = 12345
    const bytes = new Uint8Array(4000).map(() => {
      state = (state * 1103515245 + 12345) >>> 0
      return state >>> 24
    })
    file('random.c', bytes)
    file('random.s', bytes)
    for (const [command, name] of [['cc', 'random.c'], ['as', 'random.s']] as const) {
      const result = memscape([command, name, '-o', 'random'])
      expect(result.status).toBe(1)
      // Located diagnostics from the first line (gcc too may warn, about an unterminated quote
      // for example, before the first error), and at least one error.
      const located = `^${name.replace('.', '\\.')}:\\d+:\\d+: `
      expect(result.stderr).toMatch(new RegExp(`${located}(warning|error): `))
      expect(result.stderr).toMatch(new RegExp(`${located}error: `, 'm'))
      expect(result.stderr).not.toMatch(/^memscape: |\n {4}at /m)
    }
  })

  test('command-line mistakes are reported as gcc reports them', () => {
    expect(memscape(['cc'])).toEqual({ status: 1, stdout: '', stderr: 'memscape cc: fatal error: no input files\ncompilation terminated.\n' })
    expect(memscape(['cc', 'nope.c'])).toEqual({ status: 1, stdout: '', stderr: 'memscape cc: error: nope.c: No such file or directory\n' })
    expect(memscape(['cc', '-frobnicate', 'x.c'])).toEqual({ status: 1, stdout: '', stderr: "memscape cc: error: unrecognized command-line option '-frobnicate'\n" })
    expect(memscape(['cc', 'x.c', '-o'])).toEqual({ status: 1, stdout: '', stderr: "memscape cc: error: missing filename after '-o'\n" })
    file('same.c', 'int main(void) { return 0; }\n')
    expect(memscape(['cc', 'same.c', '-o', 'same.c'])).toEqual({ status: 1, stdout: '', stderr: "memscape cc: fatal error: input file 'same.c' is the same as output file\ncompilation terminated.\n" })
    expect(readFileSync(join(scratch, 'same.c'), 'utf8')).toBe('int main(void) { return 0; }\n')
    file('notes.txt', 'text')
    expect(memscape(['cc', 'notes.txt']).stderr).toBe('memscape cc: error: notes.txt: file format not recognized (Memscape builds .c, .s and .asm files)\n')
  })

  test('an output file that cannot be written is reported with ld\'s wording', () => {
    file('out.c', 'int main(void) { return 0; }\n')
    mkdirSync(join(scratch, 'a-folder'), { recursive: true })
    expect(memscape(['cc', 'out.c', '-o', 'a-folder'])).toEqual({ status: 1, stdout: '', stderr: 'memscape cc: error: cannot open output file a-folder: Is a directory\n' })
    expect(memscape(['cc', 'out.c', '-o', 'missing/x']).stderr).toBe('memscape cc: error: cannot open output file missing/x: No such file or directory\n')
  })

  test('-O2 is accepted with a warning that code stays -O0', () => {
    file('o2.c', 'int main(void) { return 5; }\n')
    const result = memscape(['cc', '-O2', 'o2.c', '-o', 'o2'])
    expect(result).toEqual({ status: 0, stdout: '', stderr: "memscape cc: warning: '-O2' ignored: Memscape compiles as gcc -O0 does\n" })
    expect(runNative(join(scratch, 'o2')).status).toBe(5)
  })

  test('-S writes the assembly in gcc -O0 shape', () => {
    file('asm-out/f.c', 'int f(int a) { return a + 1; }\n')
    const cwd = join(scratch, 'asm-out')
    expect(memscape(['cc', '-S', 'f.c'], cwd).status).toBe(0)
    const text = readFileSync(join(cwd, 'f.s'), 'utf8')
    expect(text).toMatch(/f:\n(.*\n)*\s+push\s+rbp\n\s+mov\s+rbp, rsp\n/)
  })

  test('--help and the command list', () => {
    const help = memscape(['cc', '--help'])
    expect(help.status).toBe(0)
    expect(help.stdout).toMatch(/^Usage: memscape cc /)
    expect(memscape(['--help']).stdout).toMatch(/\n {2}cc FILE\.c\.\.\. .* {2}compile C/)
  })
})

describe('memscape as', () => {
  test('a file defining _start is linked alone', () => {
    file('start.s', 'section .data\nmsg: db "hi", 10\nsection .text\nglobal _start\n_start:\n  mov eax, 1\n  mov edi, 1\n  lea rsi, [rel msg]\n  mov edx, 3\n  syscall\n  mov eax, 60\n  mov edi, 7\n  syscall\n')
    expect(memscape(['as', 'start.s', '-o', 'start'])).toEqual({ status: 0, stdout: '', stderr: '' })
    expect(runNative(join(scratch, 'start'))).toEqual({ stdout: 'hi\n', status: 7 })
    expect(statSync(join(scratch, 'start')).mode & 0o777).toBe(0o755)
  })

  test('a file defining main is linked with the libc, -no-pie too', () => {
    file('main.asm', 'default rel\nsection .rodata\nfmt: db "main %d", 10, 0\nsection .text\nglobal main\nextern printf\nmain:\n  push rbp\n  mov rbp, rsp\n  lea rdi, [fmt]\n  mov esi, 5\n  xor eax, eax\n  call printf\n  mov eax, 2\n  pop rbp\n  ret\n')
    for (const mode of ['-pie', '-no-pie']) {
      expect(memscape(['as', mode, 'main.asm', '-o', 'asm-main']).status).toBe(0)
      expect(runNative(join(scratch, 'asm-main'))).toEqual({ stdout: 'main 5\n', status: 2 })
    }
  })

  test('errors: located, quoted, status 1; C files are refused', () => {
    file('err.s', 'section .text\n  mov rax, [\n')
    const result = memscape(['as', 'err.s'])
    expect(result.status).toBe(1)
    expect(result.stderr).toMatch(/^err\.s:2:\d+: error: .+\n {4}2 \| {3}mov rax, \[\n {6}\| +\^\n$/)
    expect(memscape(['as', 'x.c'])).toEqual({ status: 1, stdout: '', stderr: 'memscape as: error: x.c: not an assembly file (.s or .asm); compile C with memscape cc\n' })
    expect(memscape(['as', '-fstack-protector', 'err.s']).stderr).toBe("memscape as: error: unrecognized command-line option '-fstack-protector'\n")
  })
})
