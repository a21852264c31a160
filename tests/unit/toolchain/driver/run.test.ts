// `memscape run FILE.c|FILE.s [ARGS...]`: compile in memory with Memscape's toolchain, then run
// in the machine; through the built CLI bundle, as a user runs it.

import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { repoRoot } from '../../host/built'

const scratch = mkdtempSync(join(tmpdir(), 'memscape-run-source-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

function memscape(args: string[], input = '') {
  const result = spawnSync(process.execPath, [join(repoRoot, 'bin', 'memscape'), ...args], {
    cwd: scratch,
    input,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', MEMSCAPE_CACHE_DIR: join(scratch, 'cache') },
    timeout: 60_000,
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

function file(name: string, text: string): void {
  writeFileSync(join(scratch, name), text)
}

const VULNERABLE = '#include <stdio.h>\nvoid vuln(void) { char buf[64]; gets(buf); printf("read %s\\n", buf); }\nint main(void) { vuln(); return 0; }\n'

describe('memscape run SOURCE', () => {
  test('a C file is compiled and run with its arguments; its status is ours', () => {
    file('args.c', '#include <stdio.h>\nint main(int argc, char **argv) { for (int i = 0; i < argc; i++) printf("[%s]", argv[i]); puts(""); return argc; }\n')
    expect(memscape(['run', 'args.c', 'one', 'two'])).toEqual({ status: 3, stdout: '[args.c][one][two]\n', stderr: '' })
  })

  test('an assembly file runs too (its own _start)', () => {
    file('start.s', 'section .text\nglobal _start\n_start:\n  mov eax, 60\n  mov edi, 9\n  syscall\n')
    expect(memscape(['run', 'start.s'])).toEqual({ status: 9, stdout: '', stderr: '' })
  })

  test('compile errors are printed like gcc and the status is 1; nothing runs', () => {
    file('broken.c', 'int main(void) { return x; }\n')
    expect(memscape(['run', 'broken.c'])).toEqual({
      status: 1,
      stdout: '',
      stderr:
        "broken.c: In function 'main':\nbroken.c:1:25: error: 'x' undeclared (first use in this function)\n    1 | int main(void) { return x; }\n      |                         ^\n" +
        'broken.c:1:25: note: each undeclared identifier is reported only once for each function it appears in\n',
    })
  })

  test('--cc passes compiler options: the canary catches an overflow that otherwise reaches the return address', () => {
    file('vuln.c', VULNERABLE)
    const overflow = `${'A'.repeat(0x60)}\n`
    const guarded = memscape(['run', '--cc', '-fstack-protector-strong', 'vuln.c'], overflow)
    expect(guarded.status).toBe(134)
    expect(guarded.stderr).toContain('*** stack smashing detected ***: terminated\n')
    const unguarded = memscape(['run', 'vuln.c'], overflow)
    expect(unguarded.status).toBe(139)
    expect(memscape(['run', 'vuln.c'], 'ok\n')).toEqual({ status: 0, stdout: 'read ok\n', stderr: '' })
  })

  test('a missing source is "not found" (127); a bad --cc option is reported', () => {
    expect(memscape(['run', 'none.c'])).toEqual({ status: 127, stdout: '', stderr: 'memscape run: none.c: No such file or directory\n' })
    file('fine.c', 'int main(void) { return 0; }\n')
    expect(memscape(['run', '--cc', '-frobnicate', 'fine.c'])).toEqual({ status: 1, stdout: '', stderr: "memscape run: error: unrecognized command-line option '-frobnicate'\n" })
  })
})
