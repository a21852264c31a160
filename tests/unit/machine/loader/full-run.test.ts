// The whole process, run: a glibc (and musl) program printing the addresses of a local, a
// global, .bss, .rodata, main, malloc blocks below and above the mmap threshold, the break,
// argv, envp, the auxiliary vector and its /proc/self/maps prints the same text natively under
// `setarch -R env -i` and in Memscape with ASLR off, the same argv and environment. (The
// executable's inode is the only difference: Memscape's file system is not the host's.)

import { afterAll, describe, expect, it } from 'vitest'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { Machine } from '../../../../shared/machine/machine'
import { compile, removeBuilds, runNative, runNativeStatus } from './native'

afterAll(removeBuilds)

function runInMemscape(binary: string, args: string[], env: string[], seed: number, aslr: 0 | 1 | 2): string {
  const { out, status } = runMachine(binary, args, env, seed, aslr)
  expect(status).toEqual({ state: 'exited', code: 0 })
  return out
}

function runMachine(binary: string, args: string[], env: string[], seed: number, aslr: 0 | 1 | 2, maxMemoryBytes?: number) {
  const machine = Machine.fromElf(readFileSync(binary), { argv: [binary, ...args], env, seed, aslr, execPath: binary, maxMemoryBytes })
  const decoder = new TextDecoder()
  let out = ''
  machine.onOutput = (fd, bytes) => {
    if (fd === 1) out += decoder.decode(bytes, { stream: true })
  }
  const status = machine.run(500_000_000)
  return { out, status }
}

/** The executable's maps lines carry the host inode natively. */
function maskExeInode(text: string, binary: string): string {
  return text.replace(new RegExp(` (\\d+) +${binary.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`, 'gm'), ` INODE ${binary}`)
}

const hasMusl = (() => {
  try {
    execFileSync('musl-gcc', ['--version'], { stdio: 'ignore' })
    return true
  } catch {
    return false
  }
})()

const builds = [
  { name: 'glibc static -O0', flags: ['-static', '-O0'] },
  { name: 'glibc static -O2', flags: ['-static', '-O2'] },
  { name: 'glibc static-pie -O2', flags: ['-static-pie', '-O2'] },
]

describe('a C program prints the same addresses natively and in Memscape (ASLR off)', () => {
  for (const build of builds) {
    it(build.name, () => {
      const binary = compile('addresses.c', `full-${build.name.replace(/\W+/g, '-')}`, build.flags)
      for (const args of [['a', 'bb'], []]) {
        const native = runNative(binary, args)
        expect(native).toContain('[heap]')
        expect(maskExeInode(runInMemscape(binary, args, [], 1, 0), binary)).toBe(maskExeInode(native, binary))
      }
    })
  }

  it('with an environment, its strings and pointers where Linux puts them', () => {
    const binary = compile('addresses.c', 'full-env', ['-static', '-O1'])
    const env = ['HOME=/home/user', 'LANG=C.UTF-8', 'PATH=/usr/local/bin:/usr/bin:/bin', 'X=' + 'x'.repeat(300)]
    const native = runNative(binary, ['one', 'two'], '', false, env)
    expect(native).toContain('env ')
    expect(maskExeInode(runInMemscape(binary, ['one', 'two'], env, 3, 0), binary)).toBe(maskExeInode(native, binary))
  })

  it('stack exhaustion: the stack grows to RLIMIT_STACK (8 MiB) and no further, as natively', () => {
    const binary = compile('stack-depth.c', 'full-stack-depth', ['-static', '-O0'])
    const native = runNativeStatus(binary, [])
    expect(native.signal).toBe('SIGSEGV')
    const { out, status } = runMachine(binary, [], [], 1, 0)
    expect(status).toMatchObject({ state: 'signaled', signal: 11 })
    const last = (text: string) => text.trimEnd().split('\n').at(-1)
    expect(last(out)).toBe(last(native.stdout))
    expect(out).toBe(native.stdout)
  })

  it.skipIf(!hasMusl)('musl static', () => {
    const binary = compile('addresses.c', 'full-musl', ['-static', '-O1'], 'musl-gcc')
    const native = runNative(binary, ['x'])
    expect(maskExeInode(runInMemscape(binary, ['x'], [], 1, 0), binary)).toBe(maskExeInode(native, binary))
  })
})

describe('with ASLR on, the seed decides everything', () => {
  it('same seed, same output; another seed, other addresses', () => {
    const binary = compile('addresses.c', 'full-aslr', ['-static-pie', '-O2'])
    const a = runInMemscape(binary, ['q'], ['HOME=/home/user'], 77, 2)
    expect(runInMemscape(binary, ['q'], ['HOME=/home/user'], 77, 2)).toBe(a)
    const b = runInMemscape(binary, ['q'], ['HOME=/home/user'], 78, 2)
    const line = (text: string, key: string) => text.split('\n').find((l) => l.startsWith(key + ' '))
    for (const key of ['local', 'global', 'malloc24', 'malloc200k', 'brk0']) expect(line(b, key)).not.toBe(line(a, key))
  })
})

describe('guest RAM exhaustion', () => {
  it('a program allocating until failure sees ENOMEM from mmap and brk, and exits normally', () => {
    const binary = compile('exhaust.c', 'full-exhaust', ['-static', '-O1'])
    const { out, status } = runMachine(binary, [], [], 1, 2, 48 * 1024 * 1024)
    expect(status).toEqual({ state: 'exited', code: 0 })
    const blocks = Number(/malloc blocks (\d+) \(errno ENOMEM\)/.exec(out)?.[1])
    const megabytes = Number(/sbrk megabytes (\d+) \(errno ENOMEM\)/.exec(out)?.[1])
    // 48 MiB of guest RAM, less what the program, its stack and malloc's bookkeeping occupy.
    expect(blocks).toBeGreaterThan(40)
    expect(blocks).toBeLessThan(48)
    expect(megabytes).toBeGreaterThan(40)
    expect(megabytes).toBeLessThan(48)
  })
})
