import { CommandError, type Command } from '../command'
import { setVariableCommand } from '../expression/commands'
import { parseRunArguments } from '../launch'
import { parseDisassemblyFlavor } from '../disassembly'

export const setCommand: Command = {
  name: 'set',
  category: 'data',
  summary: 'Evaluate expression EXP and assign result to variable VAR.',
  documentation: [
    'Evaluate expression EXP and assign result to variable VAR.',
    'set var VAR = EXP      a variable of the program (also set variable)',
    'set {TYPE} ADDR = EXP  memory seen as TYPE: set {int} 0x404040 = 5',
    'set $REG = EXP         a register: set $rip = 0x401136',
    'set args ARGS...       the arguments of the next run',
    'set disassembly-flavor att|intel   how disassemble and x/i write instructions',
    'Every change is recorded, so reverse execution and saved sessions stay exact.',
    'Example: set var x = 41',
  ].join('\n'),
  run(args, _out, { session }) {
    const match = /^(\S+)\s*(.*)$/s.exec(args)
    if (!match) throw new CommandError('Argument required (expression to compute).')
    const [, word, rest] = match as unknown as [string, string, string]
    if (word === 'args') {
      session.run.args = parseRunArguments(rest).args
      return
    }
    if (word === 'disassembly-flavor') {
      session.disassemblyFlavor = parseDisassemblyFlavor(rest)
      return
    }
    const expression = word === 'var' || word === 'variable' ? rest : args
    session.withExpressions((context) => setVariableCommand(expression, context))
    session.invalidateFrames()
  },
}
