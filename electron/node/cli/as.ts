// `memscape as FILE.s... [-o OUT]`: assembles NASM-flavoured Intel-syntax files with Memscape's
// assembler and links them into an executable in one step (GNU as would stop at an object file;
// a learner wants something to run). Whether the libc is linked in: see AS_USAGE.

import { commandOrStatus, runBuild } from './cc'
import type { Subcommand } from './subcommand'

export const AS_USAGE = `Usage: memscape as FILE.s... [-o OUT] [OPTIONS]

Assembles FILE.s / FILE.asm (NASM-flavoured Intel syntax: section, global, extern, db/dw/dd/dq,
times, equ) and links the result into a static x86-64 Linux executable (default a.out, mode 755).

Linking:
  - a file that defines _start is the whole program: it is linked alone, without the libc
    (your _start must end the process itself, with the exit system call);
  - otherwise the program must define main, and is linked with Memscape's libc, whose _start
    sets up argc/argv/envp, stdio and the stack canary, calls main and exits with its result;
    the libc's functions (printf, puts, malloc, ...) can then be called.

Options:
  -o FILE              write the executable to FILE (default a.out)
  -pie | -no-pie       static PIE at a random base, ET_DYN (default) / fixed address 0x400000, ET_EXEC
                       (with -pie, code must address data RIP-relatively: default rel, or [rel x])
  -z execstack         executable stack (PT_GNU_STACK RWX);  -z noexecstack (default)
  -g                   DWARF 5 line table: each source line with code gets a row, as with GNU as -g
                       (-ggdb, -gdwarf, -gdwarf-5 mean the same; -g0 turns it off)
  -nostdlib            never link the libc, even without _start
  -w                   do not print warnings
  -h, --help           show this help

Errors are printed as file:line:col: error: message, all of them in one pass; the exit
status is then 1 and no executable is written.
`

export const asSubcommand: Subcommand = {
  name: 'as',
  summary: 'assemble (and link) Intel-syntax assembly into an executable',
  usage: 'FILE.s... [-o OUT] [-no-pie] [-z execstack]',
  async run(args, io) {
    const command = commandOrStatus(args, 'as', AS_USAGE, io)
    if (typeof command === 'number') return command
    const notAssembly = command.sources.filter((source) => !/\.(s|asm)$/.test(source))
    if (notAssembly.length > 0) {
      for (const file of notAssembly) io.err(`memscape as: error: ${file}: not an assembly file (.s or .asm); compile C with memscape cc\n`)
      return 1
    }
    return runBuild(command, io, 'as')
  },
}
