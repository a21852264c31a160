// What a template is: a small program that shows one idea about memory, the options it is built
// with, the input it reads, the line the app stops at, and how its run ends.

import type { FaultKind } from '../machine/fault'
import type { DriverOptions } from '../toolchain/driver'

/** The protections a template is built with; the app passes them to buildProgram as they are. */
export type TemplateBuild = Required<Pick<DriverOptions, 'pie' | 'stackProtector' | 'execStack'>>

/** How a template's run ends when it is built with its `build` and fed its `stdin` and `args`. */
export type TemplateOutcome =
  | {
      readonly kind: 'exit'
      readonly code: number
      /** Text the program's standard output contains (addresses change from run to run, so
       *  templates check a line without any). */
      readonly stdoutIncludes?: string
    }
  | {
      readonly kind: 'signal'
      readonly signal: 'SIGSEGV' | 'SIGABRT'
      /** The machine's explanation of the crash (shared/machine/fault). */
      readonly fault: FaultKind
      /** Text the program's standard error contains, e.g. glibc's message before it aborts. */
      readonly stderrIncludes?: string
    }

export interface MemoryTemplate {
  /** Kebab-case, stable: sessions and menus refer to templates by it. */
  readonly id: string
  readonly title: string
  /** One line for the New menu. */
  readonly summary: string
  readonly language: 'c' | 'assembly'
  /** The editor buffer's name; its suffix tells the driver how to build it. */
  readonly fileName: string
  readonly source: string
  readonly build: TemplateBuild
  /** Fed to the program's standard input, then end of file; absent when it reads nothing. */
  readonly stdin?: string
  /** Command-line arguments after argv[0]. */
  readonly args?: readonly string[]
  /** The 1-based source line the app puts a breakpoint on: the one marked BREAKPOINT_MARKER. */
  readonly breakpointLine: number
  readonly expect: TemplateOutcome
}

/** Written in a comment at the end of the line a template stops at. */
export const BREAKPOINT_MARKER = '◀ break here'

/** The 1-based number of the one line holding BREAKPOINT_MARKER; a source without exactly one is a mistake. */
export function markedBreakpointLine(source: string): number {
  const marked = source.split('\n').flatMap((line, index) => (line.includes(BREAKPOINT_MARKER) ? [index + 1] : []))
  if (marked.length !== 1) throw new Error(`a template marks ${marked.length} lines with "${BREAKPOINT_MARKER}"; it must mark exactly one`)
  return marked[0]!
}

/** "What should happen", in a sentence for the learner. */
export function describeOutcome(outcome: TemplateOutcome): string {
  if (outcome.kind === 'exit') {
    const printed = outcome.stdoutIncludes === undefined ? '' : ` after printing ${quoted(outcome.stdoutIncludes)}`
    return `The program exits with status ${outcome.code}${printed}.`
  }
  const printed = outcome.stderrIncludes === undefined ? '' : ` after ${quoted(outcome.stderrIncludes)} on standard error`
  return `The program is killed by ${outcome.signal}${printed}.`
}

/** Output text on one line of a sentence: its lines joined by slashes. */
function quoted(text: string): string {
  return `"${text.trimEnd().replaceAll('\n', ' / ')}"`
}
