// `heap history`: every malloc, calloc, realloc and free of the run up to the current instruction,
// with its arguments, its result, its caller and its instruction count. Worked out from the
// recording: the history is replayed from its start with internal breakpoints at the allocator's
// entry points and, for each outermost call, at its return address; afterwards the machine is
// back where it was. Calls the allocator makes to itself (realloc calling malloc in Memscape's
// libc) are part of the outer call and not listed.

import { arm, resume, type InternalStop } from './execution'
import type { Inferior } from './inferior'
import type { OutputBuilder } from './output'
import { onBehalfOf, sourceText } from './provenance/describe'
import type { CallChain } from './provenance/origins'
import { currentMoment, replayTo, returnTo } from './provenance/replay'
import { hex } from './report'
import type { DebugSession } from './session'
import { symbolize } from './target-environment'

export type AllocatorFunction = 'malloc' | 'calloc' | 'realloc' | 'free'

/** One call, as the UI and the table show it. */
export interface AllocatorCall {
  readonly function: AllocatorFunction
  /** The instruction count when the function was entered (its first instruction is next). */
  readonly count: number
  /** size; nmemb and size; pointer and size; pointer. */
  readonly args: readonly bigint[]
  /** What it returned (malloc, calloc, realloc); null for free, or when it has not returned. */
  readonly result: bigint | null
  /** False when the call never returned before the current instruction (it aborted, or is still running). */
  readonly returned: boolean
  /** The return address: where in its caller the call was made. */
  readonly returnAddress: number
  /** "main+20", or the address. */
  readonly caller: string
  /** The line of the program's own source that led to the call ("t.c:7"), when there is one. */
  readonly source: string | null
}

export interface HeapHistory {
  readonly calls: readonly AllocatorCall[]
  /** The first instruction count replayed (0 unless older history was dropped). */
  readonly from: number
  readonly to: number
  /** False when the user interrupted the replay: the list is only what was found until then. */
  readonly complete: boolean
}

/** The allocator's entry points: each name glibc (static) or Memscape's libc gives them. */
const ENTRY_NAMES: readonly [string, AllocatorFunction][] = [
  ['malloc', 'malloc'], ['__libc_malloc', 'malloc'],
  ['calloc', 'calloc'], ['__libc_calloc', 'calloc'],
  ['realloc', 'realloc'], ['__libc_realloc', 'realloc'],
  ['free', 'free'], ['__libc_free', 'free'], ['cfree', 'free'],
]

const ARGUMENTS: Readonly<Record<AllocatorFunction, readonly string[]>> = {
  malloc: ['rdi'], calloc: ['rdi', 'rsi'], realloc: ['rdi', 'rsi'], free: ['rdi'],
}

/** Runtime entry addresses of the allocator functions the program has. */
export function allocatorEntries(inferior: Inferior): Map<number, AllocatorFunction> {
  const entries = new Map<number, AllocatorFunction>()
  for (const [name, fn] of ENTRY_NAMES) {
    const symbol = inferior.program.symbols.named(name)
    if (symbol && symbol.value !== 0) entries.set(inferior.runtimeAddress(symbol.value), fn)
  }
  return entries
}

interface OpenCall {
  readonly fn: AllocatorFunction
  readonly count: number
  readonly args: bigint[]
  readonly returnAddress: number
  /** rsp once the function has returned (the return address popped). */
  readonly returnRsp: number
  readonly caller: string
  readonly source: string | null
}

function openCall(session: DebugSession, inferior: Inferior, fn: AllocatorFunction): OpenCall {
  const rsp = inferior.registerNumber('rsp')
  const returnAddress = Number(inferior.readU64(rsp) ?? 0n)
  const caller = symbolize(inferior.program, inferior, BigInt(returnAddress)) ?? hex(returnAddress)
  const behalf = onBehalfOf(inferior, { count: inferior.instructionCount, ip: returnAddress - 1, chain: callChain(session) })
  return {
    fn, count: inferior.instructionCount, args: ARGUMENTS[fn].map((r) => inferior.register(r) ?? 0n),
    returnAddress, returnRsp: rsp + 8, caller, source: behalf.source ? sourceText(behalf.source) : null,
  }
}

/** The calls the caller (frame 1) runs inside, innermost first, from unwinding the stack. */
function callChain(session: DebugSession): CallChain | null {
  const frames = session.frames()
  let chain: CallChain | null = null
  for (let level = frames.length - 1; level >= 2; level--) {
    const callee = frames[level - 1]!
    if (callee.returnAddressAt === null) continue
    chain = { returnAddress: frames[level]!.pc, rsp: callee.returnAddressAt, target: callee.functionStart, caller: chain }
  }
  return chain
}

/** Replays the recorded run up to the current instruction and lists the allocator calls in it. */
export async function heapHistory(session: DebugSession, inferior: Inferior): Promise<HeapHistory> {
  const entries = allocatorEntries(inferior)
  const moment = currentMoment(inferior)
  const from = inferior.recorder.earliestReachable
  const calls: AllocatorCall[] = []
  const watchpoints = session.breakpoints.activeWatchpoints()
  // Replaying must not stop at, count or re-evaluate the user's watchpoints.
  for (const w of watchpoints) w.enabled = false
  let open: OpenCall | null = null
  let complete = true
  try {
    replayTo(inferior, from)
    const entryStops: InternalStop[] = [...entries.keys()].map((address) => ({ address, accept: () => true }))
    while (inferior.instructionCount < moment.count) {
      const stops = open ? [...entryStops, { address: open.returnAddress, accept: (i: Inferior) => i.registerNumber('rsp') >= open!.returnRsp }] : entryStops
      const reason = await resume(session, { instructions: moment.count - inferior.instructionCount, stops, userBreakpoints: false })
      if (reason.kind === 'interrupted') {
        complete = false
        break
      }
      if (reason.kind !== 'arrived') break
      // The moment itself may be a return (the call returned) or an entry (the call is under way).
      const pc = inferior.pc
      if (open && pc === open.returnAddress && inferior.registerNumber('rsp') >= open.returnRsp) {
        calls.push(finished(open, open.fn === 'free' ? null : (inferior.register('rax') ?? 0n), true))
        open = null
      } else {
        const fn = entries.get(pc)
        // An allocator function called by another one is part of that call.
        if (fn && !open) open = openCall(session, inferior, fn)
      }
      if (inferior.instructionCount >= moment.count) break
    }
  } finally {
    for (const w of watchpoints) w.enabled = true
    // The CPU keeps only the user's breakpoints again, not the allocator's.
    arm(session, inferior)
    returnTo(session, inferior, moment)
    for (const w of watchpoints) w.value = inferior.read(w.address, w.length) ?? w.value
  }
  if (open) calls.push(finished(open, null, false))
  return { calls, from, to: moment.count, complete }
}

function finished(call: OpenCall, result: bigint | null, returned: boolean): AllocatorCall {
  return {
    function: call.fn, count: call.count, args: call.args, result, returned,
    returnAddress: call.returnAddress, caller: call.caller, source: call.source,
  }
}

/** "malloc(24)", "calloc(4, 8)", "realloc(0x4052a0, 100)", "free(0x4052a0)". */
export function callText(call: AllocatorCall): string {
  const args = call.args.map((value, i) => ((call.function === 'realloc' || call.function === 'free') && i === 0 ? hex(value) : value.toString()))
  return `${call.function}(${args.join(', ')})`
}

/** The table `heap history` prints. */
export function printHeapHistory(history: HeapHistory, out: OutputBuilder): void {
  const range = history.from === 0 ? `up to instruction ${history.to}` : `from instruction ${history.from} (the oldest history kept) to ${history.to}`
  if (history.calls.length === 0) {
    out.line(`No malloc, calloc, realloc or free calls ${range}.`)
    return
  }
  const rows = history.calls.map((call) => [
    String(call.count),
    callText(call),
    call.function === 'free' ? (call.returned ? '' : '(did not return)') : call.returned ? hex(call.result ?? 0n) : '(did not return)',
    `${call.caller}${call.source ? ` (${call.source})` : ''}`,
  ])
  const headings = ['instruction', 'call', 'returned', 'caller']
  const widths = headings.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)))
  out.line(`Allocator calls ${range}:`)
  out.line(headings.map((h, i) => h.padEnd(widths[i]!)).join('  ').trimEnd(), 'heading')
  for (const row of rows) {
    out.write(row[0]!.padStart(widths[0]!), 'value').write('  ')
    out.write(row[1]!.padEnd(widths[1]!), 'command').write('  ')
    out.write(row[2]!.padEnd(widths[2]!), 'address').write('  ')
    out.line(row[3]!)
  }
  if (!history.complete) out.line('Interrupted: the list stops where the replay was paused.', 'muted')
}
