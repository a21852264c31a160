// gdb's `file PATH`: load another executable (and the sources its line table names) through the
// host's file reader; `file` alone unloads the program.

import { CommandError, type Command } from '../command'
import { ElfError } from '../../machine/elf'
import { Program } from '../program'

export const fileCommand: Command = {
  name: 'file',
  category: 'files',
  summary: 'Use FILE as program to be debugged.',
  documentation: [
    'Use FILE as program to be debugged.',
    'It is read for its symbols, for getting the contents of pure memory,',
    'and it is the program executed when you use the `run` command.',
    'No arg means to have no executable file and no symbols.',
    'Example: file /home/user/a.out',
  ].join('\n'),
  run(args, out, { session }) {
    const path = args.trim()
    if (path === '') {
      session.kill()
      session.program = null
      out.line('No executable file now.')
      out.line('No symbol file now.')
      return
    }
    const image = session.readFile?.(path) ?? null
    if (image === null) throw new CommandError(`${path}: No such file or directory.`)
    let program: Program
    try {
      program = new Program({ path, image })
    } catch (error) {
      if (error instanceof ElfError) throw new CommandError(`"${path}": not in executable format: ${error.message}`)
      throw error
    }
    // The sources the line table names, when the host can read them.
    const sources: Record<string, string> = {}
    for (const file of program.sourceFiles()) {
      const bytes = session.readFile?.(file)
      if (bytes) sources[file] = new TextDecoder().decode(bytes)
    }
    out.line(`Reading symbols from ${path}...`)
    session.load({ path, image, sources })
    if (!program.debug) out.line(`(No debugging symbols found in ${path})`)
  },
}
