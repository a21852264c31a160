import { CommandError, type Command } from '../command'
import { callArgument, callFunction, printCallResult } from '../changes'
import type { DwarfType } from '../../debuginfo'
import { asAddress } from '../expression/evaluate'
import { printCommand as printValue } from '../expression/commands'
import { parseTypeOrExpression } from '../expression/parser'
import { resolve } from '../expression/types'
import { symbolize } from '../target-environment'
import type { DebugSession } from '../session'

/** Where the parenthesis closing at `text[end]` opens (quotes skipped); -1 when unbalanced. */
function openingParenthesis(text: string, end: number): number {
  let depth = 0
  let quote: string | null = null
  let open = -1
  for (let i = 0; i <= end; i++) {
    const c = text[i]!
    if (quote) {
      if (c === '\\') i++
      else if (c === quote) quote = null
    } else if (c === '"' || c === "'") quote = c
    else if (c === '(') {
      if (depth === 0) open = i
      depth++
    } else if (c === ')') {
      depth--
      if (depth < 0) return -1
    }
  }
  return depth === 0 && quote === null ? open : -1
}

/** The arguments of a call, split at the commas outside parentheses, brackets and quotes. */
function splitArguments(text: string): string[] {
  const parts: string[] = []
  let depth = 0
  let quote: string | null = null
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!
    if (quote) {
      if (c === '\\') i++
      else if (c === quote) quote = null
    } else if (c === '"' || c === "'") quote = c
    else if (c === '(' || c === '[' || c === '{') depth++
    else if (c === ')' || c === ']' || c === '}') depth--
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim())
      start = i + 1
    }
  }
  const last = text.slice(start).trim()
  if (last !== '' || parts.length > 0) parts.push(last)
  if (parts.some((p) => p === '')) throw new CommandError('A syntax error in expression, near `,\'.')
  return parts
}

/** `(TYPE) rest`: the cast's type and the rest, or null when the text does not start with a type in parentheses. */
function leadingCast(session: DebugSession, text: string): { type: DwarfType; rest: string } | null {
  if (!text.startsWith('(')) return null
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++
    else if (text[i] === ')' && --depth === 0) {
      const inner = text.slice(1, i)
      const parsed = session.withExpressions(({ env }) => {
        try {
          return parseTypeOrExpression(inner, env)
        } catch {
          return null
        }
      })
      return parsed?.kind === 'type' ? { type: parsed.type as DwarfType, rest: text.slice(i + 1).trim() } : null
    }
  }
  return null
}

const NO_DEBUG_FUNCTION = '<text variable, no debug info>'

export const callCommand: Command = {
  name: 'call',
  category: 'data',
  runsProgram: true,
  summary: 'Call a function in the program.',
  documentation: [
    'Call a function in the program.',
    'Usage: call EXP',
    'The argument is the function name and arguments, in the notation of the',
    'current working language.  The result is printed and saved in the value',
    'history, if it is not void.',
    'Arguments are integers, pointers or string literals, passed in rdi, rsi, rdx, rcx, r8, r9',
    '(System V ABI). A function without debug information needs a cast: call (int)puts("hi").',
    'Example: call square(7)',
  ].join('\n'),
  async run(args, out, { session }) {
    const text = args.trim()
    const end = text.length - 1
    const open = text.endsWith(')') ? openingParenthesis(text, end) : -1
    const cast = leadingCast(session, text)
    const callText = cast ? cast.rest : text
    const callOpen = cast ? (callText.endsWith(')') ? openingParenthesis(callText, callText.length - 1) : -1) : open
    const calleeText = callOpen > 0 ? callText.slice(0, callOpen).trim() : ''
    if (calleeText === '') {
      // Not a function call: `call` prints a value as `print` does (but not a void one).
      const printed = session.withExpressions((context) => printValue(text, context, 'call'))
      if (printed === '') throw new CommandError('The history is empty.')
      if (!printed.endsWith(' = void')) out.line(printed)
      return
    }
    session.requireLive('You can\'t do that without a process to debug.')
    const callee = session.evaluate(calleeText)
    let fnType = resolve(callee.type)
    if (fnType.kind === 'pointer') fnType = resolve(fnType.to)
    const noDebug = callee.type.kind === 'typedef' && callee.type.name === NO_DEBUG_FUNCTION
    const known = fnType.kind === 'function' && !noDebug ? fnType : null
    const address = Number(asAddress(callee))
    const inferior = session.requireLive()
    const name = symbolize(inferior.program, inferior, BigInt(address))?.replace(/\+\d+$/, '') ?? calleeText
    let returns: DwarfType | null
    if (cast) returns = cast.type
    else if (known) returns = known.returns
    else throw new CommandError(`'${name}' has unknown return type; cast the call to its declared return type`)
    const argumentTexts = splitArguments(callText.slice(callOpen + 1, -1))
    if (known?.prototyped) {
      if (argumentTexts.length < known.params.length) throw new CommandError('Too few arguments in function call.')
      if (argumentTexts.length > known.params.length && !known.variadic) throw new CommandError('Too many arguments in function call.')
    }
    if (argumentTexts.length > 6) throw new CommandError('Memscape passes at most six arguments to a called function (in registers).')
    const values = argumentTexts.map((argument, i) => callArgument(session, argument, known?.params[i]))
    const result = await callFunction(session, { name, address, arguments: values, returns: resolve(returns).kind === 'void' ? null : returns }, out)
    if (result) printCallResult(session, result, out)
  },
}
