// The Machine facade and the kernel behind it: determinism, waiting for input, runaway guests,
// memory bombs, unimplemented system calls, terminals, user files, fault values.

import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { Machine, defaultExecPath, type MachineOptions, type MachineStatus } from '../../../../shared/machine/machine'

const dir = mkdtempSync(join(tmpdir(), 'memscape-machine-'))
const PROGRAMS = fileURLToPath(new URL('../../../programs', import.meta.url))
const binaries: Record<string, Uint8Array> = {}

const SOURCES: Record<string, string> = {
  // Everything that depends on the seed or on time.
  entropy: `
    #include <stdio.h>
    #include <stdlib.h>
    #include <time.h>
    #include <fcntl.h>
    #include <unistd.h>
    #include <sys/random.h>
    int main(void) {
      unsigned char r[8]; getrandom(r, sizeof r, 0);
      unsigned char u[8]; int fd = open("/dev/urandom", O_RDONLY); read(fd, u, sizeof u); close(fd);
      unsigned long canary; __asm__("mov %%fs:0x28, %0" : "=r"(canary));
      int local; void *small = malloc(16), *big = malloc(1 << 20);
      struct timespec ts; clock_gettime(CLOCK_MONOTONIC, &ts);
      printf("%02x%02x%02x%02x %02x%02x canary %016lx stack %p heap %p mmap %p time %ld.%09ld\\n",
             r[0], r[1], r[2], r[3], u[0], u[1], canary, (void *)&local, small, big, (long)ts.tv_sec, ts.tv_nsec);
      return 0;
    }`,
  echo: `
    #include <stdio.h>
    int main(void) { char line[64]; while (fgets(line, sizeof line, stdin)) printf("[%s]", line); puts("EOF"); return 3; }`,
  spin: `int main(void) { for (volatile unsigned long i = 0;; i++) {} }`,
  bomb: `
    #include <stdio.h>
    #include <stdlib.h>
    #include <string.h>
    int main(void) {
      int blocks = 0;
      for (;;) { char *p = malloc(1 << 20); if (!p) break; memset(p, 1, 1 << 20); blocks++; }
      printf("allocated %d MiB before malloc failed\\n", blocks);
      return 0;
    }`,
  nosys: `
    #include <stdio.h>
    #include <errno.h>
    #include <string.h>
    #include <unistd.h>
    #include <sys/syscall.h>
    int main(void) {
      long a = syscall(SYS_inotify_init1, 0); int e1 = errno;
      long b = syscall(1000); int e2 = errno;
      syscall(SYS_inotify_init1, 0);
      printf("%ld %s / %ld %s\\n", a, strerror(e1), b, strerror(e2));
      return 0;
    }`,
  tty: `
    #include <stdio.h>
    #include <unistd.h>
    #include <sys/ioctl.h>
    int main(void) {
      struct winsize ws = {0}; int r = ioctl(1, TIOCGWINSZ, &ws);
      printf("isatty %d %d %d winsize %d %dx%d\\n", isatty(0), isatty(1), isatty(2), r, ws.ws_col, ws.ws_row);
      printf("no newline yet");
      return 0;
    }`,
  cat: `
    #include <stdio.h>
    int main(int argc, char **argv) {
      FILE *f = fopen(argv[1], "r+"); if (!f) { perror(argv[1]); return 1; }
      char buf[64]; size_t n = fread(buf, 1, sizeof buf, f); fwrite(buf, 1, n, stdout);
      fputs(" appended", f); fclose(f);
      f = fopen(argv[1], "r"); n = fread(buf, 1, sizeof buf, f); printf("|%.*s|\\n", (int)n, buf);
      return 0;
    }`,
  ids: `
    #include <stdio.h>
    #include <unistd.h>
    #include <sys/utsname.h>
    int main(void) {
      struct utsname u; uname(&u);
      printf("%s %s %s %s | pid %d ppid %d uid %d gid %d\\n", u.sysname, u.nodename, u.release, u.machine, getpid(), getppid(), getuid(), getgid());
      return 0;
    }`,
  blockedHandler: `
    #include <signal.h>
    static void on_segv(int sig) { (void)sig; }
    int main(void) {
      signal(SIGSEGV, on_segv);
      sigset_t m; sigemptyset(&m); sigaddset(&m, SIGSEGV); sigprocmask(SIG_BLOCK, &m, 0);
      return *(volatile int *)0;
    }`,
  maps: `
    #include <stdio.h>
    int main(void) {
      FILE *f = fopen("/proc/self/maps", "r"); char buf[8192]; size_t n = fread(buf, 1, sizeof buf, f);
      fwrite(buf, 1, n, stdout); return 0;
    }`,
}

/** Corpus programs whose fault values these tests check. */
const CORPUS = ['crash_stack_overflow', 'crash_stack_protector', 'crash_double_free', 'crash_abort', 'crash_bad_return', 'crash_illegal', 'crash_divide_zero', 'crash_exec_stack', 'crash_rodata_write']

beforeAll(() => {
  const compile = (name: string, source: string, flags: string[] = []) => {
    const out = join(dir, name)
    const result = spawnSync('gcc', ['-O2', '-static', ...flags, '-o', out, source])
    if (result.status !== 0) throw new Error(result.stderr.toString())
    binaries[name] = new Uint8Array(readFileSync(out))
  }
  for (const [name, source] of Object.entries(SOURCES)) {
    writeFileSync(join(dir, `${name}.c`), source)
    compile(name, join(dir, `${name}.c`))
  }
  for (const name of CORPUS) {
    const flags = readFileSync(join(PROGRAMS, `${name}.c`), 'utf8').match(/^\/\/! cflags:(.*)$/m)?.[1]?.trim().split(/\s+/) ?? []
    compile(name, join(PROGRAMS, `${name}.c`), flags)
  }
}, 120_000)

afterAll(() => rmSync(dir, { recursive: true, force: true }))

function machine(name: string, options: Partial<MachineOptions> = {}): { m: Machine; out: () => string; err: () => string } {
  const m = Machine.fromElf(binaries[name]!, { argv: [`./${name}`], env: [], seed: 1, aslr: 2, stdinClosed: true, ...options })
  let out = ''
  let err = ''
  m.onOutput = (fd, bytes) => {
    if (fd === 1) out += new TextDecoder().decode(bytes)
    else err += new TextDecoder().decode(bytes)
  }
  return { m, out: () => out, err: () => err }
}

function signaled(status: MachineStatus) {
  if (status.state !== 'signaled') throw new Error(`expected a signal, got ${JSON.stringify(status)}`)
  return status
}

describe('determinism', () => {
  test('the same seed gives the same run byte for byte; another seed another layout', () => {
    const runs = [1, 1, 2].map((seed) => {
      const { m, out } = machine('entropy', { seed })
      const status = m.run(1e9)
      return { status, out: out(), count: m.instructionCount, maps: m.procMaps() }
    })
    expect(runs[0]!.status).toEqual({ state: 'exited', code: 0 })
    expect(runs[1]).toEqual(runs[0])
    expect(runs[2]!.out).not.toBe(runs[0]!.out)
    expect(runs[2]!.maps).not.toBe(runs[0]!.maps)
    // Virtual time: one nanosecond per instruction after an hour of uptime.
    expect(runs[0]!.out).toMatch(/time 3600\.\d{9}\n$/)
  })

  test('the canary is AT_RANDOM with its low byte cleared', () => {
    const { m, out } = machine('entropy')
    m.run(1e9)
    expect(out()).toMatch(/canary [0-9a-f]{14}00 /)
  })
})

describe('the executable\'s path', () => {
  test('defaults to argv[0] made absolute against the working directory', () => {
    expect(defaultExecPath('./a.out')).toBe('/home/user/a.out')
    expect(defaultExecPath('a.out')).toBe('/home/user/a.out')
    expect(defaultExecPath('/usr/local/bin/prog')).toBe('/usr/local/bin/prog')
    expect(defaultExecPath('../shared/./prog')).toBe('/home/shared/prog')
  })

  test('is what /proc/self/exe and the maps name show', () => {
    const { m } = machine('maps', { argv: ['./bin/../maps'] })
    m.run(1e9)
    expect(m.procMaps()).toContain(' /home/user/maps\n')
    const exe = m.kernel.vfs.lookup('/proc/self/exe', false)
    expect(exe.kind === 'symlink' && exe.target()).toBe('/home/user/maps')
    // stat() of the executable shows the inode /proc/self/maps shows.
    const inode = Number(/^00400000-\S+ \S+ \S+ \S+ (\d+)/.exec(m.procMaps())?.[1])
    expect(m.kernel.vfs.lookup('/home/user/maps', true).ino).toBe(inode)
  })
})

describe('standard input', () => {
  test('a read with nothing typed waits; fed bytes and end of file resume it', () => {
    const { m, out } = machine('echo', { stdinClosed: false, stdin: new TextEncoder().encode('one\n') })
    expect(m.status).toEqual({ state: 'ready' })
    expect(m.run(1e9)).toEqual({ state: 'waiting-input' })
    expect(out()).toBe('')
    const count = m.instructionCount
    expect(m.run(1e9)).toEqual({ state: 'waiting-input' })
    expect(m.instructionCount).toBe(count)
    m.feedStdin(new TextEncoder().encode('two\nthr'))
    expect(m.run(1e9)).toEqual({ state: 'waiting-input' })
    m.feedStdin(new TextEncoder().encode('ee\n'))
    m.closeStdin()
    expect(m.run(1e9)).toEqual({ state: 'exited', code: 3 })
    expect(out()).toBe('[one\n][two\n][three\n]EOF\n')
  })
})

describe('guests that never stop or eat memory', () => {
  test('run(n) returns after n instructions and continues where it stopped', () => {
    const { m } = machine('spin')
    expect(m.run(2_000_000)).toEqual({ state: 'running' })
    expect(m.instructionCount).toBe(2_000_000)
    expect(m.run(500_000)).toEqual({ state: 'running' })
    expect(m.instructionCount).toBe(2_500_000)
  })

  test('allocating until the guest RAM limit makes malloc fail, not the host', () => {
    const { m, out } = machine('bomb', { maxMemoryBytes: 64 * 1024 * 1024 })
    expect(m.run(2e9)).toEqual({ state: 'exited', code: 0 })
    const blocks = Number(/allocated (\d+) MiB/.exec(out())?.[1])
    expect(blocks).toBeGreaterThan(40)
    expect(blocks).toBeLessThan(64)
  })
})

describe('system calls', () => {
  test('an unimplemented call returns ENOSYS and is reported by name', () => {
    const { m, out } = machine('nosys')
    expect(m.run(1e9)).toEqual({ state: 'exited', code: 0 })
    expect(out()).toBe('-1 Function not implemented / -1 Function not implemented\n')
    expect(m.unimplementedSyscalls).toEqual([
      { name: 'inotify_init1', count: 2 },
      { name: 'syscall_1000', count: 1 },
    ])
    expect(m.report().unimplementedSyscalls).toEqual(m.unimplementedSyscalls)
  })

  test('identity: a Linux 6.18 x86-64 machine, a fixed pid, an ordinary user', () => {
    const { m, out } = machine('ids')
    m.run(1e9)
    expect(out()).toBe('Linux memscape 6.18.44 x86_64 | pid 4242 ppid 4241 uid 1000 gid 1000\n')
  })

  test('stdout is a pipe by default and a terminal when asked', () => {
    const pipe = machine('tty')
    pipe.m.run(1e9)
    expect(pipe.out()).toBe('isatty 0 0 0 winsize -1 0x0\nno newline yet')
    const terminal = machine('tty', { terminal: true })
    const chunks: string[] = []
    terminal.m.onOutput = (_fd, bytes) => chunks.push(new TextDecoder().decode(bytes))
    terminal.m.run(1e9)
    // Line buffered on a terminal: the first line is written on its own.
    expect(chunks).toEqual(['isatty 0 1 1 winsize 0 80x24\n', 'no newline yet'])
  })

  test('files the user adds can be read and written', () => {
    const { m, out } = machine('cat', { argv: ['./cat', '/home/user/notes.txt'], files: { '/home/user/notes.txt': new TextEncoder().encode('hello') } })
    expect(m.run(1e9)).toEqual({ state: 'exited', code: 0 })
    expect(out()).toBe('hello|hello appended|\n')
    const missing = machine('cat', { argv: ['./cat', 'nope.txt'] })
    expect(missing.m.run(1e9)).toEqual({ state: 'exited', code: 1 })
    expect(missing.err()).toBe('nope.txt: No such file or directory\n')
  })

  test('/proc/self/maps is the machine\'s own maps text', () => {
    const { m, out } = machine('maps')
    m.run(1e9)
    expect(out()).toBe(m.procMaps())
    expect(out()).toMatch(/^00400000-00401000 r--p 00000000 fe:00 \d+ +\/home\/user\/maps\n/)
    expect(out()).toMatch(/\n7ff[0-9a-f]{9}-7ff[0-9a-f]{9} rw-p 00000000 00:00 0 +\[stack\]\n/)
  })
})

describe('faults as values', () => {
  const cases: [string, number, string, RegExp][] = [
    ['crash_stack_overflow', 11, 'stack-overflow', /^Stack overflow/],
    ['crash_stack_protector', 6, 'stack-smashing', /canary/],
    ['crash_double_free', 6, 'allocator-abort', /free\(\): double free detected in tcache 2/],
    ['crash_abort', 6, 'abort', /abort\(\)/],
    ['crash_bad_return', 11, 'non-canonical', /non-canonical/],
    ['crash_illegal', 4, 'invalid-opcode', /Illegal instruction at 0x[0-9a-f]+: the bytes 0f 0b/],
    ['crash_divide_zero', 8, 'divide-error', /division by zero/],
    ['crash_exec_stack', 11, 'no-execute', /\[stack\] \(rw-p\), which is not executable/],
    ['crash_rodata_write', 11, 'protection', /does not allow writing/],
  ]
  test('a fault while its handler is blocked kills the process without a kernel log line, as on Linux', () => {
    const { m } = machine('blockedHandler')
    const status = signaled(m.run(1e9))
    expect(status.signal).toBe(11)
    expect(status.fault?.kind).toBe('unmapped')
    expect(status.kernelLog).toBeNull()
  })

  test.each(cases)('%s', (name, signal, kind, message) => {
    const { m } = machine(name)
    const status = signaled(m.run(2e9))
    expect(status.signal).toBe(signal)
    expect(status.fault?.kind).toBe(kind)
    expect(status.fault?.message).toMatch(message)
    expect(m.report().shellStatus).toBe(128 + signal)
  })
})
