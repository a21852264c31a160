import type { RunnableMachine } from './simulation-runtime'
import type { ProgramLoad } from './worker-messages'

export function loadProgram(program: ProgramLoad): RunnableMachine {
  throw new Error(`cannot load ${program.path}: the machine (shared/machine/machine.ts) is not built yet`)
}
