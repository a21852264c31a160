// Instructions of the past in words: "instruction 14010: 0x41a2b3 <memcpy+19>  movdqu ...", and
// on whose behalf they ran: "gets at vuln.c:6" (the library function the program called, and the
// line that called it), found from the call chain the instruction ran in.

import { disassemble } from '../../machine/disasm'
import { STT_FUNC, STT_GNU_IFUNC } from '../../machine/elf'
import { functionAt } from '../frames'
import type { Inferior } from '../inferior'
import { hex } from '../report'
import { symbolize } from '../target-environment'
import type { Step } from './origins'

export interface SourcePlace {
  readonly file: string
  readonly line: number
}

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1)

/** The source line of a runtime code address, when the program has line information for it. */
export function sourceOf(inferior: Inferior, address: number): SourcePlace | null {
  const span = inferior.program.debug?.spanAt(inferior.linkAddress(address))
  // Only lines of sources the learner has count: a libc built with line tables is not "the program".
  if (!span || span.line === 0 || inferior.program.sourceLine(span.file, span.line) === undefined) return null
  return { file: span.file, line: span.line }
}

export function sourceText(place: SourcePlace): string {
  return `${baseName(place.file)}:${place.line}`
}

/** "main+16", or the bare address outside every symbol. */
export function symbolic(inferior: Inferior, address: number): string {
  const name = symbolize(inferior.program, inferior, BigInt(address))
  return name ? `${hex(address)} <${name}>` : hex(address)
}

/** The instruction at `address` in Intel syntax, as the memory holds it now. */
export function instructionText(inferior: Inferior, address: number): string {
  const [line] = disassemble(inferior.machine.memory, address, 1)
  return line?.valid ? line.text : '(bad)'
}

export function functionName(inferior: Inferior, address: number): string | null {
  return functionAt(inferior.program, inferior, address).name
}

/** Of a function's names (glibc's gets is also _IO_gets), the one the calling line uses. */
function nameAsCalled(inferior: Inferior, start: number, site: SourcePlace): string | null {
  const text = inferior.program.sourceLine(site.file, site.line) ?? ''
  const link = inferior.linkAddress(start)
  for (const symbol of inferior.program.elf.symbols) {
    if (symbol.value !== link || (symbol.type !== STT_FUNC && symbol.type !== STT_GNU_IFUNC) || symbol.name === '') continue
    const at = text.indexOf(symbol.name)
    const before = text[at - 1]
    const after = text.slice(at + symbol.name.length).trimStart()[0]
    if (at >= 0 && (before === undefined || !/\w/.test(before)) && after === '(') return symbol.name
  }
  return null
}

/**
 * Who an instruction worked for, as a learner reads a program: the function and line in the
 * program's own source ("vuln at vuln.c:7"), or the library function the program's source
 * called and the calling line ("gets at vuln.c:6" for a store inside memcpy, called by
 * _IO_getline, called by gets, called at vuln.c:6). Null when no level has a source line.
 */
export function onBehalfOf(inferior: Inferior, step: Step): { function: string | null; source: SourcePlace | null } {
  const own = sourceOf(inferior, step.ip)
  if (own) return { function: functionName(inferior, step.ip), source: own }
  // An address inside the function called at the level being looked at.
  let inner = step.ip
  for (let level = step.chain; level; level = level.caller) {
    const site = level.returnAddress - 1
    const source = sourceOf(inferior, site)
    if (source) return { function: calleeName(inferior, level.target, inner, source), source }
    inner = site
  }
  return { function: functionName(inferior, step.ip), source: null }
}

/** True when a function starts at `address` (a PLT stub is no function: it jumps to one). */
function isEntry(inferior: Inferior, address: number): boolean {
  return inferior.program.symbols.containing(inferior.linkAddress(address))?.offset === 0
}

/**
 * The name of the function a source line called: the one it starts at, by the name the line
 * uses; through a PLT stub (glibc's IFUNCs: strcpy runs as __strcpy_sse2), the name on the line
 * that the running function's name contains, or the only function the line calls.
 */
function calleeName(inferior: Inferior, target: number | null, inner: number, site: SourcePlace): string | null {
  if (target !== null && isEntry(inferior, target)) return nameAsCalled(inferior, target, site) ?? functionName(inferior, target)
  const running = functionName(inferior, inner)
  const called = [...(inferior.program.sourceLine(site.file, site.line) ?? '').matchAll(/([A-Za-z_]\w*)\s*\(/g)].map((m) => m[1]!)
  return called.find((name) => running?.includes(name)) ?? (called.length === 1 ? called[0]! : running)
}

/** "gets at vuln.c:6", "memcpy", or the address. */
export function behalfText(inferior: Inferior, step: Step): string {
  const who = onBehalfOf(inferior, step)
  const name = who.function ?? symbolic(inferior, step.ip)
  return who.source ? `${name} at ${sourceText(who.source)}` : name
}

/** "0x41a2b3 <memcpy+19>: movdqu XMMWORD PTR [rdi], xmm0 (in gets at vuln.c:6)". */
export function describeInstruction(inferior: Inferior, step: Step): string {
  return `${symbolic(inferior, step.ip)}: ${instructionText(inferior, step.ip)} (in ${behalfText(inferior, step)})`
}

/** "instruction 14010, 0x41a2b3 <memcpy+19>: movdqu XMMWORD PTR [rdi], xmm0 (in gets at vuln.c:6)". */
export function describeStep(inferior: Inferior, step: Step): string {
  return `instruction ${step.count}, ${describeInstruction(inferior, step)}`
}
