// pwndbg's nearpc: the instructions around an address in capstone's Intel syntax, the current
// one marked ►, each labelled with its symbol, branch targets named, and a blank line after
// each call, jump and return (where the flow may not continue to the next line).

import type { DisassembledLine } from '../machine/disasm'
import { instructionsAround, lookingTarget } from './looking'
import type { Segment } from './output'
import type { ProgramView } from './pointer-chain'

const PREFIX = '►'
/** Column pwndbg's branch annotations (`<sum>`) start at, after the instruction. */
const ANNOTATION_COLUMN = 35

const isFlowChange = (text: string): boolean => /^(call|ret|jmp|j[a-z]+|loop\w*)\b/.test(text)

/** `mov    dword ptr [rbp - 4], 0`, or `call   sum` with `<sum>` after it. */
function instructionText(view: ProgramView, line: DisassembledLine): string {
  if (!line.valid) return '(bad)'
  const [mnemonic, ...rest] = line.text.split(' ')
  let operands = rest.join(' ')
  const target = line.branchTarget === undefined ? null : view.symbol(BigInt(line.branchTarget))
  if (target !== null) operands = target
  const text = operands === '' ? mnemonic! : `${mnemonic!.padEnd(6)} ${operands}`
  return target === null ? text : `${text.padEnd(ANNOTATION_COLUMN)} <${target}>`
}

/** pwndbg's nearpc lines for `pc`, `lines` instructions either side of it. */
export function nearpcLines(view: ProgramView, pc: bigint, lines: number): Segment[][] {
  const instructions = instructionsAround(lookingTarget(view.session), Number(pc), lines, lines, 'capstone-intel')
  if (instructions.length === 0) return [[{ text: `Invalid address 0x${pc.toString(16)}`, style: 'error' }]]
  const addresses = instructions.map((line) => `0x${line.address.toString(16)}`)
  const symbols = instructions.map((line) => {
    const symbol = view.symbol(BigInt(line.address))
    return symbol ? `<${symbol}> ` : ''
  })
  const addressWidth = Math.max(...addresses.map((a) => a.length))
  const symbolWidth = Math.max(...symbols.map((s) => s.length))
  const result: Segment[][] = []
  let marked = false
  instructions.forEach((line, i) => {
    const previous = instructions[i - 1]
    if (previous && previous.address + previous.bytes.length !== line.address) result.push([{ text: '    ↓', style: 'muted' }])
    else if (previous && previous.valid && isFlowChange(previous.text)) result.push([{ text: ' ', style: 'plain' }])
    const current = BigInt(line.address) === pc && !marked
    if (current) marked = true
    const style = current ? 'heading' : 'plain'
    result.push([
      { text: ` ${current ? PREFIX : ' '} `, style: current ? 'code' : 'plain' },
      { text: addresses[i]!.padEnd(addressWidth), style: current ? 'heading' : 'address' },
      { text: ' ', style: 'plain' },
      { text: symbols[i]!.padEnd(symbolWidth), style: current ? 'heading' : 'muted' },
      { text: ' ', style: 'plain' },
      { text: instructionText(view, line), style },
    ])
  })
  return result
}
