// The expression commands' logic as gdb runs them: print/output/call, whatis, ptype and
// `set var`. Each takes the text after the command name and returns what gdb prints.

import { ExpressionError, type ExpressionContext } from './environment'
import { evaluate } from './evaluate'
import { parseExamineFormat } from './examine'
import { typeDefinition, typeName } from './format-type'
import { formatValue } from './format-value'
import { parseExpression, parseTypeOrExpression } from './parser'
import type { ExprType } from './types'
import type { Value } from './values'

/** Evaluates an expression (with its side effects: assignments write to the target). */
export function evaluateExpression(text: string, context: ExpressionContext): Value {
  return evaluate(parseExpression(text, context.env), context)
}

/** Splits `/x expr` into the format letter and the expression, refusing what `print` cannot use. */
export function splitPrintFormat(args: string, command: string): { format: string | undefined; expression: string } {
  const text = args.trim()
  if (!text.startsWith('/')) return { format: undefined, expression: text }
  const end = text.search(/\s|$/)
  const { count, format, size } = parseExamineFormat(text.slice(1, end))
  if (count !== 1 || /^\/-?[0-9]/.test(text)) throw new ExpressionError(`Item count other than 1 is meaningless in "${command}" command.`)
  if (size !== undefined) throw new ExpressionError(`Size letters are meaningless in "${command}" command.`)
  if (format === 'i') throw new ExpressionError(`Format letter "i" is meaningless in "${command}" command.`)
  return { format, expression: text.slice(end).trim() }
}

/** `print EXPR` / `print/FMT EXPR`: `$N = value`, the value recorded in the history. */
export function printCommand(args: string, context: ExpressionContext, command = 'print'): string {
  const { format, expression } = splitPrintFormat(args, command)
  const history = context.session.history
  const value = expression === '' ? history.relative(0) : evaluateExpression(expression, context)
  if (!value) return ''
  // Read now: a value that cannot be read is an error and takes no history number.
  value.contents()
  const text = formatValue(value, context, format)
  const index = history.record(value)
  return `$${index} = ${text}`
}

/** `output EXPR`: the value alone, not recorded, with no newline after it. */
export function outputCommand(args: string, context: ExpressionContext): string {
  const { format, expression } = splitPrintFormat(args, 'output')
  if (expression === '') throw new ExpressionError('Argument required (expression to compute).')
  return formatValue(evaluateExpression(expression, context), context, format)
}

/** `set var EXPR` and `set $conv = EXPR`: evaluated for its side effects. */
export function setVariableCommand(args: string, context: ExpressionContext): void {
  if (args.trim() === '') throw new ExpressionError('Argument required (expression to compute).')
  evaluateExpression(args, context)
}

/** `whatis EXPR` or `whatis TYPE`: `type = ...`; a typedef name loses one level. */
export function whatisCommand(args: string, context: ExpressionContext): string {
  return `type = ${typeName(operandType(args, context, true))}`
}

/** `ptype EXPR` or `ptype TYPE`: typedefs looked through, records and enums spelled out. */
export function ptypeCommand(args: string, context: ExpressionContext): string {
  return `type = ${typeDefinition(operandType(args, context, false))}`
}

function operandType(args: string, context: ExpressionContext, peelOneTypedef: boolean): ExprType {
  const text = args.trim()
  if (text === '') {
    const last = context.session.history.relative(0)
    if (!last) throw new ExpressionError('Argument required (one or more choice items).')
    return last.type
  }
  const parsed = parseTypeOrExpression(text, context.env)
  if (parsed.kind === 'expression') return evaluate(parsed.expr, context, 'types-only').type
  const t = parsed.type
  return peelOneTypedef && t.kind === 'typedef' ? t.type : t
}
