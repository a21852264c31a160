// last-write: the latest instruction that stored into some bytes, found the way gdb's reverse
// watch finds it but without single-stepping: checkpoint intervals are replayed newest first
// with the bytes' pages watched (Memory.watchPages), so only accesses to those pages slow down.
//
// The memory hook reports an access before it happens, with its address but not its size, and
// the CPU has committed none of the instruction's register changes yet. So at the hook the
// registers are saved; when the instruction has run, it is found (it ends where execution
// stopped, or is a call whose pushed return address ends it, or a rep string instruction still
// running) and decoded, its store addresses recomputed from the saved registers: only a store
// that really overlaps the bytes counts, even one that wrote the value already there. The
// kernel's writes (read() into a buffer) are known exactly from KernelWriteWatch.

import type { Inferior } from '../inferior'
import type { DebugSession } from '../session'
import { decodeEffects, effectiveAddress, type Effects, type MemoryRef } from './effects'
import { inputOriginAt, KernelWriteWatch, type KernelWrite, type SyscallContext } from './kernel-writes'
import type { Origin } from './origins'
import { currentMoment, replayTo, returnTo } from './replay'

/** The slack the hook's overlap test allows below the bytes (no access is wider than 16 bytes). */
const ACCESS_SPAN = 16
const MAX_INSTRUCTION = 15

export interface LastWrite {
  /** The writing instruction's number: the instruction count just after it (the machine is left one before). */
  readonly count: number
  /** The writing instruction's address (for a system call: the syscall instruction). */
  readonly ip: number
  /** Which of the bytes it wrote: [address, length] runs. */
  readonly written: readonly { address: number; length: number }[]
  /** The kernel wrote them during this system call (null: an instruction stored them, or signal delivery). */
  readonly syscall: SyscallContext | null
  /** The kernel wrote them outside a system call: a signal frame, or a debugger edit. */
  readonly kernel: 'signal' | 'edit' | null
  /** For bytes a read() brought in: where each written byte came from. */
  readonly inputs: readonly Origin[]
}

export type LastWriteResult =
  | { readonly kind: 'found'; readonly write: LastWrite }
  /** Nothing wrote the bytes since `earliest`, the oldest moment history reaches. */
  | { readonly kind: 'none'; readonly earliest: number }
  | { readonly kind: 'interrupted' }

interface Pending {
  /** Register file and segment bases when the first access was reported. */
  readonly registers: Int32Array
  readonly fsBase: number
  readonly gsBase: number
  readonly addresses: number[]
  readonly before: Uint8Array
  kernelWrites: KernelWrite[]
}

function addressWith(ref: MemoryRef, pending: Pending): number {
  return effectiveAddress(ref, pending.registers, pending.fsBase, pending.gsBase)
}

/** The stores of an instruction whose address matches one the hook saw: [start, size] each; null when none matches. */
function matchedStores(effects: Effects, pending: Pending): { address: number; length: number }[] | null {
  const stores = effects.stores.map((ref) => ({ address: addressWith(ref, pending), length: effects.string ? effects.string.size : ref.size }))
  const matches = stores.some((store) => pending.addresses.some((a) => a >= store.address && a < store.address + store.length))
  return matches ? stores : null
}

function overlap(runs: readonly { address: number; length: number }[], start: number, end: number): { address: number; length: number }[] {
  const result: { address: number; length: number }[] = []
  for (const run of runs) {
    const from = Math.max(run.address, start)
    const to = Math.min(run.address + run.length, end)
    if (from < to) result.push({ address: from, length: to - from })
  }
  return result
}

/** One checkpoint interval [start, end) replayed with the bytes watched; the last write in it. */
function lastWriteBetween(inferior: Inferior, from: number, to: number, start: number, end: number): LastWrite | null {
  const machine = inferior.machine
  const memory = machine.memory
  const cpu = machine.cpu
  replayTo(inferior, from)
  cpu.breakpointsArmed = false
  const watch = new KernelWriteWatch(inferior)
  let pending: Pending | null = null
  const begin = (): Pending => {
    pending ??= {
      registers: new Int32Array(cpu.r.regs), fsBase: cpu.r.fsBase, gsBase: cpu.r.gsBase, addresses: [],
      before: memory.peek(start, end - start).data, kernelWrites: [],
    }
    return pending
  }
  watch.onWrite = (write) => {
    if (write.address < end && write.address + write.length > start) {
      begin().kernelWrites.push(write)
      cpu.requestDebugStop()
    }
  }
  memory.onWatchedAccess = (address, access) => {
    if (access !== 'write' || watch.writing || address >= end || address + ACCESS_SPAN <= start) return
    begin().addresses.push(address)
    cpu.requestDebugStop()
  }
  const pages = new Set<number>()
  for (let page = start - (start % 4096); page < end; page += 4096) pages.add(page)
  memory.watchPages(pages)
  let last: LastWrite | null = null
  /** Stops after `last` whose instruction could not be told from the bytes before rip. */
  const unsure: number[] = []
  try {
    while (inferior.instructionCount < to) {
      const before = inferior.instructionCount
      inferior.recorder.run(to - before)
      if (pending) {
        const hit = identify(inferior, pending, start, end)
        pending = null
        if (hit === 'ambiguous') unsure.push(inferior.instructionCount)
        else if (hit && hit.count <= to) {
          last = hit
          unsure.length = 0
        }
      }
      const state = machine.status.state
      if (state !== 'running' && state !== 'ready') break
      if (inferior.instructionCount === before && machine.debugStop === null) break
    }
  } finally {
    memory.watchPages(new Set())
    memory.onWatchedAccess = () => {}
    watch.dispose()
  }
  for (const count of unsure.reverse()) {
    const exact = writeAt(inferior, count, start, end)
    if (exact) return exact
  }
  return last
}

/** Replays to just before instruction `count` and decodes it where it is: its stores into [start, end). */
function writeAt(inferior: Inferior, count: number, start: number, end: number): LastWrite | null {
  replayTo(inferior, count - 1)
  const effects = decodeEffects(inferior.machine.memory, inferior.pc)
  if (!effects) return null
  const regs = inferior.machine.cpu.r
  const now: Pending = { registers: regs.regs, fsBase: regs.fsBase, gsBase: regs.gsBase, addresses: [], before: new Uint8Array(0), kernelWrites: [] }
  const stores = effects.stores.map((ref) => ({ address: addressWith(ref, now), length: effects.string ? effects.string.size : ref.size }))
  const written = overlap(stores, start, end)
  return written.length === 0 ? null : { count, ip: inferior.pc, written, syscall: null, kernel: null, inputs: [] }
}

/** After the machine stopped for a reported access: the write it was, or null for a store beside the bytes. */
function identify(inferior: Inferior, pending: Pending, start: number, end: number): LastWrite | null | 'ambiguous' {
  const count = inferior.instructionCount
  const rip = inferior.pc
  if (pending.kernelWrites.length > 0) {
    const written = overlap(pending.kernelWrites, start, end)
    const context = pending.kernelWrites[0]!.context
    const inputs: Origin[] = []
    for (const run of written) {
      for (let a = run.address; a < run.address + run.length; a++) {
        const origin = inputOriginAt(context?.input ?? null, a)
        if (origin) inputs.push(origin)
      }
    }
    // A system call has retired (count includes it); the syscall instruction is 2 bytes before rip.
    const kernel = context ? null : pending.kernelWrites[0]!.edit ? 'edit' : 'signal'
    return { count, ip: context ? rip - 2 : rip, written, syscall: context, kernel, inputs }
  }
  const memory = inferior.machine.memory
  // The instruction that ran: it ends at rip, or it is a call (it ends at the return address it
  // pushed), or it is a rep string instruction at rip that has not finished. Decoding backwards
  // can find more than one instruction ending there (the tail of a longer one decodes too):
  // when they disagree, the stop is settled later by replaying to it.
  const pushed = inferior.readU64(pending.addresses[0]!)
  const ends = [rip, ...(pushed !== null && pushed < BigInt(Number.MAX_SAFE_INTEGER) ? [Number(pushed)] : [])]
  const readings = new Set<string>()
  let reading: LastWrite | null = null
  for (const stop of ends) {
    for (let length = 1; length <= MAX_INSTRUCTION; length++) {
      const effects = decodeEffects(memory, stop - length)
      if (!effects || effects.length !== length) continue
      const stores = matchedStores(effects, pending)
      if (!stores) continue
      const written = overlap(stores, start, end)
      readings.add(JSON.stringify(written))
      if (written.length > 0) reading = { count, ip: stop - length, written, syscall: null, kernel: null, inputs: [] }
    }
  }
  if (readings.size > 1) return 'ambiguous'
  if (readings.size === 1) return reading
  const current = decodeEffects(memory, rip)
  if (current?.string?.repeated) {
    const stores = matchedStores(current, pending)
    if (stores) {
      const written = overlap(stores, start, end)
      // Still running: it retires as the next instruction.
      return written.length === 0 ? null : { count: count + 1, ip: rip, written, syscall: null, kernel: null, inputs: [] }
    }
  }
  // Not decodable: count it as a write when the bytes changed.
  const after = memory.peek(start, end - start).data
  const changed: { address: number; length: number }[] = []
  after.forEach((byte, i) => {
    if (byte !== pending.before[i]) changed.push({ address: start + i, length: 1 })
  })
  return changed.length === 0 ? null : { count, ip: rip, written: changed, syscall: null, kernel: null, inputs: [] }
}

/**
 * Finds the last write to [address, address + length) before the current moment and leaves the
 * machine at the writing instruction, about to execute it (as gdb's reverse-continue to a
 * watchpoint does: stepi carries the write out); when nothing wrote there, the machine stays
 * where it was.
 */
export async function findLastWrite(session: DebugSession, inferior: Inferior, address: number, length: number): Promise<LastWriteResult> {
  const moment = currentMoment(inferior)
  const counts = inferior.recorder.checkpointCounts()
  let windowEnd = moment.count
  try {
    for (let i = counts.length - 1; i >= 0; i--) {
      const windowStart = counts[i]!
      if (windowStart >= windowEnd) continue
      const found = lastWriteBetween(inferior, windowStart, windowEnd, address, address + length)
      if (found) {
        replayTo(inferior, found.count - 1)
        inferior.machine.cpu.breakpointsArmed = true
        if (inferior.signalDelivered && inferior.machine.status.state !== 'signaled') inferior.signalDelivered = false
        session.invalidateFrames()
        for (const w of session.breakpoints.activeWatchpoints()) w.value = inferior.read(w.address, w.length) ?? w.value
        return { kind: 'found', write: found }
      }
      windowEnd = windowStart
      await session.hooks.yield()
      if (session.hooks.interruptRequested()) {
        returnTo(session, inferior, moment)
        return { kind: 'interrupted' }
      }
    }
  } catch (error) {
    returnTo(session, inferior, moment)
    throw error
  }
  returnTo(session, inferior, moment)
  return { kind: 'none', earliest: inferior.recorder.earliestReachable }
}
