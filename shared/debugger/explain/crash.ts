// Why the program died, in a short paragraph a learner can follow: what was accessed and why
// that failed (nothing mapped there, not executable, a non-canonical address, the kernel's half,
// a smashed canary, glibc's heap checks), and, from the recording, where the bad value came
// from: which frame's saved return address or canary was overwritten, by which instruction, at
// which source line and instruction count, and which input bytes they were.
//
// Built from the fault record the kernel left (machine.status.fault), the frame layout
// (frame-layout.ts: return address, saved rbp, canary, locals) and a shadow-tracked replay of
// the run before the crash (provenance/trace.ts).

import type { Fault } from '../../machine/fault'
import { PF_X, PT_LOAD } from '../../machine/elf'
import type { DebugSession } from '../session'
import type { Inferior } from '../inferior'
import { hex } from '../report'
import { frameVariables, variablePlace } from '../target-environment'
import { typeSize } from '../../debuginfo'
import { decodeEffects, effectiveAddress, GPR_NAMES, type Effects, type MemoryRef, type Place } from '../provenance/effects'
import { behalfText, functionName, onBehalfOf, sourceOf, sourceText } from '../provenance/describe'
import { isInput, type Origin, type Step } from '../provenance/origins'
import { traceHistory, type Trace } from '../provenance/trace'
import { AllocatorObserver, type ObservedCall } from './allocations'
import { allInput, frameAt, labelledSlots, latestWriter, originsPhrase, placePhrase, slotName, writerPhrase } from './words'

/** Instructions the explanation printed with a stop re-executes at most (about a second). */
export const STOP_EXPLANATION_WINDOW = 2_000_000
/** Below this address nothing is ever mapped (vm.mmap_min_addr): a fault there is a NULL pointer. */
const NULL_PAGE_LIMIT = 0x10000n
/** How far below a smashed slot the overflowing input is followed. */
const MAX_OVERFLOW = 1 << 20

interface Context {
  readonly session: DebugSession
  readonly inferior: Inferior
  readonly fault: Fault
  readonly trace: Trace | null
  readonly allocations: AllocatorObserver | null
}

const capitalize = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1)

/** The explanation needs the replay (everything but a stack overflow, which the stack itself explains). */
export function crashNeedsTrace(fault: Fault): boolean {
  return fault.kind !== 'stack-overflow'
}

/** The fault the program is stopped at (or died of, when continued past it), or null. */
export function crashFault(inferior: Inferior): Fault | null {
  const status = inferior.machine.status
  return status.state === 'signaled' ? status.fault : null
}

/** The paragraph for the fault the program is stopped at, with the given replay (null when not needed). */
export function explainCrash(session: DebugSession, inferior: Inferior, trace: Trace | null, allocations: AllocatorObserver | null): string | null {
  const fault = crashFault(inferior)
  if (!fault) return null
  const context: Context = { session, inferior, fault, trace, allocations }
  const sentences = explainFault(context)
  if (trace && !trace.fromProgramStart && sentences.length > 0) {
    sentences.push(`(Only instructions ${trace.start}-${trace.end} were replayed: anything older shows as "already there".)`)
  }
  return sentences.length === 0 ? null : sentences.join(' ')
}

const lastExplanations = new WeakMap<DebugSession, { inferior: Inferior; count: number; text: string }>()

/** The last explanation printed in this session, while the same run is still at that crash (a new run may crash at the same count). */
export function lastExplanation(session: DebugSession): string | null {
  const last = lastExplanations.get(session)
  const inferior = session.inferior
  if (!last || inferior !== last.inferior || inferior.instructionCount !== last.count || !crashFault(inferior)) return null
  return last.text
}

export function rememberExplanation(session: DebugSession, inferior: Inferior, text: string): void {
  lastExplanations.set(session, { inferior, count: inferior.instructionCount, text })
}

/** Works the explanation out now (synchronously: it is printed with the stop). */
export function explainCurrentCrash(session: DebugSession): string | null {
  const inferior = session.inferior
  const fault = inferior && crashFault(inferior)
  if (!inferior || !fault) return null
  const remembered = lastExplanation(session)
  if (remembered) return remembered
  let trace: Trace | null = null
  let allocations: AllocatorObserver | null = null
  if (crashNeedsTrace(fault)) {
    const observer = new AllocatorObserver(inferior)
    allocations = observer
    trace = traceHistory(session, inferior, { window: STOP_EXPLANATION_WINDOW, observe: (tracker) => observer.attach(tracker) })
  }
  const text = explainCrash(session, inferior, trace, allocations)
  if (text) rememberExplanation(session, inferior, text)
  return text
}

function explainFault(c: Context): string[] {
  switch (c.fault.kind) {
    case 'stack-overflow':
      return explainStackOverflow(c)
    case 'stack-smashing':
      return explainCanary(c)
    case 'allocator-abort':
      return explainAllocatorAbort(c)
    case 'abort':
      return explainAbort(c)
    case 'divide-error':
      return explainDivide(c)
    case 'invalid-opcode':
      return explainInvalidOpcode(c)
    default:
      return c.fault.access === 'exec' ? explainJump(c) : explainDataAccess(c)
  }
}

// --- where things are -------------------------------------------------------------------------

function regionOf(inferior: Inferior, address: bigint): { name: string; perms: string } | null {
  if (address > BigInt(Number.MAX_SAFE_INTEGER)) return null
  const region = inferior.machine.regions().find((r) => r.start <= address && address < r.end)
  if (!region) return null
  const program = inferior.program
  const link = inferior.linkAddress(Number(address))
  const section = program.containsLinked(link) ? program.elf.sections.find((s) => s.addr !== 0 && link >= s.addr && link < s.addr + s.size) : undefined
  const base = region.name.startsWith('/') ? region.name.slice(region.name.lastIndexOf('/') + 1) : region.name || 'anonymous memory'
  return { name: section ? `the program's ${section.name}` : base, perms: region.perms }
}

function sourceSuffix(inferior: Inferior, address: number): string {
  const source = sourceOf(inferior, address)
  return source ? ` at ${sourceText(source)}` : ''
}

/** The variable of the stopped frame (or a global) whose storage holds `address`. */
function variableAt(c: Context, address: number): string | null {
  const frames = c.session.frames()
  for (const frame of frames.slice(0, 4)) {
    for (const variable of frameVariables(c.inferior.program, c.inferior, frame)) {
      const place = variablePlace(variable, frame, c.inferior)
      if (!place || !('address' in place)) continue
      const start = Number(place.address)
      if (address >= start && address < start + Math.max(1, typeSize(variable.type))) return address === start ? variable.name : `${variable.name} (+${address - start})`
    }
  }
  return null
}

// --- jumps to where code cannot run ---------------------------------------------------------------

interface TransferFacts {
  kind: 'ret' | 'jmp' | 'call' | 'fall'
  /** The instruction that transferred control. */
  from: number
  slot: number | null
  register: string | null
  origins: readonly Origin[]
  writers: readonly (Step | undefined)[]
}

function placeAddress(c: Context, place: Place | null): number | null {
  if (!place || place.kind !== 'memory') return null
  const regs = c.inferior.machine.cpu.r
  return effectiveAddress(place.memory, regs.regs, regs.fsBase, regs.gsBase)
}

function transferFacts(c: Context, target: bigint): TransferFacts | null {
  const tracker = c.trace!.tracker
  const ip = Number(BigInt(c.fault.ip))
  if (BigInt(ip) !== target) {
    // The transfer itself faulted (a non-canonical target): it has not run, its operand is still there.
    const effects = decodeEffects(c.inferior.machine.memory, ip)
    if (!effects?.target) return null
    const kind = effects.ret ? 'ret' : effects.call ? 'call' : 'jmp'
    const slot = placeAddress(c, effects.target)
    if (slot !== null) {
      return {
        kind, from: ip, slot, register: null,
        origins: Array.from({ length: 8 }, (_, i) => tracker.originAt(slot + i)),
        writers: Array.from({ length: 8 }, (_, i) => tracker.writerAt(slot + i)),
      }
    }
    const register = effects.target.kind === 'register' && effects.target.register.gpr >= 0 ? GPR_NAMES[effects.target.register.gpr]! : null
    return { kind, from: ip, slot: null, register, origins: register ? tracker.registerOrigins(register)! : [], writers: [] }
  }
  const last = tracker.lastStep
  const transfer = tracker.transfers[tracker.transfers.length - 1]
  if (transfer && last && transfer.step === last) {
    return { kind: transfer.kind, from: transfer.step.ip, slot: transfer.slot, register: transfer.register, origins: transfer.origins, writers: transfer.writers }
  }
  return last ? { kind: 'fall', from: last.ip, slot: null, register: null, origins: [], writers: [] } : null
}

function jumpReason(c: Context, target: bigint): string {
  switch (c.fault.kind) {
    case 'non-canonical':
      return 'which is not a valid address: its bits 63–47 are not all equal (a non-canonical address), so the CPU raised a general protection fault instead of going there'
    case 'kernel-address':
      return "which is in the kernel's half of the address space, out of a program's reach"
    case 'no-execute':
    case 'protection': {
      const region = regionOf(c.inferior, target)
      return `which is in ${region ? `${region.name} (${region.perms})` : 'memory'} that is not executable (NX): its bytes are data and cannot run as instructions`
    }
    default:
      return target < NULL_PAGE_LIMIT ? 'where nothing is mapped (a NULL code pointer)' : 'where nothing is mapped'
  }
}

function explainJump(c: Context): string[] {
  const { inferior } = c
  const target = BigInt(c.fault.address ?? c.fault.ip)
  const facts = transferFacts(c, target)
  if (!facts) return [`The program tried to run code at ${hex(target)}, ${jumpReason(c, target)}.`]
  const fn = functionName(inferior, facts.from) ?? 'the program'
  const where = sourceSuffix(inferior, facts.from)
  const verb = facts.kind === 'ret' ? 'returned to' : facts.kind === 'call' ? 'called' : facts.kind === 'jmp' ? 'jumped to' : 'ran on into'
  const via = facts.kind === 'ret' || facts.kind === 'fall' ? '' : facts.slot !== null ? ` (the pointer at ${hex(facts.slot)})` : facts.register ? ` (the address in ${facts.register})` : ''
  const sentences = [`${fn}${where} ${verb} ${hex(target)}${via}, ${jumpReason(c, target)}.`]
  if (c.fault.kind === 'no-execute' && c.trace) {
    // Input placed there to run (shellcode) is worth naming.
    const code = Array.from({ length: 8 }, (_, i) => c.trace!.tracker.originAt(Number(target) + i))
    if (allInput(code)) sentences.push(`The bytes there are ${originsPhrase(inferior, code)}: input meant to run as code.`)
  }
  if (facts.kind === 'fall' || facts.origins.length === 0) return sentences

  const writer = latestWriter(facts.writers)
  if (facts.kind === 'ret' && facts.slot !== null) {
    const frame = frameAt(inferior, facts.from, facts.slot, facts.slot - 4096)
    sentences.push(slotStory(c, fn, 'saved return address', facts.slot, facts.origins, writer))
    if (allInput(facts.origins)) sentences.push(...overflowStory(c, frame, facts.slot))
    return sentences
  }
  const holder = facts.slot !== null ? `the pointer at ${hex(facts.slot)}` : `${facts.register}`
  const loaded = facts.register ? c.trace!.tracker.loadSource(facts.register) : null
  const from = loaded ? `, loaded from ${variableAt(c, loaded.address) ?? hex(loaded.address)} at instruction ${loaded.count}` : ''
  sentences.push(`The target came from ${holder}${from}: ${originsPhrase(inferior, facts.origins)}${writer ? `, ${writerPhrase(inferior, writer)}` : ''}.`)
  return sentences
}

/**
 * "Bytes 72–79 of stdin became vuln's saved return address at 0x…, written by gets at vuln.c:6,
 * instruction 14054." (a sentence never starts with a function's name: names keep their case).
 */
function slotStory(c: Context, owner: string, what: string, slot: number, origins: readonly Origin[], writer: Step | null): string {
  const by = writer ? `, ${writerPhrase(c.inferior, writer)}` : ''
  if (allInput(origins)) return `${capitalize(originsPhrase(c.inferior, origins))} became ${owner}'s ${what} at ${hex(slot)}${by}.`
  return `The ${what} of ${owner} at ${hex(slot)} held ${originsPhrase(c.inferior, origins)}${by}.`
}

/**
 * Follows the input down from a smashed slot to where it starts: the buffer it was written
 * into, how far past its end it ran, and what else it covered on the way.
 */
function overflowStory(c: Context, frame: ReturnType<typeof frameAt>, slot: number): string[] {
  const tracker = c.trace!.tracker
  let low = slot + 7
  let previous = tracker.originAt(low)
  for (let steps = 0; steps < MAX_OVERFLOW; steps++) {
    const origin = tracker.originAt(low - 1)
    if (!isInput(origin) || !consecutive(origin, previous)) break
    low--
    previous = origin
  }
  const slots = labelledSlots(c.inferior, frame)
  const buffer = slots.find((s) => (s.role === 'local' || s.role === 'argument') && s.address <= low && low < s.address + s.size)
  const top = slot + 8
  const covered = slots.filter((s) => s.address >= (buffer ? buffer.address + buffer.size : low) && s.address + s.size <= top && s.address < slot)
  const over = covered.map((s) => `${slotName(frame, s)} (${originsPhrase(c.inferior, Array.from({ length: s.size }, (_, i) => tracker.originAt(s.address + i)))})`)
  const input = originsPhrase(c.inferior, Array.from({ length: top - low }, (_, i) => tracker.originAt(low + i)))
  if (!buffer) return [`The input runs on from ${hex(low)} up to that slot: ${input}.`]
  const past = top - (buffer.address + buffer.size)
  const overText = over.length > 0 ? `: over ${over.join(' and ')}, and into the return address` : ', into the return address'
  return [`They are the end of ${input}, written into ${buffer.name} (${buffer.size} bytes at ${hex(buffer.address)}) and running ${past} bytes past its end${overText}.`]
}

function consecutive(lower: Origin, higher: Origin): boolean {
  if (lower.kind === 'stdin' && higher.kind === 'stdin') return higher.offset === lower.offset + 1
  if (lower.kind === 'file' && higher.kind === 'file') return lower.path === higher.path && higher.offset === lower.offset + 1
  if ((lower.kind === 'argv' && higher.kind === 'argv') || (lower.kind === 'env' && higher.kind === 'env')) {
    return lower.index === higher.index && higher.offset === lower.offset + 1
  }
  return false
}

// --- the stack protector --------------------------------------------------------------------------

function explainCanary(c: Context): string[] {
  const { inferior } = c
  const check = c.trace?.tracker.canaryChecks.at(-1)
  if (!check) return [c.fault.message]
  const fn = functionName(inferior, check.step.ip) ?? 'a function'
  const where = sourceSuffix(inferior, check.step.ip)
  const slot = check.slot
  const expected = check.expected === null ? '' : ` instead of ${hex(check.expected)} (the thread's canary at fs:0x28)`
  const sentences = [
    `The stack protector stopped the program: as ${fn} was about to return${where}, the canary in its frame${slot === null ? '' : ` at ${hex(slot)}`} held ${hex(check.value)}${expected}, so __stack_chk_fail aborted the program (SIGABRT).`,
  ]
  if (slot === null || check.origins.length === 0) return sentences
  const writer = latestWriter(check.writers)
  const by = writer ? `, ${writerPhrase(inferior, writer)}` : ''
  if (allInput(check.origins)) sentences.push(`${capitalize(originsPhrase(c.inferior, check.origins))} became ${fn}'s canary${by}.`)
  else sentences.push(`The canary was overwritten with ${originsPhrase(inferior, check.origins)}${by}.`)
  const frame = frameAt(inferior, check.step.ip, check.rbp + 8, slot - 4096)
  const story = canaryOverflow(c, frame, slot, check.origins)
  if (story) sentences.push(story)
  return sentences
}

/** The buffer below the canary that the same writer filled up to it, and how far past its end it went. */
function canaryOverflow(c: Context, frame: ReturnType<typeof frameAt>, slot: number, origins: readonly Origin[]): string | null {
  const tracker = c.trace!.tracker
  const writer = latestWriter(Array.from({ length: 8 }, (_, i) => tracker.writerAt(slot + i)))
  const slots = labelledSlots(c.inferior, frame)
  const below = slots.filter((s) => (s.role === 'local' || s.role === 'argument') && s.address + s.size <= slot).sort((a, b) => b.address - a.address)
  const buffer = below.find((s) => {
    const writers = Array.from({ length: slot - s.address }, (_, i) => tracker.writerAt(s.address + i))
    return writers.every((w) => w !== undefined && writer !== null && onBehalfSame(c, w, writer))
  })
  if (!buffer) return null
  const reached = slot + 8 - (buffer.address + buffer.size)
  const input = allInput(origins) ? `${originsPhrase(c.inferior, Array.from({ length: slot + 8 - buffer.address }, (_, i) => tracker.originAt(buffer.address + i)))}` : 'the bytes'
  return `${capitalize(input)} went into ${buffer.name} (${buffer.size} bytes at ${hex(buffer.address)}) and ran ${reached} bytes past its end, over the canary.`
}

function onBehalfSame(c: Context, a: Step, b: Step): boolean {
  return behalfText(c.inferior, a) === behalfText(c.inferior, b)
}

// --- bad data accesses -----------------------------------------------------------------------------

function memoryOperands(effects: Effects): MemoryRef[] {
  const refs: MemoryRef[] = []
  for (const operand of effects.operands) if (operand?.kind === 'memory') refs.push(operand.memory)
  for (const store of effects.stores) if (!refs.includes(store)) refs.push(store)
  return refs
}

function accessReason(c: Context, address: bigint): string {
  switch (c.fault.kind) {
    case 'unmapped':
      return address < NULL_PAGE_LIMIT
        ? 'nothing is mapped there: the lowest 64 KiB are never mapped, so that using a NULL pointer faults'
        : 'no memory is mapped there'
    case 'protection': {
      const region = regionOf(c.inferior, address)
      const place = region ? `${region.name} (${region.perms})` : 'memory'
      return c.fault.access === 'write'
        ? `it lies in ${place}, which is read-only${region?.name.includes('rodata') ? ': string literals and const data live there' : ''}`
        : `it lies in ${place}, which may not be read`
    }
    case 'kernel-address':
      return "it lies in the kernel's half of the address space, which user code may not touch"
    case 'non-canonical':
      return 'it is not a valid address: its bits 63–47 are not all equal (non-canonical)'
    default:
      return c.fault.message
  }
}

function explainDataAccess(c: Context): string[] {
  const { inferior, fault } = c
  const ip = Number(BigInt(fault.ip))
  const address = BigInt(fault.address ?? '0')
  const effects = decodeEffects(inferior.machine.memory, ip)
  const regs = inferior.machine.cpu.r
  const refs = effects ? memoryOperands(effects) : []
  const ref = refs.find((r) => BigInt(Math.floor(effectiveAddress(r, regs.regs, regs.fsBase, regs.gsBase))) === address) ?? refs[0]
  const size = ref?.size ?? 0
  const fn = placePhrase(inferior, ip)
  const verb = fault.access === 'write' ? `wrote ${size || 'some'} bytes to` : `read ${size || 'some'} bytes at`
  const sentences = [`${fn} ${verb} ${hex(address)}, and ${accessReason(c, address)}.`]
  if (!ref || ref.base < 0 || !c.trace) return sentences
  const register = GPR_NAMES[ref.base]!
  if (register === 'rsp' || register === 'rbp') return sentences
  const value = inferior.register(register) ?? 0n
  const offset = Number(address - value)
  const loaded = c.trace.tracker.loadSource(register)
  const variable = loaded ? variableAt(c, loaded.address) : null
  const name = variable ?? register
  const origins = c.trace.tracker.registerOrigins(register) ?? []
  const plus = offset === 0 ? '' : ` ${offset > 0 ? '+' : '-'} ${Math.abs(offset)}`
  const from = loaded ? `, loaded from ${variable ?? hex(loaded.address)} at instruction ${loaded.count}` : ''
  sentences.push(`The address is ${register} (${hex(value)})${plus}${from}; ${name} got its value from ${originsPhrase(inferior, origins)}.`)
  return sentences
}

// --- division -----------------------------------------------------------------------------------------

function explainDivide(c: Context): string[] {
  const { inferior } = c
  const ip = Number(BigInt(c.fault.ip))
  const fn = placePhrase(inferior, ip)
  const effects = decodeEffects(inferior.machine.memory, ip)
  const divisor = effects?.operands[0] ?? null
  const tracker = c.trace?.tracker
  if (!divisor || !tracker || divisor.kind === 'immediate') return [`${fn} divided by zero (or got a quotient too big for its register).`]
  let value: bigint | null
  let origins: Origin[]
  let name: string
  if (divisor.kind === 'register') {
    const register = divisor.register.gpr >= 0 ? GPR_NAMES[divisor.register.gpr]! : 'xmm'
    const bytes = divisor.register.size
    value = (inferior.register(register) ?? 0n) & ((1n << BigInt(bytes * 8)) - 1n)
    origins = (tracker.registerOrigins(register) ?? []).slice(0, bytes)
    const loaded = tracker.loadSource(register)
    const variable = loaded ? variableAt(c, loaded.address) : null
    name = variable ? `${variable} (in ${register})` : register
  } else {
    const address = placeAddress(c, divisor)!
    const bytes = divisor.memory.size
    const read = inferior.read(address, bytes)
    value = read ? read.reduceRight((n, b) => (n << 8n) | BigInt(b), 0n) : null
    origins = Array.from({ length: bytes }, (_, i) => tracker.originAt(address + i))
    name = variableAt(c, address) ?? `the ${bytes}-byte value at ${hex(address)}`
  }
  if (value === null) return [`${fn} divided by ${name}, which cannot be read now.`]
  if (value !== 0n) {
    const signed = BigInt.asIntN(origins.length * 8, value)
    return [`${fn} divided by ${name}, ${signed}, and the quotient does not fit its register (the most negative number divided by -1), which the CPU reports as a divide error.`]
  }
  return [`${fn} divided by zero: the divisor ${name} was 0, and the CPU cannot divide by zero.`, `The divisor got its value from ${originsPhrase(inferior, origins)}.`]
}

// --- stack exhaustion ---------------------------------------------------------------------------------

function explainStackOverflow(c: Context): string[] {
  const { inferior, fault } = c
  const rsp = inferior.registerNumber('rsp')
  const stack = inferior.machine.regions().find((r) => r.name === '[stack]' && Number(r.end) > rsp)
  const limit = inferior.machine.kernel.space.limits.stack
  const limitText = Number.isFinite(limit) ? ` past its ${limit % (1 << 20) === 0 ? `${limit / (1 << 20)} MiB` : `${limit} byte`} limit` : ''
  const first = `The stack ran out: it reached ${fault.address}${limitText}, and the ${fault.access === 'write' ? 'write' : 'access'} by ${placePhrase(inferior, Number(BigInt(fault.ip)))} there faulted.`
  if (!stack) return [first]
  const end = Number(stack.end)
  const bytes = inferior.machine.memory.peek(rsp, end - rsp).data
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  // The return address a recursion pushes again and again is the most frequent value on the stack.
  const counts = new Map<number, number[]>()
  for (let at = (8 - (rsp % 8)) % 8; at + 8 <= bytes.length; at += 8) {
    const value = Number(view.getBigUint64(at, true))
    if (!isCodeAddress(inferior, value)) continue
    let list = counts.get(value)
    if (!list) counts.set(value, (list = []))
    list.push(rsp + at)
  }
  let best: [number, number[]] | null = null
  for (const entry of counts) if (!best || entry[1].length > best[1].length) best = entry
  if (!best || best[1].length < 16) return [first]
  const [returnAddress, places] = best
  const caller = functionName(inferior, returnAddress - 1) ?? 'a function'
  const callee = functionName(inferior, Number(BigInt(fault.ip))) ?? caller
  const gaps = places.slice(1).map((p, i) => p - places[i]!).sort((a, b) => a - b)
  const frameSize = gaps[Math.floor(gaps.length / 2)]!
  const site = sourceSuffix(inferior, returnAddress - 1)
  const how = callee === caller ? `${caller} calls itself${site}` : `${caller} makes the call${site}`
  return [first, `${places.length} calls of ${callee} were active (${how}), each taking ${frameSize} bytes of stack, and none had returned: a recursion whose base case is never reached grows the stack until it hits the limit.`]
}

function isCodeAddress(inferior: Inferior, value: number): boolean {
  const link = inferior.linkAddress(value)
  return inferior.program.elf.programHeaders.some((s) => s.type === PT_LOAD && (s.flags & PF_X) !== 0 && link >= s.vaddr && link < s.vaddr + s.filesz)
}

// --- aborts ---------------------------------------------------------------------------------------------

/** Where the program was when it aborted: the library call its own code made ("free at t.c:9"). */
function abortSite(c: Context): string | null {
  const tracker = c.trace?.tracker
  const last = tracker?.lastStep
  if (!tracker || !last) return null
  return behalfText(c.inferior, { count: last.count, ip: last.ip, chain: tracker.chain })
}

function explainAbort(c: Context): string[] {
  const site = abortSite(c)
  return [`${c.fault.message}${site ? ` It happened in ${site}.` : ''}`]
}

/** "at dfree.c:5 (instruction 13620)", or "in fclose (instruction …)" without a source line. */
function callSite(c: Context, call: ObservedCall): string {
  const who = onBehalfOf(c.inferior, AllocatorObserver.site(call))
  const place = who.source ? `at ${sourceText(who.source)}` : `in ${who.function ?? hex(call.call.returnAddress)}`
  return `${place} (instruction ${call.step.count})`
}

function callText(call: ObservedCall): string {
  const args = call.args.map((value, i) => ((call.fn === 'free' || call.fn === 'realloc') && i === 0 ? hex(value) : value.toString()))
  return `${call.fn}(${args.join(', ')})`
}

function explainAllocatorAbort(c: Context): string[] {
  const message = /\("(.*)"\)/.exec(c.fault.message)?.[1] ?? c.fault.message
  const sentences = [`glibc's malloc checks its own bookkeeping on every call, found it inconsistent ("${message}") and aborted the program (SIGABRT).`]
  const calls = c.allocations?.calls ?? []
  const failing = c.allocations?.unfinished
  if (!failing) return sentences
  sentences.push(`The failing call was ${callText(failing)} ${callSite(c, failing)}.`)
  const pointer = failing.fn === 'free' || failing.fn === 'realloc' ? failing.args[0]! : null
  if (pointer === null) return sentences
  const earlier = calls.slice(0, calls.indexOf(failing))
  const allocatedAt = earlier.findLastIndex((call) => call.fn !== 'free' && call.result === pointer)
  const freedAt = earlier.findLastIndex((call) => (call.fn === 'free' || (call.fn === 'realloc' && call.result !== pointer)) && call.args[0] === pointer)
  if (freedAt > allocatedAt && freedAt >= 0) {
    const freed = earlier[freedAt]!
    const allocated = allocatedAt >= 0 ? earlier[allocatedAt]! : null
    const since = allocated ? ` since ${callText(allocated)} returned it ${callSite(c, allocated)}` : ''
    const by = freed.fn === 'free' ? '' : ` (by ${callText(freed)})`
    sentences.push(`${hex(pointer)} had already been freed ${callSite(c, freed)}${by}, and nothing had allocated it again${since}: freeing a chunk twice is a double free.`)
    return sentences
  }
  if (allocatedAt < 0) {
    sentences.push(`No malloc, calloc or realloc in the replayed run returned ${hex(pointer)}: it is not a pointer the allocator handed out.`)
    return sentences
  }
  // A corrupted chunk: who wrote its size field (the 8 bytes before the pointer)?
  const tracker = c.trace?.tracker
  if (!tracker || pointer < 16n) return sentences
  const field = Number(pointer) - 8
  const origins = Array.from({ length: 8 }, (_, i) => tracker.originAt(field + i))
  const writer = latestWriter(Array.from({ length: 8 }, (_, i) => tracker.writerAt(field + i)))
  if (writer && !/^(malloc|calloc|realloc|free|_int_|__libc_|tcache|sysmalloc)/.test(functionName(c.inferior, writer.ip) ?? '')) {
    sentences.push(`The chunk's size field at ${hex(field)} was last written by ${behalfText(c.inferior, writer)} (instruction ${writer.count}), not by the allocator: it now holds ${originsPhrase(c.inferior, origins)}, so a write past the end of the chunk before it corrupted the heap.`)
  }
  return sentences
}

function explainInvalidOpcode(c: Context): string[] {
  const sentences = [c.fault.message]
  const tracker = c.trace?.tracker
  if (!tracker) return sentences
  const ip = Number(BigInt(c.fault.ip))
  const origins = Array.from({ length: 4 }, (_, i) => tracker.originAt(ip + i))
  if (origins.some(isInput)) sentences.push(`Those bytes are ${originsPhrase(c.inferior, origins)}: the program is running its input as code.`)
  return sentences
}
