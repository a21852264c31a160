// Hovering a variable in C source while the program is stopped: which expression the pointer is
// on (a name, or a field chain such as `list->head->value`), in which function, and what gdb says
// of it — its value, its address and its size, so its bytes can be highlighted everywhere.

import { ensureSyntaxTree } from '@codemirror/language'
import type { EditorState } from '@codemirror/state'
import type { SyntaxNode } from '@lezer/common'
import { outputText, type CommandOutput } from '../../../../shared/debugger/output'

export interface HoverTarget {
  from: number
  to: number
  expression: string
  /** The function whose body holds it; null at file level (a global's declaration). */
  functionName: string | null
}

function functionNameOf(definition: SyntaxNode, state: EditorState): string | null {
  const declarator = definition.getChild('FunctionDeclarator') ?? definition.getChild('PointerDeclarator')?.getChild('FunctionDeclarator')
  const name = declarator?.getChild('Identifier')
  return name ? state.doc.sliceString(name.from, name.to) : null
}

/** The C expression under a position, or null on a keyword, a type, a literal, a comment. */
export function hoverTargetAt(state: EditorState, pos: number, side: -1 | 1 = 1): HoverTarget | null {
  const tree = ensureSyntaxTree(state, pos + 1, 200)
  if (!tree) return null
  const node = tree.resolveInner(pos, side)
  let from = node.from
  if (node.name === 'FieldIdentifier' && node.parent?.name === 'FieldExpression') from = node.parent.from
  else if (node.name !== 'Identifier') return null
  let functionName: string | null = null
  for (let up: SyntaxNode | null = node.parent; up; up = up.parent) {
    // A prototype's parameters and a macro's words name nothing in the running program.
    if (up.name === 'PreprocDirective' || (up.name === 'ParameterList' && up.parent?.parent?.name === 'Declaration')) return null
    if (up.name === 'FunctionDefinition') {
      functionName = functionNameOf(up, state)
      break
    }
  }
  return { from, to: node.to, expression: state.doc.sliceString(from, node.to).replace(/\s+/g, ''), functionName }
}

/** The address gdb prints for `&x`: `(int *) 0x7fffffffe3cc`, `(char (*)[16]) 0x…`. */
export function addressFromOutput(text: string): bigint | null {
  const match = /\) (0x[0-9a-f]+)(?: <[^>]*>)?\s*$/.exec(text.trim())
  return match?.[1] ? BigInt(match[1]) : null
}

export interface VariableFacts {
  expression: string
  /** The value as gdb prints it. */
  value: string
  address: bigint | null
  size: number | null
}

/**
 * Asks gdb about an expression with `output`, which prints as `print` does but keeps the value
 * out of gdb's value history ($1, $2…), so hovering leaves the learner's numbering alone. A name
 * gdb does not know answers null: hovering shows nothing rather than an error.
 */
export async function variableFacts(expression: string, query: (line: string) => Promise<CommandOutput>): Promise<VariableFacts | null> {
  const value = await query(`output ${expression}`)
  if (!value.ok) return null
  const text = outputText(value).trim()
  // A function's name prints as its address: its bytes are code, not a variable's storage.
  if (/^\{.*\} 0x[0-9a-f]+/.test(text)) return { expression, value: text, address: null, size: null }
  const [address, size] = await Promise.all([query(`output &${expression}`), query(`output sizeof(${expression})`)])
  const sizeValue = size.ok ? Number(outputText(size).trim()) : NaN
  return {
    expression,
    value: text,
    address: address.ok ? addressFromOutput(outputText(address)) : null,
    size: Number.isInteger(sizeValue) && sizeValue > 0 ? sizeValue : null,
  }
}

/** gdb's answers until the program moves on: hovering the same name again asks nothing. */
export class FactsPerStop {
  private stop = -1
  private answers = new Map<string, Promise<VariableFacts | null>>()

  get(stop: number, expression: string, ask: () => Promise<VariableFacts | null>): Promise<VariableFacts | null> {
    if (stop !== this.stop) {
      this.answers.clear()
      this.stop = stop
    }
    let answer = this.answers.get(expression)
    if (!answer) {
      answer = ask().catch(() => null)
      this.answers.set(expression, answer)
    }
    return answer
  }
}
