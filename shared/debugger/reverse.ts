// Going backwards through the recorded history, as gdb's reverse execution commands do:
// back N instructions (reverse-stepi, reverse-nexti), back by source line (reverse-step,
// reverse-next), back to the call of the selected frame (reverse-finish), back to the latest
// breakpoint or watchpoint (reverse-continue), or to any instruction count (goto).
//
// History is replayed from checkpoints (deterministic re-execution). Line stepping needs the
// path the program took, so the stretch just before the present is re-executed one
// instruction at a time while the instruction pointer, the stack pointer and the kind of each
// instruction (call, return, other) are written down; the search then reads that trace
// backwards, and traces the stretch before it only when it gets there. Whole calls are skipped
// by watching the stack: going back over a `ret` enters a deeper frame, going back over a
// `call` leaves one. A skip that leaves the trace finds the call instruction (the one ending
// at the return address, run with the stack pointer the caller has after the return) at full
// speed, with CPU breakpoints, instead of tracing the whole callee.

import { DEFAULT_CHECKPOINT_INTERVAL } from '../machine/recording/recorder'
import { disassemble } from '../machine/disasm'
import type { MemoryView } from '../machine/memory'
import type { LineSpan } from '../debuginfo'
import { CommandError } from './command'
import { arm, breakpointsHit, disarm, resume, type StopReason } from './execution'
import { functionAt, type Frame } from './frames'
import type { Inferior } from './inferior'
import type { OutputBuilder } from './output'
import { gdbLineTable, type GdbLineTable } from './line-table'
import type { LocationStyle } from './report'
import type { DebugSession } from './session'

/** Moves to instruction count `target` (earlier or later), replaying without stopping. */
export function goTo(session: DebugSession, inferior: Inferior, target: number): void {
  disarm(inferior)
  // A fault held back for the debugger is abandoned: replaying through it delivers it.
  inferior.machine.kernel.heldFault = null
  try {
    inferior.recorder.runTo(target)
  } finally {
    inferior.machine.cpu.breakpointsArmed = true
    session.invalidateFrames()
  }
  // Back before a fatal signal the program was continued into: it is alive there again.
  if (inferior.signalDelivered && inferior.machine.status.state !== 'signaled') inferior.signalDelivered = false
}

/** Instructions run between pause checks when `goto` goes forward. */
const FORWARD_SLICE = 1_000_000

/**
 * goto: to instruction count `target`, earlier or later. Going forward runs the program (a
 * count far ahead may never come, in a program that loops), so it checks for a pause request
 * between slices; false when it was paused before getting there.
 */
export async function travelTo(session: DebugSession, inferior: Inferior, target: number): Promise<boolean> {
  while (inferior.instructionCount < target) {
    const before = inferior.instructionCount
    goTo(session, inferior, Math.min(target, before + FORWARD_SLICE))
    // Stopped early: the program exited, died or waits for input.
    if (inferior.instructionCount < Math.min(target, before + FORWARD_SLICE)) return true
    if (inferior.instructionCount === target) return true
    await session.hooks.yield()
    if (session.hooks.interruptRequested()) return false
  }
  if (target < inferior.instructionCount) goTo(session, inferior, target)
  return true
}

/** Where a reverse command stopped, and how much of the location gdb prints for it. */
export interface ReverseStop {
  reason: StopReason
  style: LocationStyle
}

/** Back `count` instructions, or to the start of history: 'history-start' when it got there. */
export function stepBack(session: DebugSession, count: number): StopReason {
  const inferior = session.requireInferior()
  const target = inferior.instructionCount - count
  const earliest = inferior.recorder.earliestReachable
  goTo(session, inferior, Math.max(target, earliest))
  return target <= earliest ? { kind: 'history-start' } : { kind: 'arrived' }
}

/**
 * reverse-stepi N: back N instructions. gdb prints only the source line when the last step
 * stayed in its frame and function, and the frame too when it crossed a call or a return.
 */
export function reverseStepInstructions(session: DebugSession, count: number): ReverseStop {
  const inferior = session.requireInferior()
  const target = inferior.instructionCount - count
  if (target <= inferior.recorder.earliestReachable) return { reason: stepBack(session, count), style: 'frame-and-source' }
  if (count > 1) goTo(session, inferior, target + 1)
  const after = functionStart(inferior, inferior.pc)
  goTo(session, inferior, target)
  const sameFrame = instructionKind(inferior.machine.memory, inferior.pc) === OTHER && functionStart(inferior, inferior.pc) === after
  return { reason: { kind: 'arrived' }, style: sameFrame ? 'source-line' : 'frame-and-source' }
}

/** reverse-nexti N: back N instructions, a whole call counting as one. */
export async function reverseNextInstructions(session: DebugSession, count: number): Promise<ReverseStop> {
  const inferior = session.requireInferior()
  let style: LocationStyle = 'source-line'
  for (let i = 0; i < count; i++) {
    if (i > 0 && session.hooks.interruptRequested()) return { reason: { kind: 'interrupted' }, style: 'frame-and-source' }
    const history = new History(session, inferior)
    const startFunction = functionStart(inferior, history.rip)
    const stop = await history.back()
    if (stop) return { reason: stop, style: 'frame-and-source' }
    if (history.depth > 0) {
      const skipped = await history.skipCall(0)
      if (skipped) return { reason: skipped, style: 'frame-and-source' }
    }
    history.settle()
    style = history.depth === 0 && functionStart(inferior, history.rip) === startFunction ? 'source-line' : 'frame-and-source'
  }
  return { reason: { kind: 'arrived' }, style }
}

/**
 * reverse-step / reverse-next: back to the beginning of the previous source line, as gdb
 * decides it (infrun's reverse stepping): a line's range is one line-table row; stepping
 * back stops on reaching the start of the row being stepped through, unless that is the
 * function's first instruction (then it goes on to the call); reaching the start of a row of
 * another line that is a statement stops; coming back into a callee through its `ret`,
 * reverse-step stops at the start of the callee's last row when the callee has line
 * information, and the call is skipped otherwise (always, for reverse-next).
 */
export async function reverseStepLine(session: DebugSession, mode: 'step' | 'next', out: OutputBuilder): Promise<ReverseStop> {
  const inferior = session.requireInferior()
  const code = new CodeFacts(inferior)
  const history = new History(session, inferior)
  const startFunction = code.functionStart(history.rip)
  const span = code.span(history.rip)
  const step: SteppingState = span
    ? { start: span.start, end: span.end, file: span.file, line: span.line, depth: 0, fn: startFunction }
    : { ...undebuggableRange(inferior, history.rip, out), file: '', line: 0, depth: 0, fn: startFunction }

  let stop = await history.back()
  for (;;) {
    if (stop) return { reason: stop, style: 'frame-and-source' }
    const action = decideBackwardStep(history, code, step, mode)
    if (action === 'stop') break
    if (action === 'skip-call') {
      stop = await history.skipCall(step.depth)
      continue
    }
    stop = await history.back()
  }
  history.settle()
  const sameFrame = history.depth === step.depth && code.functionStart(history.rip) === startFunction
  return { reason: { kind: 'arrived' }, style: sameFrame ? 'source-line' : 'frame-and-source' }
}

/**
 * reverse-finish: back to just before the selected frame's function was entered, which is the
 * call instruction in its caller. The entry is the latest moment the function's first
 * instruction ran with the stack pointer one return address below the frame's CFA (a deeper
 * recursion has a lower one), found at full speed; then one instruction more, as gdb does
 * (so a function entered by a `ret`, as a return-oriented payload does, goes back to that
 * `ret`). Without a known function start, the call ending at the frame's return address is
 * looked for instead, and without that, the walk goes back until the frame's call is behind.
 */
export async function reverseFinish(session: DebugSession, frame: Frame): Promise<StopReason> {
  const inferior = session.requireLive()
  const history = new History(session, inferior)
  const returnAddress = frame.returnAddressAt === null ? null : inferior.readU64(frame.returnAddressAt)
  const callerDepth = -(frame.level + 1)
  let stop: StopReason | null
  if (frame.functionStart !== null) {
    const entryRsp = frame.cfa - 8
    const atEntry = frame.level === 0 && history.rip === frame.functionStart && history.rsp === entryRsp
    stop = atEntry ? null : await history.backToArrival([frame.functionStart], entryRsp, callerDepth + 1)
    stop ??= await history.back()
  } else if (returnAddress !== null) {
    stop = await history.backToArrival(callSites(inferior, Number(returnAddress)), frame.cfa, callerDepth)
  } else {
    stop = null
    while (!stop && history.depth > callerDepth) stop = await history.back()
  }
  if (stop) return stop
  history.settle()
  return { kind: 'arrived' }
}

// --- deciding each backward step, as gdb's infrun does -------------------------------------

/** What gdb's stepping logic keeps between single steps: the range, line and frame stepped in. */
interface SteppingState {
  start: number
  end: number
  file: string
  line: number
  /** The frame being stepped in, relative to where the command started (callers are negative). */
  depth: number
  fn: number | null
}

type BackwardAction = 'stop' | 'keep-going' | 'skip-call'

function decideBackwardStep(history: History, code: CodeFacts, step: SteppingState, mode: 'step' | 'next'): BackwardAction {
  const pc = history.rip
  const fn = code.functionStart(pc)
  const inStepFrame = history.depth === step.depth && fn === step.fn
  if (inStepFrame && pc >= step.start && pc < step.end) {
    // Within the line: stop at its start, unless that is where the function begins (then the
    // call is still ahead, going backwards).
    return pc === step.start && pc !== fn ? 'stop' : 'keep-going'
  }
  if (history.depth === step.depth + 1) {
    // Back into a function the stepped frame called, through its return.
    const calleeHasLines = fn !== null && (code.span(fn)?.line ?? 0) !== 0
    if (mode === 'step' && calleeHasLines) {
      const span = code.span(pc)
      if (span && span.start === pc) return 'stop'
      step.start = span?.start ?? 0
      step.end = span?.end ?? 0
      return 'keep-going'
    }
    return 'skip-call'
  }
  const span = code.span(pc)
  if (!span) return 'stop'
  let refresh = true
  let line = span.line
  if (pc === span.start && (span.line !== step.line || span.file !== step.file)) {
    if (span.isStmt) return 'stop'
    // Not a statement: a row to pass through, remembering the line stepped from.
    if (inStepFrame) refresh = false
    else line = 0
  }
  step.start = span.start
  step.end = span.end
  if (refresh) {
    step.depth = history.depth
    step.fn = fn
    step.file = span.file
    step.line = line
  }
  return 'keep-going'
}

/** A function without line information is stepped through whole: its symbol's bounds. */
function undebuggableRange(inferior: Inferior, pc: number, out: OutputBuilder): { start: number; end: number } {
  const link = inferior.linkAddress(pc)
  const hit = inferior.program.containsLinked(link) ? inferior.program.symbols.containing(link) : undefined
  if (!hit || hit.symbol.size === 0) throw new CommandError('Cannot find bounds of current function')
  out.line(`Single stepping until exit from function ${hit.symbol.name},`)
  out.line('which has no line number information.')
  const start = pc - hit.offset
  return { start, end: start + hit.symbol.size }
}

/** Function starts and line rows by runtime address, looked up once per address. */
class CodeFacts {
  private readonly starts = new Map<number, number | null>()
  private readonly spans = new Map<number, LineSpan | null>()

  private readonly lines: GdbLineTable | null

  constructor(private readonly inferior: Inferior) {
    const debug = inferior.program.debug
    this.lines = debug && gdbLineTable(debug.info)
  }

  functionStart(pc: number): number | null {
    let start = this.starts.get(pc)
    if (start === undefined) {
      start = functionStart(this.inferior, pc)
      this.starts.set(pc, start)
    }
    return start
  }

  /** The line-table row holding pc as gdb keeps it (runtime addresses); undefined without a line. */
  span(pc: number): LineSpan | undefined {
    let span = this.spans.get(pc)
    if (span === undefined) {
      const inferior = this.inferior
      const row = this.lines?.rowAt(inferior.linkAddress(pc))
      span = row ? { ...row, start: inferior.runtimeAddress(row.start), end: inferior.runtimeAddress(row.end) } : null
      this.spans.set(pc, span)
    }
    return span ?? undefined
  }
}

function functionStart(inferior: Inferior, pc: number): number | null {
  return functionAt(inferior.program, inferior, pc).start
}

// --- the trace of the recent past ----------------------------------------------------------

/** The longest call instruction: prefixes, REX, ff /2 with a SIB byte and a 32-bit displacement. */
const MAX_CALL_LENGTH = 9

const OTHER = 0
const CALL = 1
const RETURN = 2

/** Prefixes that may come before a call or a return: operand size, notrack, bnd/rep, REX. */
function isCallPrefix(byte: number): boolean {
  return byte === 0x66 || byte === 0x3e || byte === 0xf2 || byte === 0xf3 || (byte >= 0x40 && byte <= 0x4f)
}

/** Whether the instruction at `address` is a call, a return or anything else (read from guest memory as it is now). */
function instructionKind(memory: MemoryView, address: number): number {
  for (let at = address; at < address + 5; at++) {
    const physical = memory.physical(at)
    if (physical < 0) return OTHER
    const byte = memory.bytes[physical]!
    if (byte === 0xe8) return CALL
    if (byte === 0xc3 || byte === 0xc2) return RETURN
    if (byte === 0xff) {
      const modrm = memory.physical(at + 1)
      if (modrm < 0) return OTHER
      const operation = (memory.bytes[modrm]! >> 3) & 7
      return operation === 2 || operation === 3 ? CALL : OTHER
    }
    if (!isCallPrefix(byte)) return OTHER
  }
  return OTHER
}

/**
 * Instructions traced at a time: few at first (most line steps end within a few instructions
 * and tracing costs more per instruction than replaying), growing to one checkpoint interval.
 */
const FIRST_TRACE_CHUNK = 64
const TRACE_CHUNK = DEFAULT_CHECKPOINT_INTERVAL

/**
 * A position in the past, moved backwards one instruction at a time over a trace of the
 * instructions before it. `depth` counts the frames entered (+1 going back over a `ret`) and
 * left (-1 going back over a `call`) since the walk began. The machine itself is moved only
 * to trace, to check a breakpoint's condition, and at the end (settle).
 */
class History {
  count: number
  rip: number
  rsp: number
  depth = 0
  /** The position before the last step back (where a call returned to, when it stepped back over a `ret`). */
  private previousRip = Number.NaN
  private previousRsp = Number.NaN
  private chunkStart: number
  private rips = new Float64Array(0)
  private rsps = new Float64Array(0)
  private kinds = new Uint8Array(0)
  private chunkSize = FIRST_TRACE_CHUNK
  /** Runtime addresses of the enabled breakpoints: passing one going back stops there. */
  private readonly breakpoints: Set<number>

  constructor(
    private readonly session: DebugSession,
    private readonly inferior: Inferior,
  ) {
    this.count = inferior.instructionCount
    this.rip = inferior.pc
    this.rsp = inferior.registerNumber('rsp')
    this.chunkStart = this.count
    this.breakpoints = new Set([...session.breakpoints.activeCodeAddresses()].map((link) => inferior.runtimeAddress(link)))
  }

  private get earliest(): number {
    return this.inferior.recorder.earliestReachable
  }

  /** Brings the machine to the position. */
  settle(): void {
    goTo(this.session, this.inferior, this.count)
  }

  /**
   * One instruction back. A reason to stop when there is one: the start of history, a pause
   * request, or a breakpoint at the new position.
   */
  async back(): Promise<StopReason | null> {
    if (this.count <= this.earliest) return this.historyStart()
    if (this.count - 1 < this.chunkStart) {
      this.trace(this.count)
      await this.session.hooks.yield()
      if (this.session.hooks.interruptRequested()) {
        this.settle()
        return { kind: 'interrupted' }
      }
    }
    const i = this.count - 1 - this.chunkStart
    this.previousRip = this.rip
    this.previousRsp = this.rsp
    const kind = this.kinds[i]
    if (kind === RETURN) this.depth++
    else if (kind === CALL) this.depth--
    this.count--
    this.rip = this.rips[i]!
    this.rsp = this.rsps[i]!
    if (this.count <= this.earliest) return this.historyStart()
    return this.breakpoints.has(this.rip) ? this.breakpointStop() : null
  }

  /**
   * Goes back over the rest of a call, from its `ret` (just stepped back to, at `depth` + 1)
   * to the call instruction (at `depth`). Within the trace it walks; leaving the trace, it
   * finds the call at full speed.
   */
  async skipCall(depth: number): Promise<StopReason | null> {
    const returnAddress = this.previousRip
    const callerRsp = this.previousRsp
    while (this.depth > depth) {
      if (this.count - 1 < this.chunkStart && !Number.isNaN(returnAddress)) return this.backToArrival(callSites(this.inferior, returnAddress), callerRsp, depth)
      const stop = await this.back()
      if (stop) return stop
    }
    return null
  }

  /**
   * Moves to the latest moment before the position at which the program stood at one of
   * `sites` with the stack pointer at `rsp`, found by replaying history at full speed; the
   * position's depth becomes `depth`. A breakpoint passed on the way stops it there.
   */
  async backToArrival(sites: readonly number[], rsp: number, depth: number): Promise<StopReason | null> {
    let end = this.count
    for (;;) {
      const found = await latestArrival(this.session, this.inferior, sites, rsp, this.breakpoints, end)
      if (found === 'interrupted') return { kind: 'interrupted' }
      if (found === null) {
        this.count = this.earliest
        return this.historyStart()
      }
      this.jumpTo(found.count, found.rip, found.rsp, depth)
      if (found.count <= this.earliest) return this.historyStart()
      if (found.site && !this.breakpoints.has(found.rip)) return null
      const stop = this.breakpointStop()
      if (stop || found.site) return stop
      end = found.count
    }
  }

  /** Moves the position to a moment found by replaying (the trace restarts there). */
  private jumpTo(count: number, rip: number, rsp: number, depth: number): void {
    this.count = count
    this.rip = rip
    this.rsp = rsp
    this.depth = depth
    this.previousRip = Number.NaN
    this.previousRsp = Number.NaN
    this.chunkStart = count
  }

  private historyStart(): StopReason {
    this.count = Math.max(this.count, this.earliest)
    this.settle()
    return { kind: 'history-start' }
  }

  /** At a breakpoint's address: gdb's stop there, if its condition and ignore count let it stop. */
  private breakpointStop(): StopReason | null {
    this.settle()
    const reached = breakpointsHit(this.session, this.inferior)
    return reached.length > 0 ? { kind: 'breakpoint', breakpoints: reached } : null
  }

  /** Re-executes the instructions before `end`, one at a time, writing down each one's registers and kind. */
  private trace(end: number): void {
    const inferior = this.inferior
    const start = Math.max(this.earliest, end - this.chunkSize)
    this.chunkSize = Math.min(TRACE_CHUNK, this.chunkSize * 4)
    goTo(this.session, inferior, start)
    const length = end - start
    this.rips = new Float64Array(length)
    this.rsps = new Float64Array(length)
    this.kinds = new Uint8Array(length)
    const cpu = inferior.machine.cpu
    const memory = inferior.machine.memory
    cpu.breakpointsArmed = false
    try {
      for (let i = 0; i < length; i++) {
        this.rips[i] = cpu.r.rip
        this.rsps[i] = inferior.registerNumber('rsp')
        this.kinds[i] = instructionKind(memory, cpu.r.rip)
        inferior.recorder.run(1)
        if (inferior.instructionCount !== start + i + 1) throw new Error(`replaying history stopped at instruction ${inferior.instructionCount}, before ${end}`)
      }
    } finally {
      cpu.breakpointsArmed = true
    }
    this.chunkStart = start
  }
}

/** A moment found by replaying: at one of the sites looked for, or at a user breakpoint. */
interface Arrival {
  count: number
  rip: number
  rsp: number
  site: boolean
}

/**
 * Scans history backwards, one checkpoint interval at a time, replaying each at full speed
 * with CPU breakpoints at `sites` and at the user's breakpoints: the latest arrival at a site
 * with the stack pointer at `rsp`, or at a user breakpoint whose condition holds, before
 * instruction `end`. Null when there is none in the history kept.
 */
async function latestArrival(
  session: DebugSession,
  inferior: Inferior,
  sites: readonly number[],
  rsp: number,
  breakpoints: ReadonlySet<number>,
  end: number,
): Promise<Arrival | 'interrupted' | null> {
  let windowEnd = end
  const earliest = inferior.recorder.earliestReachable
  try {
    while (windowEnd > earliest) {
      const windowStart = inferior.recorder.checkpointCounts().filter((c) => c < windowEnd).pop() ?? earliest
      const found = scanWindow(session, inferior, new Set(sites), rsp, breakpoints, windowStart, windowEnd)
      if (found) return found
      windowEnd = windowStart
      await session.hooks.yield()
      if (session.hooks.interruptRequested()) {
        goTo(session, inferior, windowEnd)
        return 'interrupted'
      }
    }
    return null
  } finally {
    // The user's breakpoints armed again, as they were.
    arm(session, inferior)
    disarm(inferior)
    inferior.machine.cpu.breakpointsArmed = true
  }
}

function scanWindow(
  session: DebugSession,
  inferior: Inferior,
  sites: ReadonlySet<number>,
  rsp: number,
  breakpoints: ReadonlySet<number>,
  start: number,
  end: number,
): Arrival | null {
  goTo(session, inferior, start)
  arm(session, inferior, [...sites, ...breakpoints], false)
  inferior.machine.memory.watchPages(new Set())
  const cpu = inferior.machine.cpu
  let latest: Arrival | null = null
  while (inferior.instructionCount < end) {
    const before = inferior.instructionCount
    inferior.recorder.run(end - before)
    if (inferior.machine.debugStop !== 'breakpoint' || inferior.instructionCount >= end) {
      if (inferior.instructionCount === before) break
      continue
    }
    const here = { count: inferior.instructionCount, rip: inferior.pc, rsp: inferior.registerNumber('rsp') }
    if (sites.has(here.rip) && here.rsp === rsp) latest = { ...here, site: true }
    else if (breakpoints.has(here.rip) && userBreakpointHolds(session, inferior)) latest = { ...here, site: false }
    // Past the breakpoint, which has been looked at.
    cpu.breakpointsArmed = false
    inferior.recorder.run(1)
    cpu.breakpointsArmed = true
  }
  return latest
}

/** The call instructions that could end at `returnAddress` (direct, or indirect of any length). */
function callSites(inferior: Inferior, returnAddress: number): number[] {
  const sites: number[] = []
  for (let length = 2; length <= MAX_CALL_LENGTH; length++) {
    const [line] = disassemble(inferior.machine.memory, returnAddress - length, 1)
    if (line && line.valid && line.bytes.length === length && /^call\b/.test(line.text)) sites.push(returnAddress - length)
  }
  return sites
}

/** Whether a user breakpoint at pc would stop the program here (its condition, without counting a hit). */
function userBreakpointHolds(session: DebugSession, inferior: Inferior): boolean {
  session.invalidateFrames()
  const candidates = session.breakpoints.codeAt(inferior.linkAddress(inferior.pc))
  return candidates.some((b) => b.condition === null || session.conditionHolds(b.condition))
}

/**
 * reverse-continue: the latest earlier moment at which a breakpoint or watchpoint stops the
 * program. Each checkpoint interval before the present is replayed forward with everything
 * armed, remembering every stop; the last one wins.
 */
export async function reverseContinue(session: DebugSession): Promise<StopReason> {
  const inferior = session.requireInferior()
  const end = inferior.instructionCount
  let windowEnd = end
  const counts = inferior.recorder.checkpointCounts()
  for (let i = counts.length - 1; i >= 0; i--) {
    const windowStart = counts[i]!
    if (windowStart >= windowEnd) continue
    const found = await lastStopBetween(session, inferior, windowStart, windowEnd)
    if (found) {
      goTo(session, inferior, found.count)
      restoreWatchValues(session, inferior)
      return found.reason
    }
    windowEnd = windowStart
    if (session.hooks.interruptRequested()) return { kind: 'interrupted' }
  }
  goTo(session, inferior, inferior.recorder.earliestReachable)
  restoreWatchValues(session, inferior)
  return { kind: 'history-start' }
}

/** Replays [start, end) with breakpoints armed; the last stop in it, with its count. */
async function lastStopBetween(session: DebugSession, inferior: Inferior, start: number, end: number): Promise<{ count: number; reason: StopReason } | null> {
  goTo(session, inferior, start)
  restoreWatchValues(session, inferior)
  const hitCounts = new Map<number, number>()
  for (const b of session.breakpoints.all()) hitCounts.set(b.number, b.hits)
  let last: { count: number; reason: StopReason } | null = null
  while (inferior.instructionCount < end) {
    const reason = await resume(session, { instructions: end - inferior.instructionCount })
    if (reason.kind === 'breakpoint' && inferior.instructionCount < end) last = { count: inferior.instructionCount, reason }
    // Going backwards, a write is found before it happens: the change seen is new -> old.
    if (reason.kind === 'watchpoint' && inferior.instructionCount <= end) {
      last = { count: inferior.instructionCount - 1, reason: { ...reason, old: reason.value, value: reason.old } }
    }
    if (reason.kind === 'breakpoint' || reason.kind === 'watchpoint') continue
    break
  }
  // Replaying is not hitting: hit counts stay as they were.
  for (const b of session.breakpoints.all()) b.hits = hitCounts.get(b.number) ?? b.hits
  arm(session, inferior)
  return last
}

/** Watchpoints compare against the value at the current moment, wherever history moved. */
function restoreWatchValues(session: DebugSession, inferior: Inferior): void {
  for (const w of session.breakpoints.activeWatchpoints()) w.value = inferior.read(w.address, w.length) ?? w.value
}
