// -fno-builtin and -ffreestanding in `memscape cc` and the driver: gcc turns `printf("hi\n")` into
// `puts("hi")` even at -O0 unless told the library may not be the standard one; -ffreestanding
// also makes __STDC_HOSTED__ 0. Checked against gcc -S and gcc -E on this machine.

import { execFileSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { parseBuildArgs, runBuild, type BuildCommand } from '../../../../electron/node/cli/cc'
import { buildProgram } from '../../../../shared/toolchain/driver'

const scratch = mkdtempSync(join(tmpdir(), 'memscape-builtins-'))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

const SOURCE = 'hi.c'
const PROGRAM = '#include <stdio.h>\nint main(void)\n{\n    printf("hi\\n");\n    return __STDC_HOSTED__;\n}\n'
writeFileSync(join(scratch, SOURCE), PROGRAM)

/** The functions a listing calls, in order (gcc's AT&T `call puts@PLT`, our `call puts`). */
const calls = (assembly: string): string[] => [...assembly.matchAll(/^\s*call\s+(\w+)/gm)].map((m) => m[1] as string)

function gccCalls(flags: readonly string[]): string[] {
  return calls(execFileSync('gcc', ['-O0', '-S', ...flags, SOURCE, '-o', '-'], { cwd: scratch, encoding: 'utf8' }))
}

function memscapeCalls(flags: readonly string[]): string[] {
  const command = parseBuildArgs(['-S', ...flags, SOURCE, '-o', 'hi.s'], 'cc') as BuildCommand
  let errors = ''
  const status = runBuild(command, { err: (text) => (errors += text) }, 'cc', scratch)
  expect({ status, errors }).toEqual({ status: 0, errors: '' })
  return calls(readFileSync(join(scratch, 'hi.s'), 'utf8'))
}

describe('memscape cc -S', () => {
  test.each([[[]], [['-fno-builtin']], [['-ffreestanding']]])('with %j calls what gcc -S calls', (flags: string[]) => {
    const expected = gccCalls(flags)
    expect(expected).toEqual(flags.length === 0 ? ['puts'] : ['printf'])
    expect(memscapeCalls(flags)).toEqual(expected)
  })

  test('parses the flags into the driver options', () => {
    const parse = (args: string[]): BuildCommand => parseBuildArgs([...args, SOURCE], 'cc') as BuildCommand
    expect(parse([]).options).toMatchObject({ builtins: true, freestanding: false })
    expect(parse(['-fno-builtin']).options).toMatchObject({ builtins: false, freestanding: false })
    expect(parse(['-ffreestanding']).options).toMatchObject({ builtins: true, freestanding: true })
    expect(() => parseBuildArgs(['-fno-builtin', SOURCE], 'as')).toThrow("unrecognized command-line option '-fno-builtin'")
  })
})

describe('the driver', () => {
  const build = (options: Parameters<typeof buildProgram>[2]): string => {
    const result = buildProgram({ [SOURCE]: PROGRAM }, [SOURCE], { link: false, ...options })
    if (result.units[0]?.assembly === undefined || result.units[0].assembly === '') throw new Error(result.diagnostics)
    return result.units[0].assembly
  }

  test('builtins: false keeps printf; freestanding implies it', () => {
    expect(calls(build({}))).toEqual(['puts'])
    expect(calls(build({ builtins: false }))).toEqual(['printf'])
    expect(calls(build({ freestanding: true }))).toEqual(['printf'])
  })

  test('-ffreestanding makes __STDC_HOSTED__ 0, as gcc -E; a -D of it still wins', () => {
    const hosted = (flags: readonly string[]): string => execFileSync('gcc', ['-E', '-P', ...flags, '-'], { input: '__STDC_HOSTED__\n', encoding: 'utf8' }).trim()
    expect([hosted([]), hosted(['-ffreestanding']), hosted(['-ffreestanding', '-D__STDC_HOSTED__=7'])]).toEqual(['1', '0', '7'])
    // main's last `mov eax, N` is its return value (the one before the call zeroes al for printf).
    const returned = (options: Parameters<typeof buildProgram>[2]): string | undefined => [...build(options).matchAll(/mov\s+eax, (\d+)/g)].at(-1)?.[1]
    expect([returned({}), returned({ freestanding: true }), returned({ freestanding: true, defines: { __STDC_HOSTED__: '7' } })]).toEqual(['1', '0', '7'])
  })
})
