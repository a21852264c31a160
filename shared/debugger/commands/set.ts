import { CommandError, type Command } from '../command'
import { setVariableCommand } from '../expression/commands'
import { parseRunArguments } from '../launch'
import { parseDisassemblyFlavor } from '../disassembly'
import { ASLR_OFF, ASLR_ON } from './aslr'

function parseOnOff(setting: string, text: string): boolean {
  const word = text.trim()
  if (word === '' || word === 'on' || word === '1' || word === 'yes' || word === 'enable') return true
  if (word === 'off' || word === '0' || word === 'no' || word === 'disable') return false
  throw new CommandError(`"on" or "off" expected.`)
}

/** Seeds are 32-bit, as the host's session options take them. */
function parseSeed(text: string): number {
  const word = text.trim()
  if (!/^(0x[0-9a-f]+|\d+)$/i.test(word) || Number(word) > 0xffff_ffff) throw new CommandError(`random-seed: a number from 0 to 4294967295 expected, not "${word}".`)
  return Number(word)
}

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
    'set disable-randomization on|off   ASLR off (gdb\'s default) or on for the next run',
    'set random-seed N      the seed of the next run\'s randomness (ASLR slides, canary, getrandom)',
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
    if (word === 'disable-randomization') {
      session.run.aslr = parseOnOff(word, rest) ? ASLR_OFF : ASLR_ON
      return
    }
    if (word === 'random-seed') {
      session.run.seed = parseSeed(rest)
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
