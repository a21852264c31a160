// The control block: a few Int32 slots on a SharedArrayBuffer through which the host asks the
// simulation worker to run, pause, step or stop. A guest spinning in a tight loop never
// returns to the worker's event loop between slices, so messages alone could not pause it;
// the worker reads this block between slices of a few thousand instructions instead.

import type { ControlAction } from '../../shared/protocol/api'

/** Incremented by the host for every request (the worker compares it with the last it saw). */
export const REQUEST_SEQ = 0
/** The action of the latest request. */
export const REQUEST_ACTION = 1
/** The last request sequence number the worker has carried out. */
export const ACK_SEQ = 2
export const CONTROL_SLOTS = 4

const ACTION_CODES: Record<ControlAction, number> = { run: 1, pause: 2, step: 3, stop: 4 }
const ACTIONS_BY_CODE = new Map(Object.entries(ACTION_CODES).map(([action, code]) => [code, action as ControlAction]))

export function createControlBlock(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(CONTROL_SLOTS * Int32Array.BYTES_PER_ELEMENT))
}

/** Host side: publishes a request and wakes the worker if it is idle. Returns its sequence number. */
export function postControlRequest(control: Int32Array, action: ControlAction): number {
  Atomics.store(control, REQUEST_ACTION, ACTION_CODES[action])
  const seq = Atomics.add(control, REQUEST_SEQ, 1) + 1
  Atomics.notify(control, REQUEST_SEQ)
  return seq
}

/** Worker side: the pending request, or null when the host has asked nothing new since `seenSeq`. */
export function takeControlRequest(control: Int32Array, seenSeq: number): { seq: number; action: ControlAction } | null {
  const seq = Atomics.load(control, REQUEST_SEQ)
  if (seq === seenSeq) return null
  const action = ACTIONS_BY_CODE.get(Atomics.load(control, REQUEST_ACTION))
  if (!action) throw new Error(`control block holds an unknown action code ${Atomics.load(control, REQUEST_ACTION)}`)
  return { seq, action }
}

export function acknowledgeControlRequest(control: Int32Array, seq: number): void {
  Atomics.store(control, ACK_SEQ, seq)
  Atomics.notify(control, ACK_SEQ)
}
