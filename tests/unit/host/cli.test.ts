// bin/memscape as a user runs it: a child process over the built CLI bundle.

import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, test } from 'vitest'
import { SPIN_FOREVER, exitWith, tinyElf } from '../../fixtures/tiny-elf'
import { repoRoot } from './built'

const scratch = mkdtempSync(join(tmpdir(), 'memscape-cli-'))

function memscape(args: string[], input = '') {
  const result = spawnSync(process.execPath, [join(repoRoot, 'bin', 'memscape'), ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  })
  return { status: result.status, stdout: result.stdout, stderr: result.stderr }
}

function script(name: string, text: string): string {
  const file = join(scratch, name)
  writeFileSync(file, text)
  return file
}

describe('memscape', () => {
  test('--help lists the subcommands', () => {
    const { status, stdout } = memscape(['--help'])
    expect(status).toBe(0)
    expect(stdout).toMatch(/^Memscape 0\.1\.0: /)
    expect(stdout).toMatch(/\n {2}debug \[--batch\] .* {2}debugger prompt/)
    expect(stdout).toMatch(/\n {2}version +print the version of Memscape\n/)
  })

  test('without arguments it shows the help and fails', () => {
    const { status, stdout } = memscape([])
    expect(status).toBe(2)
    expect(stdout).toContain('Usage: memscape COMMAND [ARGS]')
  })

  test('version and --version print the version', () => {
    expect(memscape(['version'])).toEqual({ status: 0, stdout: 'Memscape 0.1.0\n', stderr: '' })
    expect(memscape(['--version']).stdout).toBe('Memscape 0.1.0\n')
  })

  test('an unknown subcommand is a usage error', () => {
    expect(memscape(['frob'])).toEqual({ status: 2, stdout: '', stderr: 'memscape: unknown command "frob"; see "memscape --help"\n' })
  })
})

describe('memscape debug', () => {
  test('--batch -x runs a script and prints what help and version print', () => {
    const { status, stdout, stderr } = memscape(['debug', '--batch', '-x', script('ok.gdb', 'help support\nversion\n# a comment\necho done\\n\n')])
    expect(stderr).toBe('')
    expect(status).toBe(0)
    expect(stdout).toMatch(/^Support facilities\.\n\nList of commands:\n\n(.*\n)*echo -- Print a constant string\./)
    expect(stdout).toContain('\nMemscape 0.1.0\nA simulated x86-64 Linux process, byte by byte.\n')
    expect(stdout.endsWith('done\n')).toBe(true)
  })

  test('a failing script line stops the script with gdb\'s message; later -ex still run', () => {
    const file = script('bad.gdb', 'echo one\\n\nfoo\necho never\\n\n')
    const { status, stdout, stderr } = memscape(['debug', '--batch', '-x', file, '-ex', 'echo after\\n'])
    expect(stdout).toBe('one\nafter\n')
    expect(stderr).toBe(`${file}:2: Error in sourced command file:\nUndefined command: "foo".  Try "help".\n`)
    // As in gdb, the exit status is that of the last command.
    expect(status).toBe(0)
  })

  test('in batch mode a failing last command makes the exit status 1', () => {
    expect(memscape(['debug', '--batch', '-ex', 'foo']).status).toBe(1)
  })

  test('a missing script is reported', () => {
    const { status, stderr } = memscape(['debug', '--batch', '-x', join(scratch, 'none.gdb')])
    expect(status).toBe(1)
    expect(stderr).toBe(`${join(scratch, 'none.gdb')}: No such file or directory.\n`)
  })

  test('the prompt reads commands from stdin until quit', () => {
    const { status, stdout } = memscape(['debug'], 'echo hi\\n\nversion\nquit\necho unreachable\n')
    expect(status).toBe(0)
    expect(stdout).toBe('hi\nMemscape 0.1.0\nA simulated x86-64 Linux process, byte by byte.\n')
  })

  test('bad options are usage errors', () => {
    const { status, stderr } = memscape(['debug', '-x'])
    expect(status).toBe(2)
    expect(stderr).toMatch(/^memscape debug: -x needs an argument\nUsage: memscape debug/)
  })
})

describe('memscape debug PROGRAM', () => {
  test('loads a static ELF into the session', () => {
    const file = join(scratch, 'spin')
    writeFileSync(file, tinyElf(SPIN_FOREVER))
    expect(memscape(['debug', file, '--batch', '-ex', 'echo loaded\\n'])).toEqual({ status: 0, stdout: 'loaded\n', stderr: '' })
  })

  test('a file that is not an ELF is refused with the loader\'s reason', () => {
    const file = script('notes.txt', 'hello')
    const { status, stderr } = memscape(['debug', file, '--batch'])
    expect(status).toBe(1)
    expect(stderr).toBe('memscape debug: not an ELF file: it starts with 68 65 6c 6c, not the ELF magic 7f 45 4c 46 ("\\x7fELF")\n')
  })

  test('a C source is built with -g and run with its arguments; it reads our standard input, and the prompt reads the rest', () => {
    const source = script(
      'names.c',
      '#include <stdio.h>\nint main(int argc, char **argv) {\n  char name[32];\n  while (scanf("%31s", name) == 1) printf("%s hi %s\\n", argv[1], name);\n  return 0;\n}\n',
    )
    const batch = memscape(['debug', '--batch', '-ex', 'break 4', '-ex', 'run', '-ex', 'continue', source, 'ARG'], 'alice\n')
    expect(batch.stderr).toBe('')
    // The source was named by its absolute path, so gdb (and we) name it so.
    expect(batch.stdout).toMatch(/^Breakpoint 1 at 0x[0-9a-f]+: file \/\S+\/names\.c, line 4\.\nStarting program: \S+\/names ARG\n\nBreakpoint 1, main \(argc=2, argv=0x[0-9a-f]+\) at \/\S+\/names\.c:4\n4\t {2}while/)
    expect(batch.stdout).toMatch(/\nContinuing\.\nARG hi alice\n\[Inferior 1 \(process 4242\) exited normally\]\n$/)
    // At the prompt, the commands and the program's input share our standard input, in order.
    const prompt = memscape(['debug', source], 'run\nbob\ncarol\n')
    expect(prompt.stdout).toMatch(/^Starting program: \S+\/names \n\(null\) hi bob\n\(null\) hi carol\n\[Inferior 1 \(process 4242\) exited normally\]\n$/)
  })

  test('a missing program is reported', () => {
    expect(memscape(['debug', join(scratch, 'nope'), '--batch']).stderr).toBe(`memscape debug: ${join(scratch, 'nope')}: No such file or directory.\n`)
  })
})

test('memscape run is registered and runs a program', () => {
  const file = join(scratch, 'exit9')
  writeFileSync(file, tinyElf(exitWith(9)))
  expect(memscape(['--help']).stdout).toMatch(/\n {2}run \[OPTIONS\] PROGRAM/)
  expect(memscape(['run', file]).status).toBe(9)
})
