// gdb's `list`: ten source lines around a place, the next ten, or the ten before.

import { CommandError, type Command } from '../command'
import { functionAround, lookingTarget } from '../looking'
import { LINES_TO_LIST, currentFile, listingState, printSourceLines, resolvePlace, type SourcePlace } from '../listing'
import type { OutputBuilder } from '../output'
import type { DebugSession } from '../session'
import { displayName } from '../source-files'

/** `0x401649 is in sum (w.c:16).`, which gdb prints before listing around `*ADDRESS`. */
function describeAddress(session: DebugSession, place: SourcePlace, out: OutputBuilder): void {
  if (place.address === undefined) return
  const target = lookingTarget(session)
  const fn = functionAround(target, place.address)
  const where = `${displayName(target.program, place.file)}:${place.line}`
  out.line(`0x${place.address.toString(16)} ${fn ? `is in ${fn.name} (${where})` : `is at ${where}`}.`)
}

function listAround(session: DebugSession, file: string, line: number, out: OutputBuilder): void {
  const state = listingState(session)
  const first = Math.max(line - Math.floor(LINES_TO_LIST / 2), 1)
  printSourceLines(session, state, file, first, first + LINES_TO_LIST, out)
}

export const listCommand: Command = {
  name: 'list',
  category: 'files',
  repeat: 'bare',
  aliases: ['l'],
  summary: 'List specified function or line.',
  documentation: [
    'List specified function or line.',
    'With no argument, lists ten more lines after or around previous listing.',
    '"list -" lists the ten lines before a previous ten-line listing.',
    'One argument specifies a line, and ten lines are listed around that line.',
    'Two arguments with comma between specify starting and ending lines to list.',
    'Lines can be specified in these ways:',
    '  LINENUM, to list around that line in current file,',
    '  FILE:LINENUM, to list around that line in that file,',
    '  FUNCTION, to list around beginning of that function,',
    '  *ADDRESS, to list around the line containing that address.',
    'Example: list sum',
  ].join('\n'),
  run(args, out, { session }) {
    const state = listingState(session)
    const text = args.trim()
    if (text === '' || text === '+' || text === '-') {
      const file = currentFile(session, state)
      if (state.firstListed === 0) return listAround(session, file, state.line, out)
      if (text !== '-') return printSourceLines(session, state, file, state.line, state.line + LINES_TO_LIST, out)
      if (state.firstListed === 1) throw new CommandError(`Already at the start of ${displayName(session.requireProgram(), file)}.`)
      return printSourceLines(session, state, file, Math.max(state.firstListed - LINES_TO_LIST, 1), state.firstListed, out)
    }
    const comma = text.indexOf(',')
    if (comma < 0) {
      const place = resolvePlace(session, state, text)
      describeAddress(session, place, out)
      return listAround(session, place.file, place.line, out)
    }
    const [from, to] = [text.slice(0, comma).trim(), text.slice(comma + 1).trim()]
    if (from === '') {
      if (to === '') throw new CommandError('Junk at end of line specification.')
      const end = resolvePlace(session, state, to)
      return printSourceLines(session, state, end.file, Math.max(end.line - (LINES_TO_LIST - 1), 1), end.line + 1, out)
    }
    const start = resolvePlace(session, state, from)
    describeAddress(session, start, out)
    if (to === '') return printSourceLines(session, state, start.file, start.line, start.line + LINES_TO_LIST, out)
    // The end is read in the start's file: `list 10,20`, `list w.c:10,20`.
    state.file = start.file
    const end = resolvePlace(session, state, to)
    printSourceLines(session, state, start.file, start.line, end.line + 1, out)
  },
}
