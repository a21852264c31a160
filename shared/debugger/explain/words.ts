// Phrases the crash explanations are built from: where bytes came from ("bytes 72–79 of stdin"),
// who wrote them ("gets at vuln.c:6, instruction 14054"), what a stack address is ("vuln's
// saved return address", "buf"), where code is ("vuln at vuln.c:8").

import type { Frame } from '../frames'
import { frameLayout, type StackSlot } from '../frame-layout'
import { functionAt } from '../frames'
import type { Inferior } from '../inferior'
import { behalfText, functionName, instructionText, onBehalfOf, sourceOf, sourceText } from '../provenance/describe'
import { continues, describeSource, isInput, type Origin, type Step } from '../provenance/origins'
import { hex } from '../report'

const span = (first: number, last: number): string => (first === last ? `byte ${first}` : `bytes ${first}–${last}`)

/** "bytes 72–79 of stdin", "bytes 0–3 of argv[1]", or the source's own description. */
function sourcePhrase(first: Origin, last: Origin): string {
  if (first.kind === 'stdin' && last.kind === 'stdin') return `${span(first.offset, last.offset)} of stdin`
  if (first.kind === 'file' && last.kind === 'file') return `${span(first.offset, last.offset)} of the file ${first.path}`
  if (first.kind === 'argv' && last.kind === 'argv') return `${span(first.offset, last.offset)} of argv[${first.index}]`
  if (first.kind === 'env' && last.kind === 'env') return `${span(first.offset, last.offset)} of environment string ${first.index}`
  return describeSource(first, last)
}

/**
 * Every run of the origins in words, joined: "bytes 72–77 of stdin and the result of `add eax,edx`
 * in main at t.c:5 (instruction 13437)". Bytes computed by one instruction in a loop (a byte-copy
 * or fill loop) make one run.
 */
export function originsPhrase(inferior: Inferior, origins: readonly Origin[]): string {
  const parts: string[] = []
  let i = 0
  while (i < origins.length) {
    const origin = origins[i]!
    if (origin.kind === 'computed' || origin.kind === 'constant') {
      let end = i + 1
      const steps = [origin.step]
      for (; end < origins.length; end++) {
        const next = origins[end]!
        if ((next.kind !== 'computed' && next.kind !== 'constant') || next.kind !== origin.kind || next.step.ip !== origin.step.ip) break
        if (!steps.includes(next.step)) steps.push(next.step)
      }
      parts.push(instructionPhrase(inferior, origin.kind, steps))
      i = end
      continue
    }
    let end = i + 1
    while (end < origins.length && continues(origins[end - 1]!, origins[end]!)) end++
    parts.push(sourcePhrase(origin, origins[end - 1]!))
    i = end
  }
  return parts.length <= 1 ? (parts[0] ?? 'nothing') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`
}

/** "the constant in `mov qword ptr [rbp-8],0` in main at t.c:4 (instruction 13444)". */
function instructionPhrase(inferior: Inferior, kind: 'computed' | 'constant', steps: readonly Step[]): string {
  const step = steps[0]!
  const counts = steps.map((s) => s.count).sort((a, b) => a - b)
  const when = counts.length === 1 ? `instruction ${counts[0]}` : `instructions ${counts[0]}–${counts[counts.length - 1]}`
  return `${kind === 'constant' ? 'the constant in' : 'the result of'} \`${instructionText(inferior, step.ip)}\` in ${behalfText(inferior, step)} (${when})`
}

export function allInput(origins: readonly Origin[]): boolean {
  return origins.length > 0 && origins.every(isInput)
}

/** The latest of the instructions that stored some bytes. */
export function latestWriter(writers: readonly (Step | undefined)[]): Step | null {
  let latest: Step | null = null
  for (const writer of writers) if (writer && (!latest || writer.count > latest.count)) latest = writer
  return latest
}

/** "written by gets at vuln.c:6, instruction 14054"; "written by the read system call at t.c:6, instruction 13464". */
export function writerPhrase(inferior: Inferior, step: Step): string {
  if (step.syscall) {
    const who = onBehalfOf(inferior, step)
    return `written by the ${step.syscall} system call${who.source ? ` at ${sourceText(who.source)}` : ''}, instruction ${step.count}`
  }
  return `written by ${behalfText(inferior, step)}, instruction ${step.count}`
}

/** "vuln at vuln.c:8", or "vuln", or the address. */
export function placePhrase(inferior: Inferior, address: number): string {
  const name = functionName(inferior, address) ?? hex(address)
  const source = sourceOf(inferior, address)
  return source ? `${name} at ${sourceText(source)}` : name
}

/**
 * The frame of a function whose return address sits at `returnSlot` (gcc -O0 and Memscape's
 * back end keep rbp, so the saved rbp sits just below it); `pc` is an address in the function.
 */
export function frameAt(inferior: Inferior, pc: number, returnSlot: number, rsp: number): Frame {
  const info = functionAt(inferior.program, inferior, pc)
  const cfa = returnSlot + 8
  return {
    level: 1, pc: pc + 1, cfa, rsp, rbp: cfa - 16, returnAddressAt: returnSlot, savedRbpAt: info.debug ? cfa - 16 : null,
    functionStart: info.start, functionName: info.name, debugFunction: info.debug,
  }
}

/** What a stack slot is, in words: "vuln's saved return address", "buf", "vuln's canary". */
export function slotName(frame: Frame, slot: StackSlot): string {
  const owner = frame.functionName ?? 'the function'
  switch (slot.role) {
    case 'return-address':
      return `${owner}'s saved return address`
    case 'saved-rbp':
      return `${owner}'s saved rbp`
    case 'canary':
      return `${owner}'s canary`
    case 'argument':
    case 'local':
      return slot.name ?? 'a local'
    default:
      return 'padding'
  }
}

/** The labelled slots of a frame, without padding. */
export function labelledSlots(inferior: Inferior, frame: Frame): StackSlot[] {
  return frameLayout(inferior, frame).filter((slot) => slot.role !== 'padding')
}
