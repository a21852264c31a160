// The allocator calls of the traced window, seen as shadow tracking passes them (a call to an
// allocator entry point, and the ret that leaves it): what an allocator abort is explained from.

import type { AllocatorFunction } from '../heap-history'
import { allocatorEntries } from '../heap-history'
import type { Inferior } from '../inferior'
import type { CallChain, Step } from '../provenance/origins'
import type { CallEvent, ShadowTracker } from '../provenance/shadow'

export interface ObservedCall {
  readonly fn: AllocatorFunction
  readonly args: readonly bigint[]
  /** The call instruction (its count, and the calls it was made inside). */
  readonly step: Step
  readonly call: CallChain
  result: bigint | null
  returned: boolean
}

const ARGUMENT_REGISTERS = ['rdi', 'rsi'] as const

export class AllocatorObserver {
  readonly calls: ObservedCall[] = []
  private readonly entries: Map<number, AllocatorFunction>
  private open: ObservedCall | null = null

  constructor(private readonly inferior: Inferior) {
    this.entries = allocatorEntries(inferior)
  }

  attach(tracker: ShadowTracker): void {
    tracker.onCallEvent = (event) => this.see(event)
  }

  /** The call that had not returned when the trace ended (the one that aborted). */
  get unfinished(): ObservedCall | null {
    return this.open
  }

  /** Where a call was made from, as a step (the call instruction, in its caller's chain). */
  static site(call: ObservedCall): Step {
    return { count: call.step.count, ip: call.call.returnAddress - 1, chain: call.call.caller }
  }

  private see(event: CallEvent): void {
    if (event.kind === 'call') {
      const fn = event.call.target === null ? undefined : this.entries.get(event.call.target)
      // An allocator function called by another one is part of the outer call.
      if (!fn || this.open) return
      const args = ARGUMENT_REGISTERS.slice(0, fn === 'calloc' || fn === 'realloc' ? 2 : 1).map((r) => this.inferior.register(r) ?? 0n)
      this.open = { fn, args, step: event.step, call: event.call, result: null, returned: false }
      this.calls.push(this.open)
    } else if (this.open && event.call === this.open.call) {
      this.open.returned = true
      this.open.result = this.open.fn === 'free' ? null : (this.inferior.register('rax') ?? 0n)
      this.open = null
    }
  }
}
