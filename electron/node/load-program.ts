// Turns a session's program into a Machine (the ELF loader's errors carry their reason).

import { Machine } from '../../shared/machine/machine'
import type { ProgramLoad } from './worker-messages'

export function loadProgram(program: ProgramLoad): Machine {
  return Machine.fromElf(program.image, {
    argv: program.argv,
    env: program.env,
    seed: program.seed,
    aslr: program.aslr,
    execPath: program.path,
  })
}
