// Runs a list of expression commands in real gdb and in our library, so tests compare what each
// printed, command by command.

import { execFileSync, spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import {
  examine, ExpressionError, ExpressionSession, outputCommand, printCommand, ptypeCommand, setVariableCommand, whatisCommand,
  type ExpressionContext,
} from '../../../../shared/debugger/expression'
import { stopAtLine } from './machine-environment'

export const HAVE_GDB = spawnSync('gdb', ['--version']).status === 0 && spawnSync('gcc', ['--version']).status === 0

const MARKER = '@@@'

/** Compiles `source` as the comparisons need it (static, non-PIE, -O0 -g); returns the absolute path. */
export function compile(source: string, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'memscape-expr-'))
  const file = join(dir, `${name}.c`)
  writeFileSync(file, source)
  const binary = join(dir, name)
  execFileSync('gcc', ['-g', '-O0', '-static', '-fno-pie', '-no-pie', '-o', binary, file])
  return binary
}

/**
 * gdb's output for each command, stopped at `line`, in an empty environment and without a shell
 * (which would add PWD), so the stack sits where Memscape's machine puts it for the same argv[0].
 */
export function gdbOutputs(binary: string, line: number, commands: readonly string[]): string[] {
  const args = ['-i', 'gdb', '-batch', '-nx', '-ex', 'unset environment LINES', '-ex', 'unset environment COLUMNS', '-ex', 'set startup-with-shell off', '-ex', `break ${line}`, '-ex', 'run']
  for (const c of commands) args.push('-ex', `echo ${MARKER}\\n`, '-ex', c)
  args.push('-ex', `echo ${MARKER}\\n`, binary)
  // Errors go to stderr: one descriptor for both keeps them in order with the rest.
  const merged = spawnSync('sh', ['-c', '"$@" 2>&1', 'sh', 'env', ...args], { encoding: 'utf8' }).stdout
  const chunks = merged.split(`${MARKER}\n`)
  return chunks.slice(1, commands.length + 1).map((c) => c.replace(/\n$/, ''))
}

/** Our output for each command, over Memscape's machine stopped at `file:line`. */
export function ourOutputs(binary: string, file: string, line: number, commands: readonly string[]): string[] {
  const { env } = stopAtLine(readFileSync(binary), binary, file, line)
  const context: ExpressionContext = { env, session: new ExpressionSession() }
  return commands.map((c) => runCommand(c, context))
}

export function runCommand(line: string, context: ExpressionContext): string {
  const m = /^(\w+)(.*)$/s.exec(line)
  if (!m) throw new Error(`not a command: ${line}`)
  const [, name, rest] = m as unknown as [string, string, string]
  try {
    switch (name) {
      case 'print':
      case 'p':
      case 'call':
        return printCommand(rest, context, name === 'p' ? 'print' : name)
      case 'output':
        return outputCommand(rest, context)
      case 'whatis':
        return whatisCommand(rest, context)
      case 'ptype':
        return ptypeCommand(rest, context)
      case 'set':
        setVariableCommand(rest.replace(/^\s*var(iable)?\b/, ''), context)
        return ''
      case 'x': {
        const result = examine(rest, context)
        return result.error === undefined ? result.text : result.text + result.error
      }
    }
  } catch (e) {
    if (e instanceof ExpressionError) return e.message
    throw e
  }
  throw new Error(`unknown command: ${line}`)
}
